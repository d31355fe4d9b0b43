"""Kubernetes manifests: multi-document YAML, JSON and `kind: List`, with located objects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from citywatch.model import Location, Resource
from citywatch.parsers.yamlsafe import YamlDocument, decode_text, load_documents
from citywatch.pipeline import ScanContext, SourceFile

FRAMEWORK = "kubernetes"
_YAML_SUFFIXES = (".yaml", ".yml", ".json")
_API_VERSION = re.compile(rb'(^|\n)\s*-?\s*"?apiVersion"?\s*:', re.M)
_KIND = re.compile(rb'(^|\n)\s*-?\s*"?kind"?\s*:', re.M)

# kinds whose pod template lives at these paths (the analyses and checks share this table)
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}


def pod_spec(obj: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The pod spec inside a workload object and its dotted path, or (None, '')."""
    path = POD_SPEC_PATHS.get(str(obj.get("kind", "")))
    if path is None:
        return None, ""
    cur: Any = obj
    for part in path:
        if not isinstance(cur, dict):
            return None, ""
        cur = cur.get(part)
    return (cur, ".".join(path)) if isinstance(cur, dict) else (None, "")


def object_address(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    name = meta.get("name") or meta.get("generateName") or "<unnamed>"
    ns = meta.get("namespace")
    kind = obj.get("kind", "")
    return f"{kind}/{ns}/{name}" if ns else f"{kind}/{name}"


def looks_like_kubernetes(head: bytes) -> bool:
    return bool(_API_VERSION.search(head) and _KIND.search(head))


def is_helm_template(file: SourceFile) -> bool:
    parent = file.path.parent
    return parent.name == "templates" and (parent.parent / "Chart.yaml").exists()


class KubernetesParser:
    name = "kubernetes"

    def claims(self, file: SourceFile) -> bool:
        if not file.path.name.lower().endswith(_YAML_SUFFIXES):
            return False
        return looks_like_kubernetes(file.head())

    def parse(self, files: list[SourceFile], ctx: ScanContext) -> None:
        from citywatch.k8s.kustomize import apply_kustomize_namespaces

        found: list[Resource] = []
        for file in files:
            found.extend(self.parse_file(file, ctx))
        # a Kustomize base's objects live in its kustomization's namespace, for every check
        on_disk = {f.display: f.path for f in files}
        ctx.resources.extend(apply_kustomize_namespaces(found, on_disk.get))

    def parse_file(self, file: SourceFile, ctx: ScanContext) -> Iterator[Resource]:
        if is_helm_template(file):
            ctx.notices.append(f"{file.display}: Helm template not rendered; not scanned")
            return
        try:
            text = decode_text(file.read_bytes())
        except OSError as exc:
            ctx.error(file.display, f"cannot read: {exc.strerror or exc}", scanner="misconfig")
            return
        except ValueError as exc:
            ctx.error(file.display, str(exc), scanner="misconfig")
            return
        loaded = load_documents(text)
        for err in loaded.errors:
            ctx.error(file.display, err.reason, err.line, scanner="misconfig")
        yield from objects_from_documents(loaded.docs, file.display)


def objects_from_documents(docs: list[YamlDocument], display: str) -> Iterator[Resource]:
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict) or "kind" not in data:
            continue
        if str(data.get("kind", "")).endswith("List") and isinstance(data.get("items"), list):
            for i, item in enumerate(data["items"]):
                if isinstance(item, dict) and "kind" in item:
                    prefix = f"items.{i}"
                    sub = {
                        k[len(prefix) + 1 :]: v
                        for k, v in doc.line_map.items()
                        if k.startswith(prefix + ".")
                    }
                    start = doc.line_map.get(prefix, doc.start_line)
                    end = _end_line(sub, start)
                    yield _resource(item, display, start, end, sub)
            continue
        yield _resource(
            data, display, doc.start_line, _end_line(doc.line_map, doc.start_line), doc.line_map
        )


def _end_line(line_map: dict[str, int], start: int) -> int:
    return max(line_map.values(), default=start)


def _resource(
    obj: dict[str, Any], display: str, start: int, end: int, line_map: dict[str, int]
) -> Resource:
    return Resource(
        kind=str(obj.get("kind")),
        name=object_address(obj),
        framework=FRAMEWORK,
        attributes=obj,
        location=Location(display, start, max(start, end)),
        line_map=line_map,
    )


def load_objects(paths: list[Path]) -> tuple[list[Resource], list[tuple[str, str, int | None]]]:
    """Load every Kubernetes object under the given files/directories (used by `citywatch k8s`).

    Returns the objects and the errors as (path, reason, line) tuples.
    """
    from citywatch.options import ScanOptions
    from citywatch.sources.walk import walk_targets

    ctx = ScanContext(options=ScanOptions(targets=list(paths)))
    files = walk_targets(list(paths), ctx.options, ctx)
    parser = KubernetesParser()
    out: list[Resource] = []
    for file in files:
        if parser.claims(file):
            out.extend(parser.parse_file(file, ctx))
    return out, [(e.path, e.reason, e.line) for e in ctx.errors]
