"""Containers that can act as the node: privileged mode, escalation, capabilities, procMount."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import (
    FRAMEWORK,
    PSS,
    SECURITY_CONTEXT,
    WORKLOADS,
    as_list,
    compliance,
    containers,
    effective,
    fail,
    get,
    is_false,
    is_true,
    pod,
)
from citywatch.model import Resource

PRIV = compliance(["AC-6", "CM-7"], ["A.8.2", "A.8.9"], ["CC6.1", "CC6.3"])
CAPS = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container"

PRIVILEGED = define(
    "CW-K8S-001",
    "Container runs in privileged mode",
    "HIGH",
    description="A privileged container has every capability and full access to the host's "
    "devices; a compromise of the container is a compromise of the node.",
    remediation="Remove `securityContext.privileged: true`; grant only the specific "
    "capabilities the workload needs.",
    references=[PSS, SECURITY_CONTEXT],
    compliance={**PRIV, "cis_kubernetes": ["5.2.2"]},
)


@implements(PRIVILEGED, FRAMEWORK, *WORKLOADS)
def _privileged(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        if is_true(get(c.spec, "securityContext.privileged")):
            path = f"{c.path}.securityContext.privileged"
            yield fail(res, f"{c.label} runs privileged", path, c.key)


ESCALATION = define(
    "CW-K8S-002",
    "Container allows privilege escalation",
    "MEDIUM",
    description="Unless `allowPrivilegeEscalation` is false, a process can gain more privileges "
    "than its parent (setuid binaries, file capabilities).",
    remediation="Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    references=[PSS, SECURITY_CONTEXT],
    compliance={**PRIV, "cis_kubernetes": ["5.2.6"]},
)


@implements(ESCALATION, FRAMEWORK, *WORKLOADS)
def _escalation(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        value = get(c.spec, "securityContext.allowPrivilegeEscalation")
        if not is_false(value):
            path = f"{c.path}.securityContext.allowPrivilegeEscalation"
            state = "true" if is_true(value) else "not set (defaults to true)"
            yield fail(res, f"{c.label}: allowPrivilegeEscalation is {state}", path, c.key)


DANGEROUS_CAPS = frozenset(
    {
        "ALL",
        "SYS_ADMIN",
        "NET_ADMIN",
        "NET_RAW",
        "SYS_PTRACE",
        "SYS_MODULE",
        "SYS_RAWIO",
        "SYS_BOOT",
        "SYS_TIME",
        "DAC_READ_SEARCH",
        "DAC_OVERRIDE",
        "BPF",
        "PERFMON",
        "MAC_ADMIN",
        "MAC_OVERRIDE",
        "SETFCAP",
        "SYSLOG",
        "MKNOD",
    }
)


def _cap(name: object) -> str:
    text = str(name).strip().upper()
    return text[4:] if text.startswith("CAP_") else text


ADDED_CAPS = define(
    "CW-K8S-013",
    "Container adds dangerous Linux capabilities",
    "HIGH",
    description="Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or ALL give a container "
    "powers close to root on the node and are common container-escape primitives.",
    remediation="Remove the capability from `securityContext.capabilities.add`; if one is truly "
    "needed, document why and restrict the workload with admission policy.",
    references=[PSS, CAPS],
    compliance={**PRIV, "cis_kubernetes": ["5.2.9"]},
)


@implements(ADDED_CAPS, FRAMEWORK, *WORKLOADS)
def _added_caps(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        added = [_cap(x) for x in as_list(get(c.spec, "securityContext.capabilities.add"))]
        bad = sorted({cap for cap in added if cap in DANGEROUS_CAPS})
        if bad:
            path = f"{c.path}.securityContext.capabilities.add"
            yield fail(res, f"{c.label} adds {', '.join(bad)}", path, c.key)


DROP_ALL = define(
    "CW-K8S-014",
    "Container does not drop all capabilities",
    "LOW",
    description="Container runtimes grant a default set of capabilities (CHOWN, SETUID, NET_RAW, "
    "...). Dropping ALL and adding back only what is needed is the restricted Pod Security "
    "Standard.",
    remediation='Set `securityContext.capabilities.drop: ["ALL"]` and add back only '
    "NET_BIND_SERVICE if the process must bind a low port.",
    references=[PSS, CAPS],
    compliance={**PRIV, "cis_kubernetes": ["5.2.10"]},
)


@implements(DROP_ALL, FRAMEWORK, *WORKLOADS)
def _drop_all(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        dropped = {_cap(x) for x in as_list(get(c.spec, "securityContext.capabilities.drop"))}
        if "ALL" not in dropped:
            path = f"{c.path}.securityContext.capabilities"
            yield fail(res, f"{c.label} does not drop ALL capabilities", path, c.key)


NET_RAW = define(
    "CW-K8S-015",
    "Container keeps the NET_RAW capability",
    "MEDIUM",
    description="NET_RAW is in the runtime's default set; it allows crafting raw packets (ARP "
    "and DNS spoofing inside the cluster network).",
    remediation="Drop NET_RAW (or ALL) in `securityContext.capabilities.drop` and do not add it.",
    references=[CAPS, PSS],
    compliance={**PRIV, "cis_kubernetes": ["5.2.8"]},
)


@implements(NET_RAW, FRAMEWORK, *WORKLOADS)
def _net_raw(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        caps = f"{c.path}.securityContext.capabilities"
        added = {_cap(x) for x in as_list(get(c.spec, "securityContext.capabilities.add"))}
        dropped = {_cap(x) for x in as_list(get(c.spec, "securityContext.capabilities.drop"))}
        if added & {"NET_RAW", "ALL"}:
            yield fail(res, f"{c.label} adds NET_RAW", f"{caps}.add", c.key)
        elif not dropped & {"NET_RAW", "ALL"}:
            yield fail(res, f"{c.label} does not drop NET_RAW", caps, c.key)


PROC_MOUNT = define(
    "CW-K8S-020",
    "Container uses an unmasked /proc",
    "HIGH",
    description="`procMount: Unmasked` exposes the host's /proc paths that the runtime normally "
    "masks, leaking kernel and host information and weakening isolation.",
    remediation="Remove `securityContext.procMount` or set it to `Default`.",
    references=[PSS, SECURITY_CONTEXT],
    compliance=PRIV,
)


@implements(PROC_MOUNT, FRAMEWORK, *WORKLOADS)
def _proc_mount(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        value = get(c.spec, "securityContext.procMount")
        if value is not None and str(value) != "Default":
            path = f"{c.path}.securityContext.procMount"
            yield fail(res, f"{c.label} sets procMount {value}", path, c.key)


HOST_PROCESS = define(
    "CW-K8S-052",
    "Windows HostProcess container",
    "HIGH",
    description="A Windows HostProcess container runs directly on the host with the host's "
    "network and file system: it is the Windows equivalent of a privileged container.",
    remediation="Remove `securityContext.windowsOptions.hostProcess: true` unless the workload "
    "is node infrastructure deployed to a dedicated, locked-down namespace.",
    references=[
        PSS,
        "https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/",
    ],
    compliance={**PRIV, "cis_kubernetes": ["5.2.11"]},
)


@implements(HOST_PROCESS, FRAMEWORK, *WORKLOADS)
def _host_process(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        value, path = effective(res, c, "windowsOptions")
        if isinstance(value, dict) and is_true(value.get("hostProcess")):
            yield fail(res, f"{c.label} is a Windows HostProcess container", path, c.key)


READ_ONLY_ROOT = define(
    "CW-K8S-012",
    "Container root filesystem is writable",
    "LOW",
    description="A writable root filesystem lets an attacker drop tools or modify binaries "
    "inside the running container.",
    remediation="Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` "
    "where the application must write.",
    references=[SECURITY_CONTEXT],
    compliance=compliance(["CM-7", "SI-7"], ["A.8.9"], ["CC6.8", "CC7.1"]),
)


@implements(READ_ONLY_ROOT, FRAMEWORK, *WORKLOADS)
def _read_only_root(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res, ("initContainers", "containers")):
        if not is_true(get(c.spec, "securityContext.readOnlyRootFilesystem")):
            path = f"{c.path}.securityContext.readOnlyRootFilesystem"
            yield fail(res, f"{c.label} has a writable root filesystem", path, c.key)


NO_SECURITY_CONTEXT = define(
    "CW-K8S-060",
    "Neither pod nor container sets a securityContext",
    "LOW",
    description="With no securityContext at all every container runs with the runtime's "
    "defaults (image user, default capabilities, no seccomp); nothing about its privileges has "
    "been decided.",
    remediation="Set a pod `securityContext` (runAsNonRoot, runAsUser, seccompProfile) and a "
    "container `securityContext` (allowPrivilegeEscalation: false, capabilities.drop: [ALL], "
    "readOnlyRootFilesystem).",
    references=[SECURITY_CONTEXT, PSS],
    compliance={**PRIV, "cis_kubernetes": ["5.7.3"]},
)


@implements(NO_SECURITY_CONTEXT, FRAMEWORK, *WORKLOADS)
def _no_security_context(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    spec, _base = pod(res)
    pod_context = spec.get("securityContext") if spec is not None else None
    if spec is None or (isinstance(pod_context, dict) and pod_context):
        return
    for c in containers(res):
        ctx_value = c.spec.get("securityContext")
        if not (isinstance(ctx_value, dict) and ctx_value):
            yield fail(res, f"{c.label} has no securityContext", c.path, c.key)
