"""Terraform JSON syntax (`*.tf.json`) → the same bodies and expressions as native HCL.

Strings are templates (`"${var.x}"`) as in Terraform's JSON syntax. Without provider schemas
an object-valued key is ambiguous (nested block or map attribute); well-known map attributes
(`tags`, `labels`, ...) stay maps and other objects are read as nested blocks, which is how the
AWS/Azure/GCP providers use them in practice.
"""

from __future__ import annotations

import json
from typing import Any

from citywatch.parsers.terraform.expressions import Expr, Lit, ObjectExpr, TupleExpr
from citywatch.parsers.terraform.hcl import (
    Attribute,
    Block,
    Body,
    HclFile,
    HclSyntaxError,
    parse_expression,
    parse_template,
)
from citywatch.parsers.yamlsafe import load_documents

MAP_ATTRIBUTES = frozenset(
    [
        "tags",
        "tags_all",
        "labels",
        "user_labels",
        "resource_labels",
        "default_labels",
        "variables",
        "parameters",
        "annotations",
        "triggers",
        "environment_variables",
        "metadata_options_map",
        "app_settings",
        "default_tags_map",
    ]
)
_BLOCKS_WITH_TWO_LABELS = ("resource", "data")
_BLOCKS_WITH_ONE_LABEL = ("variable", "output", "module", "provider")


class _Lines:
    def __init__(self, line_map: dict[str, int]) -> None:
        self.start = line_map
        self.end: dict[str, int] = {}
        for path, line in line_map.items():
            parts = path.split(".")
            for depth in range(1, min(len(parts), 6) + 1):
                prefix = ".".join(parts[:depth])
                if line > self.end.get(prefix, 0):
                    self.end[prefix] = line

    def span(self, path: str) -> tuple[int, int]:
        start = self.start.get(path, 1)
        return start, max(start, self.end.get(path, start) + 1)

    def line(self, path: str) -> int:
        return self.start.get(path, 1)


def parse_tf_json(text: str) -> HclFile:
    errors: list[tuple[int, str]] = []
    try:
        data = json.loads(text)
    except RecursionError:
        return HclFile(Body(), [(1, "invalid JSON: nested too deeply")])
    except ValueError as exc:
        return HclFile(Body(), [(getattr(exc, "lineno", 1), f"invalid JSON: {exc}")])
    # JSON is valid YAML: the YAML loader supplies the line of every key
    loaded = load_documents(text)
    line_map: dict[str, int] = loaded.docs[0].line_map if loaded.docs else {}
    if not isinstance(data, dict):
        return HclFile(Body(), [(1, "a .tf.json file must hold a JSON object")])
    lines = _Lines(line_map)
    body = Body()
    for btype, content in data.items():
        try:
            _top_block(btype, content, body, lines, errors)
        except HclSyntaxError as exc:
            errors.append((exc.line or lines.line(btype), exc.reason))
    return HclFile(body, errors)


def _bodies(value: Any, path: str) -> list[tuple[dict[str, Any], str]]:
    if isinstance(value, dict):
        return [(value, path)]
    if isinstance(value, list):
        return [(v, f"{path}.{i}") for i, v in enumerate(value) if isinstance(v, dict)]
    return []


def _top_block(
    btype: str, content: Any, body: Body, lines: _Lines, errors: list[tuple[int, str]]
) -> None:
    if btype.startswith("//"):
        return
    if btype in _BLOCKS_WITH_TWO_LABELS and isinstance(content, dict):
        for rtype, by_name in content.items():
            if not isinstance(by_name, dict):
                continue
            for name, value in by_name.items():
                for obj, path in _bodies(value, f"{btype}.{rtype}.{name}"):
                    start, end = lines.span(path)
                    block = Block(btype, [rtype, name], _body(obj, path, lines, True), start, end)
                    body.blocks.append(block)
    elif btype in _BLOCKS_WITH_ONE_LABEL and isinstance(content, dict):
        for name, value in content.items():
            for obj, path in _bodies(value, f"{btype}.{name}"):
                start, end = lines.span(path)
                inner = (
                    _variable_body(obj, path, lines)
                    if btype == "variable"
                    else _body(obj, path, lines, True)
                )
                body.blocks.append(Block(btype, [name], inner, start, end))
    elif btype == "locals":
        for obj, path in _bodies(content, "locals"):
            start, end = lines.span(path)
            attrs = {
                k: Attribute(k, _expr(v, f"{path}.{k}", lines), *lines.span(f"{path}.{k}"))
                for k, v in obj.items()
                if not k.startswith("//")
            }
            body.blocks.append(Block("locals", [], Body(attrs, []), start, end))


def _variable_body(obj: dict[str, Any], path: str, lines: _Lines) -> Body:
    attrs: dict[str, Attribute] = {}
    for key, value in obj.items():
        sub = f"{path}.{key}"
        start, end = lines.span(sub)
        if key == "default":
            attrs[key] = Attribute(key, Lit(start, value), start, end)
        elif key == "type" and isinstance(value, str):
            attrs[key] = Attribute(key, parse_expression(value), start, end)
        elif key in ("description", "sensitive", "nullable"):
            attrs[key] = Attribute(key, Lit(start, value), start, end)
    return Body(attrs, [])


def _body(obj: dict[str, Any], path: str, lines: _Lines, top: bool) -> Body:
    body = Body()
    for key, value in obj.items():
        if key.startswith("//"):
            continue
        sub = f"{path}.{key}"
        start, end = lines.span(sub)
        if key == "dynamic" and isinstance(value, dict):
            for label, spec in value.items():
                for dyn, dyn_path in _bodies(spec, f"{sub}.{label}"):
                    d_start, d_end = lines.span(dyn_path)
                    inner = _body(dyn, dyn_path, lines, False)
                    body.blocks.append(Block("dynamic", [label], inner, d_start, d_end))
            continue
        if top and key == "depends_on" and isinstance(value, list):
            items: list[Expr] = [
                parse_expression(v) for v in value if isinstance(v, str) and v.strip()
            ]
            body.attributes[key] = Attribute(key, TupleExpr(start, items), start, end)
            continue
        if top and key == "provider" and isinstance(value, str):
            body.attributes[key] = Attribute(key, parse_expression(value), start, end)
            continue
        is_block = key not in MAP_ATTRIBUTES and (
            isinstance(value, dict)
            or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value))
        )
        if is_block:
            for child, child_path in _bodies(value, sub):
                c_start, c_end = lines.span(child_path)
                body.blocks.append(
                    Block(key, [], _body(child, child_path, lines, False), c_start, c_end)
                )
            continue
        body.attributes[key] = Attribute(key, _expr(value, sub, lines), start, end)
    return body


def _expr(value: Any, path: str, lines: _Lines, depth: int = 0) -> Expr:
    line = lines.line(path)
    if depth > 64:
        raise HclSyntaxError(line, "JSON nested too deeply")
    if isinstance(value, str):
        if "${" in value or "%{" in value:
            expr = parse_template(value)
            expr.line = line
            return expr
        return Lit(line, value)
    if isinstance(value, list):
        return TupleExpr(
            line, [_expr(v, f"{path}.{i}", lines, depth + 1) for i, v in enumerate(value)]
        )
    if isinstance(value, dict):
        return ObjectExpr(
            line,
            [
                (Lit(line, str(k)), _expr(v, f"{path}.{k}", lines, depth + 1))
                for k, v in value.items()
            ],
        )
    return Lit(line, value)
