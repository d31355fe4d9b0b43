"""Report formats. A format only formats: it never computes or filters findings."""

from __future__ import annotations

import importlib
from typing import Any

from citywatch.model import ScanResult

# format name -> module with `render(result, *, color: bool) -> str`
FORMATS: dict[str, str] = {
    "table": "citywatch.report.table",
    "json": "citywatch.report.json_report",
    "sarif": "citywatch.report.sarif",
    "junit": "citywatch.report.junit",
}


def render(fmt: str, result: ScanResult, *, color: bool = False) -> str:
    module: Any = importlib.import_module(FORMATS[fmt])
    text: str = module.render(result, color=color)
    return text
