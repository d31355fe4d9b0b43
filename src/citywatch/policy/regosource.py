"""Rego source handling before evaluation: syntax version, old-style rule bodies, rule listing.

Policies in the wild mix Rego v1 (`import rego.v1`, `contains`, `if`), v0 with
`import future.keywords`, and plain v0 (`deny[msg] { ... }`). We decide per module by parsing:
v1 first, then v0; a module that parses in neither is reported with the error of the attempt that
got further into the file (the better guess at what the author meant).

Plain v0 also allowed one head with several bodies (`f(x) = y { a } { b }`), which the engine
misreads; `expand_multi_bodies` repeats the head for each extra body and remembers where
it added lines so error lines still point into the user's file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import regorus

from citywatch.policy.errors import PolicyLoadError

_LOCATION = re.compile(r"-->\s*(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)")
_MESSAGE = re.compile(r"^error:\s*(?P<msg>.*)$", re.M)
_V1_HINT = re.compile(r"^\s*import\s+rego\.v1\b|\bcontains\b|\bif\s*\{|\bif\s+\w", re.M)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One rule head: `name` is its first path segment (`deny`), `line` is 1-based in the module."""

    name: str
    kind: str  # "Set" (partial set), "Compr" (complete/object), "Func", "Default"
    line: int


@dataclass(slots=True)
class RegoModule:
    """A parsed Rego module ready to add to an engine.

    `display` is the file shown to users; `line_base` is added to module lines to get file lines
    (non-zero for Rego embedded in a Gatekeeper template); `inserted` lists module lines that
    `expand_multi_bodies` added (not in the user's file).
    """

    display: str
    name: str  # unique name given to the engine
    text: str
    version: str  # "v0" | "v1"
    package: str  # dotted, without the leading "data."
    rules: list[RuleInfo] = field(default_factory=list)
    line_base: int = 0
    inserted: list[int] = field(default_factory=list)

    def file_line(self, module_line: int) -> int:
        shift = sum(1 for ins in self.inserted if ins <= module_line)
        return module_line - shift + self.line_base


def split_error(text: str) -> tuple[str | None, int | None, str]:
    """(file, line, message) from an engine error; the Rust backtrace is dropped."""
    text = text.split("Stack backtrace:", 1)[0].strip()
    loc = _LOCATION.search(text)
    msg = _MESSAGE.search(text)
    message = msg.group("msg").strip() if msg else text.splitlines()[0] if text else "error"
    if loc is None:
        return None, None, message
    return loc.group("file"), int(loc.group("line")), message


def _ref_path(node: Any) -> list[str]:
    if not isinstance(node, dict) or not node:
        return []
    kind, body = next(iter(node.items()))
    if kind == "Var":
        return [str(body.get("value"))]
    if kind == "RefDot":
        field_ = body.get("field")
        name = field_[1] if isinstance(field_, list) and len(field_) > 1 else ""
        return [*_ref_path(body.get("refr")), str(name)]
    if kind == "RefBrack":
        index = body.get("index")
        tail: list[str] = []
        if isinstance(index, dict) and "String" in index:
            tail = [str(index["String"].get("value"))]
        return [*_ref_path(body.get("refr")), *tail]
    return []


def _rules_from_ast(ast: dict[str, Any]) -> tuple[str, list[RuleInfo]]:
    package = ".".join(_ref_path(ast.get("package", {}).get("refr")))
    rules: list[RuleInfo] = []
    for rule in ast.get("rules", []):
        if "Default" in rule:
            body = rule["Default"]
            path = _ref_path(body.get("refr"))
            line = int(body.get("span", {}).get("line", 0))
            if path:
                rules.append(RuleInfo(path[0], "Default", line))
            continue
        spec = rule.get("Spec")
        if not isinstance(spec, dict):
            continue
        head = spec.get("head", {})
        if not isinstance(head, dict) or not head:
            continue
        kind, body = next(iter(head.items()))
        path = _ref_path(body.get("refr"))
        line = int(body.get("span", {}).get("line", 0))
        if path:
            rules.append(RuleInfo(path[0], kind, line))
    return package, rules


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """The engine prints parser warnings straight to fd 2; keep them out of our output."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to protect
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _try_parse(name: str, text: str, v0: bool) -> tuple[str, list[RuleInfo]]:
    engine = regorus.Engine()
    engine.set_rego_v0(v0)
    with quiet_stderr():
        engine.add_policy(name, text)
    asts = json.loads(engine.get_ast_as_json())
    return _rules_from_ast(asts[0]["ast"]) if asts else ("", [])


def expand_multi_bodies(text: str) -> tuple[str, list[int]]:
    """Rewrite `head { a } { b }` (v0 only) as `head { a }` + newline + `head { b }`.

    Returns the new text and the (new-text) line numbers of the inserted lines. Only used after
    a v0 parse failed, so an unusual module is never rewritten when it already parses.
    """
    out: list[str] = []
    inserted: list[int] = []
    depth = 0
    i = 0
    n = len(text)
    line = 1
    stmt_start = 0  # index where the current top-level statement's line began
    head: str | None = None
    value_open = False
    last_sig = ""  # last significant character seen at depth 0
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(text[i:end])
            i = end
            continue
        if ch in '"`':
            j = i + 1
            while j < n and text[j] != ch:
                if ch == '"' and text[j] == "\\":
                    j += 1
                if text[j] == "\n":
                    line += 1
                j += 1
            out.append(text[i : j + 1])
            i = j + 1
            if depth == 0:
                last_sig = ch
            continue
        if ch == "\n":
            line += 1
            out.append(ch)
            i += 1
            if depth == 0:
                stmt_start = i
            continue
        if ch in "{[(":
            if ch == "{" and depth == 0:
                before = text[stmt_start:i].strip()
                if last_sig == "}" and value_open:
                    head, value_open = before, False  # `p = {...} {`: this is the body
                elif last_sig == "}" and head is not None:
                    out.append("\n" + head + " ")
                    line += 1
                    inserted.append(line)
                elif before.endswith("="):
                    head, value_open = None, True  # an object value, not a body
                else:
                    head = before
            depth += 1
        elif ch in "}])":
            depth = max(0, depth - 1)
        if depth == 0 and not ch.isspace():
            last_sig = ch
        out.append(ch)
        i += 1
    return "".join(out), inserted


def separate_paren_lines(text: str) -> str:
    """End an expression with `;` when the next line starts with `(` inside a body.

    OPA ends an expression at a newline, so `x\n(a - b) > 0` is two expressions; the engine
    would read it as a call `x(a - b)`. The `;` goes on the first line: line numbers stay put.
    """
    stack: list[str] = []
    inserts: list[int] = []
    last_sig = -1  # index of the last significant character
    newline_since = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch in '"`':
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if ch == '"' and text[j] == "\\" else 1
            last_sig, newline_since = min(j, n - 1), False
            i = j + 1
            continue
        if ch == "\n":
            newline_since = True
        elif not ch.isspace():
            if (
                ch == "("
                and newline_since
                and stack
                and stack[-1] == "{"
                and last_sig >= 0
                and (text[last_sig].isalnum() or text[last_sig] in '_])"`')
            ):
                inserts.append(last_sig + 1)
            if ch in "{[(":
                stack.append(ch)
            elif ch in "}])" and stack:
                stack.pop()
            last_sig, newline_since = i, False
        i += 1
    for pos in reversed(inserts):
        text = text[:pos] + ";" + text[pos:]
    return text


_SPRINTF = re.compile(r'\bsprintf\(\s*"((?:[^"\\\n]|\\.)*)"\s*,\s*\[')
_VERB = re.compile(r"%[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?([a-zA-Z%])")


def _array_end(text: str, start: int) -> tuple[int, int] | None:
    """(index of the `]` closing the array opened before `start`, number of elements)."""
    depth, items, seen = 0, 0, False
    i = start
    while i < len(text):
        ch = text[i]
        if ch in '"`':
            end = text.find(ch, i + 1)
            while ch == '"' and end > 0 and text[end - 1] == "\\":
                end = text.find(ch, end + 1)
            if end < 0:
                return None
            i, seen = end + 1, True
            continue
        if ch in "[({":
            depth += 1
        elif ch in "])}":
            if depth == 0:
                return (i, items + 1 if seen else 0) if ch == "]" else None
            depth -= 1
        elif ch == "," and depth == 0:
            items += 1
        elif ch == "#":
            return None
        if not ch.isspace() and ch != ",":
            seen = True
        i += 1
    return None


def pad_sprintf_args(text: str) -> str:
    """Give `sprintf("%v %v", [a])` the missing operand OPA prints as `%!v(MISSING)`.

    OPA (Go's fmt) renders a missing operand inline; the engine raises an error instead. Only
    calls with a literal format, a literal array and too few operands for `%v`/`%s` verbs are
    touched, on the same line, so a correct policy is never changed.
    """
    out: list[str] = []
    pos = 0
    for match in _SPRINTF.finditer(text):
        verbs = [v for v in _VERB.findall(match.group(1)) if v != "%"]
        found = _array_end(text, match.end())
        if found is None:
            continue
        end, count = found
        missing = verbs[count:]
        if not missing or any(v not in "vs" for v in missing):
            continue
        filler = ", ".join(f'"%!{v}(MISSING)"' for v in missing)
        out.append(text[pos:end])
        out.append((", " if count else "") + filler)
        pos = end
    out.append(text[pos:])
    return "".join(out)


_NOT_CALL = re.compile(r"^(?P<indent>\s*)not\s+(?P<callee>[A-Za-z_][\w.]*)\(")
_REF_ARG = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\]]*\])+$|^[A-Za-z_][\w.]*\(.*\)$")


def _split_call(text: str, start: int) -> tuple[list[str], int] | None:
    """Top-level arguments of the call whose `(` is just before `start`, and the `)` index."""
    args: list[str] = []
    depth, begin, i = 0, start, start
    while i < len(text):
        ch = text[i]
        if ch in '"`':
            end = text.find(ch, i + 1)
            while ch == '"' and end > 0 and text[end - 1] == "\\":
                end = text.find(ch, end + 1)
            if end < 0:
                return None
            i = end + 1
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                if ch != ")":
                    return None
                args.append(text[begin:i])
                return [a.strip() for a in args], i
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[begin:i])
            begin = i + 1
        i += 1
    return None


def hoist_negated_call_args(text: str) -> str:
    """`not f(a.b)` -> `__cw_n1 := a.b; not f(__cw_n1)`, as OPA's compiler rewrites it.

    OPA evaluates a call's nested references and calls before the negation, so an undefined
    argument makes the whole expression undefined (OPA issues 1877, 4743); the engine would
    negate it to true. Only single-line statements `not callee(args)` are rewritten, on their
    own line, so line numbers do not move.
    """
    lines = text.split("\n")
    counter = 0
    for n, line in enumerate(lines):
        match = _NOT_CALL.match(line)
        if match is None or " with " in line:
            continue
        split = _split_call(line, match.end())
        if split is None:
            continue
        args, close = split
        rest = line[close + 1 :].strip()
        if rest and not rest.startswith("#"):
            continue
        hoisted: list[str] = []
        new_args: list[str] = []
        for arg in args:
            if _REF_ARG.match(arg) and "[_]" not in arg and not arg.startswith(("true", "false")):
                counter += 1
                name = f"__cw_n{counter}"
                hoisted.append(f"{name} := {arg}; ")
                new_args.append(name)
            else:
                new_args.append(arg)
        if not hoisted:
            continue
        call = f"not {match.group('callee')}({', '.join(new_args)})"
        lines[n] = match.group("indent") + "".join(hoisted) + call + line[close + 1 :]
    return "\n".join(lines)


def parse_module(
    display: str, text: str, name: str | None = None, line_base: int = 0
) -> RegoModule:
    """Decide the module's syntax version and list its rules; raise a located load error."""
    name = name or display
    if "(" in text:
        text = separate_paren_lines(text)
    if "sprintf" in text:
        text = pad_sprintf_args(text)
    if "not " in text:
        text = hoist_negated_call_args(text)
    errors: list[tuple[int, str]] = []
    try:
        package, rules = _try_parse(name, text, False)
        return RegoModule(display, name, text, "v1", package, rules, line_base=line_base)
    except RuntimeError as exc:
        _, line, message = split_error(str(exc))
        errors.append((line or 0, message))
    # v0: one head with several bodies is expanded first (the engine would misread it)
    expanded, inserted = expand_multi_bodies(text)
    attempts = [(expanded, inserted), (text, [])] if inserted else [(text, [])]
    for candidate, added in attempts:
        try:
            package, rules = _try_parse(name, candidate, True)
            return RegoModule(display, name, candidate, "v0", package, rules, line_base, added)
        except RuntimeError as exc:
            if not added:
                _, line, message = split_error(str(exc))
                errors.append((line or 0, message))
    looks_v1 = bool(_V1_HINT.search(text))
    # the attempt that got further wins; on a tie, what the module looks like decides
    pick = 0 if (errors[0][0], looks_v1) >= (errors[1][0], True) else 1
    line, message = errors[pick]
    syntax = ("v1", "v0")[pick]
    raise PolicyLoadError(
        display,
        f"Rego syntax error (read as Rego {syntax}): {message}",
        (line + line_base) if line else None,
    )
