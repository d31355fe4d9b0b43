""".NET: packages.lock.json (NuGet lock file), per target framework."""

from __future__ import annotations

import json

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockfileError, LockInput

ECO = "NuGet"


def parse_packages_lock(src: LockInput) -> list[Package]:
    try:
        data = json.loads(src.text)
    except json.JSONDecodeError as exc:
        raise LockfileError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    frameworks = data.get("dependencies") if isinstance(data, dict) else None
    if not isinstance(frameworks, dict):
        raise LockfileError("packages.lock.json without a `dependencies` object")
    seen: dict[tuple[str, str], Package] = {}
    for deps in frameworks.values():
        if not isinstance(deps, dict):
            continue
        for name, info in deps.items():
            if not isinstance(info, dict) or info.get("type") == "Project":
                continue
            version = info.get("resolved")
            if not isinstance(version, str):
                continue
            key = (name.lower(), version)
            if key in seen:
                if info.get("type") == "Direct":
                    seen[key].direct = True
                continue
            seen[key] = src.package(
                ECO,
                name,
                version,
                src.find_line(f'"{name}": {{'),
                info.get("type") == "Direct",
                list((info.get("dependencies") or {}).keys()),
            )
    return list(seen.values())
