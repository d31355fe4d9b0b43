"""Helpers: write a Terraform tree under tmp_path and run the Terraform parser over it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from citywatch.model import Resource, ScanError
from citywatch.options import ScanOptions
from citywatch.parsers.terraform import TerraformParser
from citywatch.pipeline import ScanContext
from citywatch.sources.walk import walk_targets


@dataclass
class Parsed:
    resources: dict[str, Resource]
    errors: list[ScanError]
    notices: list[str]
    claimed: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Resource:
        return self.resources[name]

    def attrs(self, name: str) -> dict[str, Any]:
        return self.resources[name].attributes


def parse_tree(root: Path, **options: Any) -> Parsed:
    opts = ScanOptions(targets=[root], scanners=("misconfig",), **options)
    ctx = ScanContext(options=opts)
    ctx.files = walk_targets([root], opts, ctx)
    parser = TerraformParser()
    mine = [f for f in ctx.files if parser.claims(f)]
    parser.parse(mine, ctx)
    by_name: dict[str, Resource] = {}
    for res in ctx.resources:
        assert res.name not in by_name, f"duplicate address {res.name}"
        by_name[res.name] = res
    return Parsed(by_name, ctx.errors, ctx.notices, [f.display for f in mine])


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content))
    return root


TfRunner = Callable[..., Parsed]


@pytest.fixture
def tf(tmp_path: Path) -> TfRunner:
    """tf({"main.tf": "..."}, variables={...}) -> Parsed"""

    def run(files: dict[str, str | bytes], **options: Any) -> Parsed:
        write_tree(tmp_path, files)
        return parse_tree(tmp_path, **options)

    return run
