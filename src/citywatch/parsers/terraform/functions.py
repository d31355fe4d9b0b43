"""Terraform's built-in functions: the dispatch table and the calling convention.

Every function receives already-evaluated arguments. Unless a function is listed as tolerant,
an UNKNOWN anywhere in its arguments makes the result UNKNOWN (as Terraform does at plan time).
Functions that read files go through a `FileReader` that refuses paths outside the scanned tree.
Unimplemented and provider-defined functions return UNKNOWN rather than failing the resource.
The implementations live in fn_collections, fn_text and fn_network.
"""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.parse
from collections.abc import Callable
from typing import Any, Protocol

from citywatch.model import UNKNOWN
from citywatch.parsers.terraform import fn_collections as col
from citywatch.parsers.terraform import fn_network as net
from citywatch.parsers.terraform import fn_text as txt
from citywatch.parsers.terraform.fn_collections import as_map
from citywatch.parsers.terraform.values import (
    EvalError,
    has_partial_json,
    has_unknown,
    to_str,
    type_name,
)

MAX_STRING = 1024 * 1024


class FileReader(Protocol):
    def read_text(self, path: str) -> str: ...

    def exists(self, path: str) -> bool: ...

    def glob(self, base: str, pattern: str) -> list[str]: ...

    def template(self, text: str, variables: dict[str, Any]) -> Any: ...


Fn = Callable[..., Any]


# ---- table ---------------------------------------------------------------------------------

_STRINGS: dict[str, Fn] = {
    "lower": lambda s: to_str(s).lower(),
    "upper": lambda s: to_str(s).upper(),
    "trimspace": lambda s: to_str(s).strip(),
    "title": txt.f_title,
    "trim": txt.f_trim,
    "trimprefix": txt.f_trimprefix,
    "trimsuffix": txt.f_trimsuffix,
    "replace": txt.f_replace,
    "substr": txt.f_substr,
    "regex": txt.f_regex,
    "regexall": txt.f_regexall,
    "startswith": txt.f_startswith,
    "endswith": txt.f_endswith,
    "strcontains": txt.f_strcontains,
    "strrev": txt.f_strrev,
    "chomp": txt.f_chomp,
    "indent": txt.f_indent,
    "format": txt.f_format,
    "formatlist": txt.f_formatlist,
    "join": txt.f_join,
    "split": txt.f_split,
}

# functions that handle UNKNOWN themselves (possibly nested inside their arguments)
TOLERANT: dict[str, Fn] = {
    "length": col.f_length,
    "concat": col.f_concat,
    "merge": col.f_merge,
    "lookup": col.f_lookup,
    "element": col.f_element,
    "keys": col.f_keys,
    "values": col.f_values,
    "tolist": col.f_tolist,
    "toset": col.f_toset,
    "tomap": col.f_tomap,
    "zipmap": col.f_zipmap,
    "coalesce": col.f_coalesce,
    "coalescelist": col.f_coalescelist,
    "one": col.f_one,
    "reverse": col.f_reverse,
    "chunklist": col.f_chunklist,
    "slice": col.f_slice,
}

STRICT: dict[str, Fn] = {
    **_STRINGS,
    "flatten": col.f_flatten,
    "distinct": col.f_distinct,
    "range": col.f_range,
    "compact": col.f_compact,
    "contains": col.f_contains,
    "sum": col.f_sum,
    "setunion": col.f_setunion,
    "setintersection": col.f_setintersection,
    "setsubtract": col.f_setsubtract,
    "setproduct": col.f_setproduct,
    "sort": col.f_sort,
    "index": col.f_index,
    "transpose": col.f_transpose,
    "alltrue": col.f_alltrue,
    "anytrue": col.f_anytrue,
    "jsonencode": txt.f_jsonencode,
    "jsondecode": txt.f_jsondecode,
    "yamlencode": txt.f_yamlencode,
    "yamldecode": txt.f_yamldecode,
    "base64encode": txt.f_base64encode,
    "base64decode": txt.f_base64decode,
    "md5": txt.hasher("md5"),
    "sha1": txt.hasher("sha1"),
    "sha256": txt.hasher("sha256"),
    "sha512": txt.hasher("sha512"),
    "urlencode": txt.f_urlencode,
    "tostring": txt.f_tostring,
    "tonumber": txt.f_tonumber,
    "tobool": txt.f_tobool,
    "max": col.f_max,
    "min": col.f_min,
    "abs": col.f_abs,
    "ceil": col.f_ceil,
    "floor": col.f_floor,
    "pow": col.f_pow,
    "log": col.f_log,
    "signum": col.f_signum,
    "parseint": col.f_parseint,
    "cidrsubnet": net.f_cidrsubnet,
    "cidrhost": net.f_cidrhost,
    "cidrnetmask": net.f_cidrnetmask,
    "cidrsubnets": net.f_cidrsubnets,
    "sensitive": lambda v: v,
    "nonsensitive": lambda v: v,
    "type": lambda v: type_name(v),
    "matchkeys": col.f_matchkeys,
    "basename": txt.f_basename,
    "dirname": txt.f_dirname,
    "uuidv5": txt.f_uuidv5,
    "csvdecode": txt.f_csvdecode,
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
    if name == "jsonencode" and len(args) == 1:
        # keeps known structure around unknown leaves (see UNKNOWN_JSON_LEAF)
        return _invoke(txt.f_jsonencode, name, args)
    fn = TOLERANT.get(name)
    if fn is not None:
        if any(isinstance(a, str) and has_partial_json(a) for a in args):
            return UNKNOWN  # length() of JSON text with unknown leaves is unknown
        return _invoke(fn, name, args)
    if any(has_unknown(a) for a in args):
        return UNKNOWN
    if name != "jsondecode" and any(has_partial_json(a) for a in args):
        return UNKNOWN  # only jsondecode can read JSON text with unknown leaves
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
    variables = as_map(args[1]) if len(args) > 1 else {}
    return files.template(text, variables)
