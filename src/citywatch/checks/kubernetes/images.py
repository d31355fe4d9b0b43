"""Which image a container runs: mutable tags, missing digests, pull policy, risky components."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import (
    FRAMEWORK,
    WORKLOADS,
    compliance,
    containers,
    fail,
)
from citywatch.checks.kubernetes._kustomize import effective_images
from citywatch.model import Resource

IMAGES_DOC = "https://kubernetes.io/docs/concepts/containers/images/"
SUPPLY = compliance(["CM-2", "SI-7", "SR-11"], ["A.8.19", "A.8.32"], ["CC7.1", "CC8.1"])


@dataclass(frozen=True, slots=True)
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None

    @property
    def mutable_latest(self) -> bool:
        """`:latest` or no tag at all, and no digest to pin it."""
        return self.digest is None and self.tag in (None, "latest")


def parse_image(text: str) -> ImageRef:
    """Split `registry/repo:tag@sha256:...` into its parts (the tag colon follows the last /)."""
    ref, _, digest = text.strip().partition("@")
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ImageRef(ref[:colon], ref[colon + 1 :] or None, digest or None)
    return ImageRef(ref, None, digest or None)


def _images(res: Resource, ctx: CheckContext) -> Iterator[tuple[ImageRef, str, str, str]]:
    """(parsed image, its text, dotted path of `image`, container key) per container.

    A Kustomize `images:` rewrite is applied first (the text then names both forms).
    """
    for c in containers(res):
        image = c.spec.get("image")
        if isinstance(image, str) and image.strip():
            for effective in effective_images(res, ctx, image):
                text = image if effective == image else f"{image} (kustomize: {effective})"
                yield parse_image(effective), text, f"{c.path}.image", c.key


LATEST = define(
    "CW-K8S-026",
    "Container image uses the latest tag or no tag",
    "MEDIUM",
    description="`:latest` (or no tag) is mutable: what runs depends on when the node pulled, "
    "deployments are not reproducible and a pushed malicious image is picked up silently.",
    remediation="Use an explicit version tag, ideally pinned by digest "
    "(`image: repo/app:1.4.2@sha256:...`).",
    references=[IMAGES_DOC, "https://kubernetes.io/docs/concepts/configuration/overview/"],
    compliance=SUPPLY,
)


@implements(LATEST, FRAMEWORK, *WORKLOADS)
def _latest(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for ref, text, path, key in _images(res, ctx):
        if ref.mutable_latest:
            how = "the latest tag" if ref.tag else "no tag"
            yield fail(res, f"image {text} uses {how}", path, key)


DIGEST = define(
    "CW-K8S-027",
    "Container image is not pinned by digest",
    "LOW",
    description="A tag can be moved to different content at any time; only a digest "
    "guarantees that every node runs the image that was reviewed and scanned.",
    remediation="Reference images by digest (`@sha256:...`), for example with a tool that "
    "resolves tags at release time.",
    references=[IMAGES_DOC],
    compliance={**SUPPLY, "cis_kubernetes": ["5.5.1"]},
)


@implements(DIGEST, FRAMEWORK, *WORKLOADS)
def _digest(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for ref, text, path, key in _images(res, ctx):
        if ref.digest is None:
            yield fail(res, f"image {text} is not pinned by digest", path, key)


PULL_POLICY = define(
    "CW-K8S-028",
    "Mutable image is not always pulled",
    "LOW",
    description="With a `latest` or untagged image and `imagePullPolicy` IfNotPresent or Never, "
    "each node runs whatever copy it cached, so replicas can run different code.",
    remediation="Pin the image to a version or digest; otherwise set `imagePullPolicy: Always`.",
    references=[IMAGES_DOC + "#image-pull-policy"],
    compliance=SUPPLY,
)


@implements(PULL_POLICY, FRAMEWORK, *WORKLOADS)
def _pull_policy(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        image = c.spec.get("image")
        policy = c.spec.get("imagePullPolicy")
        if not isinstance(image, str) or policy is None or str(policy) == "Always":
            continue
        if any(parse_image(e).mutable_latest for e in effective_images(res, ctx, image)):
            path = f"{c.path}.imagePullPolicy"
            yield fail(res, f"{c.label} pulls {image} with policy {policy}", path, c.key)


RISKY_IMAGES = re.compile(r"(^|/)(tiller|kubernetes-dashboard(-amd64|-arm64)?)$")
RISKY_REPOS = ("kubernetesui/", "kubernetes-helm/tiller", "helm/tiller")

RISKY = define(
    "CW-K8S-046",
    "Workload deploys Tiller or the Kubernetes Dashboard",
    "HIGH",
    description="Helm 2's Tiller serves an unauthenticated gRPC API with cluster-admin rights "
    "by default, and the Dashboard has been a common entry point when exposed with broad "
    "permissions.",
    remediation="Remove Tiller (use Helm 3, which has no server side). Do not deploy the "
    "Dashboard, or deploy it with a minimal service account and no external exposure.",
    references=[
        "https://kubernetes.io/docs/tasks/access-application-cluster/web-ui-dashboard/",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
    ],
    compliance=compliance(["CM-7", "AC-6"], ["A.8.19", "A.8.2"], ["CC6.1", "CC6.8"]),
)


@implements(RISKY, FRAMEWORK, *WORKLOADS)
def _risky(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for ref, text, path, key in _images(res, ctx):
        repo = ref.repository.lower()
        if RISKY_IMAGES.search(repo) or any(r in repo for r in RISKY_REPOS):
            yield fail(res, f"image {text} is Tiller or the Kubernetes Dashboard", path, key)
