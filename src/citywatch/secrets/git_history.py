"""Scan every line ever added in a git repository, streaming `git log -p`.

Memory stays flat whatever the history size: git writes the patches to a pipe, we read them a
line at a time and keep only the current file's added lines (capped) and one entry per distinct
secret found. A secret added in many commits is reported once, for the oldest commit that added
it (git log lists newest first, so the last sighting wins).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from citywatch.secrets.diffstream import Fragment, fragments
from citywatch.secrets.engine import Detector, Leak
from citywatch.secrets.filekinds import SKIPPED, Kind, classify
from citywatch.secrets.redact import secret_hash

LOG_FORMAT = "--format=%x01%H%x1f%an%x1f%ae%x1f%aI"
PATCH_FLAGS = ["-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames"]


class GitError(RuntimeError):
    """git is missing, the target is not a repository, or git failed; the message says which."""


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} timed out") from None


def repo_root(target: Path) -> Path:
    cwd = target if target.is_dir() else target.parent
    proc = _git(cwd, "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        raise GitError(f"{target} is not inside a git repository")
    return Path(proc.stdout.decode().strip())


def _revision_args(cwd: Path, since: str | None) -> list[str]:
    if not since:
        return ["--all"]
    if ".." in since:
        return [since]
    proc = _git(cwd, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}")
    if proc.returncode != 0:
        raise GitError(f"--since {since!r} is not a commit in this repository")
    return ["--all", "--not", proc.stdout.decode().strip()]


@dataclass(slots=True)
class HistoryStats:
    commits: int = 0
    fragments: int = 0
    bytes: int = 0


def stream(cwd: Path, args: list[str]) -> Iterator[bytes]:
    """Lines of a git command's stdout, read as they come; raises GitError when git fails."""
    try:
        proc = subprocess.Popen(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=1 << 20,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    assert proc.stdout is not None and proc.stderr is not None
    try:
        yield from proc.stdout
    finally:
        proc.stdout.close()
        err = proc.stderr.read(4096).decode("utf-8", "replace").strip()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        raise GitError(f"git {args[0]} failed: {err.splitlines()[0] if err else code}")


def shown_path(target: Path, rel: str) -> str:
    """The path as the directory walk shows it (`target/rel`), so tree and history agree."""
    base = str(target)
    return rel if base in (".", "") else os.path.join(base, rel)


def scan_fragment(detector: Detector, frag: Fragment, target: Path | None = None) -> list[Leak]:
    """Leaks in one fragment, with line numbers mapped back to the file."""
    text = frag.text()
    kind = classify(frag.path, text[:4096])
    if kind in SKIPPED or detector.path_allowed(frag.path):
        return []
    commit = frag.commit.sha if frag.commit else None
    leaks = detector.scan(text, frag.path, kind is Kind.RESTRICTED, commit)
    for leak in leaks:
        if target is not None:
            leak.path = shown_path(target, leak.path)
        if 1 <= leak.line <= len(frag.numbers):
            span = leak.end_line - leak.line
            leak.line = frag.numbers[leak.line - 1]
            leak.end_line = leak.line + span
        if frag.commit is not None:
            leak.extra = {
                "commit": frag.commit.sha,
                "author": f"{frag.commit.author} <{frag.commit.email}>",
                "date": frag.commit.date,
            }
    return leaks


def scan_history(
    detector: Detector,
    target: Path,
    since: str | None,
    max_bytes: int,
    stats: HistoryStats | None = None,
    suppressed: Callable[[Leak], bool] | None = None,
) -> list[Leak]:
    """One leak per (rule, secret): the oldest commit that added it, across all branches.

    Occurrences `suppressed` says are already accounted for (a detect-secrets baseline entry
    for that file) do not count, so the same secret pasted into another file still shows.
    """
    cwd = target if target.is_dir() else target.parent
    repo_root(cwd)
    args = ["log", *_revision_args(cwd, since), LOG_FORMAT, *PATCH_FLAGS, "--relative"]
    found: dict[tuple[str, str], Leak] = {}
    stats = stats or HistoryStats()
    last_commit = ""
    for frag in fragments(stream(cwd, args), max_bytes):
        stats.fragments += 1
        stats.bytes += frag.size
        if frag.commit is not None and frag.commit.sha != last_commit:
            last_commit = frag.commit.sha
            stats.commits += 1
        for leak in scan_fragment(detector, frag, target):
            if suppressed is None or not suppressed(leak):
                found[(leak.rule_id, secret_hash(leak.secret))] = leak
    return list(found.values())
