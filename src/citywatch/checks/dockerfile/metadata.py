"""How the image is meant to run: health checks, working directory, start command, ports."""

from __future__ import annotations

import re
from collections.abc import Iterator

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.dockerfile._common import (
    BEST_PRACTICES,
    FRAMEWORK,
    KIND,
    REFERENCE,
    compliance,
    fail,
    final_chain,
    instructions,
    key_of,
    stage_path,
    stages,
    words,
)
from citywatch.model import UNKNOWN, Resource

HEALTHCHECK = define(
    "CW-DOCKER-009",
    "Image has no HEALTHCHECK",
    "LOW",
    description="Without a HEALTHCHECK the engine only knows whether the process exists, not "
    "whether it works: a hung service keeps running and receiving traffic.",
    remediation="Add `HEALTHCHECK CMD <probe>` to the final stage (orchestrators such as "
    "Kubernetes use their own probes, which is an acceptable alternative).",
    references=[REFERENCE + "#healthcheck"],
    compliance=compliance(["CP-10", "SI-4"], ["A.8.16"], ["A1.2", "CC7.2"], ["4.6"]),
)


@implements(HEALTHCHECK, FRAMEWORK, KIND)
def _healthcheck(res: Resource, _ctx: CheckContext) -> Failure | None:
    chain = final_chain(res)
    if not chain:
        return None
    for stage in chain:
        checks = list(instructions(res, "HEALTHCHECK", [stage]))
        if checks:
            instr, path = checks[-1]
            if [str(a).upper() for a in instr.get("args") or []][:1] == ["NONE"]:
                return fail("HEALTHCHECK NONE disables health checking", path, "healthcheck")
            return None
    return fail("the final stage has no HEALTHCHECK", stage_path(chain[0]), "healthcheck")


_ABSOLUTE = re.compile(r"^(/|[A-Za-z]:[\\/]|\\)")

RELATIVE_WORKDIR = define(
    "CW-DOCKER-015",
    "WORKDIR is a relative path",
    "LOW",
    description="A relative WORKDIR resolves against the previous one, which may come from the "
    "base image: where files land changes when the base image does.",
    remediation="Always use absolute paths in WORKDIR.",
    references=[REFERENCE + "#workdir", BEST_PRACTICES + "#workdir"],
    compliance=compliance(["CM-6"], ["A.8.9"], ["CC8.1"]),
)


@implements(RELATIVE_WORKDIR, FRAMEWORK, KIND)
def _relative_workdir(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "WORKDIR"):
        args = words(instr)
        if not args or args[0] is UNKNOWN:
            continue
        if not _ABSOLUTE.match(str(args[0])):
            yield fail(f"WORKDIR {args[0]} is relative", path, key_of(instr))


MULTIPLE_START = define(
    "CW-DOCKER-016",
    "Stage sets CMD or ENTRYPOINT more than once",
    "LOW",
    description="Only the last CMD and the last ENTRYPOINT of a stage take effect; earlier ones "
    "mislead readers and reviewers about what the container runs.",
    remediation="Keep one CMD and at most one ENTRYPOINT per stage.",
    references=[REFERENCE + "#cmd", REFERENCE + "#entrypoint"],
    compliance=compliance(["CM-6"], ["A.8.9"], ["CC8.1"]),
)


@implements(MULTIPLE_START, FRAMEWORK, KIND)
def _multiple_start(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for stage in stages(res):
        for cmd in ("CMD", "ENTRYPOINT"):
            found = list(instructions(res, cmd, [stage]))
            for instr, path in found[:-1]:
                msg = f"{cmd} is overridden by a later {cmd} in the same stage"
                yield fail(msg, path, key_of(instr))


EXPOSE_SSH = define(
    "CW-DOCKER-017",
    "Image exposes the SSH port",
    "MEDIUM",
    description="EXPOSE 22 advertises an SSH service in the container: another remotely "
    "reachable login with credentials to protect.",
    remediation="Remove EXPOSE 22 and the SSH server; use `docker exec` or `kubectl exec`.",
    references=[REFERENCE + "#expose"],
    compliance=compliance(["CM-7", "AC-17"], ["A.8.20", "A.8.9"], ["CC6.6"]),
)


@implements(EXPOSE_SSH, FRAMEWORK, KIND)
def _expose_ssh(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "EXPOSE"):
        for port in words(instr):
            if port is UNKNOWN:
                continue
            number = str(port).split("/", 1)[0]
            low, _, high = number.partition("-")
            if low.isdigit() and (low == "22" or (high.isdigit() and int(low) <= 22 <= int(high))):
                yield fail(f"EXPOSE {port} publishes SSH", path, key_of(instr))
                break


MAINTAINER = define(
    "CW-DOCKER-029",
    "Deprecated MAINTAINER instruction",
    "LOW",
    description="MAINTAINER has been deprecated since Docker 1.13; its value is not an OCI label, "
    "so tools that read `org.opencontainers.image.*` labels (registries, SBOM and provenance "
    "tools) do not see who owns the image.",
    remediation='Replace it with `LABEL org.opencontainers.image.authors="team@example.com"`.',
    references=[
        REFERENCE + "#maintainer-deprecated",
        "https://github.com/opencontainers/image-spec/blob/main/annotations.md",
    ],
    compliance=compliance(["CM-8", "PM-5"], ["A.5.9"], ["CC6.1"]),
)


@implements(MAINTAINER, FRAMEWORK, KIND)
def _maintainer(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "MAINTAINER"):
        yield fail("MAINTAINER is deprecated: use an OCI authors LABEL", path, key_of(instr))
