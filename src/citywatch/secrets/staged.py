"""Scan only what is staged (`git diff --cached`): the pre-commit hook's view of a change."""

from __future__ import annotations

from pathlib import Path

from citywatch.secrets.diffstream import fragments
from citywatch.secrets.engine import Detector, Leak
from citywatch.secrets.git_history import PATCH_FLAGS, repo_root, scan_fragment, stream


def scan_staged(detector: Detector, target: Path, max_bytes: int) -> list[Leak]:
    """Leaks in the lines added by the staged changes under `target`."""
    cwd = target if target.is_dir() else target.parent
    repo_root(cwd)
    args = ["diff", "--cached", *PATCH_FLAGS[1:], "--relative"]
    leaks: list[Leak] = []
    for frag in fragments(stream(cwd, args), max_bytes):
        leaks.extend(scan_fragment(detector, frag, target))
    return leaks
