"""Private keys in every common armour, and signed tokens (JWT)."""

from __future__ import annotations

from citywatch.secrets.rule import Rule
from citywatch.secrets.rules._dsl import END, raw

# a key body: base64 lines, optional PEM headers (Proc-Type, DEK-Info), or JSON-escaped newlines
_BODY = r"((?:[A-Za-z0-9+/=:,\s]|\\n|\\r|-[A-Za-z0-9]){64,}?)"


def _pem(id: str, description: str, label: str, keyword: str, sev: str = "C") -> Rule:
    header = label.replace(" ", r"[ ]")
    return raw(
        id,
        description,
        rf"-----BEGIN[ ]{header}-----{_BODY}-----END[ ]{header}-----",
        [keyword],
        sev,
        tp=[
            f"-----BEGIN {label}-----{{nl}}{{k64}}{{nl}}-----END {label}-----",
            f'"key": "-----BEGIN {label}-----\\n{{b:200}}\\n-----END {label}-----\\n"',
        ],
        fp=[
            f"-----BEGIN {label}-----{{nl}}...{{nl}}-----END {label}-----",
            f"-----BEGIN {label}-----{{nl}}{{k64}}",
        ],
        entropy=4.0,
        literals=(f"-----BEGIN {label}-----", f"-----END {label}-----"),
    )


RULES = [
    _pem("private-key-rsa", "RSA private key (PKCS#1)", "RSA PRIVATE KEY", "rsa private key"),
    _pem("private-key-ec", "EC private key", "EC PRIVATE KEY", "ec private key"),
    _pem("private-key-dsa", "DSA private key", "DSA PRIVATE KEY", "dsa private key"),
    _pem("private-key-openssh", "OpenSSH private key", "OPENSSH PRIVATE KEY", "openssh private"),
    _pem("private-key-pkcs8", "PKCS#8 private key", "PRIVATE KEY", "begin private key"),
    _pem(
        "private-key-pkcs8-encrypted",
        "Encrypted PKCS#8 private key",
        "ENCRYPTED PRIVATE KEY",
        "encrypted private key",
        sev="M",
    ),
    _pem("private-key-pgp", "PGP private key block", "PGP PRIVATE KEY BLOCK", "pgp private key"),
    raw(
        "private-key-ssh2",
        "SSH2 (commercial SSH) encrypted private key",
        r"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----" + _BODY + r"---- END SSH2",
        ["ssh2 encrypted private key"],
        "H",
        tp=["---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----{nl}{k64}{nl}---- END SSH2 ENCRYPTED"],
        fp=["---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----{nl}...{nl}---- END SSH2"],
        entropy=4.0,
    ),
    raw(
        "private-key-putty",
        "PuTTY private key (.ppk)",
        r"PuTTY-User-Key-File-[23]:[^\n]*\n(?:[^\n]*\n){0,12}?Private-Lines:\s*\d+\s*\n"
        r"((?:[A-Za-z0-9+/=]{4,64}\r?\n?){2,})",
        ["putty-user-key-file"],
        "C",
        tp=[
            "PuTTY-User-Key-File-3: ssh-ed25519{nl}Encryption: none{nl}Comment: k{nl}"
            "Public-Lines: 2{nl}{b:64}{nl}{b:16}{nl}Private-Lines: 1{nl}{b:64}{nl}{b:20}{nl}"
            "Private-MAC: {h:64}"
        ],
        fp=["PuTTY-User-Key-File-3: ssh-ed25519{nl}Private-Lines: 1{nl}AAAA{nl}"],
        entropy=4.0,
    ),
    raw(
        "jwt",
        "JSON Web Token",
        r"(?:^|[^0-9A-Za-z_\-.])(eyJ[A-Za-z0-9_\-]{10,}={0,2}\.eyJ[A-Za-z0-9_\-]{10,}={0,2}"
        r"\.[A-Za-z0-9_\-]{16,}={0,2})",
        ["eyj"],
        "M",
        tp=["Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJ{u:60}.{u:43}"],
        fp=["eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "eyJ{x:20}.eyJ{x:20}.{x:30}"],
        entropy=3.5,
        validator="jwt",
        tail_forbidden=END + ".=",
        literals=("eyJ",),
    ),
]
