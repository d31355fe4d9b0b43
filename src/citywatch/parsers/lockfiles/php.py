"""PHP: composer.lock (`packages` and `packages-dev`); composer.json beside it names direct ones."""

from __future__ import annotations

import json
from typing import Any

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockfileError, LockInput

ECO = "Packagist"


def _direct(src: LockInput) -> set[str] | None:
    try:
        data = json.loads((src.path.parent / "composer.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    names: set[str] = set()
    for key in ("require", "require-dev"):
        if isinstance(data.get(key), dict):
            names.update(n.lower() for n in data[key])
    return names


def parse_composer_lock(src: LockInput) -> list[Package]:
    try:
        data: Any = json.loads(src.text)
    except json.JSONDecodeError as exc:
        raise LockfileError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise LockfileError("composer.lock must be a JSON object")
    direct = _direct(src)
    out: list[Package] = []
    for section in ("packages", "packages-dev"):
        for entry in data.get(section) or []:
            if not isinstance(entry, dict):
                continue
            name, version = entry.get("name"), entry.get("version")
            if not isinstance(name, str) or not isinstance(version, str):
                continue
            if version.startswith("dev-"):
                continue  # a branch, not a release
            version = version[1:] if version[:1] in "vV" else version
            line = src.find_line(f'"name": "{name}"')
            is_direct = None if direct is None else name.lower() in direct
            out.append(
                src.package(ECO, name, version, line, is_direct, dev=section == "packages-dev")
            )
    return out
