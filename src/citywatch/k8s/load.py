"""Where `citywatch k8s` gets its objects: manifest paths (fast path for JSON) or a live cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citywatch.k8s.kustomize import apply_kustomize_namespaces
from citywatch.model import Location, Resource
from citywatch.parsers.kubernetes import FRAMEWORK, load_objects, object_address

Errors = list[tuple[str, str, int | None]]


def objects_to_resources(items: list[Any], display: str) -> list[Resource]:
    """API-shaped objects (no line numbers known) as Resources; `kind: List` is flattened."""
    out: list[Resource] = []
    for obj in items:
        if not isinstance(obj, dict) or "kind" not in obj:
            continue
        kind = str(obj.get("kind"))
        if kind.endswith("List") and isinstance(obj.get("items"), list):
            item_kind = kind[: -len("List")]
            for item in obj["items"]:
                if isinstance(item, dict):
                    item.setdefault("kind", item_kind)
            out.extend(objects_to_resources(obj["items"], display))
            continue
        out.append(Resource(kind, object_address(obj), FRAMEWORK, obj, Location(display, 1, 1)))
    return out


def _json_file(path: Path) -> tuple[list[Resource], Errors]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        return [], [(str(path), f"cannot read JSON: {exc}", None)]
    items = data if isinstance(data, list) else [data]
    return objects_to_resources(items, str(path)), []


def load_paths(paths: list[Path]) -> tuple[list[Resource], Errors]:
    """Everything `citywatch scan` reads; single JSON files skip the located YAML loader."""
    resources: list[Resource] = []
    errors: Errors = []
    rest: list[Path] = []
    for p in paths:
        if p.is_file() and p.suffix.lower() == ".json":
            res, errs = _json_file(p)
            resources += res
            errors += errs
        else:
            rest.append(p)
    if rest:
        res, errs = load_objects(rest)
        resources += res
        errors += errs
    return apply_kustomize_namespaces(resources, _file_on_disk), errors


def _file_on_disk(display: str) -> Path | None:
    path = Path(display)
    return path if path.is_file() else None


def load_inputs(
    paths: list[Path], kubeconfig: str | None = None, context: str | None = None
) -> tuple[list[Resource], Errors]:
    resources: list[Resource] = []
    errors: Errors = []
    if paths:
        resources, errors = load_paths(paths)
    if kubeconfig is not None or context is not None:
        from citywatch.k8s.live import load_cluster

        live, live_errors = load_cluster(kubeconfig, context)
        resources += live
        errors += live_errors
    return resources, errors
