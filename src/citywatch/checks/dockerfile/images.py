"""Base images: mutable tags and missing digests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.base import CheckContext, Failure, UnknownValue, define, implements
from citywatch.checks.dockerfile._common import (
    BEST_PRACTICES,
    FRAMEWORK,
    KIND,
    REFERENCE,
    compliance,
    fail,
    stage_path,
    stages,
)
from citywatch.checks.kubernetes.images import ImageRef, parse_image
from citywatch.model import UNKNOWN, Resource

SUPPLY = compliance(["CM-2", "SI-7", "SR-11"], ["A.8.19", "A.8.32"], ["CC7.1", "CC8.1"], ["4.2"])


def _external_bases(res: Resource) -> Iterator[tuple[dict[str, Any], ImageRef, str]]:
    """Stages built from a registry image (not `scratch`, not another stage).

    Raises UnknownValue at the end when some base image depended on a build argument without
    a default and nothing else was reported, so the result is "unknown" rather than "pass".
    """
    unknown = False
    for stage in stages(res):
        image = stage.get("base_image")
        if image is UNKNOWN:
            unknown = True
            continue
        if not isinstance(image, str) or stage.get("from_stage") or image.lower() == "scratch":
            continue
        yield stage, parse_image(image), image
    if unknown:
        raise UnknownValue("stages.base_image")


def _collect(res: Resource, wanted: str) -> Iterator[Failure]:
    found: list[Failure] = []
    try:
        for stage, ref, text in _external_bases(res):
            if wanted == "latest" and ref.mutable_latest:
                how = "the latest tag" if ref.tag else "no tag"
                found.append(fail(f"base image {text} uses {how}", stage_path(stage), text))
            elif wanted == "digest" and ref.digest is None:
                msg = f"base image {text} is not pinned by digest"
                found.append(fail(msg, stage_path(stage), text))
    except UnknownValue:
        if not found:
            raise
    yield from found


LATEST = define(
    "CW-DOCKER-002",
    "Base image uses the latest tag or no tag",
    "MEDIUM",
    description="`FROM image` or `FROM image:latest` builds on whatever the tag points to that "
    "day: builds are not reproducible and a compromised or broken upstream push is picked up "
    "silently.",
    remediation="Use an explicit version tag, ideally with its digest "
    "(`FROM python:3.12.7-slim@sha256:...`).",
    references=[REFERENCE + "#from", BEST_PRACTICES + "#from"],
    compliance=SUPPLY,
)


@implements(LATEST, FRAMEWORK, KIND)
def _latest(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    return _collect(res, "latest")


DIGEST = define(
    "CW-DOCKER-003",
    "Base image is not pinned by digest",
    "LOW",
    description="A tag can be re-pointed to other content; only a digest guarantees the base "
    "image is the one that was reviewed and scanned.",
    remediation="Append the digest to the FROM line (`FROM image:tag@sha256:...`) and update it "
    "with a dependency bot.",
    references=[
        REFERENCE + "#from",
        "https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier",
    ],
    compliance=SUPPLY,
)


@implements(DIGEST, FRAMEWORK, KIND)
def _digest(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    return _collect(res, "digest")
