"""Build resources for the k8s tests from YAML text (the same objects a manifest would give)."""

from __future__ import annotations

from pathlib import Path

import yaml

from citywatch.k8s.load import objects_to_resources
from citywatch.model import Resource


def resources(text: str) -> list[Resource]:
    return objects_to_resources(list(yaml.safe_load_all(text)), "test.yaml")


def write(tmp: Path, text: str, name: str = "manifests.yaml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path
