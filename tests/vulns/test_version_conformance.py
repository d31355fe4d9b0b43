"""OSV's own version-ordering vectors: every line of every supported ecosystem must agree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from citywatch.vulns.versions import (
    alpine,
    composer,
    debian,
    dotted,
    maven,
    nuget,
    pep440,
    pub,
    rpm,
    rubygems,
    semver,
)
from tests.conftest import require_shared

CASES: dict[str, tuple[Callable[[str, str], int], tuple[str, ...]]] = {
    "PyPI": (pep440.compare, ("pypi-versions.txt", "pypi-versions-generated.txt")),
    "SemVer": (semver.compare, ("semver-versions.txt",)),
    "Maven": (maven.compare, ("maven-versions.txt", "maven-versions-generated.txt")),
    "RubyGems": (rubygems.compare, ("rubygems-versions.txt", "rubygems-versions-generated.txt")),
    "Packagist": (
        composer.compare,
        ("packagist-versions.txt", "packagist-versions-generated.txt"),
    ),
    "NuGet": (nuget.compare, ("nuget-versions.txt",)),
    "Debian": (debian.compare, ("debian-versions.txt", "debian-versions-generated.txt")),
    "Alpine": (alpine.compare, ("alpine-versions.txt", "alpine-versions-generated.txt")),
    "Red Hat": (rpm.compare, ("redhat-versions.txt",)),
    "CRAN": (dotted.compare_cran, ("cran-versions.txt", "cran-versions-generated.txt")),
    "Hackage": (dotted.compare_hackage, ("hackage-versions.txt",)),
    "Pub": (pub.compare, ("pub-versions.txt",)),
}
EXPECTED = {"<": -1, "=": 0, ">": 1}


def _lines(path: Path) -> list[tuple[int, str, str, str]]:
    out = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", "//")):
            continue
        left, op, right = line.split(" ")
        out.append((number, left, op, right))
    return out


@pytest.mark.parametrize("ecosystem", sorted(CASES))
def test_comparator_agrees_with_every_osv_vector(ecosystem: str) -> None:
    folder = require_shared("conformance/osv/versions")
    compare, files = CASES[ecosystem]
    wrong: list[str] = []
    total = 0
    for name in files:
        for number, left, op, right in _lines(folder / name):
            total += 1
            got = compare(left, right)
            if got != EXPECTED[op]:
                wrong.append(f"{name}:{number}: {left} {op} {right} (got {got})")
            # antisymmetry: the reversed comparison must agree too
            if compare(right, left) != -EXPECTED[op]:
                wrong.append(f"{name}:{number}: reversed {right} vs {left}")
    print(f"{ecosystem}: {total} comparisons, {len(wrong)} disagreements")
    assert total > 0
    assert wrong == []
