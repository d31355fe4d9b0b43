"""Pods that share the node's namespaces, file system or ports."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import (
    FRAMEWORK,
    PSS,
    WORKLOADS,
    as_list,
    compliance,
    containers,
    fail,
    get,
    is_true,
    pod,
)
from citywatch.model import Resource

ISOLATION = compliance(["AC-6", "SC-39", "CM-7"], ["A.8.2", "A.8.9"], ["CC6.1", "CC6.3"])
HOST_NS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"
HOSTPATH = "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"


def _host_flag(field: str, what: str, check_id: str, cis: str, why: str) -> None:
    check = define(
        check_id,
        f"Pod shares the host {what}",
        "HIGH",
        description=why,
        remediation=f"Remove `{field}: true` from the pod spec.",
        references=[PSS, HOST_NS],
        compliance={**ISOLATION, "cis_kubernetes": [cis]},
    )

    @implements(check, FRAMEWORK, *WORKLOADS)
    def _impl(res: Resource, _ctx: CheckContext) -> Failure | None:
        spec, base = pod(res)
        if spec is not None and is_true(spec.get(field)):
            return fail(res, f"pod sets {field}: true", f"{base}.{field}", field)
        return None


_host_flag(
    "hostNetwork",
    "network namespace",
    "CW-K8S-003",
    "5.2.5",
    "With hostNetwork the pod sees every interface of the node, can bind node ports and reach "
    "services listening on localhost, and bypasses NetworkPolicies.",
)
_host_flag(
    "hostPID",
    "process ID namespace",
    "CW-K8S-004",
    "5.2.3",
    "With hostPID the pod sees every process on the node and, with enough privileges, can "
    "inspect or signal them and read their environment.",
)
_host_flag(
    "hostIPC",
    "IPC namespace",
    "CW-K8S-005",
    "5.2.4",
    "With hostIPC the pod can read and write the node's shared memory segments and message "
    "queues used by other processes.",
)

HOST_PATH = define(
    "CW-K8S-006",
    "Pod mounts a hostPath volume",
    "MEDIUM",
    description="A hostPath volume exposes part of the node's file system to the pod; writable "
    "mounts allow tampering with the node and reading other pods' data.",
    remediation="Replace hostPath with emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim; "
    "if unavoidable, mount it readOnly and confine the path.",
    references=[HOSTPATH, PSS],
    compliance={**ISOLATION, "cis_kubernetes": ["5.2.12"]},
)


def _host_paths(res: Resource) -> Iterator[tuple[str, str, str]]:
    """(volume name, host path, dotted path of the hostPath block)."""
    spec, base = pod(res)
    if spec is None:
        return
    for i, vol in enumerate(as_list(spec.get("volumes"))):
        if isinstance(vol, dict) and isinstance(vol.get("hostPath"), dict):
            host = str(vol["hostPath"].get("path", ""))
            yield str(vol.get("name", i)), host, f"{base}.volumes.{i}.hostPath"


@implements(HOST_PATH, FRAMEWORK, *WORKLOADS)
def _host_path(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for name, host, path in _host_paths(res):
        yield fail(res, f"volume {name!r} mounts host path {host}", f"{path}.path", name)


# the path or anything below it
SENSITIVE_TREES = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/etc/kubernetes",
    "/root",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
)
# the directory itself (mounting `/etc/localtime` read-only is common and harmless)
SENSITIVE_DIRS = frozenset(
    {"/", "/etc", "/var", "/var/run", "/run", "/usr", "/bin", "/sbin", "/lib", "/home"}
)

SENSITIVE_HOST_PATH = define(
    "CW-K8S-007",
    "Pod mounts a sensitive host path",
    "CRITICAL",
    description="Mounting the node's root, /etc, /proc, the kubelet's directory or a container "
    "runtime socket (docker.sock, containerd.sock) gives the pod control of the node.",
    remediation="Do not mount these paths; talk to the runtime or node through a narrowly "
    "scoped API instead.",
    references=[HOSTPATH, PSS],
    compliance={**ISOLATION, "cis_kubernetes": ["5.2.12"]},
)


def _normal(path: str) -> str:
    parts = [p for p in path.split("/") if p and p != "."]
    return "/" + "/".join(parts)


def is_sensitive(host: str) -> bool:
    norm = _normal(host)
    if norm in SENSITIVE_DIRS:
        return True
    return any(norm == p or norm.startswith(p + "/") for p in SENSITIVE_TREES)


@implements(SENSITIVE_HOST_PATH, FRAMEWORK, *WORKLOADS)
def _sensitive(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for name, host, path in _host_paths(res):
        if host and is_sensitive(host):
            msg = f"volume {name!r} mounts sensitive host path {host}"
            yield fail(res, msg, f"{path}.path", name)


HOST_PORT = define(
    "CW-K8S-008",
    "Container binds a host port",
    "MEDIUM",
    description="A hostPort publishes the container on every address of the node, bypassing "
    "Services and often NetworkPolicies, and limits scheduling.",
    remediation="Remove `hostPort` and expose the container through a Service.",
    references=[PSS, "https://kubernetes.io/docs/concepts/configuration/overview/#services"],
    compliance={
        **compliance(["SC-7", "CM-7"], ["A.8.20", "A.8.22"], ["CC6.6"]),
        "cis_kubernetes": ["5.2.13"],
    },
)


@implements(HOST_PORT, FRAMEWORK, *WORKLOADS)
def _host_port(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        for i, port in enumerate(as_list(c.spec.get("ports"))):
            host_port = get(port, "hostPort")
            if host_port not in (None, 0, "0"):
                path = f"{c.path}.ports.{i}.hostPort"
                yield fail(res, f"{c.label} binds host port {host_port}", path, f"{c.key}/{i}")


SHARE_PROCESS = define(
    "CW-K8S-051",
    "Pod shares one process namespace between containers",
    "MEDIUM",
    description="With shareProcessNamespace every container can see and signal the others' "
    "processes and read their file systems through /proc, including a sidecar's secrets.",
    remediation="Remove `shareProcessNamespace: true` unless a debugging or sidecar pattern "
    "requires it.",
    references=[
        "https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/"
    ],
    compliance=ISOLATION,
)


@implements(SHARE_PROCESS, FRAMEWORK, *WORKLOADS)
def _share_process(res: Resource, _ctx: CheckContext) -> Failure | None:
    spec, base = pod(res)
    if spec is not None and is_true(spec.get("shareProcessNamespace")):
        path = f"{base}.shareProcessNamespace"
        return fail(res, "pod sets shareProcessNamespace: true", path, "shareProcessNamespace")
    return None
