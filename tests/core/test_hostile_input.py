"""Hostile and broken input: every problem is a located error, in every format; the scan goes on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from citywatch import ScanOptions, scan
from citywatch.pipeline import SourceFile
from citywatch.report import FORMATS, render

from .test_yamlsafe import BOMB

GOOD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: good\nspec:\n  containers: []\n"


def _tree(root: Path) -> None:
    (root / "good.yaml").write_text(GOOD)
    (root / "bomb.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n" + BOMB + "\n")
    (root / "deep.yaml").write_text("apiVersion: v1\nkind: X\na: " + "[" * 900 + "]" * 900)
    (root / "bad-utf8.yaml").write_bytes(b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n")
    (root / "binary.yaml").write_bytes(b"apiVersion: v1\nkind: Pod\n\x00\x01\x02" * 10)
    (root / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: [x\n")
    (root / "big.yaml").write_bytes(b"apiVersion: v1\nkind: Pod\n" + b"#" * 4096)
    (root / "not-k8s.yaml").write_text("just: [some, config]\n")
    os.symlink(root, root / "loop")


def test_every_problem_is_located_and_the_good_file_is_scanned(tmp_path: Path) -> None:
    _tree(tmp_path)
    result = scan(tmp_path, options=ScanOptions(scanners=("misconfig",), max_file_bytes=2048))
    reasons = {Path(e.path).name: (e.line, e.reason) for e in result.errors}
    assert "alias bomb" in reasons["bomb.yaml"][1] and reasons["bomb.yaml"][0]
    assert "nesting" in reasons["deep.yaml"][1]
    assert (
        "invalid UTF-8" in reasons["bad-utf8.yaml"][1] and "line 3" in reasons["bad-utf8.yaml"][1]
    )
    assert "binary" in reasons["binary.yaml"][1]
    assert reasons["broken.yaml"][0] == 4 and "invalid YAML" in reasons["broken.yaml"][1]
    assert "limit" in reasons["big.yaml"][1]
    assert "loop" in reasons["loop"][1]
    assert "not-k8s.yaml" not in reasons  # neither CloudFormation nor Kubernetes: silent
    assert result.stats["resources"] == 1  # good.yaml, nothing from the broken ones
    for fmt in FORMATS:
        text = render(fmt, result)
        for name in ("bomb.yaml", "deep.yaml", "bad-utf8.yaml", "binary.yaml", "broken.yaml"):
            assert name in text, f"{name} missing from {fmt} output"


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD.replace("good", "other"))

    real = SourceFile.read_bytes

    def deny(self: SourceFile) -> bytes:
        if self.path.name == "a.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(SourceFile, "read_bytes", deny)
    result = scan(tmp_path, options=ScanOptions(scanners=("misconfig",)))
    assert [(Path(e.path).name, e.reason) for e in result.errors] == [
        ("a.yaml", "cannot read: Permission denied")
    ]
    assert result.stats["resources"] == 1


def test_json_errors_have_path_line_reason(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nx: [\n")
    doc = json.loads(render("json", scan(tmp_path, options=ScanOptions(scanners=("misconfig",)))))
    [err] = doc["errors"]
    assert err["path"].endswith("broken.yaml") and err["line"] and err["reason"]
