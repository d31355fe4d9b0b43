"""`--staged`: only the files git has staged, so a pre-commit hook never walks the whole tree."""

from __future__ import annotations

import subprocess
from pathlib import Path


class NotARepository(Exception):
    pass


def staged_files(target: Path) -> list[Path]:
    """Added, copied, modified or renamed files in the index under `target`."""
    cwd = target if target.is_dir() else target.parent
    try:
        proc = subprocess.run(
            ["git", "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--relative"],
            cwd=cwd,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NotARepository(f"{target}: git is not available: {exc}") from None
    if proc.returncode != 0:
        raise NotARepository(f"{target} is not inside a git repository")
    names = [n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    paths = [cwd / n for n in names]
    if target.is_file():
        paths = [p for p in paths if p.resolve() == target.resolve()]
    return paths
