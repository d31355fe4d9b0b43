"""Collection and number built-ins (lists, maps, sets, arithmetic helpers).

Arguments arrive evaluated; functions listed as tolerant in `functions.py` see UNKNOWN values
and handle them, the others are only called with fully known arguments.
"""

from __future__ import annotations

import math
from typing import Any

from citywatch.model import UNKNOWN
from citywatch.parsers.terraform.values import (
    EvalError,
    equal,
    has_unknown,
    norm_number,
    to_bool,
    to_number,
    to_set,
    to_str,
    type_name,
    unique,
)

MAX_RESULT_ITEMS = 100_000


def as_list(value: Any, what: str = "argument") -> list[Any]:
    if isinstance(value, list):
        return value
    raise EvalError(f"{what} must be a list, not {type_name(value)}")


def as_map(value: Any, what: str = "argument") -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise EvalError(f"{what} must be a map, not {type_name(value)}")


def as_int(value: Any) -> int:
    num = to_number(value)
    if isinstance(num, float) and not num.is_integer():
        raise EvalError(f"{num} is not a whole number")
    return int(num)


# ---- collections ---------------------------------------------------------------------------


def f_length(v: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    if isinstance(v, (list, dict, str)):
        return len(v)
    raise EvalError(f"cannot take the length of a {type_name(v)}")


def f_concat(*lists: Any) -> Any:
    out: list[Any] = []
    for item in lists:
        if item is UNKNOWN:
            return UNKNOWN
        out.extend(as_list(item))
    return out


def f_merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for item in maps:
        if item is UNKNOWN:
            return UNKNOWN
        if item is None:
            continue
        out.update(as_map(item))
    return out


def f_lookup(m: Any, key: Any, *default: Any) -> Any:
    if m is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    k = to_str(key)
    m = as_map(m)
    if k in m:
        return m[k]
    if default:
        return default[0]
    raise EvalError(f"lookup failed to find key {k!r}")


def f_element(lst: Any, idx: Any) -> Any:
    if lst is UNKNOWN or idx is UNKNOWN:
        return UNKNOWN
    lst = as_list(lst)
    if not lst:
        raise EvalError("cannot use element function with an empty list")
    i = as_int(idx)
    if i < 0:
        raise EvalError("element index must not be negative")
    return lst[i % len(lst)]


def f_keys(m: Any) -> Any:
    if m is UNKNOWN:
        return UNKNOWN
    return sorted(as_map(m))


def f_values(m: Any) -> Any:
    if m is UNKNOWN:
        return UNKNOWN
    m = as_map(m)
    return [m[k] for k in sorted(m)]


def f_tolist(v: Any) -> Any:
    if v is UNKNOWN or v is None:
        return v
    return list(as_list(v))


def f_toset(v: Any) -> Any:
    if v is UNKNOWN or v is None:
        return v
    items = as_list(v)
    if has_unknown(items):
        return UNKNOWN
    return to_set(items)


def f_tomap(v: Any) -> Any:
    if v is UNKNOWN or v is None:
        return v
    return dict(as_map(v))


def f_flatten(v: Any) -> Any:
    out: list[Any] = []
    stack: list[tuple[list[Any], int]] = [(as_list(v), 0)]
    while stack:
        lst, i = stack.pop()
        while i < len(lst):
            item = lst[i]
            i += 1
            if item is UNKNOWN:
                return UNKNOWN
            if isinstance(item, list):
                if len(stack) > 64:
                    raise EvalError("flatten: nesting too deep")
                stack.append((lst, i))
                lst, i = item, 0
                continue
            out.append(item)
            if len(out) > MAX_RESULT_ITEMS:
                raise EvalError("flatten: result too large")
    return out


def f_distinct(v: Any) -> Any:
    return unique(as_list(v))


def f_zipmap(keys: Any, vals: Any) -> Any:
    if keys is UNKNOWN or vals is UNKNOWN or has_unknown(keys):
        return UNKNOWN
    keys = as_list(keys)
    vals = as_list(vals)
    if len(keys) != len(vals):
        raise EvalError("zipmap: lists differ in length")
    return {to_str(k): v for k, v in zip(keys, vals, strict=True)}


def f_range(*args: Any) -> Any:
    nums = [to_number(a) for a in args]
    start: int | float
    stop: int | float
    step: int | float
    if len(nums) == 1:
        start, stop, step = 0, nums[0], 1
    elif len(nums) == 2:
        start, stop, step = nums[0], nums[1], 1 if nums[1] >= nums[0] else -1
    elif len(nums) == 3:
        start, stop, step = nums
    else:
        raise EvalError("range takes 1 to 3 arguments")
    if step == 0:
        raise EvalError("range step must not be zero")
    count = math.ceil((stop - start) / step)
    if count > MAX_RESULT_ITEMS:
        raise EvalError("range: too many elements")
    return [norm_number(start + i * step) for i in range(max(0, count))]


def f_coalesce(*args: Any) -> Any:
    for arg in args:
        if arg is UNKNOWN:
            return UNKNOWN
        if arg is not None and arg != "":
            return arg
    raise EvalError("no non-null, non-empty-string arguments")


def f_coalescelist(*args: Any) -> Any:
    for arg in args:
        if arg is UNKNOWN:
            return UNKNOWN
        if as_list(arg):
            return arg
    return []


def f_compact(v: Any) -> Any:
    return [x for x in as_list(v) if x is not None and x != ""]


def f_contains(lst: Any, value: Any) -> Any:
    return any(equal(x, value) for x in as_list(lst))


def f_one(v: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    lst = as_list(v)
    if len(lst) > 1:
        raise EvalError("one() given more than one element")
    return lst[0] if lst else None


def f_sum(v: Any) -> Any:
    lst = as_list(v)
    if not lst:
        raise EvalError("cannot sum an empty list")
    return norm_number(sum(to_number(x) for x in lst))


def f_setunion(*sets: Any) -> Any:
    return to_set([x for s in sets for x in as_list(s)])


def f_setintersection(first: Any, *rest: Any) -> Any:
    out = [x for x in to_set(as_list(first)) if all(f_contains(r, x) for r in rest)]
    return out


def f_setsubtract(a: Any, b: Any) -> Any:
    return [x for x in to_set(as_list(a)) if not f_contains(b, x)]


def f_setproduct(*sets: Any) -> Any:
    out: list[list[Any]] = [[]]
    for s in sets:
        out = [prev + [x] for prev in out for x in as_list(s)]
        if len(out) > MAX_RESULT_ITEMS:
            raise EvalError("setproduct: result too large")
    return out


def f_reverse(v: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    return list(reversed(as_list(v)))


def f_sort(v: Any) -> Any:
    return sorted(to_str(x) for x in as_list(v))


def f_index(lst: Any, value: Any) -> Any:
    for i, item in enumerate(as_list(lst)):
        if equal(item, value):
            return i
    raise EvalError("index: item not found")


def f_chunklist(v: Any, size: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    lst = as_list(v)
    n = as_int(size)
    if n < 0:
        raise EvalError("chunklist size must not be negative")
    if n == 0:
        return [lst]
    return [lst[i : i + n] for i in range(0, len(lst), n)]


def f_slice(v: Any, start: Any, end: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    lst = as_list(v)
    a, b = as_int(start), as_int(end)
    if a < 0 or b > len(lst) or a > b:
        raise EvalError("slice: index out of range")
    return lst[a:b]


def f_transpose(m: Any) -> Any:
    out: dict[str, list[str]] = {}
    for key in sorted(as_map(m)):
        for val in as_list(m[key]):
            out.setdefault(to_str(val), []).append(key)
    return out


def f_alltrue(v: Any) -> Any:
    return all(to_bool(x) for x in as_list(v))


def f_anytrue(v: Any) -> Any:
    return any(to_bool(x) for x in as_list(v))


# ---- numbers -------------------------------------------------------------------------------


def _nums(args: tuple[Any, ...]) -> list[int | float]:
    if not args:
        raise EvalError("at least one number is required")
    return [to_number(a) for a in args]


def f_max(*args: Any) -> Any:
    return max(_nums(args))


def f_min(*args: Any) -> Any:
    return min(_nums(args))


def f_abs(v: Any) -> Any:
    return abs(to_number(v))


def f_ceil(v: Any) -> Any:
    return math.ceil(to_number(v))


def f_floor(v: Any) -> Any:
    return math.floor(to_number(v))


def f_pow(a: Any, b: Any) -> Any:
    try:
        return norm_number(float(to_number(a)) ** float(to_number(b)))
    except OverflowError:
        raise EvalError("pow: result too large") from None


def f_log(a: Any, b: Any) -> Any:
    return norm_number(math.log(to_number(a), to_number(b)))


def f_signum(v: Any) -> Any:
    n = to_number(v)
    return (n > 0) - (n < 0)


def f_parseint(s: Any, base: Any) -> Any:
    try:
        return int(to_str(s), as_int(base))
    except ValueError as exc:
        raise EvalError(f"parseint: {exc}") from None


def f_matchkeys(values: Any, keys: Any, search: Any) -> Any:
    vals, ks = as_list(values), as_list(keys)
    if len(vals) != len(ks):
        raise EvalError("matchkeys: lists differ in length")
    wanted = as_list(search)
    return [v for v, k in zip(vals, ks, strict=True) if any(equal(k, w) for w in wanted)]
