"""String, regular-expression, formatting and encoding built-ins.

Regular expressions run on RE2, the dialect Terraform itself uses (Go's regexp), which is also
linear-time: a hostile pattern cannot hang a scan.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import posixpath
import re
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any

import re2
import yaml

from citywatch.model import UNKNOWN, restore_unknown_leaves
from citywatch.parsers.terraform.fn_collections import as_int, as_list
from citywatch.parsers.terraform.values import (
    EvalError,
    has_unknown,
    norm_number,
    to_bool,
    to_number,
    to_str,
    type_name,
    with_unknown_leaves,
)

Fn = Callable[..., Any]


# ---- strings -------------------------------------------------------------------------------


def f_join(sep: Any, *lists: Any) -> Any:
    items: list[str] = []
    for lst in lists:
        items.extend(to_str(x) for x in as_list(lst))
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
    off, ln = as_int(offset), as_int(length)
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
    pad = " " * as_int(n)
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
            text = str(as_int(value))
        elif verb in ("f", "e", "g"):
            text = f"%{'.' + prec if prec else ''}{verb}" % to_number(value)
        elif verb == "t":
            text = "true" if to_bool(value) else "false"
        elif verb in ("x", "X", "o", "b"):
            num = as_int(value) if not isinstance(value, str) else None
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


def f_jsonencode(v: Any) -> Any:
    """Unknown leaves become `UNKNOWN_JSON_LEAF`, so a policy keeps its known Principal."""
    if has_unknown(v):
        v = with_unknown_leaves(v)
        if v is UNKNOWN:
            return UNKNOWN
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def f_jsondecode(s: Any) -> Any:
    try:
        return restore_unknown_leaves(_normalize(json.loads(to_str(s))))
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


def hasher(name: str) -> Fn:
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
