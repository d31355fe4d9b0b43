"""Terraform values as plain Python data, and the conversions HCL applies between them.

Values are None (null), bool, int/float (numbers), str, list (tuples, lists and sets), dict
(objects and maps) and `UNKNOWN` for anything only known at apply time. Two extra shapes exist
only during evaluation and never escape into a `Resource`: `Lazy` namespaces (var, local,
module outputs, resources) evaluated on first access, and `ResObj`, a resource's evaluated
attributes, where reading an attribute the configuration does not set yields UNKNOWN (it is
computed by the provider).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from citywatch.model import UNKNOWN, UNKNOWN_JSON_LEAF

if TYPE_CHECKING:
    from citywatch.parsers.terraform.expressions import Scope


class EvalError(Exception):
    """An expression Terraform itself would reject (type error, missing key, bad call)."""


class ResObj(dict[str, Any]):
    """A resource or data instance's attributes: unset attributes are computed, so UNKNOWN.

    `addresses` are the resource's base and instance addresses: reading any attribute of the
    object (even through `each.value` or a local) records them as references.
    """

    addresses: tuple[str, ...] = ()


class Lazy:
    """A namespace whose members are evaluated on first access (and memoised by subclasses)."""

    def get(self, key: str, scope: Scope) -> Any:
        raise NotImplementedError

    def keys(self) -> list[str]:
        raise NotImplementedError

    def materialized(self, scope: Scope, depth: int) -> Any:
        """The whole namespace as plain data (when it is used as a value)."""
        return {k: materialize(self.get(k, scope), scope, depth + 1) for k in self.keys()}


def has_unknown(value: Any, depth: int = 0) -> bool:
    """True if the value is, or contains, UNKNOWN."""
    if value is UNKNOWN:
        return True
    if depth > 64:
        return False
    if isinstance(value, list):
        return any(has_unknown(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(has_unknown(v, depth + 1) for v in value.values())
    return False


# how an UNKNOWN leaf looks inside JSON text we produced (`jsonencode`, policy documents)
UNKNOWN_JSON_TOKEN = json.dumps(UNKNOWN_JSON_LEAF)


def with_unknown_leaves(value: Any, depth: int = 0) -> Any:
    """A copy ready for `json.dumps` with each UNKNOWN leaf as `UNKNOWN_JSON_LEAF`.

    UNKNOWN when the structure itself is unknown: the whole value, a map key, or nesting too
    deep to walk.
    """
    if value is UNKNOWN or depth > 64:
        return UNKNOWN
    if isinstance(value, list):
        items = [with_unknown_leaves(v, depth + 1) for v in value]
        return [UNKNOWN_JSON_LEAF if v is UNKNOWN else v for v in items]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                return UNKNOWN
            inner = with_unknown_leaves(v, depth + 1)
            out[k] = UNKNOWN_JSON_LEAF if inner is UNKNOWN else inner
        return out
    return value


def has_partial_json(value: Any, depth: int = 0) -> bool:
    """True if a string in the value is JSON text that holds an unknown leaf."""
    if isinstance(value, str):
        return UNKNOWN_JSON_TOKEN in value
    if depth > 64:
        return False
    if isinstance(value, list):
        return any(has_partial_json(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(has_partial_json(v, depth + 1) for v in value.values())
    return False


def norm_number(value: float | int) -> int | float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def _excerpt(text: str) -> str:
    """A value in a message, cut short: it may be a credential."""
    return repr(text) if len(text) <= 8 else repr(text[:4] + "…")


def parse_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        result = float(text)
    except ValueError:
        raise EvalError(f"cannot convert {_excerpt(text)} to a number") from None
    if math.isnan(result) or math.isinf(result):
        raise EvalError(f"cannot convert {_excerpt(text)} to a number")
    return norm_number(result)


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise EvalError("a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return parse_number(value.strip())
    raise EvalError(f"a {type_name(value)} is not a number")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise EvalError(f"a {type_name(value)} is not a bool")


def format_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def to_str(value: Any) -> str:
    """Terraform's automatic conversion of a primitive to a string."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if value is None:
        raise EvalError("null value cannot be used as a string")
    raise EvalError(f"a {type_name(value)} cannot be used as a string")


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "value"


def equal(a: Any, b: Any) -> bool:
    """HCL equality: type-aware (1 != "1", true != 1), deep over collections."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if type(a) is not type(b) and not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    return bool(a == b)


def materialize(value: Any, scope: Scope, depth: int = 0) -> Any:
    """Turn any Lazy namespace left in a value into a plain dict."""
    if isinstance(value, Lazy):
        return value.materialized(scope, depth)
    if depth > 8:
        return value
    if isinstance(value, list):
        if any(isinstance(v, (Lazy, list, dict)) for v in value):
            return [materialize(v, scope, depth + 1) for v in value]
        return value
    if (
        isinstance(value, dict)
        and not isinstance(value, ResObj)
        and any(isinstance(v, Lazy) for v in value.values())
    ):
        return {k: materialize(v, scope, depth + 1) for k, v in value.items()}
    return value


class TfSet(list[Any]):
    """A Terraform set: iterating it (for, dynamic) gives each element as key and value."""


def _primitive_key(item: Any) -> tuple[Any, ...] | None:
    if isinstance(item, bool):
        return ("b", item)
    if isinstance(item, (int, float)):
        return ("n", item)
    if isinstance(item, str):
        return ("s", item)
    if item is None:
        return ("z",)
    return None


def unique(items: list[Any]) -> list[Any]:
    """Items without duplicates (HCL equality), first occurrence kept, in linear time."""
    out: list[Any] = []
    seen: set[tuple[Any, ...]] = set()
    complex_seen: list[Any] = []
    for item in items:
        key = _primitive_key(item)
        if key is not None:
            if key not in seen:
                seen.add(key)
                out.append(item)
        elif not any(equal(item, other) for other in complex_seen):
            complex_seen.append(item)
            out.append(item)
    return out


def to_set(items: list[Any]) -> list[Any]:
    """A Terraform set as a list: duplicates removed, strings in lexical order."""
    out = TfSet(unique(items))
    if out and all(isinstance(v, str) for v in out):
        out.sort()
    return out
