"""What goes into the image through ADD and COPY."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.dockerfile._common import (
    BEST_PRACTICES,
    FRAMEWORK,
    KIND,
    REFERENCE,
    compliance,
    fail,
    instructions,
    key_of,
)
from citywatch.model import UNKNOWN, Resource

REMOTE = re.compile(r"^(https?://|git@|git://|ssh://)", re.I)
ARCHIVE = re.compile(
    r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|gz|bz2|xz)$", re.I
)


def sources(instr: dict[str, Any]) -> list[str]:
    """The source operands of ADD/COPY (every argument but the destination)."""
    if instr.get("heredocs"):
        return []
    args = instr.get("expanded") or instr.get("args") or []
    return [str(a) for a in args[:-1] if a is not UNKNOWN]


ADD_URL = define(
    "CW-DOCKER-004",
    "ADD downloads from a URL",
    "MEDIUM",
    description="`ADD <url>` fetches remote content at build time without verifying it (unless "
    "`--checksum` is given): a compromised or changed server changes the image.",
    remediation="Download with curl/wget in a RUN step and verify a checksum or signature, or "
    "use `ADD --checksum=sha256:...`.",
    references=[REFERENCE + "#add", BEST_PRACTICES + "#add-or-copy"],
    compliance=compliance(["SI-7", "SR-11"], ["A.8.19", "A.5.21"], ["CC7.1", "CC8.1"], ["4.9"]),
)


@implements(ADD_URL, FRAMEWORK, KIND)
def _add_url(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "ADD"):
        if "checksum" in (instr.get("flags") or {}):
            continue
        urls = [s for s in sources(instr) if REMOTE.match(s)]
        if urls:
            yield fail(f"ADD fetches {', '.join(urls)} without a checksum", path, key_of(instr))


ADD_LOCAL = define(
    "CW-DOCKER-005",
    "ADD used where COPY suffices",
    "LOW",
    description="ADD silently extracts archives and can fetch URLs; for plain local files COPY "
    "does the same with no surprises.",
    remediation="Use COPY for local files and directories; keep ADD for local tar archives that "
    "must be extracted.",
    references=[BEST_PRACTICES + "#add-or-copy", REFERENCE + "#copy"],
    compliance=compliance(["CM-7"], ["A.8.9"], ["CC7.1"], ["4.9"]),
)


@implements(ADD_LOCAL, FRAMEWORK, KIND)
def _add_local(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "ADD"):
        srcs = sources(instr)
        plain = bool(srcs) and not any(REMOTE.match(s) or ARCHIVE.search(s) for s in srcs)
        if instr.get("heredocs") or plain:
            yield fail("ADD copies local files: use COPY", path, key_of(instr))


WHOLE_CONTEXT = frozenset({".", "./", "*", "./*", "/"})

NO_DOCKERIGNORE = define(
    "CW-DOCKER-023",
    "Whole build context copied without a .dockerignore",
    "LOW",
    description="`COPY . .` without a .dockerignore sends everything in the directory into the "
    "image: .git history, .env files, local credentials and build leftovers.",
    remediation="Add a .dockerignore (at least .git, .env, *.pem, node_modules) or copy only the "
    "paths the image needs.",
    references=["https://docs.docker.com/build/concepts/context/#dockerignore-files"],
    compliance=compliance(["SC-28", "CM-7"], ["A.8.12", "A.8.9"], ["CC6.1"], ["4.10"]),
)


@implements(NO_DOCKERIGNORE, FRAMEWORK, KIND)
def _no_dockerignore(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    if res.attributes.get("dockerignore") is not False:
        return
    for cmd in ("COPY", "ADD"):
        for instr, path in instructions(res, cmd):
            if "from" in (instr.get("flags") or {}):
                continue
            if any(s in WHOLE_CONTEXT for s in sources(instr)):
                msg = f"{cmd} copies the whole build context and there is no .dockerignore"
                yield fail(msg, path, key_of(instr))


CREDENTIAL_FILES = re.compile(
    r"(^|/)(id_rsa|id_dsa|id_ecdsa|id_ed25519|\.env|\.npmrc|\.pypirc|\.netrc|\.git-credentials"
    r"|\.pgpass|credentials|\.htpasswd|\.ssh|\.aws|\.kube|\.gnupg|\.docker/config\.json"
    r"|[^/]+\.(key|p12|pfx|jks|keystore|ppk))/?$",
    re.I,
)

COPY_SECRETS = define(
    "CW-DOCKER-025",
    "Credential file copied into the image",
    "MEDIUM",
    description="Private keys, .env files, .npmrc/.pypirc tokens and cloud credentials copied "
    "into a layer stay in the image for anyone who can pull it, even if a later step deletes "
    "them.",
    remediation="Use build secrets (`RUN --mount=type=secret`) for build-time credentials and "
    "inject runtime secrets at deploy time.",
    references=["https://docs.docker.com/build/building/secrets/", REFERENCE + "#copy"],
    compliance=compliance(["IA-5", "SC-28"], ["A.5.17", "A.8.12"], ["CC6.1", "CC6.7"], ["4.10"]),
)


@implements(COPY_SECRETS, FRAMEWORK, KIND)
def _copy_secrets(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for cmd in ("COPY", "ADD"):
        for instr, path in instructions(res, cmd):
            hits = [s for s in sources(instr) if CREDENTIAL_FILES.search(s)]
            if hits:
                yield fail(f"{cmd} puts {', '.join(hits)} into the image", path, key_of(instr))
