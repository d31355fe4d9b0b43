"""The directory walk: .gitignore, --skip-path, symlink loops and escapes, size limits."""

from __future__ import annotations

import os
from pathlib import Path

from citywatch.options import ScanOptions
from citywatch.pipeline import ScanContext
from citywatch.sources.walk import walk_targets


def _walk(root: Path, **kw: object) -> tuple[list[str], ScanContext]:
    opts = ScanOptions(targets=[root], **kw)  # type: ignore[arg-type]
    ctx = ScanContext(options=opts)
    files = walk_targets([root], opts, ctx)
    return sorted(os.path.relpath(f.path, root) for f in files), ctx


def test_gitignore_nested_and_negation(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.log\nbuild/\n!keep.log\n")
    (tmp_path / "a.log").write_text("x")
    (tmp_path / "keep.log").write_text("x")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "main.tf").write_text("x")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / ".gitignore").write_text("/local.tf\n")
    (sub / "local.tf").write_text("x")
    (sub / "kept.tf").write_text("x")
    (tmp_path / "local.tf").write_text("x")  # anchored pattern in sub/ must not hide this one
    files, ctx = _walk(tmp_path)
    assert files == [".gitignore", "keep.log", "local.tf", "sub/.gitignore", "sub/kept.tf"]
    assert not ctx.errors


def test_skip_path_globs(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "x.tf").write_text("x")
    (tmp_path / "a.tf").write_text("x")
    (tmp_path / "b.test.tf").write_text("x")
    files, _ = _walk(tmp_path, skip_paths=["vendor", "*.test.tf"])
    assert files == ["a.tf"]


def test_symlink_loop_is_reported_not_followed(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.tf").write_text("x")
    os.symlink(tmp_path, tmp_path / "d" / "loop")
    os.symlink(tmp_path / "self", tmp_path / "self")  # a link to itself
    files, ctx = _walk(tmp_path)
    assert files == ["d/x.tf"]
    reasons = {e.path.rsplit("/", 1)[-1]: e.reason for e in ctx.errors}
    assert "loop" in reasons["loop"]
    assert "loop" in reasons["self"] or "broken" in reasons["self"]


def test_symlink_outside_tree_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside / "secret.txt", root / "link.txt")
    files, ctx = _walk(root)
    assert files == []
    assert any("outside the scanned tree" in e.reason for e in ctx.errors)


def test_file_over_size_limit_is_reported(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_bytes(b"a" * 2048)
    (tmp_path / "small.yaml").write_bytes(b"a: 1\n")
    files, ctx = _walk(tmp_path, max_file_bytes=1024)
    assert files == ["small.yaml"]
    assert ctx.errors[0].path.endswith("big.yaml")
    assert "over the 1024-byte limit" in ctx.errors[0].reason


def test_missing_target(tmp_path: Path) -> None:
    files, ctx = _walk(tmp_path / "nope")
    assert files == []
    assert ctx.errors[0].reason == "target does not exist"
