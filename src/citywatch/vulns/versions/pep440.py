"""PEP 440 ordering (PyPI), with the pre-PEP 440 "legacy" ordering for versions it rejects.

Valid versions use `packaging`; anything else sorts before every valid version and compares by
the old setuptools rule (zero-padded numbers, `*`-prefixed words, `pre`/`rc` folded to `c`,
`dev` to `@`) so historic advisories keep a total order.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

_LEGACY_PARTS = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_REPLACE = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}


def _legacy_parts(text: str) -> list[str]:
    out: list[str] = []
    for raw in _LEGACY_PARTS.split(text):
        part = _LEGACY_REPLACE.get(raw, raw)
        if not part or part == ".":
            continue
        out.append(part.zfill(8) if part[0].isdigit() else "*" + part)
    out.append("*final")
    return out


def _legacy_key(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    for part in _legacy_parts(text.lower()):
        if part.startswith("*"):
            if part < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(part)
    return tuple(parts)


@lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple[int, Any]:
    """A key whose order is PEP 440 order; legacy versions come first."""
    try:
        return (1, Version(text.strip()))
    except InvalidVersion:
        return (0, _legacy_key(text.strip()))


def is_valid(text: str) -> bool:
    return sort_key(text)[0] == 1


def compare(a: str, b: str) -> int:
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


def normalize_name(name: str) -> str:
    """PEP 503: lower case, runs of `-_.` become one `-`."""
    return canonicalize_name(name)
