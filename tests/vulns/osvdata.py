"""Small synthetic OSV advisories for tests (real ones come from ../shared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def advisory(
    adv_id: str,
    name: str,
    events: list[dict[str, str]],
    ecosystem: str = "PyPI",
    aliases: list[str] | None = None,
    severity: str | None = None,
    db_severity: str | None = None,
    withdrawn: str | None = None,
    versions: list[str] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": adv_id,
        "modified": "2024-01-01T00:00:00Z",
        "summary": f"{adv_id} summary",
        "aliases": aliases or [],
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "versions": versions or [],
            }
        ],
    }
    if severity:
        doc["severity"] = [{"type": "CVSS_V3", "score": severity}]
    if db_severity:
        doc["database_specific"] = {"severity": db_severity}
    if withdrawn:
        doc["withdrawn"] = withdrawn
    return doc


def write(folder: Path, docs: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
