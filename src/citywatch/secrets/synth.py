"""Expand example templates into realistic synthetic secrets, deterministically.

A template is text with fields `{CLASS:N}` where CLASS names a character set and N a length,
e.g. `token = ghp_{a:36}`. Examples are built at run time so that no file in this repository
contains something that looks like a live credential.
"""

from __future__ import annotations

import random
import re
import string

CLASSES: dict[str, str] = {
    "a": string.ascii_letters + string.digits,  # mixed alnum
    "A": string.ascii_uppercase + string.digits,  # upper alnum
    "l": string.ascii_lowercase + string.digits,  # lower alnum
    "L": string.ascii_letters,  # letters only
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "d": string.digits,
    "b": string.ascii_letters + string.digits + "+/",  # base64
    "u": string.ascii_letters + string.digits + "_-",  # base64url
    "Z": string.ascii_uppercase + "234567",  # base32 upper
    "z": string.ascii_lowercase + "234567",  # base32 lower
    "p": string.ascii_letters + string.digits + "!#%*+-.=?@^_~",  # password
    "x": "x",  # placeholder filler
    "c": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",  # bech32 upper
    "y": "./" + string.ascii_letters + string.digits,  # bcrypt
    "w": string.ascii_letters + string.digits + "-._~!*",  # URL-safe password
}

FIELD = re.compile(r"\{([A-Za-z]):(\d+)\}|\{(nl|k64|k1k|b64text:[^}]*)\}")


def _chars(rng: random.Random, cls: str, n: int) -> str:
    alphabet = CLASSES[cls]
    if len(alphabet) == 1:
        return alphabet * n
    while True:
        out = "".join(rng.choice(alphabet) for _ in range(n))
        # realistic tokens mix character kinds; avoid a rare all-digit draw for alnum classes
        if n < 8 or cls in ("d", "h", "H") or sum(c.isdigit() for c in out) < n:
            return out


def _pem_body(rng: random.Random, n: int) -> str:
    body = _chars(rng, "b", n)
    return "\n".join(body[i : i + 64] for i in range(0, len(body), 64))


def expand(template: str, seed: str | int = 0) -> str:
    """Fill every field of `template` with characters drawn from a seeded generator."""
    rng = random.Random(f"{seed}|{template}")

    def fill(m: re.Match[str]) -> str:
        if m.group(1):
            return _chars(rng, m.group(1), int(m.group(2)))
        name = m.group(3)
        if name == "nl":
            return "\n"
        if name == "k64":
            return _pem_body(rng, 256)
        if name == "k1k":
            return _pem_body(rng, 1600)
        import base64

        return base64.b64encode(name.split(":", 1)[1].encode()).decode()

    return FIELD.sub(fill, template)


def placeholder(template: str) -> str:
    """The template with every random field replaced by x's: what a docs placeholder looks like."""

    def fill(m: re.Match[str]) -> str:
        if m.group(1):
            return "x" * int(m.group(2)) if m.group(1) not in "AHZ" else "X" * int(m.group(2))
        name = m.group(3)
        if name == "nl":
            return "\n"
        if name in ("k64", "k1k"):
            return "\n".join(["x" * 64] * 4)
        return "eHh4eHh4eHg="

    return FIELD.sub(fill, template)
