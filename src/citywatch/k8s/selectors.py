"""Kubernetes label selectors compiled once into plain predicates.

An empty selector (`{}`) matches everything; a missing one is the caller's business (it means
"nothing" for aggregation rules and "all pods" for a NetworkPolicy podSelector). An invalid
selector matches nothing and records why, the way the API server would refuse it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Labels = Mapping[str, str]
Predicate = Callable[[Labels], bool]


def _all(_: Labels) -> bool:
    return True


def _none(_: Labels) -> bool:
    return False


class Selector:
    """A compiled LabelSelector: `sel(labels) -> bool`, with `matches_all` for fast paths."""

    __slots__ = ("_match_labels", "_exprs", "matches_all", "error", "source")

    def __init__(self, raw: Any) -> None:
        self.source = raw
        self.error = ""
        self._match_labels: tuple[tuple[str, str], ...] = ()
        self._exprs: tuple[tuple[str, str, frozenset[str]], ...] = ()
        if not isinstance(raw, dict):
            self.error = "selector is not a mapping"
            self.matches_all = False
            return
        ml = raw.get("matchLabels") or {}
        exprs = raw.get("matchExpressions") or []
        if not isinstance(ml, dict) or not isinstance(exprs, list):
            self.error = "matchLabels must be a mapping and matchExpressions a list"
            self.matches_all = False
            return
        self._match_labels = tuple((str(k), str(v)) for k, v in ml.items())
        out = []
        for e in exprs:
            if not isinstance(e, dict):
                self.error = "matchExpressions entry is not a mapping"
                break
            op = str(e.get("operator", ""))
            values = e.get("values") or []
            if op not in ("In", "NotIn", "Exists", "DoesNotExist") or not isinstance(values, list):
                self.error = f"invalid matchExpressions operator {op!r}"
                break
            if op in ("In", "NotIn") and not values:
                self.error = f"operator {op} needs values"
                break
            out.append((str(e.get("key", "")), op, frozenset(str(v) for v in values)))
        self._exprs = tuple(out)
        self.matches_all = not self.error and not self._match_labels and not self._exprs

    def __call__(self, labels: Labels) -> bool:
        if self.error:
            return False
        for k, v in self._match_labels:
            if labels.get(k) != v:
                return False
        for key, op, values in self._exprs:
            present = key in labels
            if op == "In":
                if not present or labels[key] not in values:
                    return False
            elif op == "NotIn":
                if present and labels[key] in values:
                    return False
            elif op == "Exists":
                if not present:
                    return False
            elif present:  # DoesNotExist
                return False
        return True

    def describe(self) -> str:
        if self.error:
            return f"<invalid: {self.error}>"
        parts = [f"{k}={v}" for k, v in self._match_labels]
        for key, op, values in self._exprs:
            if op in ("Exists", "DoesNotExist"):
                parts.append(key if op == "Exists" else f"!{key}")
            else:
                sym = "in" if op == "In" else "notin"
                parts.append(f"{key} {sym} ({','.join(sorted(values))})")
        return ",".join(parts) or "<all>"


def as_list(value: Any) -> list[Any]:
    """The value if it is a list, else nothing (manifests may hold any shape)."""
    return value if isinstance(value, list) else []


def labels_of(obj: Any) -> dict[str, str]:
    """metadata.labels as str->str (bad shapes give no labels)."""
    if not isinstance(obj, dict):
        return {}
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    if not isinstance(labels, dict):
        return {}
    return {str(k): str(v) for k, v in labels.items()}
