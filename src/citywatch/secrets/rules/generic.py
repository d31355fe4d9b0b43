"""Generic rules: high-entropy values assigned to names that say `password`, `secret`, `token`.

They run last and are dropped where a specific rule already matched the same text; lock and
minified files skip them. Entropy and the placeholder stop list keep them quiet on look-alikes.
"""

from __future__ import annotations

from citywatch.secrets.rules._dsl import raw

_OP = r"[\w.\-]{0,25}[ \t'\"\]]{0,3}(?:=|:|=>|:=|\?=|<-|\|\|=)[ \t'\"`]{0,5}"
_VAL_END = r"(?:['\"`\s;,)}\]]|$)"

RULES = [
    raw(
        "generic-password",
        "Password assigned in code or configuration",
        r"(?i:passw(?:or)?d|passwd|pwd|pass_?phrase|_pass\b|\bpass\b)"
        + _OP
        + r"([^\s'\"`;,${}()<>\[\]]{8,64})"
        + _VAL_END,
        ["pass", "pwd"],
        "M",
        tp=['db_password = "{p:16}"', "PASSWORD: {p:14}", '"passwd": "{p:12}"'],
        fp=[
            "password = os.environ['DB_PASSWORD']",
            "password: ${DB_PASSWORD}",
            'password = "changeme123"',
            "password_reset_url = /account/reset",
            'passwd = "aaaaaaaaaaaa"',
        ],
        entropy=2.8,
        generic=True,
        line_local=True,
        validator="password",
    ),
    raw(
        "generic-secret",
        "Secret, token or API key assigned in code or configuration",
        r"(?i:(?:secret|token|api[_\-.]?key|apikey|access[_\-.]?key|auth[_\-.]?key|"
        r"private[_\-.]?key|client[_\-.]?secret|credential|signing[_\-.]?key|"
        r"encryption[_\-.]?key|master[_\-.]?key))"
        + _OP
        + r"([A-Za-z0-9_/+~.\-]{16,128}={0,2})"
        + _VAL_END,
        ["secret", "token", "key", "credential"],
        "M",
        tp=['api_key = "{a:32}"', "CLIENT_SECRET={u:40}", '"authToken": "{b:48}"'],
        fp=[
            "api_key = ${API_KEY}",
            "token_url = https://auth.example.com/token",
            "secret_name = my-application-secret",
            "api_key: <your-api-key-here>",
            "token = get_token_from_environment()",
            "secret: 0123456789abcdef0123456789abcdef",
            "access_key = {x:20}",
        ],
        entropy=3.7,
        generic=True,
        line_local=True,
        validator="generic",
    ),
]
