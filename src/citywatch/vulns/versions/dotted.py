"""Plain dotted-number orderings: Hackage (`1.0` < `1.0.0`) and CRAN (`.` and `-` separate)."""

from __future__ import annotations

import re


def _numbers(version: str, separators: str) -> tuple[int, ...]:
    parts = re.split(f"[{re.escape(separators)}]", version.strip())
    return tuple(int(p) if p.isdigit() else -1 for p in parts)


def compare_hackage(a: str, b: str) -> int:
    ka, kb = _numbers(a, "."), _numbers(b, ".")
    return (ka > kb) - (ka < kb)


def compare_cran(a: str, b: str) -> int:
    ka, kb = _numbers(a, ".-"), _numbers(b, ".-")
    return (ka > kb) - (ka < kb)
