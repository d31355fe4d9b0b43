"""Existing SBOMs as input: CycloneDX JSON components and SPDX 2.x JSON packages, by purl.

The purl type decides the OSV ecosystem; a `distro` qualifier (`debian-12`, `alpine-3.19`)
restores the release so distro advisories match the right release.
"""

from __future__ import annotations

import json
from typing import Any

from packageurl import PackageURL

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockfileError, LockInput

ECOSYSTEMS = {
    "pypi": "PyPI",
    "npm": "npm",
    "golang": "Go",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "composer": "Packagist",
    "maven": "Maven",
    "nuget": "NuGet",
    "hex": "Hex",
    "pub": "Pub",
    "cran": "CRAN",
    "hackage": "Hackage",
    "swift": "SwiftURL",
}
DISTROS = {
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "alpine": "Alpine",
    "almalinux": "AlmaLinux",
    "rocky": "Rocky Linux",
    "redhat": "Red Hat",
    "opensuse": "openSUSE",
    "suse": "SUSE",
    "wolfi": "Wolfi",
}


def package_from_purl(src: LockInput, purl: str, line: int) -> Package | None:
    try:
        p = PackageURL.from_string(purl)
    except ValueError:
        src.warn(f"invalid purl {purl[:120]!r}", line or None)
        return None
    if not p.version:
        return None
    if p.type in ("deb", "apk", "rpm"):
        eco = DISTROS.get((p.namespace or "").lower())
        if eco is None:
            return None
        distro = str((p.qualifiers or {}).get("distro", ""))
        release = distro.rsplit("-", 1)[-1] if "-" in distro else distro
        if release and eco == "Debian":
            eco = f"Debian:{release.split('.')[0]}"
        elif release and eco == "Alpine":
            parts = release.lstrip("v").split(".")
            eco = f"Alpine:v{'.'.join(parts[:2])}"
        elif release and eco in ("Ubuntu", "AlmaLinux", "Rocky Linux"):
            eco = f"{eco}:{release}"
        name = p.name
    else:
        found = ECOSYSTEMS.get(p.type)
        if found is None:
            return None
        eco = found
        if p.type == "maven":
            name = f"{p.namespace}:{p.name}" if p.namespace else p.name
        elif p.type in ("npm", "golang", "composer") and p.namespace:
            name = f"{p.namespace}/{p.name}"
        else:
            name = p.name
    pkg = src.package(eco, name, p.version, line)
    pkg.purl = purl
    return pkg


def _load(src: LockInput) -> dict[str, Any]:
    try:
        data = json.loads(src.text)
    except json.JSONDecodeError as exc:
        raise LockfileError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise LockfileError("an SBOM must be a JSON object")
    return data


def parse_sbom(src: LockInput) -> list[Package]:
    data = _load(src)
    if data.get("bomFormat") == "CycloneDX":
        return _cyclonedx(src, data)
    if str(data.get("spdxVersion", "")).startswith("SPDX-"):
        return _spdx(src, data)
    raise LockfileError("neither a CycloneDX nor an SPDX JSON document")


def _cyclonedx(src: LockInput, data: dict[str, Any]) -> list[Package]:
    out: list[Package] = []
    stack = list(data.get("components") or [])
    while stack:
        comp = stack.pop(0)
        if not isinstance(comp, dict):
            continue
        stack.extend(comp.get("components") or [])
        purl = comp.get("purl")
        if isinstance(purl, str):
            pkg = package_from_purl(src, purl, src.find_line(json.dumps(purl)))
            if pkg is not None:
                out.append(pkg)
    return out


def _spdx(src: LockInput, data: dict[str, Any]) -> list[Package]:
    out: list[Package] = []
    for entry in data.get("packages") or []:
        if not isinstance(entry, dict):
            continue
        for ref in entry.get("externalRefs") or []:
            if isinstance(ref, dict) and ref.get("referenceType") == "purl":
                locator = str(ref.get("referenceLocator", ""))
                pkg = package_from_purl(src, locator, src.find_line(json.dumps(locator)))
                if pkg is not None:
                    out.append(pkg)
    return out


def looks_like_sbom(head: bytes) -> bool:
    return b'"bomFormat"' in head or b'"spdxVersion"' in head
