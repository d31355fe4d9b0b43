"""Just enough shell reading for RUN checks: scripts split into pipelines of simple commands.

This never executes anything. It understands quotes, backslash escapes, `$(...)` and backticks
(kept inside one word), comments, and the separators `&&`, `||`, `;`, `&`, newlines and `|`.
"""

from __future__ import annotations

from typing import Any

WRAPPERS = frozenset({"sudo", "doas", "env", "nohup", "time", "exec", "command", "stdbuf", "nice"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
Command = list[str]
Pipeline = list[Command]


def script_of(instr: dict[str, Any]) -> str:
    """The shell text a RUN instruction executes (heredoc bodies included)."""
    args = instr.get("args") or []
    if instr.get("form") == "exec":
        shell = len(args) >= 3 and args[0].rsplit("/", 1)[-1] in SHELLS
        if shell and args[1] in ("-c", "-ec", "-xc", "-exc", "-eux", "-euxc"):
            return str(args[-1])
        return " ".join(str(a) for a in args)
    parts = [str(instr.get("value", ""))]
    for heredoc in instr.get("heredocs") or []:
        parts.append(str(heredoc.get("body", "")))
    return "\n".join(parts)


def pipelines(script: str) -> list[Pipeline]:
    """Split a script into pipelines; each pipeline is a list of commands (lists of words)."""
    out: list[Pipeline] = []
    pipeline: Pipeline = []
    words: Command = []
    word: list[str] = []
    in_word = False
    i, n = 0, len(script)

    def end_word() -> None:
        nonlocal in_word
        if in_word:
            words.append("".join(word))
            word.clear()
            in_word = False

    def end_command() -> None:
        end_word()
        if words:
            pipeline.append(words.copy())
            words.clear()

    def end_pipeline() -> None:
        end_command()
        if pipeline:
            out.append(pipeline.copy())
            pipeline.clear()

    while i < n:
        ch = script[i]
        if ch == "\\" and i + 1 < n:
            if script[i + 1] != "\n":
                word.append(script[i + 1])
                in_word = True
            i += 2
            continue
        if ch in "'\"":
            end = script.find(ch, i + 1)
            end = n if end < 0 else end
            word.append(script[i + 1 : end])
            in_word = True
            i = end + 1
            continue
        if ch == "$" and i + 1 < n and script[i + 1] == "(":
            depth, j = 0, i + 1
            while j < n:
                if script[j] == "(":
                    depth += 1
                elif script[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            word.append(script[i : j + 1])
            in_word = True
            i = j + 1
            continue
        if ch == "`":
            end = script.find("`", i + 1)
            end = n if end < 0 else end
            word.append(script[i : end + 1])
            in_word = True
            i = end + 1
            continue
        if ch == "#" and not in_word:
            nl = script.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if ch in " \t":
            end_word()
            i += 1
            continue
        if ch in "\n;":
            end_pipeline()
            i += 1
            continue
        if ch == "&":
            prev = script[i - 1] if i else ""
            nxt = script[i + 1] if i + 1 < n else ""
            if prev == ">" or nxt == ">":
                word.append(ch)
                in_word = True
                i += 1
                continue
            end_pipeline()
            i += 2 if nxt == "&" else 1
            continue
        if ch == "|":
            if i + 1 < n and script[i + 1] == "|":
                end_pipeline()
                i += 2
                continue
            end_command()
            i += 1
            continue
        if ch in "(){}" and not in_word:
            end_word()
            i += 1
            continue
        word.append(ch)
        in_word = True
        i += 1
    end_pipeline()
    return out


def commands(script: str) -> list[Command]:
    return [cmd for pipeline in pipelines(script) for cmd in pipeline]


def program(cmd: Command) -> tuple[str, list[str]]:
    """The program a command runs and its arguments, past `sudo`, `env` and VAR=value prefixes."""
    i = 0
    while i < len(cmd):
        word = cmd[i]
        name = word.rsplit("/", 1)[-1]
        if "=" in word and not word.startswith("-") and word.split("=", 1)[0].isidentifier():
            i += 1
        elif name in WRAPPERS:
            i += 1
            while i < len(cmd) and cmd[i].startswith("-"):
                i += 1
        else:
            return name, cmd[i + 1 :]
    return "", []


def positional(args: list[str], takes_value: frozenset[str] = frozenset()) -> list[str]:
    """Arguments that are not options (skipping the values of options that take one)."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in takes_value
            continue
        out.append(arg)
    return out
