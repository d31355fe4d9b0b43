"""Package installation in RUN steps: apt, apk, yum/dnf, pip and npm hygiene.

Size and cache checks look only at the stages that ship (the final stage and the stages it is
built FROM); pinning and upgrade checks look at every stage, since build stages shape the
artifacts that are copied out of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.dockerfile._common import (
    BEST_PRACTICES,
    FRAMEWORK,
    KIND,
    compliance,
    fail,
    final_chain,
    instructions,
    key_of,
)
from citywatch.checks.dockerfile._shell import Command, commands, positional, program, script_of
from citywatch.model import Resource

APT = frozenset({"apt-get", "apt", "aptitude"})
YUM = frozenset({"yum", "dnf", "microdnf", "tdnf"})
PIP = frozenset({"pip", "pip3"})
APT_VALUE_OPTS = frozenset({"-o", "-t", "-c", "--target-release", "--option"})
PIP_VALUE_OPTS = frozenset(
    {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url"}
    | {"--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root"}
    | {"--trusted-host", "--platform", "--python-version", "--only-binary", "--no-binary"}
)
APT_DOC = BEST_PRACTICES + "#apt-get"
HYGIENE = compliance(["CM-7", "CM-2"], ["A.8.9", "A.8.19"], ["CC7.1", "CC8.1"])


@dataclass(slots=True)
class Install:
    manager: str  # apt, apk, yum, pip, npm
    verb: str
    args: list[str]
    packages: list[str]


def _installs(cmd: Command) -> Install | None:
    name, args = program(cmd)
    if name in ("python", "python3") and args[:2] == ["-m", "pip"]:
        name, args = "pip", args[2:]
    if name in APT:
        pos = positional(args, APT_VALUE_OPTS)
        return Install("apt", pos[0], args, pos[1:]) if pos else None
    if name == "apk":
        pos = positional(args, frozenset({"-X", "--repository", "-t", "--virtual", "-p"}))
        return Install("apk", pos[0], args, pos[1:]) if pos else None
    if name in YUM:
        pos = positional(args, frozenset({"--enablerepo", "--disablerepo", "--setopt"}))
        return Install("yum", pos[0], args, pos[1:]) if pos else None
    if name in PIP:
        pos = positional(args, PIP_VALUE_OPTS)
        return Install("pip", pos[0], args, pos[1:]) if pos else None
    if name == "npm":
        pos = positional(args, frozenset({"--prefix", "--registry", "-w", "--workspace"}))
        return Install("npm", pos[0], args, pos[1:]) if pos else None
    if name == "yarn":
        pos = positional(args)
        return Install("yarn", pos[0] if pos else "install", args, pos[1:])
    return None


def _runs(
    res: Resource, shipped_only: bool
) -> Iterator[tuple[dict[str, Any], str, str, list[Install]]]:
    only = final_chain(res) if shipped_only else None
    for instr, path in instructions(res, "RUN", only):
        script = script_of(instr)
        found = [i for i in (_installs(c) for c in commands(script)) if i is not None]
        yield instr, path, script, found


def _cache_mount(instr: dict[str, Any], target: str) -> bool:
    mounts = (instr.get("flags") or {}).get("mount")
    values = mounts if isinstance(mounts, list) else [mounts] if mounts else []
    return any("type=cache" in str(m) and target in str(m) for m in values)


def _is_install(i: Install) -> bool:
    return (i.manager, i.verb) in {
        ("apt", "install"),
        ("apk", "add"),
        ("yum", "install"),
        ("pip", "install"),
    }


NO_RECOMMENDS = define(
    "CW-DOCKER-010",
    "apt-get install pulls recommended packages",
    "LOW",
    description="Without `--no-install-recommends` apt installs every recommended package too, "
    "growing the image and its attack surface with software nobody asked for.",
    remediation="Use `apt-get install -y --no-install-recommends <packages>`.",
    references=[APT_DOC],
    compliance={**HYGIENE, "cis_docker": ["4.3"]},
)


@implements(NO_RECOMMENDS, FRAMEWORK, KIND)
def _no_recommends(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path, _script, found in _runs(res, shipped_only=True):
        for inst in found:
            if (inst.manager, inst.verb) != ("apt", "install"):
                continue
            if "--no-install-recommends" in inst.args or any(
                "Install-Recommends=" in a for a in inst.args
            ):
                continue
            yield fail("apt install without --no-install-recommends", path, key_of(instr))
            break


_APT_LISTS_REMOVED = re.compile(r"\brm\b[^;&|]*/var/lib/apt/lists")
_APK_CACHE_REMOVED = re.compile(r"\brm\b[^;&|]*/var/cache/apk")
_YUM_CLEANED = re.compile(
    r"\b(yum|dnf|microdnf|tdnf)\s+clean\s+all|\brm\b[^;&|]*/var/cache/(yum|dnf)"
)

CACHE_LEFT = define(
    "CW-DOCKER-011",
    "Package manager cache left in the image",
    "LOW",
    description="apt lists, apk and yum/dnf caches left in the layer add tens of megabytes and "
    "stale package metadata to the shipped image.",
    remediation="Clean up in the same RUN (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`,"
    " `dnf clean all`) or use a `--mount=type=cache` for the cache directory.",
    references=[APT_DOC, "https://docs.docker.com/build/cache/optimize/#use-cache-mounts"],
    compliance={**HYGIENE, "cis_docker": ["4.3"]},
)


@implements(CACHE_LEFT, FRAMEWORK, KIND)
def _cache_left(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path, script, found in _runs(res, shipped_only=True):
        managers = {i.manager for i in found if _is_install(i)}
        problems: list[str] = []
        if (
            "apt" in managers
            and not _APT_LISTS_REMOVED.search(script)
            and not _cache_mount(instr, "/var/lib/apt")
        ):
            problems.append("apt lists not removed")
        if "apk" in managers:
            no_cache = any(
                "--no-cache" in i.args for i in found if (i.manager, i.verb) == ("apk", "add")
            )
            if not (no_cache or _APK_CACHE_REMOVED.search(script)) and not _cache_mount(
                instr, "/var/cache/apk"
            ):
                problems.append("apk add without --no-cache")
        yum_cached = _YUM_CLEANED.search(script) or _cache_mount(instr, "/var/cache/")
        if "yum" in managers and not yum_cached:
            problems.append("yum/dnf cache not cleaned")
        if problems:
            yield fail(f"RUN leaves package caches: {'; '.join(problems)}", path, key_of(instr))


UPGRADE = define(
    "CW-DOCKER-012",
    "RUN upgrades every installed package",
    "LOW",
    description="`apt-get upgrade`/`dist-upgrade`, `apk upgrade` or `yum update` make the image "
    "depend on the day it was built and can break it unpredictably; patches belong in a newer "
    "base image.",
    remediation="Rebuild on an up-to-date base image tag instead; upgrade specific packages "
    "only when a fix is not yet in the base image.",
    references=[APT_DOC],
    compliance={**HYGIENE, "cis_docker": ["4.4"]},
)

UPGRADE_VERBS = {
    "apt": {"upgrade", "dist-upgrade", "full-upgrade"},
    "apk": {"upgrade"},
    "yum": {"update", "upgrade", "distro-sync"},
}


@implements(UPGRADE, FRAMEWORK, KIND)
def _upgrade(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path, _script, found in _runs(res, shipped_only=False):
        for inst in found:
            if inst.verb in UPGRADE_VERBS.get(inst.manager, set()) and not inst.packages:
                yield fail(f"RUN runs a full {inst.manager} {inst.verb}", path, key_of(instr))
                break


UPDATE_ALONE = define(
    "CW-DOCKER-013",
    "Package index updated in a RUN of its own",
    "MEDIUM",
    description="`RUN apt-get update` alone is cached as its own layer: later installs then "
    "use a stale index and can install outdated, vulnerable package versions.",
    remediation="Combine update and install in one RUN: "
    "`RUN apt-get update && apt-get install -y ...`.",
    references=[APT_DOC],
    compliance={**HYGIENE, "cis_docker": ["4.7"]},
)


@implements(UPDATE_ALONE, FRAMEWORK, KIND)
def _update_alone(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path, _script, found in _runs(res, shipped_only=False):
        for manager, install_verb in (("apt", "install"), ("apk", "add")):
            updates = [i for i in found if (i.manager, i.verb) == (manager, "update")]
            installs = [i for i in found if (i.manager, i.verb) == (manager, install_verb)]
            if updates and not installs:
                msg = f"{manager} update runs without an install in the same RUN"
                yield fail(msg, path, key_of(instr, manager))


PIP_CACHE = define(
    "CW-DOCKER-019",
    "pip install keeps its download cache",
    "LOW",
    description="pip stores downloaded wheels in ~/.cache/pip; without `--no-cache-dir` they "
    "stay in the shipped layer.",
    remediation="Use `pip install --no-cache-dir`, set `ENV PIP_NO_CACHE_DIR=1`, or mount a "
    "cache (`RUN --mount=type=cache,target=/root/.cache/pip`).",
    references=["https://docs.docker.com/build/cache/optimize/#use-cache-mounts"],
    compliance={**HYGIENE, "cis_docker": ["4.3"]},
)


def _env_set(stage_chain: list[dict[str, Any]], res: Resource, name: str) -> bool:
    for instr, _path in instructions(res, "ENV", stage_chain):
        if any(str(a).split("=", 1)[0] == name for a in instr.get("args") or []):
            return True
    return False


@implements(PIP_CACHE, FRAMEWORK, KIND)
def _pip_cache(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    if _env_set(final_chain(res), res, "PIP_NO_CACHE_DIR"):
        return
    for instr, path, _script, found in _runs(res, shipped_only=True):
        if _cache_mount(instr, ".cache"):
            continue
        for inst in found:
            if (inst.manager, inst.verb) == (
                "pip",
                "install",
            ) and "--no-cache-dir" not in inst.args:
                yield fail("pip install without --no-cache-dir", path, key_of(instr))
                break


NPM_INSTALL = define(
    "CW-DOCKER-020",
    "npm install used instead of npm ci",
    "LOW",
    description="`npm install` (and `yarn install` without a frozen lockfile) may resolve "
    "different versions than the lockfile says, so the image is not what was tested.",
    remediation="Use `npm ci` (or `yarn install --frozen-lockfile` / `--immutable`).",
    references=["https://docs.docker.com/guides/nodejs/containerize/"],
    compliance={**HYGIENE, "cis_docker": ["4.11"]},
)


@implements(NPM_INSTALL, FRAMEWORK, KIND)
def _npm_install(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path, _script, found in _runs(res, shipped_only=False):
        for inst in found:
            if inst.manager == "npm" and inst.verb in ("install", "i") and not inst.packages:
                yield fail("npm install ignores the lockfile: use npm ci", path, key_of(instr))
                break
            frozen = {"--frozen-lockfile", "--immutable"} & set(inst.args)
            if inst.manager == "yarn" and inst.verb == "install" and not frozen:
                yield fail("yarn install without --frozen-lockfile", path, key_of(instr))
                break


def _unpinned(inst: Install) -> list[str]:
    out: list[str] = []
    for pkg in inst.packages:
        if pkg.startswith(("$", ".", "/")) or "://" in pkg or pkg.endswith((".deb", ".rpm")):
            continue
        if inst.manager == "pip":
            if pkg.endswith((".whl", ".tar.gz", ".zip")) or re.search(r"(==|===|@|~=)", pkg):
                continue
        elif "=" in pkg or "~" in pkg:
            continue
        out.append(pkg)
    return out


PINS = define(
    "CW-DOCKER-022",
    "Packages installed without version pins",
    "LOW",
    description="Unpinned packages resolve to whatever the repository serves at build time: "
    "builds are not reproducible and a compromised or broken release slips in unnoticed.",
    remediation="Pin versions (`apt-get install curl=8.5.0-2`, `apk add curl=8.9.1-r2`, "
    "`pip install requests==2.32.3`, or a hashed requirements file).",
    references=[APT_DOC],
    compliance={**HYGIENE, "cis_docker": ["4.11"]},
)


@implements(PINS, FRAMEWORK, KIND)
def _pins(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path, _script, found in _runs(res, shipped_only=False):
        loose: list[str] = []
        for inst in found:
            if _is_install(inst):
                loose.extend(_unpinned(inst))
        if loose:
            shown = ", ".join(loose[:5]) + (" ..." if len(loose) > 5 else "")
            yield fail(f"unpinned packages: {shown}", path, key_of(instr))


SSH_PACKAGES = frozenset({"openssh-server", "dropbear", "openssh", "ssh"})

SSH_SERVER = define(
    "CW-DOCKER-027",
    "Image installs an SSH server",
    "MEDIUM",
    description="An SSH daemon in a container is another network service with credentials to "
    "manage and attack; `docker exec`/`kubectl exec` serve the same need.",
    remediation="Remove the SSH server package; use `docker exec` or `kubectl exec` for access.",
    references=[BEST_PRACTICES],
    compliance=compliance(["CM-7", "AC-17"], ["A.8.9", "A.8.20"], ["CC6.6", "CC7.1"], ["4.3"]),
)


@implements(SSH_SERVER, FRAMEWORK, KIND)
def _ssh_server(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path, _script, found in _runs(res, shipped_only=True):
        for inst in found:
            if inst.manager == "pip" or not _is_install(inst):
                continue
            names = {re.split(r"[=~]", p, maxsplit=1)[0] for p in inst.packages}
            hits = sorted(names & SSH_PACKAGES)
            if hits:
                yield fail(f"RUN installs {', '.join(hits)}", path, key_of(instr))
                break
