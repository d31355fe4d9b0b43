"""Shared helpers for Kubernetes checks: containers of any workload, effective security context.

Every container-level check walks `containers`, `initContainers` and `ephemeralContainers` of
the pod spec found by `pod_spec`, and reports one failure per offending container with a stable
`key` (its list and name), so two bad containers give two findings that survive reordering.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from citywatch.checks.base import Failure
from citywatch.model import Resource
from citywatch.parsers.kubernetes import POD_SPEC_PATHS, pod_spec

FRAMEWORK = "kubernetes"
WORKLOADS: tuple[str, ...] = tuple(POD_SPEC_PATHS)
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "StorageClass",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "APIService",
        "PodSecurityPolicy",
        "CertificateSigningRequest",
        "List",
    }
)

PSS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
SECURITY_CONTEXT = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"


def compliance(
    nist: list[str], iso: list[str], soc2: list[str], cis: list[str] | None = None
) -> dict[str, list[str]]:
    out = {"nist_800_53": nist, "iso27001": iso, "soc2": soc2}
    if cis:
        out["cis_kubernetes"] = cis
    return out


@dataclass(slots=True, frozen=True)
class Container:
    spec: dict[str, Any]
    path: str  # dotted path from the document root
    list_name: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.list_name}/{self.name}"

    @property
    def label(self) -> str:
        kind = {"initContainers": "init container", "ephemeralContainers": "ephemeral container"}
        return f"{kind.get(self.list_name, 'container')} {self.name!r}"


def pod(res: Resource) -> tuple[dict[str, Any] | None, str]:
    return pod_spec(res.attributes)


def containers(res: Resource, lists: tuple[str, ...] = CONTAINER_LISTS) -> Iterator[Container]:
    spec, base = pod(res)
    if spec is None:
        return
    for list_name in lists:
        items = spec.get(list_name)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, dict):
                name = str(item.get("name") or i)
                yield Container(item, f"{base}.{list_name}.{i}", list_name, name)


def get(data: Any, path: str, default: Any = None) -> Any:
    """A dotted path into plain dicts/lists (Kubernetes values are never 'unknown')."""
    cur = data
    for part in path.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part, default)
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return default
        if cur is default:
            return default
    return cur


def where(res: Resource, path: str) -> str:
    """The nearest path that has a line: the attribute itself, else its closest parent."""
    cur = path
    while cur and cur not in res.line_map:
        cur = cur.rpartition(".")[0]
    return cur or path


def fail(res: Resource, message: str, path: str, key: str | None = None) -> Failure:
    return Failure(message, where(res, path), key or path)


def effective(res: Resource, c: Container, field: str) -> tuple[Any, str]:
    """A security-context field as the kubelet sees it: the container's, else the pod's."""
    value = get(c.spec, f"securityContext.{field}")
    if value is not None:
        return value, f"{c.path}.securityContext.{field}"
    spec, base = pod(res)
    pod_value = get(spec, f"securityContext.{field}")
    if pod_value is not None:
        return pod_value, f"{base}.securityContext.{field}"
    return None, f"{c.path}.securityContext"


def template_metadata(res: Resource) -> tuple[dict[str, Any], str]:
    """The pod's metadata (the object's own for a Pod, the template's for a workload)."""
    _spec, base = pod(res)
    parent = base[: -len("spec")].rstrip(".") if base.endswith("spec") else ""
    path = f"{parent}.metadata" if parent else "metadata"
    meta = get(res.attributes, path)
    return (meta if isinstance(meta, dict) else {}), path


def pod_annotations(res: Resource) -> tuple[dict[str, Any], str]:
    meta, path = template_metadata(res)
    value = meta.get("annotations")
    return (value if isinstance(value, dict) else {}), f"{path}.annotations"


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
