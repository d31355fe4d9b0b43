"""Baselines: remember today's findings by fingerprint so CI reports only new ones."""

from __future__ import annotations

import json
from pathlib import Path

from citywatch.model import ScanResult

BASELINE_VERSION = 1


def write_baseline(path: Path, result: ScanResult) -> None:
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "check_id": f.check_id,
                "path": f.location.path,
                "resource": f.resource,
            }
            for f in result.findings
        ),
        key=lambda e: (str(e["path"]), str(e["check_id"]), str(e["fingerprint"])),
    )
    doc = {"citywatch_baseline": BASELINE_VERSION, "findings": entries}
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def read_fingerprints(path: Path) -> set[str]:
    """Fingerprints in a baseline file; raises ValueError with the reason if it is not one."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"baseline {path} is not JSON (line {exc.lineno}): {exc.msg}") from None
    if not isinstance(doc, dict) or "findings" not in doc:
        raise ValueError(f"baseline {path} has no 'findings' list")
    return {str(e.get("fingerprint")) for e in doc["findings"] if isinstance(e, dict)}
