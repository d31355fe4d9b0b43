"""Extra checks a rule can name when its regex alone cannot tell a key from a look-alike."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from citywatch.secrets.entropy import shannon


@dataclass(frozen=True, slots=True)
class MatchContext:
    """Where the secret was found: the whole text and the secret's byte offset in it."""

    data: bytes
    start: int
    match_start: int = 0

    def name(self) -> str:
        """The text of the match before the secret: the variable name and operator."""
        raw = self.data[self.match_start : self.start]
        return raw.decode("utf-8", "replace").lower()


Validator = Callable[[str, MatchContext], bool]

# settings.db_password, process.env.DB_PASS, this.config.apiKey: references, not values
_IDENT = (
    r"(?:[a-z_$][a-z0-9_$]*|[A-Z_][A-Z0-9_]*|[a-z]+(?:[A-Z][a-z]{2,}[0-9]*)+|"
    r"(?:[A-Z][a-z]{2,}[0-9]*)+)"
)
_DOTTED_IDENT = re.compile(rf"^{_IDENT}(?:\.{_IDENT})+$")
_PATH = re.compile(r"^(?:\.{0,2}/|~/)[\w.\-]*(?:/[\w.\-]*)+$")
_WEAK_VALUES = frozenset(
    {
        "password", "passw0rd", "secret", "changeme", "changeit", "default", "null", "none",
        "true", "false", "undefined", "required", "optional", "string", "empty", "admin",
        "letmein", "qwerty", "123456", "12345678", "password123", "secret123", "notasecret",
    }
)  # fmt: skip


def _ascending_run(text: str, run: int = 6) -> bool:
    count = 1
    for a, b in zip(text, text[1:], strict=False):
        count = count + 1 if ord(b) == ord(a) + 1 else 1
        if count >= run:
            return True
    return False


def mixed(secret: str, ctx: MatchContext) -> bool:
    """Random tokens mix digits and letters; CSS classes and words do not."""
    return any(c.isdigit() for c in secret) and any(c.isalpha() for c in secret)


_WORD = r"(?:[a-z]+|[A-Z][a-z]+|[A-Z]+)"
_WORD_AND_NUMBER = re.compile(rf"{_WORD}(?:[-_.]{_WORD})*[-_.]?[0-9]{{0,4}}")
# names that hold something about a password or key, not the value itself
_NOT_A_VALUE = re.compile(
    r"(?:url|uri|path|file|dir|field|length|len|policy|hash|regex|pattern|prompt|label|name|"
    r"type|id|hint|format|min|max|reset|expiry|expires|age|count|header|param|env|var|ref|"
    r"mode|enabled|required|rotation|version|endpoint|provider|validator|strength|arn)"
    r"[\s'\"\]]*(?:=|:|=>|:=|\?=|<-|\|\|=)[\s'\"`]*$"
)


def password(secret: str, ctx: MatchContext) -> bool:
    """A password value that is not a reference, a word list classic or a code expression."""
    s = secret.strip()
    low = s.lower()
    if low in _WEAK_VALUES or len(set(s)) < 4:
        return False
    if ctx.match_start < ctx.start and _NOT_A_VALUE.search(ctx.name()):
        return False
    if _PATH.match(s) or "://" in s:
        return False
    decoded = _b64text(s)
    if decoded is not None and decoded != s and not password(decoded, MatchContext(b"", 0)):
        return False  # base64 of `changeme`
    if _DOTTED_IDENT.match(s):  # settings.db.password, process.env.PASS
        return False
    if re.match(r"\$[A-Za-z_{(]|%\w+%$|&[A-Za-z_]\w*$", s) or s.endswith(("()", ")")):
        return False
    if set(s) <= set("*•x.#?_-"):
        return False
    if _WORD_AND_NUMBER.fullmatch(s):  # client-87, admin_2024: a label, not a credential
        return False
    return not (s.isalpha() and s.islower() and len(s) < 20)


_HASH_WORDS = re.compile(rb"checksum|sha\d*|md5|hash|digest|etag|integrity|commit|fingerprint")


def generic(secret: str, ctx: MatchContext) -> bool:
    """A generic secret must look random: digits and letters, no identifier or path shape."""
    s = secret
    if not password(s, ctx):
        return False
    has_digit = any(c.isdigit() for c in s)
    has_upper = any(c.isupper() for c in s)
    has_lower = any(c.islower() for c in s)
    if not has_digit and not (len(s) >= 20 and has_upper and has_lower):
        return False
    if _ascending_run(s.lower()):
        return False
    if re.fullmatch(r"[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128}", s.lower()):
        line_start = ctx.data.rfind(b"\n", 0, ctx.start) + 1
        prefix = ctx.data[line_start : ctx.start].lower()
        if _HASH_WORDS.search(prefix):  # checksum/secret: <sha256>, secret_sha1 = <sha1>
            return False
    if re.fullmatch(r"[a-z]+(?:[_\-.][a-z0-9]+)+", s):  # some_identifier-name.v2
        return False
    return not re.search(r"\.(?:json|ya?ml|pem|crt|key|txt|env|js|py|ts)$", s)


def jwt(secret: str, ctx: MatchContext) -> bool:
    """A JWT whose header decodes to JSON with a real (not `none`) algorithm."""
    head = secret.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
        header = json.loads(raw)
    except (ValueError, binascii.Error):
        return True  # undecodable header with the right shape: still report
    if not isinstance(header, dict):
        return False
    return str(header.get("alg", "")).lower() != "none"


def _b64text(text: str) -> str | None:
    """`text` decoded from base64 when it is printable text that way, else None."""
    if len(text) < 8 or len(text) % 4:
        return None
    raw = _b64decode(text)
    if raw is None:
        return None
    try:
        out = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    return out if out.isprintable() else None


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (ValueError, binascii.Error):
        return None


def basic_auth_b64(secret: str, ctx: MatchContext) -> bool:
    """Docker/npm `auth` values are base64 of `user:password` with a non-trivial password."""
    raw = _b64decode(secret)
    if raw is None:
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    user, sep, pw = text.partition(":")
    return bool(sep and user and pw.isprintable() and password(pw, ctx))


def _parent_key(data: bytes, start: int) -> bytes:
    """The YAML key that owns the line holding `start` (the nearest less-indented line)."""
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data[line_start : data.find(b"\n", start) if b"\n" in data[start:] else len(data)]
    indent = len(line) - len(line.lstrip(b" "))
    pos = line_start - 1
    while pos > 0:
        prev_start = data.rfind(b"\n", 0, pos) + 1
        prev = data[prev_start:pos]
        stripped = prev.lstrip(b" ")
        if stripped and not stripped.startswith(b"#") and len(prev) - len(stripped) < indent:
            return stripped.rstrip()
        pos = prev_start - 1
    return b""


def k8s_secret_data(secret: str, ctx: MatchContext) -> bool:
    """A value under `data:`/`binaryData:` that decodes to a real-looking secret."""
    if _parent_key(ctx.data, ctx.start) not in (b"data:", b"binaryData:"):
        return False
    raw = _b64decode(secret)
    if raw is None:
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return len(raw) >= 16  # binary key material
    return text.isprintable() and len(text) >= 6 and password(text, ctx) and shannon(text) >= 2.5


VALIDATORS: dict[str, Validator] = {
    "mixed": mixed,
    "password": password,
    "generic": generic,
    "jwt": jwt,
    "basic_auth_b64": basic_auth_b64,
    "k8s_secret_data": k8s_secret_data,
}
