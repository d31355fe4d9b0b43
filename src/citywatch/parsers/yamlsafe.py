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


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    value = node.value
    if tag == "tag:yaml.org,2002:str" or node.style in ("'", '"', "|", ">"):
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _BOOL.get(value.lower(), value)
    if tag == "tag:yaml.org,2002:int":
        text = value.replace("_", "")
        try:
            if text.lower().startswith(("0x", "-0x")):
                return int(text, 16)
            if text.lower().startswith("0o"):
                return int(text[2:], 8)
            return int(text)
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


class _Frame:
    __slots__ = (
        "container",
        "path",
        "key",
        "anchor",
        "tag",
        "size",
        "start",
        "is_map",
        "merge_next",
    )

    def __init__(
        self,
        container: Any,
        path: str,
        anchor: str | None,
        tag: str | None,
        start: int,
        is_map: bool,
    ) -> None:
        self.container = container
        self.path = path
        self.key: Any = _NO_KEY
        self.anchor = anchor
        self.tag = tag
        self.size = 1
        self.start = start
        self.is_map = is_map
        self.merge_next = False


_NO_KEY = object()
_IMPLICIT_FIRST = frozenset("yYnNtTfFoO-+0123456789.<~=")


class _DocumentBuilder:
    """Builds one document from parser events with an explicit stack (no recursion)."""

    def __init__(self, resolver: Any, want_lines: bool, cfn_tags: bool) -> None:
        self.resolver = resolver
        self.want_lines = want_lines
        self.cfn_tags = cfn_tags
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.lines: dict[str, int] = {}
        self.total = 0
        self.root: Any = None
        self.done = False

    def _child_path(self) -> str:
        if not self.stack:
            return ""
        top = self.stack[-1]
        if top.is_map:
            if top.key is _NO_KEY:
                return ""
            return f"{top.path}.{top.key}" if top.path else str(top.key)
        idx = len(top.container)
        return f"{top.path}.{idx}" if top.path else str(idx)

    def _count_alias(self, size: int, line: int) -> None:
        self.total += size
        if self.total > MAX_ALIAS_VALUES:
            raise YamlError(
                f"aliases expand to more than {MAX_ALIAS_VALUES} values (alias bomb); "
                "document not loaded",
                line,
            )

    def _attach(self, value: Any, size: int) -> None:
        if not self.stack:
            self.root = value
            self.done = True
            return
        top = self.stack[-1]
        top.size += size
        if top.is_map:
            if top.key is _NO_KEY:
                if value == "<<" and not isinstance(value, bool):
                    top.merge_next = True
                    top.key = "<<"
                else:
                    top.key = str(value) if isinstance(value, (list, dict)) else value
            else:
                if top.merge_next:
                    sources = value if isinstance(value, list) else [value]
                    for src in sources:
                        if isinstance(src, dict):
                            for k, v in src.items():
                                top.container.setdefault(k, v)
                    top.merge_next = False
                else:
                    top.container[top.key] = value
                top.key = _NO_KEY
        else:
            top.container.append(value)

    def _wrap(self, tag: str | None, value: Any) -> Any:
        if tag and tag.startswith("!") and self.cfn_tags:
            return _cfn_wrap(tag, value)
        return value

    def feed(self, event: Any) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.ScalarEvent):
            path = self._child_path()
            if self.want_lines and path:
                self.lines.setdefault(path, line or 0)
            value = self._scalar(event)
            value = self._wrap(event.tag, value)
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            self._attach(value, 1)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(self.stack) >= MAX_DEPTH:
                raise YamlError(
                    f"nesting deeper than {MAX_DEPTH} levels; rest of file not loaded",
                    line,
                    fatal=True,
                )
            path = self._child_path()
            if self.want_lines and path:
                self.lines.setdefault(path, line or 0)
            is_map = isinstance(event, yaml.MappingStartEvent)
            container: Any = {} if is_map else []
            self.stack.append(_Frame(container, path, event.anchor, event.tag, line or 0, is_map))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            value = self._wrap(frame.tag, frame.container)
            if frame.anchor:
                self.anchors[frame.anchor] = (value, frame.size)
            self._attach(value, frame.size)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise YamlError(f"unknown alias *{event.anchor}", line)
            value, size = self.anchors[event.anchor]
            self._count_alias(size, line or 0)
            self._attach(value, size)

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            value = event.value
            if event.style or not event.implicit[0]:
                return value
            # YAML 1.1 implicit types all start with one of these characters (or are empty):
            # anything else is a plain string, without the resolver's regex round trip
            if value and value[0] not in _IMPLICIT_FIRST:
                return value
            tag = self.resolver.resolve(yaml.ScalarNode, value, (True, False))
        elif tag.startswith("!") and not tag.startswith("!!"):
            return event.value
        node = yaml.ScalarNode(tag, event.value, style=event.style)
        return _scalar(node)


def load_documents(text: str, *, want_lines: bool = True, cfn_tags: bool = False) -> YamlLoad:
    """Parse every document in a YAML stream, keeping the good ones when another is bad.

    Works on parser events with an explicit stack, so deep nesting cannot overflow the C or
    Python stack, and counts alias expansion so an alias bomb is refused cheaply.
    """
    out = YamlLoad()
    loader = _Loader(text)
    builder: _DocumentBuilder | None = None
    doc_start = 1
    skipping = False
    try:
        while True:
            try:
                event = loader.get_event()
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark
                out.errors.append(
                    YamlError(
                        f"invalid YAML: {exc.problem or exc}",
                        mark.line + 1 if mark is not None else None,
                    )
                )
                break
            except yaml.YAMLError as exc:
                out.errors.append(YamlError(f"invalid YAML: {exc}"))
                break
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.DocumentStartEvent):
                builder = _DocumentBuilder(loader, want_lines, cfn_tags)
                doc_start = event.start_mark.line + 1 if event.start_mark else 1
                skipping = False
                continue
            if isinstance(event, yaml.DocumentEndEvent):
                if builder is not None and builder.done and not skipping:
                    end = event.end_mark.line + 1 if event.end_mark else doc_start
                    out.docs.append(YamlDocument(builder.root, doc_start, end, builder.lines))
                builder = None
                continue
            if builder is None or skipping:
                continue
            try:
                builder.feed(event)
            except YamlError as err:
                out.errors.append(err)
                if err.fatal:
                    # libyaml's cost grows with nesting depth: stop reading this stream at once
                    break
                skipping = True
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
