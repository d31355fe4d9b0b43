"""Dart Pub ordering: SemVer, except that build metadata counts and sorts after no build."""

from __future__ import annotations

from citywatch.vulns.versions import semver


def compare(a: str, b: str) -> int:
    c = semver.compare(a, b)
    if c:
        return c
    ba = a.partition("+")[2]
    bb = b.partition("+")[2]
    if not ba or not bb:
        return (bool(ba) > bool(bb)) - (bool(ba) < bool(bb))
    return semver.compare_parsed(((0,), tuple(ba.split("."))), ((0,), tuple(bb.split("."))))
