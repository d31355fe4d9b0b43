"""Parse `git log -p` / `git diff` output as a stream into added-line fragments.

Only lines a commit *added* can leak something new, so each fragment is the `+` lines of one
file in one commit, with the real line number of each. Hunk headers give exact line counts,
which is what keeps a content line such as `++ b/x` from being read as a file header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

COMMIT_MARK = b"\x01"
_HUNK = re.compile(rb"^@@+ (?:-\d+(?:,(\d+))? )+\+(\d+)(?:,(\d+))? @@")


@dataclass(slots=True)
class CommitInfo:
    sha: str
    author: str
    email: str
    date: str


@dataclass(slots=True)
class Fragment:
    """Added lines of one file in one commit (or in the index, for `--staged`)."""

    path: str
    commit: CommitInfo | None
    lines: list[bytes] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    size: int = 0

    def text(self) -> bytes:
        return b"\n".join(self.lines)


def _unquote(path: bytes) -> str:
    text = path.decode("utf-8", "surrogateescape")
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        text = text.encode("latin-1", "surrogateescape").decode("utf-8", "surrogateescape")
    return text


def _commit(line: bytes) -> CommitInfo:
    parts = line[1:].rstrip(b"\r\n").decode("utf-8", "replace").split("\x1f")
    parts += [""] * (4 - len(parts))
    return CommitInfo(parts[0], parts[1], parts[2], parts[3])


def fragments(lines: Iterable[bytes], max_bytes: int) -> Iterator[Fragment]:
    """Yield fragments from a patch stream; a fragment over `max_bytes` is yielded in parts."""
    commit: CommitInfo | None = None
    frag: Fragment | None = None
    new_left = old_left = frag_next = 0
    for raw in lines:
        if new_left or old_left:
            if raw.startswith(b"+") and new_left:
                new_left -= 1
                if frag is not None:
                    body = raw[1:].rstrip(b"\n").rstrip(b"\r")
                    frag.lines.append(body)
                    frag.numbers.append(frag_next)
                    frag.size += len(body) + 1
                    if frag.size >= max_bytes:
                        yield frag
                        frag = Fragment(frag.path, commit)
                frag_next += 1
                continue
            if raw.startswith(b"-") and old_left:
                old_left -= 1
                continue
            if raw.startswith(b"\\"):
                continue
            new_left = old_left = 0  # malformed counts: fall back to header parsing
        if raw.startswith(b"\\"):
            continue
        if raw.startswith(COMMIT_MARK):
            if frag is not None and frag.lines:
                yield frag
            frag = None
            commit = _commit(raw)
            continue
        if raw.startswith(b"diff --git ") or raw.startswith(b"diff --cc "):
            if frag is not None and frag.lines:
                yield frag
            frag = None
            continue
        if raw.startswith(b"+++ "):
            target = raw[4:].rstrip(b"\r\n")
            if target == b"/dev/null":
                frag = None
            else:
                name = _unquote(target)
                frag = Fragment(name[2:] if name.startswith("b/") else name, commit)
            continue
        m = _HUNK.match(raw)
        if m:
            old_left = int(m.group(1)) if m.group(1) is not None else 1
            frag_next = int(m.group(2))
            new_left = int(m.group(3)) if m.group(3) is not None else 1
            continue
    if frag is not None and frag.lines:
        yield frag
