"""SemVer 2 ordering, lenient the way OSV data needs it (npm, crates.io, Go, Hex, Pub, SEMVER).

Accepts a leading `v`, any number of numeric components (missing ones are zero), and ignores
build metadata. Pre-release identifiers compare numerically when both are digits, otherwise as
ASCII text, and a version without a pre-release sorts after one with it.
"""

from __future__ import annotations

import re

_CORE = re.compile(r"^[vV]?(\d+(?:\.\d+)*)(.*)$", re.S)


def parse(text: str) -> tuple[tuple[int, ...], tuple[str, ...] | None]:
    """Split into (numeric components, pre-release identifiers or None)."""
    text = text.strip()
    m = _CORE.match(text)
    if m is None:
        return (), (text,)
    nums = tuple(int(p) for p in m.group(1).split("."))
    rest = m.group(2)
    build = rest.find("+")
    if build >= 0:
        rest = rest[:build]
    if not rest:
        return nums, None
    if rest[0] == "-":
        rest = rest[1:]
    return nums, tuple(rest.split("."))


def _cmp_ident(a: str, b: str) -> int:
    ad, bd = a.isdigit(), b.isdigit()
    if ad and bd:
        ai, bi = int(a), int(b)
        return (ai > bi) - (ai < bi)
    if ad != bd:
        return -1 if ad else 1
    return (a > b) - (a < b)


def compare_parsed(
    a: tuple[tuple[int, ...], tuple[str, ...] | None],
    b: tuple[tuple[int, ...], tuple[str, ...] | None],
) -> int:
    an, ap = a
    bn, bp = b
    width = max(len(an), len(bn), 3)
    an = an + (0,) * (width - len(an))
    bn = bn + (0,) * (width - len(bn))
    if an != bn:
        return -1 if an < bn else 1
    if ap is None or bp is None:
        return (ap is None) - (bp is None)
    for x, y in zip(ap, bp, strict=False):
        c = _cmp_ident(x, y)
        if c:
            return c
    return (len(ap) > len(bp)) - (len(ap) < len(bp))


def compare(a: str, b: str) -> int:
    return compare_parsed(parse(a), parse(b))
