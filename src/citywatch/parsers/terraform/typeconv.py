"""Variable type constraints: primitive conversions and `optional()` attribute defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from citywatch.model import UNKNOWN
from citywatch.parsers.terraform.expressions import Call, Expr, ObjectExpr, Traversal, TupleExpr
from citywatch.parsers.terraform.hcl import literal_value
from citywatch.parsers.terraform.values import (
    EvalError,
    has_unknown,
    to_bool,
    to_number,
    to_set,
    to_str,
)

if TYPE_CHECKING:
    from citywatch.parsers.terraform.evaluate import ModuleInstance


def convert_type(value: Any, type_expr: Expr, mod: ModuleInstance, depth: int = 0) -> Any:
    """Apply a variable's type constraint: primitive conversions and optional() defaults."""
    if value is None or value is UNKNOWN or depth > 20:
        return value
    try:
        return _convert(value, type_expr, mod, depth)
    except EvalError:
        return value


def _convert(value: Any, t: Expr, mod: ModuleInstance, depth: int) -> Any:
    if value is None or value is UNKNOWN:
        return value
    if isinstance(t, Traversal) and not t.steps:
        if t.root == "string" and not isinstance(value, (list, dict)):
            return to_str(value)
        if t.root == "number" and isinstance(value, str):
            return to_number(value)
        if t.root == "bool" and isinstance(value, str):
            return to_bool(value)
        return value
    if not isinstance(t, Call) or not t.args:
        return value
    inner = t.args[0]
    if t.name in ("list", "set") and isinstance(value, list):
        items = [_convert(v, inner, mod, depth + 1) for v in value]
        return to_set(items) if t.name == "set" and not has_unknown(items) else items
    if t.name == "map" and isinstance(value, dict):
        return {k: _convert(v, inner, mod, depth + 1) for k, v in value.items()}
    if t.name == "tuple" and isinstance(value, list) and isinstance(inner, TupleExpr):
        return [
            _convert(v, inner.items[i], mod, depth + 1) if i < len(inner.items) else v
            for i, v in enumerate(value)
        ]
    if t.name == "object" and isinstance(value, dict) and isinstance(inner, ObjectExpr):
        out = dict(value)
        for key_expr, attr_type in inner.items:
            key = literal_value(key_expr)
            if not isinstance(key, str):
                continue
            if isinstance(attr_type, Call) and attr_type.name == "optional" and attr_type.args:
                if out.get(key) is None:
                    if len(attr_type.args) > 1:
                        default, _ = mod.evaluate(attr_type.args[1], mod.mdef.display, t.line)
                        out[key] = _convert(default, attr_type.args[0], mod, depth + 1)
                    else:
                        out[key] = None
                    continue
                attr_type = attr_type.args[0]
            if key in out:
                out[key] = _convert(out[key], attr_type, mod, depth + 1)
        return out
    return value
