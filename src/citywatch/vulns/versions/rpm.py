"""RPM ordering (`rpmvercmp`) over `[epoch:]version[-release]` (Red Hat, SUSE, AlmaLinux, Rocky).

Alphanumeric segments are compared pairwise (numbers beat letters, numbers compare numerically);
`~` sorts before anything and `^` after the base but before any further segment.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEG = re.compile(r"(\d+|[a-zA-Z]+|~|\^)")


def rpmvercmp(a: str, b: str) -> int:
    if a == b:
        return 0
    sa = [s for s in _SEG.findall(a)]
    sb = [s for s in _SEG.findall(b)]
    i = 0
    while True:
        x = sa[i] if i < len(sa) else None
        y = sb[i] if i < len(sb) else None
        if x == "~" or y == "~":
            if x != "~":
                return 1
            if y != "~":
                return -1
            i += 1
            continue
        if x == "^" or y == "^":
            if x is None:
                return -1
            if y is None:
                return 1
            if x != "^":
                return 1
            if y != "^":
                return -1
            i += 1
            continue
        if x is None or y is None:
            if x is None and y is None:
                return 0
            return -1 if x is None else 1
        xd, yd = x.isdigit(), y.isdigit()
        if xd != yd:
            return 1 if xd else -1
        if xd:
            xi, yi = int(x), int(y)
            if xi != yi:
                return -1 if xi < yi else 1
        elif x != y:
            return -1 if x < y else 1
        i += 1


@lru_cache(maxsize=65536)
def split(version: str) -> tuple[int, str, str | None]:
    text = version.strip()
    epoch = 0
    head, sep, rest = text.partition(":")
    if sep and head.isdigit():
        epoch, text = int(head), rest
    ver, sep, rel = text.partition("-")
    return epoch, ver, rel if sep else None


def compare(a: str, b: str) -> int:
    ea, va, ra = split(a)
    eb, vb, rb = split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    c = rpmvercmp(va, vb)
    if c or (ra is None and rb is None):
        return c
    if ra is None or rb is None:
        return -1 if ra is None else 1
    return rpmvercmp(ra, rb)
