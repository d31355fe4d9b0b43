"""Packagist (Composer) ordering: PHP's `version_compare` after Composer-style canonicalisation.

`-`, `_`, `+` become `.`, and a `.` is inserted wherever digits meet letters. Parts compare
numerically when both are numbers; otherwise by special form:
dev < alpha=a < beta=b < RC=rc < number < pl=p, and any other word sorts before `dev`.
"""

from __future__ import annotations

import re
from functools import lru_cache

_FORMS = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("RC", 3),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)
_SPLIT_RUNS = re.compile(r"(?<=\d)(?=[^\d.])|(?<=[^\d.])(?=\d)")


@lru_cache(maxsize=65536)
def canonical(version: str) -> tuple[str, ...]:
    text = version.strip()
    if text[:1] in ("v", "V") and text[1:2].isdigit():
        text = text[1:]
    text = re.sub(r"[-_+]", ".", text)
    text = _SPLIT_RUNS.sub(".", text)
    return tuple(p for p in text.split(".") if p != "")


def _form(part: str) -> int:
    if part[:1].isdigit():
        part = "#"
    for name, order in _FORMS:
        if part.startswith(name):
            return order
    return -6


def _cmp_part(a: str, b: str) -> int:
    if a.isdigit() and b.isdigit():
        ai, bi = int(a), int(b)
        return (ai > bi) - (ai < bi)
    fa, fb = _form(a), _form(b)
    return (fa > fb) - (fa < fb)


_NUMBER = ("#N#",)  # what PHP compares a longer tail against


def _compare_parts(pa: tuple[str, ...], pb: tuple[str, ...]) -> int:
    for x, y in zip(pa, pb, strict=False):
        c = _cmp_part(x, y)
        if c:
            return c
    if len(pa) > len(pb):
        rest = pa[len(pb) :]
        return 1 if rest[0][:1].isdigit() else _compare_parts(rest, _NUMBER)
    if len(pb) > len(pa):
        rest = pb[len(pa) :]
        return -1 if rest[0][:1].isdigit() else _compare_parts(_NUMBER, rest)
    return 0


def compare(a: str, b: str) -> int:
    return _compare_parts(canonical(a), canonical(b))


def normalize_name(name: str) -> str:
    return name.strip().lower()
