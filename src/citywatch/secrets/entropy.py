"""Shannon entropy of a candidate secret: random keys score high, words and fillers score low."""

from __future__ import annotations

import math
from collections import Counter


def shannon(text: str) -> float:
    """Bits per character of `text` (0.0 for empty text)."""
    if not text:
        return 0.0
    n = len(text)
    return -sum((c / n) * math.log2(c / n) for c in Counter(text).values())
