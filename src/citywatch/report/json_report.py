"""JSON report, schema documented in docs/json-schema.md (`schema_version` bumps on changes)."""

from __future__ import annotations

import json
from typing import Any

from citywatch import __version__
from citywatch.model import ScanResult

SCHEMA_VERSION = "1.0"


def to_document(result: ScanResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "citywatch", "version": __version__},
        "targets": list(result.targets),
        "summary": result.summary(),
        "findings": [f.to_dict() for f in result.findings],
        "suppressed": [dict(f.to_dict(), suppression=f.suppressed) for f in result.suppressed],
        "errors": [e.to_dict() for e in result.errors],
        "unknowns": list(result.unknowns),
        "notices": list(result.notices),
    }


def render(result: ScanResult, *, color: bool = False) -> str:
    return json.dumps(to_document(result), indent=2, sort_keys=False, default=str) + "\n"
