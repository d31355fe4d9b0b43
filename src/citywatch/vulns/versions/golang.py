"""Go module ordering: SemVer with a `v` prefix; pseudo-versions are pre-releases and
`+incompatible` is build metadata, so both order correctly with plain SemVer rules."""

from __future__ import annotations

from citywatch.vulns.versions import semver


def canonical(version: str) -> str:
    """`go1.21.3` (toolchain) and `v1.2.3` both become `1.2.3`."""
    text = version.strip()
    if text.startswith("go"):
        text = text[2:]
    return text[1:] if text[:1] == "v" else text


def compare(a: str, b: str) -> int:
    return semver.compare(canonical(a), canonical(b))
