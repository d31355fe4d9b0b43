"""RubyGems `Gem::Version` ordering.

`-` means `.pre.`; segments are runs of digits or letters; any letter segment makes the version a
pre-release and sorts below numbers; trailing zeros of the release and pre-release parts are
ignored, so `1.0` equals `1`.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEGMENT = re.compile(r"[0-9]+|[a-z]+", re.I)


def _trim(parts: list[int | str]) -> list[int | str]:
    while parts and parts[-1] == 0:
        parts.pop()
    return parts


@lru_cache(maxsize=65536)
def segments(version: str) -> tuple[int | str, ...]:
    text = version.strip().replace("-", ".pre.")
    segs: list[int | str] = [int(s) if s.isdigit() else s for s in _SEGMENT.findall(text)]
    first_str = next((i for i, s in enumerate(segs) if isinstance(s, str)), len(segs))
    return tuple(_trim(segs[:first_str]) + _trim(segs[first_str:]))


def compare(a: str, b: str) -> int:
    sa, sb = segments(a), segments(b)
    for i in range(max(len(sa), len(sb))):
        x = sa[i] if i < len(sa) else 0
        y = sb[i] if i < len(sb) else 0
        if x == y:
            continue
        if isinstance(x, str) and isinstance(y, int):
            return -1
        if isinstance(x, int) and isinstance(y, str):
            return 1
        return -1 if x < y else 1  # type: ignore[operator]
    return 0
