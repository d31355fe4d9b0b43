"""What every lockfile reader shares: the input handle, package construction, line lookup."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packageurl import PackageURL

from citywatch.model import Location, Package

# OSV ecosystem -> purl type
PURL_TYPES = {
    "PyPI": "pypi",
    "npm": "npm",
    "Go": "golang",
    "crates.io": "cargo",
    "RubyGems": "gem",
    "Packagist": "composer",
    "Maven": "maven",
    "NuGet": "nuget",
    "Debian": "deb",
    "Ubuntu": "deb",
    "Alpine": "apk",
    "Red Hat": "rpm",
    "Rocky Linux": "rpm",
    "AlmaLinux": "rpm",
    "SUSE": "rpm",
    "openSUSE": "rpm",
    "Hex": "hex",
    "Pub": "pub",
    "CRAN": "cran",
    "Hackage": "hackage",
}
DISTRO_NAMESPACES = {
    "Debian": "debian",
    "Ubuntu": "ubuntu",
    "Alpine": "alpine",
    "Red Hat": "redhat",
    "Rocky Linux": "rocky",
    "AlmaLinux": "almalinux",
    "SUSE": "suse",
    "openSUSE": "opensuse",
}


class LockfileError(ValueError):
    """The file cannot be read as the format it claims to be."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.line = line


def make_purl(ecosystem: str, name: str, version: str) -> str:
    base, _, release = ecosystem.partition(":")
    ptype = PURL_TYPES.get(base)
    if ptype is None:
        return ""
    namespace: str | None = None
    pname = name
    qualifiers: dict[str, str] = {}
    if ptype in ("npm", "golang", "composer") and "/" in name:
        namespace, _, pname = name.rpartition("/")
    elif ptype == "maven" and ":" in name:
        namespace, _, pname = name.partition(":")
    elif ptype in ("deb", "apk", "rpm"):
        namespace = DISTRO_NAMESPACES.get(base)
        if release:
            qualifiers["distro"] = f"{namespace}-{release}"
    elif ptype == "pypi":
        pname = name.lower().replace("_", "-")
    try:
        return PackageURL(
            type=ptype,
            namespace=namespace,
            name=pname,
            version=version or None,
            qualifiers=qualifiers or None,
        ).to_string()
    except ValueError:
        return ""


@dataclass(slots=True)
class LockInput:
    """One file handed to a reader, with helpers to locate text and report problems."""

    path: Path
    display: str
    data: bytes
    warnings: list[tuple[str, int | None]] = field(default_factory=list)
    _text: str | None = None
    _starts: list[int] | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            try:
                self._text = self.data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise LockfileError(f"not UTF-8 text (byte {exc.start})") from None
        return self._text

    def warn(self, reason: str, line: int | None = None) -> None:
        self.warnings.append((reason, line))

    def line_of(self, offset: int) -> int:
        if self._starts is None:
            starts = [0]
            text = self.text
            pos = text.find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = text.find("\n", pos + 1)
            self._starts = starts
        return bisect.bisect_right(self._starts, offset)

    def find_line(self, needle: str, start: int = 0) -> int:
        """Line (1-based) of the first occurrence of `needle` at or after `start`, else 0."""
        pos = self.text.find(needle, start)
        return self.line_of(pos) if pos >= 0 else 0

    def package(
        self,
        ecosystem: str,
        name: str,
        version: str,
        line: int = 0,
        direct: bool | None = None,
        dependencies: Sequence[str] | None = None,
        **meta: object,
    ) -> Package:
        return Package(
            ecosystem=ecosystem,
            name=name,
            version=version,
            location=Location(self.display, line, line),
            purl=make_purl(ecosystem, name, version),
            direct=direct,
            dependencies=list(dependencies or []),
            meta=dict(meta),
        )
