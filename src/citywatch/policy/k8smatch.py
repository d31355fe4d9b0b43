"""Kubernetes matching shared by Gatekeeper constraints and ValidatingAdmissionPolicies.

Label selectors, group/version/kind, namespace patterns and the inventory of scanned objects
(which plays the part of the cluster: Gatekeeper's `data.inventory`, namespace labels for
`namespaceSelector`, and parameter objects for `paramKind`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# kinds that are never namespaced (anything else is treated as namespaced)
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "APIService",
        "CSIDriver",
        "CSINode",
        "VolumeAttachment",
        "CertificateSigningRequest",
        "PodSecurityPolicy",
        "ComponentStatus",
        "ClusterIssuer",
        "ConstraintTemplate",
    }
)


def group_version(obj: dict[str, Any]) -> tuple[str, str]:
    api = str(obj.get("apiVersion") or "")
    group, sep, version = api.rpartition("/")
    return (group, version) if sep else ("", api)


def metadata(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def labels(obj: dict[str, Any]) -> dict[str, str]:
    raw = metadata(obj).get("labels")
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


DEFAULT_NAMESPACE = "default"


def namespace_of(obj: dict[str, Any]) -> str:
    """The namespace the object would land in: its own, else "default" (as `kubectl apply`
    and gator do) for namespaced kinds, "" for cluster-scoped ones; a Namespace is its own."""
    if obj.get("kind") == "Namespace":
        return str(metadata(obj).get("name") or "")
    if is_cluster_scoped(obj):
        return ""
    return str(metadata(obj).get("namespace") or DEFAULT_NAMESPACE)


def is_cluster_scoped(obj: dict[str, Any]) -> bool:
    return str(obj.get("kind")) in CLUSTER_SCOPED


def selector_matches(selector: Any, obj_labels: dict[str, str]) -> bool:
    """A metav1.LabelSelector; an empty selector matches everything."""
    if not isinstance(selector, dict):
        return True
    match_labels = selector.get("matchLabels") or {}
    if isinstance(match_labels, dict):
        for key, value in match_labels.items():
            if obj_labels.get(str(key)) != str(value):
                return False
    for expr in selector.get("matchExpressions") or []:
        if not isinstance(expr, dict):
            return False
        key = str(expr.get("key"))
        op = str(expr.get("operator"))
        values = [str(v) for v in expr.get("values") or []]
        if op == "In" and obj_labels.get(key) not in values:
            return False
        if op == "NotIn" and key in obj_labels and obj_labels[key] in values:
            return False
        if op == "Exists" and key not in obj_labels:
            return False
        if op == "DoesNotExist" and key in obj_labels:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def name_matches(pattern: str, name: str) -> bool:
    """Gatekeeper namespace/name patterns: exact, or a `*` prefix/suffix wildcard."""
    return fnmatch.fnmatchcase(name, pattern) if "*" in pattern else name == pattern


@dataclass(slots=True)
class Inventory:
    """The scanned Kubernetes objects, indexed the ways policies look them up."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    namespaces: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, objects: Iterable[dict[str, Any]]) -> Inventory:
        inv = cls()
        for obj in objects:
            if not isinstance(obj, dict):
                continue
            inv.objects.append(obj)
            if obj.get("kind") == "Namespace" and metadata(obj).get("name"):
                inv.namespaces[str(metadata(obj)["name"])] = obj
        return inv

    def namespace_labels(self, name: str) -> dict[str, str] | None:
        ns = self.namespaces.get(name)
        return labels(ns) if ns is not None else None

    def gatekeeper_data(self) -> dict[str, Any]:
        """`data.inventory`: cluster[apiVersion][kind][name] and
        namespace[ns][apiVersion][kind][name], as Gatekeeper syncs it."""
        cluster: dict[str, Any] = {}
        namespaced: dict[str, Any] = {}
        for obj in self.objects:
            name = str(metadata(obj).get("name") or "")
            api = str(obj.get("apiVersion") or "")
            kind = str(obj.get("kind") or "")
            if not name or not kind:
                continue
            ns = "" if is_cluster_scoped(obj) else namespace_of(obj)
            if ns:
                slot = namespaced.setdefault(ns, {}).setdefault(api, {}).setdefault(kind, {})
            else:
                slot = cluster.setdefault(api, {}).setdefault(kind, {})
            slot[name] = obj
        return {"cluster": cluster, "namespace": namespaced}

    def find(
        self, api_version: str, kind: str, name: str | None = None, namespace: str | None = None
    ) -> list[dict[str, Any]]:
        out = []
        for obj in self.objects:
            if obj.get("kind") != kind or obj.get("apiVersion") != api_version:
                continue
            if name is not None and metadata(obj).get("name") != name:
                continue
            if namespace is not None and str(metadata(obj).get("namespace") or "") != namespace:
                continue
            out.append(obj)
        return out
