"""Dockerfiles and Containerfiles: one located resource per file, with stages and instructions.

The parser follows the BuildKit frontend's rules closely enough for security checks: parser
directives (`# syntax=`, `# escape=`), line continuations with the active escape character,
comment lines inside continuations, heredocs (`RUN <<EOF`), JSON (exec) and shell forms, flags
(`--from`, `--platform`, `--mount`...), multi-stage builds and `ARG` substitution in `FROM`.
It never runs anything and never decides what is insecure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citywatch.model import UNKNOWN, Location, Resource
from citywatch.pipeline import ScanContext, SourceFile

FRAMEWORK = "dockerfile"
KIND = "dockerfile"

INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
_EXEC_FORM = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL"})
_HEREDOC_CMDS = frozenset({"RUN", "COPY", "ADD"})
_EXPANDED = frozenset({"USER", "WORKDIR", "EXPOSE", "COPY", "ADD", "VOLUME", "STOPSIGNAL"})
_DIRECTIVES = frozenset({"syntax", "escape", "check"})

_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
_HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_VAR = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)

# Extensions that say a file is something else: such files are never claimed by content.
_OTHER_EXTENSIONS = frozenset(
    str.split(
        "c cc cfg conf cpp cs css csv go gradle h hcl htm html ini j2 java js json jsx kt lock "
        "log md mod php pl properties proto py rb rs rst scala sh sql sum swift tf tfvars tmpl "
        "toml tpl ts tsx txt xml yaml yml zip gz tar tgz png jpg jpeg gif svg pdf bat ps1 env "
        "erb jinja jinja2 mustache"
    )
)
_FROM_LINE = re.compile(r"^from\s+(?:--\S+\s+)*\S+(?:\s+as\s+\S+)?\s*$", re.I)
_ARG_LINE = re.compile(r"^arg\s+[A-Za-z_][A-Za-z0-9_]*(?:=\S*)?\s*$", re.I)


def is_dockerfile_name(name: str) -> bool:
    """True for the names Docker, Podman and editors treat as a Dockerfile."""
    low = name.lower()
    for base in ("dockerfile", "containerfile"):
        if low == base or low.startswith(base + ".") or low.endswith("." + base):
            return True
    return False


def looks_like_dockerfile(head: bytes) -> bool:
    """Content sniffing for oddly named files: FROM/ARG first, or a `# syntax=` line."""
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", errors="replace")
    saw_arg = False
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            directive = _DIRECTIVE.match(line)
            if directive and directive.group(1).lower() == "syntax" and not saw_arg:
                return True
            continue
        if _FROM_LINE.match(line):
            return True
        if _ARG_LINE.match(line):
            saw_arg = True  # an ARG header counts once a FROM follows it
            continue
        return False
    return False


def _has_other_extension(name: str) -> bool:
    stem = name.lstrip(".")
    if "." not in stem:
        return False
    return stem.rsplit(".", 1)[1].lower() in _OTHER_EXTENSIONS


# --------------------------------------------------------------------------- words and variables


def _next_word(text: str, pos: int, escape: str) -> tuple[str, int]:
    """Read one shell-like word from `pos` (quotes removed, escapes applied); returns end."""
    n = len(text)
    while pos < n and text[pos] in " \t":
        pos += 1
    out: list[str] = []
    quote = ""
    while pos < n:
        ch = text[pos]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote == '"' and pos + 1 < n:
                pos += 1
                out.append(text[pos])
            else:
                out.append(ch)
        elif ch in " \t":
            break
        elif ch in "\"'":
            quote = ch
        elif ch == escape and pos + 1 < n:
            pos += 1
            out.append(text[pos])
        else:
            out.append(ch)
        pos += 1
    return "".join(out), pos


def split_words(text: str, escape: str = "\\") -> list[str]:
    words: list[str] = []
    pos = 0
    while pos < len(text):
        word, end = _next_word(text, pos, escape)
        if end == pos:
            break
        if word or text[pos:end].strip():
            words.append(word)
        pos = end
    return words


def expand(text: str, variables: dict[str, str | None]) -> tuple[str, bool]:
    """Substitute `$VAR` / `${VAR:-default}` forms; returns (text, every variable was known)."""
    complete = True

    def repl(match: re.Match[str]) -> str:
        nonlocal complete
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3) or ""
        value = variables.get(name)
        if op in (":-", "-"):
            if value is None or (op == ":-" and not value):
                return word
            return value
        if op in (":+", "+"):
            if name not in variables:
                return ""
            if value is None:
                complete = False  # declared without a default: set only at build time
                return ""
            return word if (value or op == "+") else ""
        if value is None:
            complete = False
            return ""
        return value

    return _VAR.sub(repl, text), complete


# --------------------------------------------------------------------------------- the parser


@dataclass(slots=True)
class ParseIssue:
    line: int
    reason: str


@dataclass(slots=True)
class ParsedDockerfile:
    stages: list[dict[str, Any]] = field(default_factory=list)
    instructions: list[dict[str, Any]] = field(default_factory=list)
    directives: dict[str, str] = field(default_factory=dict)
    issues: list[ParseIssue] = field(default_factory=list)
    last_line: int = 0


def _strip_continuation(line: str, escape: str) -> tuple[str, bool]:
    """BuildKit's rule: the escape character, then only blanks, ends a continued line."""
    body = line.rstrip(" \t")
    if body.endswith(escape):
        return body[: -len(escape)], True
    return line, False


def _flags(text: str, escape: str) -> tuple[dict[str, Any], str]:
    """Leading `--name[=value]` flags and the rest of the instruction."""
    flags: dict[str, Any] = {}
    pos = 0
    while True:
        probe = text[pos:].lstrip(" \t")
        if not probe.startswith("--") or len(probe) == 2 or probe[2] in " \t":
            break
        word, end = _next_word(text, pos, escape)
        name, sep, value = word[2:].partition("=")
        val = value if sep else "true"
        if name in flags:
            prev = flags[name]
            flags[name] = [*prev, val] if isinstance(prev, list) else [prev, val]
        else:
            flags[name] = val
        pos = end
    return flags, text[pos:].strip(" \t")


def _json_args(body: str) -> list[str] | None:
    if not body.startswith("["):
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _args_for(cmd: str, body: str, escape: str) -> tuple[list[str], str]:
    """Arguments of one instruction and its form ("exec", "shell" or "words")."""
    if cmd in _EXEC_FORM:
        exec_args = _json_args(body)
        if exec_args is not None:
            return exec_args, "exec"
        return ([body] if body else []), "shell"
    if cmd == "HEALTHCHECK":
        word, end = _next_word(body, 0, escape)
        rest = body[end:].strip()
        if word.upper() != "CMD" or not rest:
            return ([word.upper()] if word else []), "words"
        exec_args = _json_args(rest)
        if exec_args is not None:
            return ["CMD", *exec_args], "exec"
        return ["CMD", rest], "shell"
    if cmd in ("ENV", "LABEL"):
        words = split_words(body, escape)
        if words and "=" not in words[0]:
            # legacy `ENV KEY value with spaces`
            first, end = _next_word(body, 0, escape)
            rest = body[end:].strip()
            value = " ".join(split_words(rest, escape)) if rest else ""
            return [f"{first}={value}"], "words"
        return words, "words"
    if cmd in ("MAINTAINER", "ONBUILD"):
        return ([body] if body else []), "shell"
    if cmd in ("COPY", "ADD", "VOLUME"):
        exec_args = _json_args(body)
        if exec_args is not None:
            return exec_args, "exec"
    return split_words(body, escape), "words"


class _Builder:
    """Turns the text of one Dockerfile into instructions and stages."""

    def __init__(self, text: str) -> None:
        self.lines = [line.rstrip("\r") for line in text.split("\n")]
        self.out = ParsedDockerfile()
        self.escape = "\\"
        self.global_args: dict[str, str | None] = {}
        self.stage_vars: dict[str, str | None] = {}
        self.stage_names: set[str] = set()

    def run(self) -> ParsedDockerfile:
        i = self._directives()
        n = len(self.lines)
        while i < n:
            stripped = self.lines[i].strip()
            if not stripped or stripped.startswith("#"):
                i += 1
                continue
            i = self._instruction(i) + 1
        self.out.last_line = max(1, len(self.lines) - (1 if self.lines[-1] == "" else 0))
        return self.out

    def _directives(self) -> int:
        i = 0
        while i < len(self.lines):
            match = _DIRECTIVE.match(self.lines[i].strip())
            if not match or match.group(1).lower() not in _DIRECTIVES:
                break
            key, value = match.group(1).lower(), match.group(2)
            if key in self.out.directives:
                self.out.issues.append(ParseIssue(i + 1, f"parser directive {key} given twice"))
            self.out.directives[key] = value
            if key == "escape":
                if value in ("\\", "`"):
                    self.escape = value
                else:
                    self.out.issues.append(
                        ParseIssue(i + 1, f"invalid escape directive {value!r} (use \\ or `)")
                    )
            i += 1
        return i

    def _instruction(self, start: int) -> int:
        """Read the instruction starting at line index `start`; returns its last line index."""
        lines, n = self.lines, len(self.lines)
        i = start
        parts: list[str] = []
        while True:
            body, cont = _strip_continuation(lines[i], self.escape)
            parts.append(body)
            if not cont:
                break
            j = i + 1
            while j < n and (not lines[j].strip() or lines[j].strip().startswith("#")):
                j += 1
            if j >= n:
                i = j - 1
                break
            i = j
        logical = "".join(parts).strip()
        word, _, rest = logical.partition(" ")
        if "\t" in word:
            word, _, tail = word.partition("\t")
            rest = tail + " " + rest
        cmd = word.upper()
        rest = rest.strip()
        flags, body = _flags(rest, self.escape)
        heredocs: list[dict[str, Any]] = []
        if cmd in _HEREDOC_CMDS and not body.startswith("["):
            i = self._heredocs(body, i, start, heredocs)
        if cmd not in INSTRUCTIONS:
            self.out.issues.append(ParseIssue(start + 1, f"unknown instruction {word!r}"))
        args, form = _args_for(cmd, body, self.escape)
        instr: dict[str, Any] = {
            "cmd": cmd,
            "value": body,
            "args": args,
            "flags": flags,
            "form": form,
            "line": start + 1,
            "end_line": i + 1,
            "original": "\n".join(lines[start : i + 1]),
            "stage": len(self.out.stages) - 1,
        }
        if heredocs:
            instr["heredocs"] = heredocs
        self._place(instr)
        return i

    def _heredocs(self, body: str, i: int, start: int, out: list[dict[str, Any]]) -> int:
        lines, n = self.lines, len(self.lines)
        for match in _HEREDOC.finditer(body):
            strip_tabs, name = match.group(1) == "-", match.group(3)
            content: list[str] = []
            j = i + 1
            while j < n:
                candidate = lines[j].lstrip("\t") if strip_tabs else lines[j]
                if candidate == name:
                    break
                content.append(candidate)
                j += 1
            if j >= n:
                self.out.issues.append(ParseIssue(start + 1, f"heredoc <<{name} is not terminated"))
                out.append({"name": name, "body": "\n".join(content)})
                return n - 1
            out.append({"name": name, "body": "\n".join(content)})
            i = j
        return i

    def _place(self, instr: dict[str, Any]) -> None:
        cmd = instr["cmd"]
        if cmd == "FROM":
            self._new_stage(instr)
        elif not self.out.stages:
            if cmd == "ARG":
                for name, value in _arg_pairs(instr["args"]):
                    self.global_args[name] = value
            else:
                self.out.issues.append(
                    ParseIssue(instr["line"], f"{cmd} before the first FROM instruction")
                )
        else:
            if cmd == "ARG":
                for name, value in _arg_pairs(instr["args"]):
                    if value is None:
                        value = self.global_args.get(name)
                    self.stage_vars[name] = value
            elif cmd == "ENV":
                for name, value in _arg_pairs(instr["args"]):
                    self.stage_vars[name] = expand(value or "", self.stage_vars)[0]
            if cmd in _EXPANDED:
                instr["expanded"] = self._expanded(instr["args"])
            self.out.stages[-1]["instructions"].append(instr)
        self.out.instructions.append(instr)

    def _expanded(self, args: list[str]) -> list[Any]:
        out: list[Any] = []
        for arg in args:
            text, complete = expand(arg, self.stage_vars)
            out.append(text if complete else UNKNOWN)
        return out

    def _new_stage(self, instr: dict[str, Any]) -> None:
        args: list[str] = instr["args"]
        index = len(self.out.stages)
        instr["stage"] = index
        raw_image = args[0] if args else ""
        alias = args[2] if len(args) >= 3 and args[1].lower() == "as" else None
        if not args or (len(args) > 1 and alias is None):
            self.out.issues.append(ParseIssue(instr["line"], "FROM needs: image [AS name]"))
        image, complete = expand(raw_image, self.global_args)
        platform_raw = instr["flags"].get("platform")
        platform: Any = None
        if isinstance(platform_raw, str):
            text, ok = expand(platform_raw, self.global_args)
            platform = text if ok else UNKNOWN
        from_stage = image.lower() if complete and image.lower() in self.stage_names else None
        stage: dict[str, Any] = {
            "name": alias.lower() if alias else None,
            "index": index,
            "base_image": image if complete else UNKNOWN,
            "base_image_raw": raw_image,
            "from_stage": from_stage,
            "platform": platform,
            "line": instr["line"],
            "instructions": [instr],
        }
        if alias:
            self.stage_names.add(alias.lower())
        self.out.stages.append(stage)
        self.stage_vars = {}


def _arg_pairs(args: list[str]) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for arg in args:
        name, sep, value = arg.partition("=")
        out.append((name, value if sep else None))
    return out


def parse_text(text: str) -> ParsedDockerfile:
    """Parse Dockerfile text (already decoded). Never raises on odd input."""
    return _Builder(text).run()


def decode(data: bytes) -> str:
    """UTF-8 text of a Dockerfile; ValueError with the line for binary or invalid bytes."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data[:nul].count(b"\n") + 1
        raise ValueError(f"binary file (NUL byte at line {line})")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"invalid UTF-8 at byte {exc.start} (line {line})") from None


def _error_line(reason: str) -> int | None:
    match = re.search(r"line (\d+)", reason)
    return int(match.group(1)) if match else None


def has_dockerignore(path: Path) -> bool:
    """BuildKit reads `<Dockerfile>.dockerignore` first, then `.dockerignore` in the context."""
    return (path.parent / (path.name + ".dockerignore")).exists() or (
        path.parent / ".dockerignore"
    ).exists()


def to_resource(parsed: ParsedDockerfile, display: str, dockerignore: bool) -> Resource:
    line_map: dict[str, int] = {}
    for k, instr in enumerate(parsed.instructions):
        line_map[f"instructions.{k}"] = instr["line"]
    for s, stage in enumerate(parsed.stages):
        line_map[f"stages.{s}"] = stage["line"]
        for j, instr in enumerate(stage["instructions"]):
            line_map[f"stages.{s}.instructions.{j}"] = instr["line"]
    first = parsed.instructions[0]["line"] if parsed.instructions else 1
    attributes: dict[str, Any] = {
        "stages": parsed.stages,
        "instructions": parsed.instructions,
        "directives": parsed.directives,
        "dockerignore": dockerignore,
    }
    return Resource(
        kind=KIND,
        name=display,
        framework=FRAMEWORK,
        attributes=attributes,
        location=Location(display, first, max(first, parsed.last_line)),
        line_map=line_map,
    )


class DockerfileParser:
    name = "dockerfile"

    def claims(self, file: SourceFile) -> bool:
        name = file.path.name
        if is_dockerfile_name(name):
            return True
        if _has_other_extension(name):
            return False
        return looks_like_dockerfile(file.head())

    def parse(self, files: list[SourceFile], ctx: ScanContext) -> None:
        for file in files:
            resource = self.parse_file(file, ctx)
            if resource is not None:
                ctx.resources.append(resource)

    def parse_file(self, file: SourceFile, ctx: ScanContext) -> Resource | None:
        try:
            text = decode(file.read_bytes())
        except OSError as exc:
            ctx.error(file.display, f"cannot read: {exc.strerror or exc}", scanner="misconfig")
            return None
        except ValueError as exc:
            reason = str(exc)
            ctx.error(file.display, reason, _error_line(reason), scanner="misconfig")
            return None
        parsed = parse_text(text)
        for issue in parsed.issues:
            ctx.error(file.display, f"Dockerfile: {issue.reason}", issue.line, scanner="misconfig")
        return to_resource(parsed, file.display, has_dockerignore(file.path))
