"""How a secret is shown: a short prefix and the length, never the whole value."""

from __future__ import annotations

import hashlib


def redact(secret: str) -> str:
    """`AKIA…(20 chars)`: enough to recognise which key it is, never enough to use it."""
    n = len(secret)
    keep = min(4, n // 5)
    shown = "".join(
        c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else "?"
        for c in secret.lstrip()[:keep]
    )
    return f"{shown}…({n} chars)"


def secret_hash(secret: str) -> str:
    """The stable identity of a secret for fingerprints and de-duplication."""
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def scrub(text: str, secrets: list[str]) -> str:
    """Replace every listed secret in `text` (used on error messages before they are shown)."""
    for s in secrets:
        if s:
            text = text.replace(s, redact(s))
    return text
