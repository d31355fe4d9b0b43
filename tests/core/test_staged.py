"""`--staged` reads only what git has staged, and refuses clearly outside a repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from citywatch.cli.main import main


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_staged_scans_only_staged_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "Dockerfile").write_text("FROM python:latest\n")
    (tmp_path / "other.Dockerfile").write_text("FROM python:latest\n")
    _git(tmp_path, "add", "Dockerfile")
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "--staged", ".", "--scanners", "misconfig", "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["summary"]["files"] == 1
    assert {f["location"]["path"] for f in doc["findings"]} == {"Dockerfile"}


def test_staged_outside_a_repository_is_exit_2_without_walking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:latest\n")
    code = main(["scan", "--staged", str(tmp_path), "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 2 and doc["summary"]["files"] == 0
    assert [e["reason"] for e in doc["errors"]] == [f"{tmp_path} is not inside a git repository"]
