"""Credentials written into ENV and ARG: both end up in the image metadata and its history.

Messages name the variable, never the value.
"""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.dockerfile._common import (
    FRAMEWORK,
    KIND,
    REFERENCE,
    compliance,
    fail,
    instructions,
)
from citywatch.checks.kubernetes._secretnames import (
    looks_like_literal_secret,
    looks_like_secret_name,
)
from citywatch.model import Resource

SECRETS_IN_BUILD = define(
    "CW-DOCKER-007",
    "Secret value in ENV or ARG",
    "HIGH",
    description="ENV values are stored in the image configuration and ARG defaults in the "
    "build history (`docker history`), readable by anyone who can pull the image.",
    remediation="Pass build-time secrets with `RUN --mount=type=secret` and runtime secrets "
    "through the orchestrator; rotate the exposed credential.",
    references=["https://docs.docker.com/build/building/secrets/", REFERENCE + "#env"],
    compliance=compliance(["IA-5", "SC-28"], ["A.5.17", "A.8.12"], ["CC6.1", "CC6.7"], ["4.10"]),
)


@implements(SECRETS_IN_BUILD, FRAMEWORK, KIND)
def _secrets(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for cmd in ("ENV", "ARG"):
        for instr, path in instructions(res, cmd):
            for arg in instr.get("args") or []:
                name, sep, value = str(arg).partition("=")
                if sep and looks_like_secret_name(name) and looks_like_literal_secret(value):
                    msg = f"{cmd} {name} has a literal value"
                    yield fail(msg, path, f"{cmd}:{name}")


BUILD_ARG_SECRET = define(
    "CW-DOCKER-028",
    "Secret passed as a build argument",
    "MEDIUM",
    description="A value given with `--build-arg` is recorded in the image history and build "
    "provenance of every RUN that sees it, and `ENV NAME=$ARG` copies it into the image "
    "configuration: anyone who can pull the image (or read the build record) reads the secret. "
    "Docker's own build check SecretsUsedInArgOrEnv flags the same.",
    remediation="Mount the secret for the one RUN that needs it: `RUN --mount=type=secret,"
    "id=npm_token,env=NPM_TOKEN npm ci` with `docker build --secret id=npm_token,env=NPM_TOKEN`.",
    references=[
        "https://docs.docker.com/build/building/secrets/",
        "https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/",
    ],
    compliance=compliance(["IA-5", "SC-28"], ["A.5.17", "A.8.12"], ["CC6.1", "CC6.7"], ["4.10"]),
)


@implements(BUILD_ARG_SECRET, FRAMEWORK, KIND)
def _build_arg_secrets(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    """ARGs without a literal value and ENVs set from a variable (literals are CW-DOCKER-007's)."""
    for cmd in ("ARG", "ENV"):
        for instr, path in instructions(res, cmd):
            for arg in instr.get("args") or []:
                name, sep, value = str(arg).partition("=")
                if not looks_like_secret_name(name) or looks_like_literal_secret(value):
                    continue
                if cmd == "ARG":
                    msg = f"ARG {name} takes a secret as a build argument"
                    yield fail(msg, path, f"ARG:{name}")
                elif sep and "$" in value:
                    msg = f"ENV {name} copies a build-time value into the image configuration"
                    yield fail(msg, path, f"ENV:{name}")
