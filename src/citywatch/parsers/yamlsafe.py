"""YAML loading that is safe against hostile input and keeps line numbers.

PyYAML's C composer builds the node graph (aliases are shared nodes, so composing an alias bomb
is cheap); we then convert nodes to Python data ourselves with a budget on the number of values
produced and on nesting depth, so a billion-laughs document fails fast with a located error
instead of eating memory. CloudFormation short-form tags (`!Ref`, `!GetAtt`, ...) are turned into
their long form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is in every wheel we install
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_ALIAS_VALUES = 1_000_000
MAX_DEPTH = 200

_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}
_NULL = {"", "~", "null"}


class YamlError(Exception):
    def __init__(self, reason: str, line: int | None = None, fatal: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.fatal = fatal


@dataclass(slots=True)
class YamlDocument:
    data: Any
    start_line: int
    end_line: int
    line_map: dict[str, int] = field(default_factory=dict)


def _scalar_value(tag: str, value: str, style: str | None) -> Any:
    """Python value of a scalar whose tag is known (explicit, or resolved from a plain one)."""
    if tag == "tag:yaml.org,2002:str" or style in ("'", '"', "|", ">"):
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _BOOL.get(value.lower(), value)
    if tag == "tag:yaml.org,2002:int":
        text = value.replace("_", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-").lower()
        try:
            if digits.startswith("0x"):
                return sign * int(digits[2:], 16)
            if digits.startswith("0o"):
                return sign * int(digits[2:], 8)
            if digits.startswith("0b"):
                return sign * int(digits[2:], 2)
            if len(digits) > 1 and digits.startswith("0") and digits.isdigit():
                # YAML 1.1 (what kubectl's parser implements): 0644 is octal, i.e. 420
                return sign * int(digits, 8)
            if ":" in digits:  # base 60, e.g. 1:30 is 90
                total = 0
                for part in digits.split(":"):
                    total = total * 60 + int(part)
                return sign * total
            return sign * int(digits)
        except ValueError:
            return value
    if tag == "tag:yaml.org,2002:float":
        low = value.lower()
        if low in (".inf", "+.inf"):
            return float("inf")
        if low == "-.inf":
            return float("-inf")
        if low == ".nan":
            return float("nan")
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value


# PyYAML's own YAML 1.1 implicit resolvers (the same ones CSafeLoader uses); a resolver instance
# is stateless for plain scalars, so one serves every load.
_RESOLVER = yaml.resolver.Resolver()
_PLAIN_CACHE_LIMIT = 4096
# plain scalar text -> resolved value; keys such as `name` and values such as `ns7` or `8080`
# repeat across documents and files, and resolving them means a regex round trip
_PLAIN_CACHE: dict[str, Any] = {}


def _resolve_plain(value: str) -> Any:
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    result = _scalar_value(tag, value, "")
    # NaN is not cached: each occurrence stays its own float object, as before
    if len(_PLAIN_CACHE) < _PLAIN_CACHE_LIMIT and result == result:
        _PLAIN_CACHE[value] = result
    return result


_CFN_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
}


def _cfn_wrap(tag: str, value: Any) -> Any:
    name = tag[1:]
    if tag in _CFN_TAGS:
        return {_CFN_TAGS[tag]: value}
    if name == "GetAtt" and isinstance(value, str):
        head, _, tail = value.partition(".")
        return {"Fn::GetAtt": [head, tail]}
    return {f"Fn::{name}": value}


@dataclass(slots=True)
class YamlLoad:
    """Every document that loaded, and a located error for each one that did not."""

    docs: list[YamlDocument] = field(default_factory=list)
    errors: list[YamlError] = field(default_factory=list)


_NO_KEY: Any = object()
_IMPLICIT_FIRST = frozenset("yYnNtTfFoO-+0123456789.<~=")
_Scalar = yaml.ScalarEvent
_MapStart = yaml.MappingStartEvent
_MapEnd = yaml.MappingEndEvent
_SeqStart = yaml.SequenceStartEvent
_SeqEnd = yaml.SequenceEndEvent
_Alias = yaml.AliasEvent
_DocStart = yaml.DocumentStartEvent
_DocEnd = yaml.DocumentEndEvent
_StreamEnd = yaml.StreamEndEvent


def _tagged_scalar(event: Any, cfn_tags: bool) -> Any:
    """Value of a scalar carrying a tag (`!`, `!!int`, `!Ref`, ...): the rare path."""
    tag: str = event.tag
    value: str = event.value
    if tag == "!":
        if not event.style and event.implicit[0]:
            value = _resolve_plain(value) if not value or value[0] in _IMPLICIT_FIRST else value
    elif tag.startswith("!") and not tag.startswith("!!"):
        pass
    else:
        value = _scalar_value(tag, value, event.style)
    if cfn_tags and tag.startswith("!"):
        return _cfn_wrap(tag, value)
    return value


def _read_document(
    get_event: Any, want_lines: bool, cfn_tags: bool
) -> tuple[Any, dict[str, int], Any]:
    """Build one document from parser events, up to its DocumentEndEvent.

    One flat loop with an explicit stack (no recursion) and the open container kept in local
    variables, because this loop runs once per event and dominates loading time. Returns the
    root value, the dotted-path line map and the end event; raises YamlError for a bad document
    and lets the parser's own errors through.
    """
    lines: dict[str, int] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[tuple[Any, str, Any, bool, int, Any, Any, bool]] = []
    cache_get = _PLAIN_CACHE.get
    implicit_first = _IMPLICIT_FIRST
    no_key = _NO_KEY
    total = 0
    depth = 0
    root: Any = None
    # the open container: value, dotted path, pending key (maps), is-map, values counted so
    # far (for the alias budget), anchor, tag, and whether the pending key is a merge `<<`
    cont: Any = None
    cpath = ""
    ckey: Any = no_key
    cmap = False
    csize = 0
    canchor: Any = None
    ctag: Any = None
    cmerge = False
    path = ""
    while True:
        event = get_event()
        tp = type(event)
        if tp is _Scalar:
            if want_lines and depth:
                if cmap:
                    if ckey is not no_key:
                        path = f"{cpath}.{ckey}" if cpath else str(ckey)
                        if path:
                            lines.setdefault(path, event.start_mark.line + 1)
                else:
                    path = f"{cpath}.{len(cont)}" if cpath else str(len(cont))
                    lines.setdefault(path, event.start_mark.line + 1)
            if event.tag is None:
                value = event.value
                if (
                    not event.style
                    and event.implicit[0]
                    and (not value or value[0] in implicit_first)
                ):
                    hit = cache_get(value, no_key)
                    value = _resolve_plain(value) if hit is no_key else hit
            else:
                value = _tagged_scalar(event, cfn_tags)
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            size = 1
        elif tp is _MapStart or tp is _SeqStart:
            if depth >= MAX_DEPTH:
                raise YamlError(
                    f"nesting deeper than {MAX_DEPTH} levels; rest of file not loaded",
                    event.start_mark.line + 1,
                    fatal=True,
                )
            path = ""
            if want_lines and depth:
                if cmap:
                    if ckey is not no_key:
                        path = f"{cpath}.{ckey}" if cpath else str(ckey)
                        if path:
                            lines.setdefault(path, event.start_mark.line + 1)
                else:
                    path = f"{cpath}.{len(cont)}" if cpath else str(len(cont))
                    lines.setdefault(path, event.start_mark.line + 1)
            stack.append((cont, cpath, ckey, cmap, csize, canchor, ctag, cmerge))
            depth += 1
            cmap = tp is _MapStart
            cont = {} if cmap else []
            cpath = path
            ckey = no_key
            csize = 1
            canchor = event.anchor
            ctag = event.tag
            cmerge = False
            continue
        elif tp is _MapEnd or tp is _SeqEnd:
            value = cont
            size = csize
            if ctag is not None and cfn_tags and ctag.startswith("!"):
                value = _cfn_wrap(ctag, value)
            if canchor:
                anchors[canchor] = (value, size)
            cont, cpath, ckey, cmap, csize, canchor, ctag, cmerge = stack.pop()
            depth -= 1
        elif tp is _Alias:
            line = event.start_mark.line + 1
            if event.anchor not in anchors:
                raise YamlError(f"unknown alias *{event.anchor}", line)
            value, size = anchors[event.anchor]
            total += size
            if total > MAX_ALIAS_VALUES:
                raise YamlError(
                    f"aliases expand to more than {MAX_ALIAS_VALUES} values (alias bomb); "
                    "document not loaded",
                    line,
                )
        elif tp is _DocEnd:
            return root, lines, event
        else:  # pragma: no cover - libyaml emits nothing else inside a document
            continue
        # attach the finished value to the open container (or make it the root)
        if not depth:
            root = value
            continue
        csize += size
        if not cmap:
            cont.append(value)
        elif ckey is no_key:
            if type(value) is str:
                if value == "<<":
                    cmerge = True
                ckey = value
            elif isinstance(value, (list, dict)):
                ckey = str(value)
            else:
                ckey = value
        else:
            if cmerge:
                for src in value if isinstance(value, list) else [value]:
                    if isinstance(src, dict):
                        for k, v in src.items():
                            cont.setdefault(k, v)
                cmerge = False
            else:
                cont[ckey] = value
            ckey = no_key


def _parse_error(exc: yaml.YAMLError) -> YamlError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return YamlError(
            f"invalid YAML: {exc.problem or exc}",
            mark.line + 1 if mark is not None else None,
        )
    return YamlError(f"invalid YAML: {exc}")


def load_documents(text: str, *, want_lines: bool = True, cfn_tags: bool = False) -> YamlLoad:
    """Parse every document in a YAML stream, keeping the good ones when another is bad.

    Works on parser events with an explicit stack, so deep nesting cannot overflow the C or
    Python stack, and counts alias expansion so an alias bomb is refused cheaply.
    """
    out = YamlLoad()
    loader = _Loader(text)
    get_event = loader.get_event
    try:
        while True:
            try:
                event = get_event()
                if event is None or type(event) is _StreamEnd:
                    break
                if type(event) is not _DocStart:
                    continue
                doc_start = event.start_mark.line + 1 if event.start_mark else 1
                try:
                    root, lines, end = _read_document(get_event, want_lines, cfn_tags)
                except YamlError as err:
                    out.errors.append(err)
                    if err.fatal:
                        # libyaml's cost grows with nesting depth: stop reading this stream
                        break
                    # skip the rest of the bad document; the next one may be good
                    skipped = get_event()
                    while skipped is not None and type(skipped) is not _DocEnd:
                        skipped = get_event()
                    continue
                end_line = end.end_mark.line + 1 if end.end_mark else doc_start
                out.docs.append(YamlDocument(root, doc_start, end_line, lines))
            except yaml.YAMLError as exc:
                out.errors.append(_parse_error(exc))
                break
    finally:
        loader.dispose()
    return out


def decode_text(data: bytes) -> str:
    """Decode configuration bytes; raises ValueError for binary or non-UTF-8 content."""
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"invalid UTF-8 at byte {exc.start} (line {line})") from None
