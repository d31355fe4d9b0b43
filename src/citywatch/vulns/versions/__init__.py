"""One version-ordering scheme per OSV ecosystem, looked up by the ecosystem's OSV name.

OSV names may carry a release suffix (`Debian:12`, `Alpine:v3.19`); the scheme is chosen by the
part before the first colon.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from citywatch.vulns.versions import (
    alpine,
    composer,
    debian,
    dotted,
    golang,
    maven,
    nuget,
    pep440,
    pub,
    rpm,
    rubygems,
    semver,
)

Compare = Callable[[str, str], int]


def _exact(name: str) -> str:
    return name.strip()


def _lower(name: str) -> str:
    return name.strip().lower()


def _crate(name: str) -> str:
    return re.sub(r"[-_]", "-", name.strip().lower())


@dataclass(frozen=True, slots=True)
class Scheme:
    """How one ecosystem orders versions and spells package names."""

    name: str
    compare: Compare
    normalize_name: Callable[[str], str]
    key: Callable[[str], Any] | None = None

    def sort_key(self) -> Callable[[str], Any]:
        """A key function consistent with `compare` (a native one where the scheme has it)."""
        return self.key or cmp_to_key(self.compare)


_SCHEMES: dict[str, Scheme] = {
    "PyPI": Scheme("pep440", pep440.compare, pep440.normalize_name, pep440.sort_key),
    "npm": Scheme("semver", semver.compare, _exact),
    "crates.io": Scheme("semver", semver.compare, _crate),
    "Go": Scheme("go", golang.compare, _exact),
    "Hex": Scheme("semver", semver.compare, _lower),
    "Bitnami": Scheme("semver", semver.compare, _lower),
    "SwiftURL": Scheme("semver", semver.compare, _exact),
    "Pub": Scheme("pub", pub.compare, _lower),
    "Maven": Scheme("maven", maven.compare, _exact),
    "RubyGems": Scheme("rubygems", rubygems.compare, _exact),
    "Packagist": Scheme("composer", composer.compare, _lower),
    "NuGet": Scheme("nuget", nuget.compare, _lower),
    "Debian": Scheme("debian", debian.compare, _exact),
    "Ubuntu": Scheme("debian", debian.compare, _exact),
    "Alpine": Scheme("alpine", alpine.compare, _exact),
    "Wolfi": Scheme("alpine", alpine.compare, _exact),
    "Chainguard": Scheme("alpine", alpine.compare, _exact),
    "Red Hat": Scheme("rpm", rpm.compare, _exact),
    "Rocky Linux": Scheme("rpm", rpm.compare, _exact),
    "AlmaLinux": Scheme("rpm", rpm.compare, _exact),
    "SUSE": Scheme("rpm", rpm.compare, _exact),
    "openSUSE": Scheme("rpm", rpm.compare, _exact),
    "Mageia": Scheme("rpm", rpm.compare, _exact),
    "openEuler": Scheme("rpm", rpm.compare, _exact),
    "CRAN": Scheme("cran", dotted.compare_cran, _exact),
    "Hackage": Scheme("hackage", dotted.compare_hackage, _exact),
}

SEMVER = Scheme("semver", semver.compare, _exact)


def base_ecosystem(ecosystem: str) -> str:
    return ecosystem.split(":", 1)[0].strip()


def scheme_for(ecosystem: str) -> Scheme | None:
    """The scheme for an OSV ecosystem name, or None when its ordering is not supported."""
    return _SCHEMES.get(base_ecosystem(ecosystem))


def supported_ecosystems() -> list[str]:
    return sorted(_SCHEMES)


def normalize_name(ecosystem: str, name: str) -> str:
    scheme = scheme_for(ecosystem)
    return scheme.normalize_name(name) if scheme else name.strip()
