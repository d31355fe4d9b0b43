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


def dumps(doc: Any) -> str:
    """Indented JSON. orjson when present: the stdlib's indenting encoder is pure Python and
    takes about a second per 10,000 findings."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib still works
        return json.dumps(doc, indent=2, default=str) + "\n"
    opts = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
    return orjson.dumps(doc, default=str, option=opts).decode("utf-8")


def render(result: ScanResult, *, color: bool = False) -> str:
    return dumps(to_document(result))
