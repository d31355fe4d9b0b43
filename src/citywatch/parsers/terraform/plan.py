"""Terraform plan (and state) JSON from `terraform show -json`: already-evaluated resources.

Values come from `planned_values` (or `values` for state), attributes Terraform marks in
`after_unknown` become UNKNOWN, and references come from the `configuration` section's
expression `references`, so connected-resource checks work on plans as on configuration.
"""

from __future__ import annotations

import json
import re
from typing import Any

from citywatch.model import UNKNOWN, Location, Resource
from citywatch.parsers.terraform.evaluate import FRAMEWORK
from citywatch.parsers.yamlsafe import decode_text
from citywatch.pipeline import ScanContext, SourceFile

_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")
_NOT_RESOURCES = ("var.", "local.", "module.", "data.", "path.", "count.", "each.", "self.")
MAX_DEPTH = 64


def looks_like_plan(head: bytes) -> bool:
    if b'"format_version"' not in head:
        return False
    return any(
        marker in head
        for marker in (b'"planned_values"', b'"resource_changes"', b'"terraform_version"')
    )


def _strip_keys(address: str) -> str:
    return _INSTANCE_KEY.sub("", address)


def _mark_unknown(values: Any, unknown: Any, depth: int = 0) -> Any:
    if unknown is True:
        return UNKNOWN
    if depth > MAX_DEPTH:
        return values
    if isinstance(unknown, dict):
        out = dict(values) if isinstance(values, dict) else {}
        for key, flag in unknown.items():
            out[key] = _mark_unknown(out.get(key), flag, depth + 1)
        return out
    if isinstance(unknown, list):
        out_list = list(values) if isinstance(values, list) else []
        for i, flag in enumerate(unknown):
            if i < len(out_list):
                out_list[i] = _mark_unknown(out_list[i], flag, depth + 1)
            elif flag is True:
                out_list.append(UNKNOWN)
        return out_list
    return values


def _config_refs(module: Any, prefix: str, out: dict[str, set[str]], depth: int = 0) -> None:
    """Resource references per configuration address (module path without instance keys)."""
    if not isinstance(module, dict) or depth > MAX_DEPTH:
        return
    for res in module.get("resources", []) or []:
        if not isinstance(res, dict) or res.get("mode", "managed") != "managed":
            continue
        refs: set[str] = set()
        _collect_refs(res.get("expressions"), refs, 0)
        for extra in ("count_expression", "for_each_expression"):
            _collect_refs(res.get(extra), refs, 0)
        targets: set[str] = set()
        for ref in refs:
            _resolve_ref(module, prefix, ref, targets, 0)
        address = f"{prefix}{res.get('address', '')}"
        targets.discard(address)
        out[address] = targets
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict):
            _config_refs(call.get("module"), f"{prefix}module.{name}.", out, depth + 1)


def _resolve_ref(module: dict[str, Any], prefix: str, ref: str, out: set[str], depth: int) -> None:
    """Resource addresses behind one reference; `module.x.out` is followed into the module."""
    parts = _strip_keys(ref).split(".")
    if parts[0] == "module" and len(parts) >= 3 and depth < MAX_DEPTH:
        call = (module.get("module_calls") or {}).get(parts[1])
        child = call.get("module") if isinstance(call, dict) else None
        output = ((child or {}).get("outputs") or {}).get(parts[2])
        if isinstance(child, dict) and isinstance(output, dict):
            inner: set[str] = set()
            _collect_refs(output.get("expression"), inner, 0)
            for sub in inner:
                _resolve_ref(child, f"{prefix}module.{parts[1]}.", sub, out, depth + 1)
        return
    if ref.startswith(_NOT_RESOURCES) or len(parts) < 2:
        return
    out.add(f"{prefix}{parts[0]}.{parts[1]}")


def _collect_refs(expr: Any, refs: set[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(expr, dict):
        found = expr.get("references")
        if isinstance(found, list):
            refs.update(r for r in found if isinstance(r, str))
        for value in expr.values():
            if isinstance(value, (dict, list)):
                _collect_refs(value, refs, depth + 1)
    elif isinstance(expr, list):
        for item in expr:
            _collect_refs(item, refs, depth + 1)


def parse_plan(file: SourceFile, ctx: ScanContext) -> None:
    try:
        text = decode_text(file.read_bytes())
        data = json.loads(text)
    except OSError as exc:
        ctx.error(file.display, f"cannot read plan: {exc.strerror or exc}", scanner="misconfig")
        return
    except (ValueError, RecursionError) as exc:
        ctx.error(
            file.display,
            f"invalid Terraform plan JSON: {exc}",
            getattr(exc, "lineno", None),
            scanner="misconfig",
        )
        return
    if not isinstance(data, dict):
        ctx.error(file.display, "Terraform plan JSON must be an object", 1, scanner="misconfig")
        return
    values = data.get("planned_values") or data.get("values") or {}
    root = values.get("root_module") if isinstance(values, dict) else None
    if not isinstance(root, dict):
        ctx.notices.append(f"{file.display}: Terraform plan/state JSON has no resources")
        return
    unknowns: dict[str, Any] = {}
    for change in data.get("resource_changes", []) or []:
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            unknowns[str(change.get("address"))] = change["change"].get("after_unknown")
    config_refs: dict[str, set[str]] = {}
    config = data.get("configuration")
    if isinstance(config, dict):
        _config_refs(config.get("root_module"), "", config_refs)
    lines = _LineFinder(text)
    stack: list[tuple[dict[str, Any], int]] = [(root, 0)]
    while stack:
        module, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        for res in module.get("resources", []) or []:
            if isinstance(res, dict) and res.get("mode", "managed") == "managed":
                module_address = str(module.get("address", "")) if depth else ""
                ctx.resources.append(
                    _resource(res, module_address, file, unknowns, config_refs, lines)
                )
        for child in reversed(module.get("child_modules", []) or []):
            if isinstance(child, dict):
                stack.append((child, depth + 1))


_ADDRESS = re.compile(r'"address"\s*:\s*("(?:[^"\\]|\\.)*")')


class _LineFinder:
    """Line of each resource's first `"address": ...` in the file, indexed in one pass."""

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        line = 1
        pos = 0
        for m in _ADDRESS.finditer(text):
            line += text.count("\n", pos, m.start())
            pos = m.start()
            try:
                address = json.loads(m.group(1))
            except ValueError:
                continue
            if isinstance(address, str):
                self.lines.setdefault(address, line)

    def line_of(self, address: str) -> int:
        return self.lines.get(address, 1)


def _resource(
    res: dict[str, Any],
    module: str,
    file: SourceFile,
    unknowns: dict[str, Any],
    config_refs: dict[str, set[str]],
    lines: _LineFinder,
) -> Resource:
    address = str(res.get("address", ""))
    attrs = res.get("values") if isinstance(res.get("values"), dict) else {}
    assert isinstance(attrs, dict)
    unknown = unknowns.get(address)
    if unknown:
        attrs = _mark_unknown(attrs, unknown)
    config_address = _strip_keys(address)
    refs = sorted(config_refs.get(config_address, set()))
    provider = (
        str(res.get("provider_name", "")).rsplit("/", 1)[-1]
        or str(res.get("type", "")).split("_", 1)[0]
    )
    line = lines.line_of(address)
    meta: dict[str, Any] = {"module": module, "provider": provider, "source": "plan"}
    if "index" in res:
        meta["instance_key"] = res["index"]
    return Resource(
        kind=str(res.get("type", "")),
        name=address,
        framework=FRAMEWORK,
        attributes=attrs,
        location=Location(file.display, line, line),
        references=refs,
        meta=meta,
    )
