"""The command surface a user touches first: `python -m citywatch`, `checks list`, the examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from citywatch.checks import load_all
from citywatch.cli.main import main
from tests.conftest import REPO


def test_python_dash_m_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "citywatch", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("citywatch ")


def test_checks_list_json_has_every_check_with_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks", "list", "--format", "json"]) == 0
    checks = json.loads(capsys.readouterr().out)
    assert len(checks) == len(load_all().checks) >= 200
    frameworks = {fw for c in checks for fw in c["frameworks"]}
    assert {"terraform", "cloudformation", "kubernetes", "dockerfile"} <= frameworks
    for c in checks:
        assert c["id"] and c["severity"] and c["remediation"] and c["compliance"]


def test_examples_scan_finds_each_framework(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(REPO / "examples"), "--scanners", "misconfig", "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["errors"] == []
    frameworks = {f.get("framework") for f in doc["findings"]}
    assert {"terraform", "cloudformation", "kubernetes", "dockerfile"} <= frameworks
    examples = REPO / "examples"
    paths = {Path(f["location"]["path"]).relative_to(examples).parts[0] for f in doc["findings"]}
    assert {"terraform", "cloudformation", "kubernetes", "docker"} <= paths
