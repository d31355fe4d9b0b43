"""Kustomize `namespace:`: objects of a kustomization directory live in that namespace.

`kustomize build` sets the kustomization's `namespace` on every namespaced object it emits
(replacing one the object sets itself), so a base whose manifests carry no
`metadata.namespace` is deployed into that namespace, not into `default`. The analyses see the
objects the way the cluster will.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from citywatch.model import Resource
from citywatch.parsers.kubernetes import object_address
from citywatch.parsers.yamlsafe import decode_text, load_documents

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# kinds without a namespace: kustomize leaves them alone
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "StorageClass",
        "CSIDriver",
        "CSINode",
        "VolumeAttachment",
        "PriorityClass",
        "RuntimeClass",
        "IngressClass",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "CertificateSigningRequest",
        "PodSecurityPolicy",
        "ComponentStatus",
        "FlowSchema",
        "PriorityLevelConfiguration",
    }
)
_MAX_KUSTOMIZATION_BYTES = 1 << 20


def read_namespace(path: Path) -> str | None:
    """The `namespace:` a kustomization file sets, or None (missing, unreadable, not a string)."""
    try:
        if path.stat().st_size > _MAX_KUSTOMIZATION_BYTES:
            return None
        loaded = load_documents(decode_text(path.read_bytes()), want_lines=False)
    except (OSError, ValueError):
        return None
    for doc in loaded.docs:
        if isinstance(doc.data, dict):
            ns = doc.data.get("namespace")
            if isinstance(ns, str) and ns.strip():
                return ns.strip()
    return None


class NamespaceLookup:
    """Nearest kustomization above a file decides; the answer per directory is cached."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, str | None] = {}

    def for_file(self, file: Path) -> str | None:
        return self._for_dir(file.parent.resolve())

    def _for_dir(self, directory: Path) -> str | None:
        if directory in self._by_dir:
            return self._by_dir[directory]
        answer: str | None = None
        found = False
        for name in KUSTOMIZATION_NAMES:
            candidate = directory / name
            if candidate.is_file():
                answer, found = read_namespace(candidate), True
                break
        # a kustomization (even one without namespace:) or a repository root ends the search
        if not found and not (directory / ".git").exists() and directory.parent != directory:
            answer = self._for_dir(directory.parent)
        self._by_dir[directory] = answer
        return answer


def _with_namespace(res: Resource, namespace: str) -> Resource:
    obj: dict[str, Any] = dict(res.attributes)
    meta = obj.get("metadata")
    obj["metadata"] = {**(meta if isinstance(meta, dict) else {}), "namespace": namespace}
    return replace(res, attributes=obj, name=object_address(obj))


def apply_kustomize_namespaces(
    resources: Iterable[Resource], locate: Callable[[str], Path | None]
) -> list[Resource]:
    """The resources with their kustomization's namespace applied (copies; inputs untouched).

    `locate` turns a resource's displayed path into the file on disk (None when unknown, e.g.
    objects read from a live cluster).
    """
    lookup = NamespaceLookup()
    by_path: dict[str, str | None] = {}  # many objects share a file: look it up once
    out: list[Resource] = []
    for res in resources:
        if res.kind in CLUSTER_SCOPED or not isinstance(res.attributes, dict):
            out.append(res)
            continue
        shown = res.location.path
        if shown not in by_path:
            file = locate(shown)
            by_path[shown] = lookup.for_file(file) if file is not None else None
        namespace = by_path[shown]
        meta = res.attributes.get("metadata")
        current = meta.get("namespace") if isinstance(meta, dict) else None
        if namespace is None or current == namespace:
            out.append(res)
        else:
            out.append(_with_namespace(res, namespace))
    return out
