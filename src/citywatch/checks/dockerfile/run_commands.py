"""RUN steps that execute unverified code, weaken the build sandbox or loosen permissions."""

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
    instructions,
    key_of,
)
from citywatch.checks.dockerfile._shell import SHELLS, commands, pipelines, program, script_of
from citywatch.model import Resource

INTERPRETERS = SHELLS | {"python", "python3", "perl", "ruby", "node", "php", "pwsh"}
DOWNLOADERS = frozenset({"curl", "wget", "fetch"})
INTEGRITY = compliance(["SI-7", "SR-11", "CM-14"], ["A.8.19", "A.5.21"], ["CC7.1", "CC8.1"])
# `sh -c "$(curl ...)"`, `bash <(wget ...)`
_SUBSTITUTED = re.compile(r"(\$\(|<\(|`)\s*(curl|wget)\b")

PIPE_TO_SHELL = define(
    "CW-DOCKER-006",
    "Remote script piped into a shell",
    "HIGH",
    description="`curl ... | sh` runs whatever the server returns at build time, unverified; a "
    "compromised server, DNS or proxy owns the image.",
    remediation="Download to a file, verify its checksum or signature, then run it; better, "
    "install from a signed package repository.",
    references=[BEST_PRACTICES + "#run", "https://docs.docker.com/build/building/secrets/"],
    compliance={**INTEGRITY, "cis_docker": ["4.11"]},
)


@implements(PIPE_TO_SHELL, FRAMEWORK, KIND)
def _pipe_to_shell(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "RUN"):
        script = script_of(instr)
        for pipeline in pipelines(script):
            names = [program(cmd)[0] for cmd in pipeline]
            downloads = [i for i, n in enumerate(names) if n in DOWNLOADERS]
            if downloads and any(n in INTERPRETERS for n in names[downloads[0] + 1 :]):
                yield fail("RUN pipes a download into an interpreter", path, key_of(instr))
                break
            words = [w for cmd in pipeline for w in cmd]
            if names and names[0] in INTERPRETERS and any(_SUBSTITUTED.search(w) for w in words):
                yield fail("RUN executes a downloaded script", path, key_of(instr))
                break


SUDO = define(
    "CW-DOCKER-008",
    "RUN uses sudo",
    "MEDIUM",
    description="Build steps already run as the current USER; sudo in an image means the sudo "
    "binary and a sudoers policy ship with it, an easy privilege escalation path at run time.",
    remediation="Switch with `USER root` for the steps that need it and back to an "
    "unprivileged USER afterwards; do not install sudo.",
    references=[BEST_PRACTICES + "#user"],
    compliance=compliance(["AC-6", "CM-7"], ["A.8.2"], ["CC6.1", "CC6.3"], ["4.1"]),
)


@implements(SUDO, FRAMEWORK, KIND)
def _sudo(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "RUN"):
        for cmd in commands(script_of(instr)):
            starts = [w.rsplit("/", 1)[-1] for w in cmd[:1]]
            if starts == ["sudo"]:
                yield fail("RUN calls sudo", path, key_of(instr))
                break


RUN_CD = define(
    "CW-DOCKER-014",
    "RUN starts with cd instead of WORKDIR",
    "LOW",
    description="`RUN cd dir && ...` hides the working directory from later instructions and "
    "from readers; WORKDIR states it once and applies to RUN, CMD, COPY and ENTRYPOINT.",
    remediation="Use `WORKDIR /absolute/path` before the RUN.",
    references=[BEST_PRACTICES + "#workdir", REFERENCE + "#workdir"],
    compliance=compliance(["CM-6"], ["A.8.9"], ["CC8.1"]),
)


@implements(RUN_CD, FRAMEWORK, KIND)
def _run_cd(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "RUN"):
        cmds = commands(script_of(instr))
        if cmds and program(cmds[0])[0] == "cd":
            yield fail("RUN begins with cd: use WORKDIR", path, key_of(instr))


_MODE_WORLD_WRITABLE = re.compile(r"^[0-7]?[0-7]?[0-7][2367]$")
_SYMBOLIC_WORLD_WRITABLE = re.compile(r"(^|,)[ugoa]*[ao][ugoa]*[+=][rwxXst]*w")


def world_writable(mode: str) -> bool:
    if mode.isdigit():
        return bool(_MODE_WORLD_WRITABLE.match(mode))
    return bool(_SYMBOLIC_WORLD_WRITABLE.search(mode))


def _chmod_modes(res: Resource) -> Iterator[tuple[str, str, str, str]]:
    """(mode, where it is set, path, key) for chmod commands and COPY/ADD --chmod."""
    for instr, path in instructions(res, "RUN"):
        for cmd in commands(script_of(instr)):
            name, args = program(cmd)
            if name == "chmod":
                modes = [a for a in args if not a.startswith("-")][:1]
                for mode in modes:
                    yield mode, "chmod", path, key_of(instr, mode)
    for cmd_name in ("COPY", "ADD"):
        for instr, path in instructions(res, cmd_name):
            flag_mode = (instr.get("flags") or {}).get("chmod")
            if isinstance(flag_mode, str):
                yield flag_mode, f"{cmd_name} --chmod", path, key_of(instr, flag_mode)


WORLD_WRITABLE = define(
    "CW-DOCKER-018",
    "Files made world-writable",
    "MEDIUM",
    description="`chmod 777` (or any mode writable by others) lets every user in the container, "
    "including a compromised unprivileged process, replace the files.",
    remediation="Give ownership to the runtime user (`COPY --chown`, `chown`) and use modes such "
    "as 755/644, or 775 with a dedicated group.",
    references=[REFERENCE + "#copy---chmod", BEST_PRACTICES],
    compliance=compliance(["AC-3", "AC-6", "CM-6"], ["A.8.3", "A.8.9"], ["CC6.1"]),
)


@implements(WORLD_WRITABLE, FRAMEWORK, KIND)
def _world_writable(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for mode, how, path, key in _chmod_modes(res):
        if world_writable(mode):
            yield fail(f"{how} {mode} makes files writable by every user", path, key)


_SETID_NUMERIC = re.compile(r"^[2-7][0-7]{3}$")
_SETID_SYMBOLIC = re.compile(r"[+=][rwxt]*s")

SETUID = define(
    "CW-DOCKER-026",
    "Files get setuid or setgid bits",
    "LOW",
    description="setuid/setgid binaries run with their owner's privileges; added in an image "
    "they are a ready-made privilege escalation for any process in the container.",
    remediation="Do not add setuid/setgid bits; strip existing ones "
    "(`find / -perm /6000 -type f -exec chmod a-s {} +`).",
    references=[BEST_PRACTICES],
    compliance=compliance(["AC-6", "CM-7"], ["A.8.2", "A.8.9"], ["CC6.1"], ["4.8"]),
)


@implements(SETUID, FRAMEWORK, KIND)
def _setuid(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for mode, how, path, key in _chmod_modes(res):
        if mode.startswith("a-") or mode.startswith("-"):
            continue
        if (mode.isdigit() and _SETID_NUMERIC.match(mode)) or _SETID_SYMBOLIC.search(mode):
            yield fail(f"{how} {mode} sets setuid/setgid bits", path, key)


INSECURE_RUN = define(
    "CW-DOCKER-021",
    "RUN step leaves the build sandbox",
    "HIGH",
    description="`RUN --security=insecure` runs the step with the privileges of a privileged "
    "container on the build host (the `security.insecure` entitlement).",
    remediation="Remove `--security=insecure`; do the privileged work outside the image build.",
    references=[REFERENCE + "#run---security"],
    compliance=compliance(["AC-6", "CM-7"], ["A.8.2", "A.8.25"], ["CC6.1", "CC8.1"]),
)


@implements(INSECURE_RUN, FRAMEWORK, KIND)
def _insecure_run(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "RUN"):
        security = (instr.get("flags") or {}).get("security")
        values = security if isinstance(security, list) else [security]
        if "insecure" in values:
            yield fail("RUN --security=insecure runs privileged", path, key_of(instr))


_NO_VERIFY = (
    ("curl", re.compile(r"^(-k|--insecure|-[a-zA-Z]*k[a-zA-Z]*)$")),
    ("wget", re.compile(r"^--no-check-certificate$")),
    ("pip", re.compile(r"^--trusted-host(=.*)?$")),
    ("pip3", re.compile(r"^--trusted-host(=.*)?$")),
    ("apt-get", re.compile(r"^(--allow-unauthenticated|--force-yes|--allow-insecure-repos.*)$")),
    ("apt", re.compile(r"^(--allow-unauthenticated|--allow-insecure-repos.*)$")),
    ("yum", re.compile(r"^--nogpgcheck$")),
    ("dnf", re.compile(r"^--nogpgcheck$")),
    ("microdnf", re.compile(r"^--nogpgcheck$")),
    ("rpm", re.compile(r"^--nosignature$")),
    ("apk", re.compile(r"^--allow-untrusted$")),
)
_CONFIG_NO_VERIFY = re.compile(
    r"(strict-ssl\s*=?\s*false|sslVerify\s*=?\s*false|GIT_SSL_NO_VERIFY|"
    r"NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*0|PYTHONHTTPSVERIFY\s*=\s*0)",
    re.I,
)

NO_VERIFY = define(
    "CW-DOCKER-024",
    "Download or package verification disabled",
    "MEDIUM",
    description="Flags such as `curl -k`, `wget --no-check-certificate`, `--allow-unauthenticated`"
    ", `--nogpgcheck` or `--trusted-host` turn off TLS or signature checks, so anyone on the "
    "network path can substitute what gets installed.",
    remediation="Remove the flag and fix the trust problem instead (install CA certificates, "
    "import the repository's signing key).",
    references=[BEST_PRACTICES + "#run"],
    compliance={**INTEGRITY, "cis_docker": ["4.11"]},
)


@implements(NO_VERIFY, FRAMEWORK, KIND)
def _no_verify(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for instr, path in instructions(res, "RUN"):
        script = script_of(instr)
        found = ""
        for cmd in commands(script):
            name, args = program(cmd)
            for tool, pattern in _NO_VERIFY:
                if name == tool:
                    bad = [a for a in args if pattern.match(a)]
                    if bad:
                        found = f"{name} {bad[0]}"
            if found:
                break
        if not found:
            match = _CONFIG_NO_VERIFY.search(script)
            found = match.group(0) if match else ""
        if found:
            yield fail(f"RUN disables verification: {found}", path, key_of(instr))
    for cmd_name in ("ENV", "ARG"):
        for instr, path in instructions(res, cmd_name):
            for arg in instr.get("args") or []:
                match = _CONFIG_NO_VERIFY.search(str(arg))
                if match:
                    msg = f"{cmd_name} disables verification: {match.group(0)}"
                    yield fail(msg, path, key_of(instr))
