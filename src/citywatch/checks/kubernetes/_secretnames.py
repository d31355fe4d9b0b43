"""Whether a variable name and a literal value look like a hard-coded credential.

Shared by the Kubernetes env/ConfigMap checks and the Dockerfile ENV/ARG check. Names are split
into words (`DB_PASSWORD` -> DB, PASSWORD); a secret word anywhere counts unless the name ends in
a word that says the value is *about* the secret (`TOKEN_URL`, `PASSWORD_FILE`, `KEY_ID`).
Values that are references (`$(VAR)`, `${VAR}`, `{{ tpl }}`) or plain flags are not secrets.
"""

from __future__ import annotations

import re

_SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "PASS", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL"}
    | {"CREDENTIALS", "PRIVATEKEY", "ACCESSKEY", "SECRETKEY", "AUTHTOKEN", "CLIENTSECRET"}
)
# `<X>_KEY` is a credential unless X says it is an index or lookup key
_BENIGN_KEY_PREFIX = frozenset(
    {"CACHE", "SORT", "PARTITION", "PRIMARY", "FOREIGN", "ROUTING", "IDEMPOTENCY", "PUBLIC"}
    | {"HASH", "LOOKUP", "MAP", "REDIS", "S3", "OBJECT", "BUCKET", "COLUMN", "ROW", "DEDUP"}
)
_NOT_SECRET_SUFFIX = frozenset(
    {
        "FILE",
        "PATH",
        "DIR",
        "ID",
        "NAME",
        "URL",
        "URI",
        "HOST",
        "PORT",
        "TTL",
        "TIMEOUT",
        "EXPIRY",
        "EXPIRES",
        "LENGTH",
        "SIZE",
        "TYPE",
        "HEADER",
        "ENDPOINT",
        "REF",
        "ENABLED",
        "REQUIRED",
        "MODE",
        "USER",
        "USERNAME",
        "FORMAT",
        "LOCATION",
        "SECONDS",
        "LIFETIME",
        "ALGORITHM",
        "POLICY",
        "VERSION",
        "REGION",
    }
)
_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_REFERENCE = re.compile(r"^\s*(\$\(|\$\{|\{\{|<%|%\(|\$[A-Za-z_])")
_FLAG_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null", "", "-"})


def name_words(name: str) -> list[str]:
    return [w.upper() for w in _SPLIT.split(name) if w]


def looks_like_secret_name(name: str) -> bool:
    words = name_words(name)
    if not words or words[-1] in _NOT_SECRET_SUFFIX:
        return False
    joined = {a + b for a, b in zip(words, words[1:], strict=False)}
    if any(w in _SECRET_WORDS for w in words) or joined & _SECRET_WORDS:
        return True
    return words[-1] == "KEY" and (len(words) == 1 or words[-2] not in _BENIGN_KEY_PREFIX)


def looks_like_literal_secret(value: object) -> bool:
    """A non-empty literal (not a reference, flag or small number) that could be a credential."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text.lower() in _FLAG_VALUES or _REFERENCE.match(text):
        return False
    return not (text.isdigit() and len(text) <= 6)


def redact(value: str) -> str:
    """Never print a secret: keep a hint of its shape only."""
    text = value.strip()
    if len(text) <= 4:
        return "****"
    return f"{text[:2]}…({len(text)} chars)"
