"""NuGet ordering: up to four numeric parts, case-insensitive SemVer 2 pre-release, no build."""

from __future__ import annotations

from citywatch.vulns.versions import semver


def compare(a: str, b: str) -> int:
    return semver.compare(a.lower(), b.lower())


def normalize_name(name: str) -> str:
    return name.strip().lower()
