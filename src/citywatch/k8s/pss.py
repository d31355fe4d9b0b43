"""Pod Security Standards evaluation with the API server's level, version and label semantics.

`Policy(level, minor)` compiles once into the ordered list of check functions that upstream Pod
Security Admission runs for that level and version (baseline checks sorted by id, overridden ones
removed, then restricted checks sorted by id), so evaluating a pod is one pass over a short list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from citywatch.k8s.pss_checks import CHECKS, CheckFn, PodView
from citywatch.model import Resource
from citywatch.parsers.kubernetes import POD_SPEC_PATHS

LEVELS = ("privileged", "baseline", "restricted")
LATEST_MINOR = 37  # the newest policy version upstream defines (fixtures go to v1.37)
LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = ("enforce", "audit", "warn")
_VERSION = re.compile(r"^v?1\.(0|[1-9][0-9]*)$")


def parse_level(text: str) -> str:
    level = text.strip().lower()
    if level not in LEVELS:
        raise ValueError(f"unknown Pod Security level {text!r} (one of {', '.join(LEVELS)})")
    return level


def parse_version(text: str | None) -> int:
    """A policy version as its minor number; `latest` and versions past the newest are latest."""
    if text is None or text.strip().lower() in ("", "latest"):
        return LATEST_MINOR
    m = _VERSION.match(text.strip())
    if not m:
        raise ValueError(f"invalid Pod Security version {text!r} (v1.0 ... v1.N or latest)")
    return min(int(m.group(1)), LATEST_MINOR)


def version_label(minor: int) -> str:
    return "latest" if minor >= LATEST_MINOR else f"v1.{minor}"


@dataclass(frozen=True, slots=True)
class Violation:
    check: str
    level: str  # the level whose check failed ("baseline" or "restricted")
    reason: str
    detail: str

    def text(self) -> str:
        return f"{self.reason} ({self.detail})"


@lru_cache(maxsize=256)
def compiled(level: str, minor: int) -> tuple[tuple[str, str, CheckFn, frozenset[str] | None], ...]:
    """(check id, check level, function, triggers) in the order upstream evaluates them."""
    if level == "privileged":
        return ()
    minor = min(minor, LATEST_MINOR)
    chosen: dict[str, tuple[str, CheckFn, frozenset[str] | None]] = {}
    overridden: set[str] = set()
    wanted = ("baseline",) if level == "baseline" else ("baseline", "restricted")
    for check in CHECKS:
        if check.level not in wanted:
            continue
        fn = check.at(minor)
        if fn is None:
            continue
        chosen[check.id] = (check.level, fn, check.triggers)
        for min_minor, target in check.overrides:
            if minor >= min_minor:
                overridden.add(target)
    out: list[tuple[str, str, CheckFn, frozenset[str] | None]] = []
    for lvl in wanted:
        for cid in sorted(k for k, v in chosen.items() if v[0] == lvl):
            if cid not in overridden:
                out.append((cid, lvl, chosen[cid][1], chosen[cid][2]))
    return tuple(out)


def evaluate_pod(
    metadata: Any, spec: Any, level: str = "restricted", minor: int = LATEST_MINOR
) -> list[Violation]:
    """Every check the pod (metadata + pod spec) violates at this level and version."""
    checks = compiled(level, minor)
    if not checks:
        return []
    view = PodView(metadata, spec)
    keys = view.keys
    out = []
    for cid, lvl, fn, triggers in checks:
        if triggers is not None and triggers.isdisjoint(keys):
            continue
        result = fn(view)
        if result is not None:
            out.append(Violation(cid, lvl, result[0], result[1]))
    return out


def template_metadata(obj: dict[str, Any]) -> Any:
    """The metadata that belongs with the pod spec (the template's, for workloads)."""
    path = POD_SPEC_PATHS.get(str(obj.get("kind", "")))
    if path is None:
        return None
    if len(path) == 1:
        return obj.get("metadata")
    cur: Any = obj
    for part in path[:-1]:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur.get("metadata") if isinstance(cur, dict) else None


@dataclass(frozen=True, slots=True)
class NamespacePolicy:
    level: str
    minor: int
    mode: str  # enforce / audit / warn, or "override" / "default"
    source: str = ""


def namespace_policies(namespaces: Iterable[dict[str, Any]]) -> dict[str, NamespacePolicy]:
    """The strictest labelled mode per namespace (ties go to enforce, then audit, then warn)."""
    out: dict[str, NamespacePolicy] = {}
    for ns in namespaces:
        meta = ns.get("metadata") if isinstance(ns.get("metadata"), dict) else {}
        assert isinstance(meta, dict)
        name = meta.get("name")
        labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
        if not isinstance(name, str) or not isinstance(labels, dict):
            continue
        best: NamespacePolicy | None = None
        for mode in MODES:
            raw = labels.get(LABEL_PREFIX + mode)
            if raw is None:
                continue
            try:
                level = parse_level(str(raw))
            except ValueError:
                # upstream treats an invalid level label as restricted for enforcement
                level = "restricted"
            try:
                minor = parse_version(labels.get(f"{LABEL_PREFIX}{mode}-version"))
            except ValueError:
                minor = LATEST_MINOR
            cand = NamespacePolicy(level, minor, mode, f"Namespace/{name}")
            if best is None or LEVELS.index(level) > LEVELS.index(best.level):
                best = cand
        if best is not None:
            out[name] = best
    return out


def owned_elsewhere(resources: list[Resource]) -> set[int]:
    """ids of objects whose owner (ownerReferences uid) is also in the set.

    In a live snapshot a Deployment, its ReplicaSet and their Pods carry the same pod spec; the
    analyses report the top owner once instead of three times.
    """
    uids: set[str] = set()
    for r in resources:
        meta = r.attributes.get("metadata") if isinstance(r.attributes, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("uid"), str):
            uids.add(meta["uid"])
    if not uids:
        return set()
    out: set[int] = set()
    for r in resources:
        meta = r.attributes.get("metadata") if isinstance(r.attributes, dict) else None
        refs = meta.get("ownerReferences") if isinstance(meta, dict) else None
        if isinstance(refs, list) and any(
            isinstance(o, dict) and o.get("uid") in uids for o in refs
        ):
            out.add(id(r))
    return out


@dataclass(slots=True)
class PodResult:
    resource: Resource
    policy: NamespacePolicy
    violations: list[Violation] = field(default_factory=list)
    spec_path: str = ""


def evaluate_resources(
    resources: list[Resource],
    level: str | None = None,
    version: str | None = None,
    default_level: str = "restricted",
) -> list[PodResult]:
    """Evaluate every pod and pod template; flags override namespace labels, else the default."""
    from citywatch.parsers.kubernetes import pod_spec

    labelled = namespace_policies(r.attributes for r in resources if r.kind == "Namespace")
    forced_minor = parse_version(version) if version is not None else None
    owned = owned_elsewhere(resources)
    out: list[PodResult] = []
    for res in resources:
        obj = res.attributes
        if res.kind not in POD_SPEC_PATHS or not isinstance(obj, dict) or id(res) in owned:
            continue
        spec, path = pod_spec(obj)
        if spec is None:
            continue
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        assert isinstance(meta, dict)
        ns = str(meta.get("namespace") or "default")
        if level is not None:
            policy = NamespacePolicy(
                parse_level(level),
                forced_minor if forced_minor is not None else LATEST_MINOR,
                "override",
            )
        elif ns in labelled:
            policy = labelled[ns]
            if forced_minor is not None:
                policy = NamespacePolicy(policy.level, forced_minor, policy.mode, policy.source)
        else:
            policy = NamespacePolicy(
                default_level, forced_minor if forced_minor is not None else LATEST_MINOR, "default"
            )
        found = evaluate_pod(template_metadata(obj), spec, policy.level, policy.minor)
        out.append(PodResult(res, policy, found, path))
    return out
