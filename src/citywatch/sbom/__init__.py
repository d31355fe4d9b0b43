"""SBOM output: the packages the lockfile readers found, as CycloneDX 1.6 or SPDX 2.3 JSON.

Both writers use the formats' maintained libraries (cyclonedx-python-lib, spdx-tools) so the
documents follow the schemas; dependency edges come from the lockfiles that record them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from citywatch.model import Package

FORMATS = ("cyclonedx-json", "spdx-json")


@dataclass(frozen=True, slots=True)
class Inventory:
    """What an SBOM describes: a named subject and its packages."""

    subject: str
    packages: list[Package]

    def unique(self) -> list[Package]:
        """One entry per (ecosystem, name, version, lockfile); order as found."""
        seen: set[tuple[str, str, str, str]] = set()
        out: list[Package] = []
        for p in self.packages:
            key = (p.ecosystem, p.name, p.version, p.location.path)
            if key not in seen:
                seen.add(key)
                out.append(p)
        return out

    def edges(self, packages: list[Package]) -> Iterator[tuple[int, int]]:
        """(dependent index, dependency index) from lockfiles that list dependencies by name."""
        by_name: dict[tuple[str, str, str], int] = {}
        for i, p in enumerate(packages):
            by_name.setdefault((p.location.path, p.ecosystem, p.name.lower()), i)
        for i, p in enumerate(packages):
            for dep in p.dependencies:
                j = by_name.get((p.location.path, p.ecosystem, dep.lower()))
                if j is not None and j != i:
                    yield i, j


def collect(path: Path) -> tuple[Inventory, list[tuple[str, str, int | None]]]:
    from citywatch.parsers.lockfiles import parse_path

    packages, errors = parse_path(path)
    return Inventory(path.resolve().name or str(path), packages), errors


def render(inventory: Inventory, fmt: str) -> str:
    if fmt == "cyclonedx-json":
        from citywatch.sbom.cyclonedx import to_cyclonedx_json

        return to_cyclonedx_json(inventory)
    if fmt == "spdx-json":
        from citywatch.sbom.spdx import to_spdx_json

        return to_spdx_json(inventory)
    raise ValueError(f"unknown SBOM format {fmt!r} (one of {', '.join(FORMATS)})")
