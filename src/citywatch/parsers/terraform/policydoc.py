"""Render `data "aws_iam_policy_document"` blocks to the IAM JSON the AWS provider produces.

Checks read IAM policies as JSON strings, whether written with `jsonencode`, a heredoc or this
data source, so the data source must yield the same shape. Like `jsonencode`, an unknown leaf
(an apply-time ARN) is written as `UNKNOWN_JSON_LEAF`, so the rest of the policy stays readable;
when the shape itself is unknown (a dynamic statement list, an unknown principal type or source
document) the whole document is UNKNOWN.
"""

from __future__ import annotations

import json
from typing import Any

from citywatch.model import UNKNOWN, restore_unknown_leaves
from citywatch.parsers.terraform.values import with_unknown_leaves


class _ShapeUnknown(Exception):
    """The document's structure (not just a leaf) is only known at apply time."""


def _one_or_list(values: list[Any]) -> Any:
    uniq: list[Any] = []
    for v in values:
        if v not in uniq:
            uniq.append(v)
    return uniq[0] if len(uniq) == 1 else uniq


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _blocks(value: Any) -> list[dict[str, Any]]:
    """Nested blocks; an unknown list or block hides how many statements there are."""
    items = _as_list(value)
    if value is UNKNOWN or any(b is UNKNOWN for b in items):
        raise _ShapeUnknown
    return [b for b in items if isinstance(b, dict)]


def _principals(blocks: Any) -> Any:
    out: dict[str, list[Any]] = {}
    try:
        principal_blocks = _blocks(blocks)
    except _ShapeUnknown:
        return UNKNOWN  # the statement stays; only who it names is unknown
    for block in principal_blocks:
        if block.get("type") is UNKNOWN:
            return UNKNOWN
        kind = str(block.get("type", ""))
        out.setdefault(kind, []).extend(_as_list(block.get("identifiers")))
    if list(out) == ["*"] and out["*"] == ["*"]:
        return "*"
    return {k: _one_or_list(v) for k, v in out.items()}


def _statement(block: dict[str, Any]) -> dict[str, Any]:
    stmt: dict[str, Any] = {}
    if block.get("sid") is UNKNOWN:
        raise _ShapeUnknown  # statements merge by Sid
    if block.get("sid"):
        stmt["Sid"] = block["sid"]
    stmt["Effect"] = block.get("effect") or "Allow"
    for key, out_key in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        values = _as_list(block.get(key))
        if values:
            stmt[out_key] = _one_or_list(values)
    if block.get("principals"):
        stmt["Principal"] = _principals(block["principals"])
    if block.get("not_principals"):
        stmt["NotPrincipal"] = _principals(block["not_principals"])
    conditions: dict[str, dict[str, Any]] = {}
    try:
        cond_blocks = _blocks(block.get("condition"))
    except _ShapeUnknown:
        stmt["Condition"] = UNKNOWN
        return stmt
    for cond in cond_blocks:
        if cond.get("test") is UNKNOWN or cond.get("variable") is UNKNOWN:
            stmt["Condition"] = UNKNOWN
            return stmt
        test = str(cond.get("test", ""))
        variable = str(cond.get("variable", ""))
        conditions.setdefault(test, {})[variable] = _one_or_list(_as_list(cond.get("values")))
    if conditions:
        stmt["Condition"] = conditions
    return stmt


def render_policy_document(attrs: dict[str, Any]) -> Any:
    """The policy JSON string (unknown leaves encoded), or UNKNOWN when its shape is unknown."""
    try:
        doc = _document(attrs)
    except _ShapeUnknown:
        return UNKNOWN
    encodable = with_unknown_leaves(doc)
    if encodable is UNKNOWN:
        return UNKNOWN
    return json.dumps(encodable, indent=2)


def _document(attrs: dict[str, Any]) -> dict[str, Any]:
    statements: list[dict[str, Any]] = []
    for src in _as_list(attrs.get("source_policy_documents")) + _as_list(attrs.get("source_json")):
        statements.extend(_statements_of(src))
    by_sid = {s.get("Sid"): i for i, s in enumerate(statements) if s.get("Sid")}
    for block in _blocks(attrs.get("statement")):
        stmt = _statement(block)
        sid = stmt.get("Sid")
        if sid and sid in by_sid:
            statements[by_sid[sid]] = stmt
        else:
            statements.append(stmt)
    for src in _as_list(attrs.get("override_policy_documents")) + _as_list(
        attrs.get("override_json")
    ):
        for stmt in _statements_of(src):
            sid = stmt.get("Sid")
            idx = next((i for i, s in enumerate(statements) if sid and s.get("Sid") == sid), None)
            if idx is None:
                statements.append(stmt)
            else:
                statements[idx] = stmt
    doc: dict[str, Any] = {"Version": attrs.get("version") or "2012-10-17"}
    if attrs.get("policy_id"):
        doc["Id"] = attrs["policy_id"]
    doc["Statement"] = statements
    return doc


def _statements_of(src: Any) -> list[dict[str, Any]]:
    if src is UNKNOWN:
        raise _ShapeUnknown
    if not isinstance(src, str):
        return []
    try:
        parsed = restore_unknown_leaves(json.loads(src))
    except (ValueError, RecursionError):
        return []
    if isinstance(parsed, dict) and (
        parsed.get("Statement") is UNKNOWN
        or any(s is UNKNOWN for s in _as_list(parsed.get("Statement")))
    ):
        raise _ShapeUnknown
    stmts = parsed.get("Statement") if isinstance(parsed, dict) else None
    if isinstance(stmts, dict):
        return [stmts]
    return [s for s in stmts if isinstance(s, dict)] if isinstance(stmts, list) else []
