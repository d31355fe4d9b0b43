"""Kernel-level confinement: seccomp, AppArmor, SELinux and namespaced sysctls."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import (
    FRAMEWORK,
    PSS,
    SECURITY_CONTEXT,
    WORKLOADS,
    Container,
    as_list,
    compliance,
    containers,
    effective,
    fail,
    get,
    pod,
    pod_annotations,
)
from citywatch.model import Resource

CONFINE = compliance(["CM-7", "SC-39", "AC-6"], ["A.8.9"], ["CC6.1", "CC6.8"])
SECCOMP_DOC = "https://kubernetes.io/docs/tutorials/security/seccomp/"
APPARMOR_DOC = "https://kubernetes.io/docs/tutorials/security/apparmor/"
SECCOMP_POD_ANN = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CTR_ANN = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_ANN = "container.apparmor.security.beta.kubernetes.io/"


def _seccomp(res: Resource, name: str, ctr: Container) -> tuple[str | None, str]:
    """The container's seccomp profile type (field or legacy annotation) and where it is set."""
    profile, path = effective(res, ctr, "seccompProfile")
    if isinstance(profile, dict) and profile.get("type"):
        return str(profile["type"]), f"{path}.type"
    ann, ann_path = pod_annotations(res)
    for key in (SECCOMP_CTR_ANN + name, SECCOMP_POD_ANN):
        value = ann.get(key)
        if isinstance(value, str) and value:
            kind = "Unconfined" if value == "unconfined" else "RuntimeDefault"
            if value.startswith("localhost/"):
                kind = "Localhost"
            return kind, f"{ann_path}.{key}"
    return None, path


SECCOMP_UNSET = define(
    "CW-K8S-016",
    "Container has no seccomp profile",
    "LOW",
    description="Without a seccomp profile the container may call every system call the kernel "
    "offers (Kubernetes does not apply the runtime's default profile unless asked).",
    remediation="Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or a "
    "Localhost profile).",
    references=[SECCOMP_DOC, PSS],
    compliance={**CONFINE, "cis_kubernetes": ["5.7.2"]},
)


@implements(SECCOMP_UNSET, FRAMEWORK, *WORKLOADS)
def _seccomp_unset(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        kind, path = _seccomp(res, c.name, c)
        if kind is None:
            yield fail(res, f"{c.label} has no seccomp profile", path, c.key)


SECCOMP_UNCONFINED = define(
    "CW-K8S-017",
    "Container disables seccomp",
    "MEDIUM",
    description="A seccomp profile of `Unconfined` explicitly removes system call filtering, "
    "which the baseline Pod Security Standard forbids.",
    remediation="Use `seccompProfile.type: RuntimeDefault` or a Localhost profile.",
    references=[SECCOMP_DOC, PSS],
    compliance={**CONFINE, "cis_kubernetes": ["5.7.2"]},
)


@implements(SECCOMP_UNCONFINED, FRAMEWORK, *WORKLOADS)
def _seccomp_unconfined(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        kind, path = _seccomp(res, c.name, c)
        if kind == "Unconfined":
            yield fail(res, f"{c.label} runs with seccomp Unconfined", path, c.key)


APPARMOR = define(
    "CW-K8S-018",
    "Container runs without AppArmor confinement",
    "MEDIUM",
    description="An AppArmor profile of `unconfined` (annotation or `appArmorProfile`) turns off "
    "the runtime's default mandatory access control for the container.",
    remediation="Remove the override, or use `appArmorProfile.type: RuntimeDefault` or a "
    "Localhost profile.",
    references=[APPARMOR_DOC, PSS],
    compliance=CONFINE,
)


@implements(APPARMOR, FRAMEWORK, *WORKLOADS)
def _apparmor(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    ann, ann_path = pod_annotations(res)
    for c in containers(res):
        profile, path = effective(res, c, "appArmorProfile")
        if isinstance(profile, dict) and str(profile.get("type", "")) == "Unconfined":
            yield fail(res, f"{c.label} runs AppArmor Unconfined", f"{path}.type", c.key)
            continue
        key = APPARMOR_ANN + c.name
        if str(ann.get(key, "")).strip() == "unconfined":
            yield fail(res, f"{c.label} runs AppArmor unconfined", f"{ann_path}.{key}", c.key)


ALLOWED_SELINUX_TYPES = frozenset(
    {"container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)

SELINUX = define(
    "CW-K8S-019",
    "Container sets custom SELinux options",
    "MEDIUM",
    description="Setting an SELinux user or role, or a type other than the container types, can "
    "lift the confinement SELinux gives containers (for example `spc_t` is unconfined).",
    remediation="Remove `seLinuxOptions.user`/`role` and use only container_t, container_init_t, "
    "container_kvm_t or container_engine_t as type.",
    references=[PSS, SECURITY_CONTEXT],
    compliance=CONFINE,
)


@implements(SELINUX, FRAMEWORK, *WORKLOADS)
def _selinux(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        opts, path = effective(res, c, "seLinuxOptions")
        if not isinstance(opts, dict):
            continue
        problems = [f"{k} {opts[k]!r}" for k in ("user", "role") if opts.get(k)]
        se_type = opts.get("type")
        if se_type and str(se_type) not in ALLOWED_SELINUX_TYPES:
            problems.append(f"type {se_type!r}")
        if problems:
            yield fail(res, f"{c.label} sets SELinux {', '.join(problems)}", path, c.key)


SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)

SYSCTLS = define(
    "CW-K8S-021",
    "Pod sets unsafe sysctls",
    "MEDIUM",
    description="Sysctls outside the safe set can affect other pods on the node or the node "
    "itself (memory, networking, kernel behaviour).",
    remediation="Remove the sysctl from `securityContext.sysctls`, or run the workload on "
    "dedicated, tainted nodes that allow it.",
    references=[
        "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
        PSS,
    ],
    compliance=CONFINE,
)


@implements(SYSCTLS, FRAMEWORK, *WORKLOADS)
def _sysctls(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    spec, base = pod(res)
    if spec is None:
        return
    for i, item in enumerate(as_list(get(spec, "securityContext.sysctls"))):
        name = str(get(item, "name", ""))
        if name and name not in SAFE_SYSCTLS:
            path = f"{base}.securityContext.sysctls.{i}.name"
            yield fail(res, f"pod sets unsafe sysctl {name}", path, name)
