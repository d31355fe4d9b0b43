"""Shared test helpers: paths to the repo, the examples and the project's shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CONFORMANCE = SHARED / "conformance"


def require_shared(sub: str) -> Path:
    """The path under ../shared, or skip with the reason (a clone outside the project)."""
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"{path} not present (conformance data ships beside the project only)")
    return path
