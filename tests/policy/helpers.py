"""Helpers for policy tests: write files, scan them with policies, keep policy findings."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from citywatch.model import Finding, ScanResult
from citywatch.options import ScanOptions
from citywatch.pipeline import run_scan


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def scan(
    tmp_path: Path, resources: dict[str, str], policies: dict[str, str], **opts: Any
) -> ScanResult:
    res_dir = write(tmp_path / "resources", resources)
    pol_dir = write(tmp_path / "policies", policies)
    options = ScanOptions(targets=[res_dir], scanners=("misconfig",), policies=[pol_dir], **opts)
    return run_scan(options)


def policy_findings(result: ScanResult) -> list[Finding]:
    return [f for f in result.findings if "policy" in f.extra]


def by_id(result: ScanResult) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in policy_findings(result):
        out.setdefault(f.check_id, []).append(f)
    return out
