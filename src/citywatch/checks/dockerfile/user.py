"""Which user the final image runs as."""

from __future__ import annotations

from typing import Any

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
    known_text,
    stage_path,
    words,
)
from citywatch.model import Resource

ROOT_NAMES = frozenset({"root", "0"})

NO_USER = define(
    "CW-DOCKER-001",
    "Image runs as root",
    "HIGH",
    description="Without a USER instruction in the final stage (or with USER root / 0 last), "
    "the container's processes run as root unless the platform overrides it; an escape or a "
    "writable mount then acts as root. Only the final stage matters: build stages may use root.",
    remediation="Create an unprivileged user and end the final stage with `USER <name or uid>` "
    "(for example `USER 10001:10001`).",
    references=[REFERENCE + "#user", BEST_PRACTICES + "#user"],
    compliance=compliance(["AC-6", "CM-6"], ["A.8.2", "A.8.9"], ["CC6.1", "CC6.3"], ["4.1"]),
)


def _non_root_base(stage: dict[str, Any]) -> bool:
    """Base images whose tag promises a non-root default user (distroless `:nonroot` ...)."""
    image = stage.get("base_image")
    if not isinstance(image, str):
        return False
    tag = image.partition("@")[0].rsplit("/", 1)[-1].partition(":")[2]
    return tag == "nonroot" or tag.startswith("nonroot-") or tag.endswith("-nonroot")


@implements(NO_USER, FRAMEWORK, KIND)
def _user(res: Resource, _ctx: CheckContext) -> Failure | None:
    chain = final_chain(res)
    if not chain:
        return None
    for stage in chain:  # the final stage first, then what it is built FROM
        users = list(instructions(res, "USER", [stage]))
        if users:
            instr, path = users[-1]
            args = words(instr)
            user = known_text(args[0], "USER") if args else ""
            name = user.split(":", 1)[0].strip()
            if name.lower() in ROOT_NAMES:
                return fail(f"the final stage runs as {user}", path, "user")
            return None
        if _non_root_base(stage):
            return None
    final = chain[0]
    return fail("the final stage has no USER instruction: runs as root", stage_path(final), "user")
