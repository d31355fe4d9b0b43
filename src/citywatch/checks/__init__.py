"""The built-in check library. Importing `load_all()` registers every check module."""

from __future__ import annotations

import importlib
import pkgutil

from citywatch.checks.base import REGISTRY, Registry

_loaded = False


def load_all() -> Registry:
    """Import every module under citywatch.checks (each registers its checks on import)."""
    global _loaded
    if not _loaded:
        package = importlib.import_module("citywatch.checks")
        for info in pkgutil.walk_packages(package.__path__, prefix="citywatch.checks."):
            if info.name.endswith(".base"):
                continue
            importlib.import_module(info.name)
        _loaded = True
    return REGISTRY
