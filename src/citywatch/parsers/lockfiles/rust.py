"""Rust: Cargo.lock. Packages without a `source` are the workspace's own crates."""

from __future__ import annotations

import tomllib

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockfileError, LockInput

ECO = "crates.io"


def parse_cargo_lock(src: LockInput) -> list[Package]:
    try:
        data = tomllib.loads(src.text)
    except tomllib.TOMLDecodeError as exc:
        raise LockfileError(f"invalid TOML: {exc}") from None
    entries = [e for e in data.get("package", []) if isinstance(e, dict)]
    direct: set[str] = set()
    for entry in entries:
        if "source" not in entry:
            direct.update(str(d).split()[0] for d in entry.get("dependencies", []))
    out: list[Package] = []
    pos = 0
    for entry in entries:
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not isinstance(version, str) or "source" not in entry:
            continue
        at = src.text.find(f'name = "{name}"', pos)
        pos = max(pos, at)
        deps = [str(d).split()[0] for d in entry.get("dependencies", [])]
        out.append(
            src.package(ECO, name, version, src.line_of(at) if at >= 0 else 0, name in direct, deps)
        )
    return out
