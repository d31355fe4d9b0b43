"""Terraform's built-in functions, evaluated on plain values.

Every function receives already-evaluated arguments. Unless a function is listed as tolerant,
an UNKNOWN anywhere in its arguments makes the result UNKNOWN (as Terraform does at plan time).
Functions that read files go through a `FileReader` that refuses paths outside the scanned tree.
Unimplemented and provider-defined functions return UNKNOWN rather than failing the resource.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import ipaddress
import json
import math
import posixpath
import re
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import re2
import yaml

from citywatch.model import UNKNOWN
from citywatch.parsers.terraform.values import (
    EvalError,
    equal,
    format_number,
    has_unknown,
    norm_number,
    to_bool,
    to_number,
    to_set,
    to_str,
    type_name,
)

MAX_RESULT_ITEMS = 100_000
MAX_STRING = 1024 * 1024


class FileReader(Protocol):
    def read_text(self, path: str) -> str: ...

    def exists(self, path: str) -> bool: ...

    def glob(self, base: str, pattern: str) -> list[str]: ...

    def template(self, text: str, variables: dict[str, Any]) -> Any: ...


Fn = Callable[..., Any]


def _list(value: Any, what: str = "argument") -> list[Any]:
    if isinstance(value, list):
        return value
    raise EvalError(f"{what} must be a list, not {type_name(value)}")


def _map(value: Any, what: str = "argument") -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise EvalError(f"{what} must be a map, not {type_name(value)}")


def _int(value: Any) -> int:
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
        out.extend(_list(item))
    return out


def f_merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for item in maps:
        if item is UNKNOWN:
            return UNKNOWN
        if item is None:
            continue
        out.update(_map(item))
    return out


def f_lookup(m: Any, key: Any, *default: Any) -> Any:
    if m is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    k = to_str(key)
    m = _map(m)
    if k in m:
        return m[k]
    if default:
        return default[0]
    raise EvalError(f"lookup failed to find key {k!r}")


def f_element(lst: Any, idx: Any) -> Any:
    if lst is UNKNOWN or idx is UNKNOWN:
        return UNKNOWN
    lst = _list(lst)
    if not lst:
        raise EvalError("cannot use element function with an empty list")
    i = _int(idx)
    if i < 0:
        raise EvalError("element index must not be negative")
    return lst[i % len(lst)]


def f_keys(m: Any) -> Any:
    if m is UNKNOWN:
        return UNKNOWN
    return sorted(_map(m))


def f_values(m: Any) -> Any:
    if m is UNKNOWN:
        return UNKNOWN
    m = _map(m)
    return [m[k] for k in sorted(m)]


def f_tolist(v: Any) -> Any:
    if v is UNKNOWN or v is None:
        return v
    return list(_list(v))


def f_toset(v: Any) -> Any:
    if v is UNKNOWN or v is None:
        return v
    items = _list(v)
    if has_unknown(items):
        return UNKNOWN
    return to_set(items)


def f_tomap(v: Any) -> Any:
    if v is UNKNOWN or v is None:
        return v
    return dict(_map(v))


def f_flatten(v: Any) -> Any:
    out: list[Any] = []
    stack: list[tuple[list[Any], int]] = [(_list(v), 0)]
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
    out: list[Any] = []
    for item in _list(v):
        if not any(equal(item, seen) for seen in out):
            out.append(item)
    return out


def f_zipmap(keys: Any, vals: Any) -> Any:
    if keys is UNKNOWN or vals is UNKNOWN or has_unknown(keys):
        return UNKNOWN
    keys = _list(keys)
    vals = _list(vals)
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
        if _list(arg):
            return arg
    return []


def f_compact(v: Any) -> Any:
    return [x for x in _list(v) if x is not None and x != ""]


def f_contains(lst: Any, value: Any) -> Any:
    return any(equal(x, value) for x in _list(lst))


def f_one(v: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    lst = _list(v)
    if len(lst) > 1:
        raise EvalError("one() given more than one element")
    return lst[0] if lst else None


def f_sum(v: Any) -> Any:
    lst = _list(v)
    if not lst:
        raise EvalError("cannot sum an empty list")
    return norm_number(sum(to_number(x) for x in lst))


def f_setunion(*sets: Any) -> Any:
    return to_set([x for s in sets for x in _list(s)])


def f_setintersection(first: Any, *rest: Any) -> Any:
    out = [x for x in to_set(_list(first)) if all(f_contains(r, x) for r in rest)]
    return out


def f_setsubtract(a: Any, b: Any) -> Any:
    return [x for x in to_set(_list(a)) if not f_contains(b, x)]


def f_setproduct(*sets: Any) -> Any:
    out: list[list[Any]] = [[]]
    for s in sets:
        out = [prev + [x] for prev in out for x in _list(s)]
        if len(out) > MAX_RESULT_ITEMS:
            raise EvalError("setproduct: result too large")
    return out


def f_reverse(v: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    return list(reversed(_list(v)))


def f_sort(v: Any) -> Any:
    return sorted(to_str(x) for x in _list(v))


def f_index(lst: Any, value: Any) -> Any:
    for i, item in enumerate(_list(lst)):
        if equal(item, value):
            return i
    raise EvalError("index: item not found")


def f_chunklist(v: Any, size: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    lst = _list(v)
    n = _int(size)
    if n < 0:
        raise EvalError("chunklist size must not be negative")
    if n == 0:
        return [lst]
    return [lst[i : i + n] for i in range(0, len(lst), n)]


def f_slice(v: Any, start: Any, end: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    lst = _list(v)
    a, b = _int(start), _int(end)
    if a < 0 or b > len(lst) or a > b:
        raise EvalError("slice: index out of range")
    return lst[a:b]


def f_transpose(m: Any) -> Any:
    out: dict[str, list[str]] = {}
    for key in sorted(_map(m)):
        for val in _list(m[key]):
            out.setdefault(to_str(val), []).append(key)
    return out


def f_alltrue(v: Any) -> Any:
    return all(to_bool(x) for x in _list(v))


def f_anytrue(v: Any) -> Any:
    return any(to_bool(x) for x in _list(v))


# ---- strings -------------------------------------------------------------------------------


def f_join(sep: Any, *lists: Any) -> Any:
    items: list[str] = []
    for lst in lists:
        items.extend(to_str(x) for x in _list(lst))
    return to_str(sep).join(items)


def f_split(sep: Any, s: Any) -> Any:
    text = to_str(s)
    if text == "":
        return [""]
    return text.split(to_str(sep))


def f_title(s: Any) -> Any:
    return re.sub(r"(^|\s)(\S)", lambda m: m.group(1) + m.group(2).upper(), to_str(s))


def f_trim(s: Any, chars: Any) -> Any:
    return to_str(s).strip(to_str(chars))


def f_trimprefix(s: Any, prefix: Any) -> Any:
    return to_str(s).removeprefix(to_str(prefix))


def f_trimsuffix(s: Any, suffix: Any) -> Any:
    return to_str(s).removesuffix(to_str(suffix))


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


def _go_regex(pattern: str) -> Any:
    """Terraform regexes are Go's RE2: same syntax here, and linear time (no ReDoS hang)."""
    try:
        return re2.compile(pattern, options=_RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise EvalError(f"invalid regular expression: {reason}") from None


def f_replace(s: Any, old: Any, new: Any) -> Any:
    text, search, repl = to_str(s), to_str(old), to_str(new)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        rx = _go_regex(search[1:-1])
        return rx.sub(re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", repl.replace("\\", "\\\\")), text)
    return text.replace(search, repl)


def f_substr(s: Any, offset: Any, length: Any) -> Any:
    text = to_str(s)
    off, ln = _int(offset), _int(length)
    if off < 0:
        off = max(0, len(text) + off)
    if off > len(text):
        raise EvalError("substr: offset out of range")
    return text[off:] if ln < 0 else text[off : off + ln]


def _match_value(m: Any, rx: Any) -> Any:
    if rx.groupindex:
        return {name: m.group(name) for name in rx.groupindex}
    if rx.groups:
        return list(m.groups())
    return m.group(0)


def f_regex(pattern: Any, s: Any) -> Any:
    rx = _go_regex(to_str(pattern))
    m = rx.search(to_str(s))
    if m is None:
        raise EvalError("regex: no match")
    return _match_value(m, rx)


def f_regexall(pattern: Any, s: Any) -> Any:
    rx = _go_regex(to_str(pattern))
    return [_match_value(m, rx) for m in rx.finditer(to_str(s))]


def f_startswith(s: Any, prefix: Any) -> Any:
    return to_str(s).startswith(to_str(prefix))


def f_endswith(s: Any, suffix: Any) -> Any:
    return to_str(s).endswith(to_str(suffix))


def f_strcontains(s: Any, sub: Any) -> Any:
    return to_str(sub) in to_str(s)


def f_strrev(s: Any) -> Any:
    return to_str(s)[::-1]


def f_chomp(s: Any) -> Any:
    return re.sub(r"(\r\n|\n|\r)+$", "", to_str(s))


def f_indent(n: Any, s: Any) -> Any:
    pad = " " * _int(n)
    return to_str(s).replace("\n", "\n" + pad)


_FMT = re.compile(r"%(?:\[(\d+)\])?([-+ #0]*)(\d+|\*)?(?:\.(\d+))?([a-zA-Z%])")


def f_format(fmt: Any, *args: Any) -> Any:
    spec = to_str(fmt)
    pos = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal pos
        explicit, flags, width, prec, verb = m.groups()
        if verb == "%":
            return "%"
        if explicit:
            pos = int(explicit) - 1
        if pos >= len(args):
            raise EvalError("format: not enough arguments")
        value = args[pos]
        pos += 1
        if verb in ("s", "v"):
            text = (
                json.dumps(value)
                if isinstance(value, (list, dict)) and verb == "v"
                else to_str(value)
            )
        elif verb == "q":
            text = json.dumps(to_str(value))
        elif verb == "d":
            text = str(_int(value))
        elif verb in ("f", "e", "g"):
            text = f"%{'.' + prec if prec else ''}{verb}" % to_number(value)
        elif verb == "t":
            text = "true" if to_bool(value) else "false"
        elif verb in ("x", "X", "o", "b"):
            num = _int(value) if not isinstance(value, str) else None
            if num is None:
                text = value.encode().hex() if verb == "x" else value.encode().hex().upper()
            else:
                text = format(num, verb)
        else:
            raise EvalError(f"format: unsupported verb %{verb}")
        if width and width != "*":
            if "-" in flags:
                text = text.ljust(int(width))
            elif "0" in flags and verb in ("d", "f", "e", "g"):
                sign = "-" if text.startswith("-") else ""
                text = sign + text.lstrip("-").rjust(int(width) - len(sign), "0")
            else:
                text = text.rjust(int(width))
        return text

    return _FMT.sub(repl, spec)


def f_formatlist(fmt: Any, *args: Any) -> Any:
    length = None
    for a in args:
        if isinstance(a, list):
            if length is not None and len(a) != length:
                raise EvalError("formatlist: lists differ in length")
            length = len(a)
    if length is None:
        return [f_format(fmt, *args)]
    return [
        f_format(fmt, *[a[i] if isinstance(a, list) else a for a in args]) for i in range(length)
    ]


# ---- encoding and hashing ------------------------------------------------------------------


def _json_ready(value: Any) -> Any:
    return value


def f_jsonencode(v: Any) -> Any:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def f_jsondecode(s: Any) -> Any:
    try:
        return _normalize(json.loads(to_str(s)))
    except (ValueError, RecursionError) as exc:
        raise EvalError(f"jsondecode: {exc}") from None


def _normalize(v: Any) -> Any:
    if isinstance(v, float):
        return norm_number(v)
    if isinstance(v, list):
        return [_normalize(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _normalize(x) for k, x in v.items()}
    return v


def f_yamlencode(v: Any) -> Any:
    return yaml.safe_dump(v, sort_keys=False, default_flow_style=False)


def f_yamldecode(s: Any) -> Any:
    from citywatch.parsers.yamlsafe import load_documents

    loaded = load_documents(to_str(s), want_lines=False)
    if loaded.errors:
        raise EvalError(f"yamldecode: {loaded.errors[0].reason}")
    return _normalize(loaded.docs[0].data) if loaded.docs else None


def f_base64encode(s: Any) -> Any:
    return base64.b64encode(to_str(s).encode()).decode()


def f_base64decode(s: Any) -> Any:
    try:
        return base64.b64decode(to_str(s), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise EvalError(f"base64decode: {exc}") from None


def _hasher(name: str) -> Fn:
    def fn(s: Any) -> Any:
        return hashlib.new(name, to_str(s).encode()).hexdigest()

    return fn


def f_urlencode(s: Any) -> Any:
    return urllib.parse.quote(to_str(s), safe="")


def f_tostring(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (list, dict)):
        raise EvalError(f"cannot convert a {type_name(v)} to a string")
    return to_str(v)


def f_tonumber(v: Any) -> Any:
    return None if v is None else to_number(v)


def f_tobool(v: Any) -> Any:
    return None if v is None else to_bool(v)


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
        return int(to_str(s), _int(base))
    except ValueError as exc:
        raise EvalError(f"parseint: {exc}") from None


# ---- network -------------------------------------------------------------------------------


def _network(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(to_str(prefix), strict=False)
    except ValueError as exc:
        raise EvalError(f"invalid CIDR: {exc}") from None


def f_cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    net = _network(prefix)
    bits = _int(newbits)
    num = _int(netnum)
    new_len = net.prefixlen + bits
    if new_len > net.max_prefixlen or num < 0 or num >= 2**bits:
        raise EvalError("cidrsubnet: not enough address space")
    base = int(net.network_address) + (num << (net.max_prefixlen - new_len))
    addr = ipaddress.ip_address(base) if net.version == 4 else ipaddress.IPv6Address(base)
    return f"{addr}/{new_len}"


def f_cidrhost(prefix: Any, hostnum: Any) -> Any:
    net = _network(prefix)
    num = _int(hostnum)
    size = net.num_addresses
    if num < 0:
        num += size
    if num < 0 or num >= size:
        raise EvalError("cidrhost: host number out of range")
    return str(net.network_address + num)


def f_cidrnetmask(prefix: Any) -> Any:
    return str(_network(prefix).netmask)


def f_cidrsubnets(prefix: Any, *newbits: Any) -> Any:
    net = _network(prefix)
    out: list[str] = []
    cursor = int(net.network_address)
    for nb in newbits:
        length = net.prefixlen + _int(nb)
        size = 1 << (net.max_prefixlen - length)
        cursor = (cursor + size - 1) // size * size
        addr = ipaddress.ip_address(cursor) if net.version == 4 else ipaddress.IPv6Address(cursor)
        out.append(f"{addr}/{length}")
        cursor += size
    return out


def f_matchkeys(values: Any, keys: Any, search: Any) -> Any:
    vals, ks = _list(values), _list(keys)
    if len(vals) != len(ks):
        raise EvalError("matchkeys: lists differ in length")
    wanted = _list(search)
    return [v for v, k in zip(vals, ks, strict=True) if any(equal(k, w) for w in wanted)]


def f_basename(path: Any) -> Any:
    return posixpath.basename(to_str(path).rstrip("/")) or "/"


def f_dirname(path: Any) -> Any:
    return posixpath.dirname(to_str(path).rstrip("/")) or "."


def f_uuidv5(namespace: Any, name: Any) -> Any:
    spaces = {
        "dns": uuid.NAMESPACE_DNS,
        "url": uuid.NAMESPACE_URL,
        "oid": uuid.NAMESPACE_OID,
        "x500": uuid.NAMESPACE_X500,
    }
    ns = spaces.get(to_str(namespace).lower())
    try:
        space = ns if ns is not None else uuid.UUID(to_str(namespace))
    except ValueError:
        raise EvalError("uuidv5: invalid namespace") from None
    return str(uuid.uuid5(space, to_str(name)))


def f_csvdecode(s: Any) -> Any:
    rows = list(csv.reader(io.StringIO(to_str(s))))
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    if any(len(r) != len(header) for r in body):
        raise EvalError("csvdecode: rows differ in length")
    return [dict(zip(header, r, strict=True)) for r in body]


# ---- table ---------------------------------------------------------------------------------

_STRINGS: dict[str, Fn] = {
    "lower": lambda s: to_str(s).lower(),
    "upper": lambda s: to_str(s).upper(),
    "trimspace": lambda s: to_str(s).strip(),
    "title": f_title,
    "trim": f_trim,
    "trimprefix": f_trimprefix,
    "trimsuffix": f_trimsuffix,
    "replace": f_replace,
    "substr": f_substr,
    "regex": f_regex,
    "regexall": f_regexall,
    "startswith": f_startswith,
    "endswith": f_endswith,
    "strcontains": f_strcontains,
    "strrev": f_strrev,
    "chomp": f_chomp,
    "indent": f_indent,
    "format": f_format,
    "formatlist": f_formatlist,
    "join": f_join,
    "split": f_split,
}

# functions that handle UNKNOWN themselves (possibly nested inside their arguments)
TOLERANT: dict[str, Fn] = {
    "length": f_length,
    "concat": f_concat,
    "merge": f_merge,
    "lookup": f_lookup,
    "element": f_element,
    "keys": f_keys,
    "values": f_values,
    "tolist": f_tolist,
    "toset": f_toset,
    "tomap": f_tomap,
    "zipmap": f_zipmap,
    "coalesce": f_coalesce,
    "coalescelist": f_coalescelist,
    "one": f_one,
    "reverse": f_reverse,
    "chunklist": f_chunklist,
    "slice": f_slice,
}

STRICT: dict[str, Fn] = {
    **_STRINGS,
    "flatten": f_flatten,
    "distinct": f_distinct,
    "range": f_range,
    "compact": f_compact,
    "contains": f_contains,
    "sum": f_sum,
    "setunion": f_setunion,
    "setintersection": f_setintersection,
    "setsubtract": f_setsubtract,
    "setproduct": f_setproduct,
    "sort": f_sort,
    "index": f_index,
    "transpose": f_transpose,
    "alltrue": f_alltrue,
    "anytrue": f_anytrue,
    "jsonencode": f_jsonencode,
    "jsondecode": f_jsondecode,
    "yamlencode": f_yamlencode,
    "yamldecode": f_yamldecode,
    "base64encode": f_base64encode,
    "base64decode": f_base64decode,
    "md5": _hasher("md5"),
    "sha1": _hasher("sha1"),
    "sha256": _hasher("sha256"),
    "sha512": _hasher("sha512"),
    "urlencode": f_urlencode,
    "tostring": f_tostring,
    "tonumber": f_tonumber,
    "tobool": f_tobool,
    "max": f_max,
    "min": f_min,
    "abs": f_abs,
    "ceil": f_ceil,
    "floor": f_floor,
    "pow": f_pow,
    "log": f_log,
    "signum": f_signum,
    "parseint": f_parseint,
    "cidrsubnet": f_cidrsubnet,
    "cidrhost": f_cidrhost,
    "cidrnetmask": f_cidrnetmask,
    "cidrsubnets": f_cidrsubnets,
    "sensitive": lambda v: v,
    "nonsensitive": lambda v: v,
    "type": lambda v: type_name(v),
    "matchkeys": f_matchkeys,
    "basename": f_basename,
    "dirname": f_dirname,
    "uuidv5": f_uuidv5,
    "csvdecode": f_csvdecode,
    "urldecode": lambda s: urllib.parse.unquote(to_str(s)),
    "textencodebase64": lambda s, enc: base64.b64encode(to_str(s).encode(to_str(enc))).decode(),
}

# file functions need the module directory and the scan boundary
FILE_FUNCTIONS = frozenset(
    ["file", "fileexists", "templatefile", "filebase64", "fileset", "filemd5", "filesha256"]
)


# known functions whose result only exists at apply time (or is random): UNKNOWN by design
APPLY_TIME = frozenset(
    [
        "timestamp",
        "plantimestamp",
        "uuid",
        "bcrypt",
        "timeadd",
        "formatdate",
        "rsadecrypt",
        "ephemeralasnull",
        "issensitive",
        "filebase64sha256",
        "filebase64sha512",
        "filesha1",
        "filesha512",
        "base64gzip",
        "base64sha256",
        "base64sha512",
        "templatestring",
        "abspath",
        "pathexpand",
        "tuple",
        "list",
        "map",
        "textdecodebase64",
        "timecmp",
    ]
)


def is_supported(name: str) -> bool:
    """False for a function name Terraform would not know (or we have not implemented)."""
    return (
        name in TOLERANT
        or name in STRICT
        or name in FILE_FUNCTIONS
        or name in APPLY_TIME
        or name in ("try", "can")
        or "::" in name
    )


def call_function(name: str, args: list[Any], files: FileReader | None) -> Any:
    """Call a built-in; UNKNOWN for functions we do not (or cannot statically) evaluate."""
    if "::" in name:
        name = name.rsplit("::", 1)[-1] if name.startswith("core::") else ""
        if not name:
            return UNKNOWN
    fn = TOLERANT.get(name)
    if fn is not None:
        return _invoke(fn, name, args)
    if any(has_unknown(a) for a in args):
        return UNKNOWN
    fn = STRICT.get(name)
    if fn is not None:
        result = _invoke(fn, name, args)
        if isinstance(result, str) and len(result) > MAX_STRING:
            raise EvalError(f"{name}: result too large")
        return result
    if name in FILE_FUNCTIONS:
        if files is None:
            return UNKNOWN
        return _file_function(name, args, files)
    return UNKNOWN


def _invoke(fn: Fn, name: str, args: list[Any]) -> Any:
    try:
        return fn(*args)
    except TypeError as exc:
        raise EvalError(f"{name}: wrong arguments ({exc})") from None
    except (ValueError, OverflowError, ZeroDivisionError, re.error) as exc:
        raise EvalError(f"{name}: {exc}") from None


def _file_function(name: str, args: list[Any], files: FileReader) -> Any:
    if not args:
        raise EvalError(f"{name} needs a path")
    path = to_str(args[0])
    if name == "fileexists":
        return files.exists(path)
    if name == "fileset":
        if len(args) != 2:
            raise EvalError("fileset takes a path and a pattern")
        return files.glob(path, to_str(args[1]))
    text = files.read_text(path)
    if name == "file":
        return text
    if name == "filebase64":
        return base64.b64encode(text.encode()).decode()
    if name == "filemd5":
        return hashlib.md5(text.encode()).hexdigest()
    if name == "filesha256":
        return hashlib.sha256(text.encode()).hexdigest()
    variables = _map(args[1]) if len(args) > 1 else {}
    return files.template(text, variables)


def describe(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return type_name(value)
