"""Helpers for secret scanner tests: run a scan the way the CLI does, make git repos."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from citywatch.options import ScanOptions
from citywatch.pipeline import run_scan


def scan(*targets: Path, **opts: Any) -> Any:
    """Run the secret scanner only, through the real pipeline."""
    return run_scan(ScanOptions(targets=list(targets), scanners=("secret",), **opts))


def cli_json(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "report.json"
    proc = subprocess.run(
        ["citywatch", "scan", "--scanners", "secret", "-f", "json", "-o", str(out), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {
        "GIT_AUTHOR_NAME": "Dev One",
        "GIT_AUTHOR_EMAIL": "dev@example.net",
        "GIT_COMMITTER_NAME": "Dev One",
        "GIT_COMMITTER_EMAIL": "dev@example.net",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    base.update(env or {})
    proc = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, env=base, check=True
    )
    return proc.stdout


def make_repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return path
