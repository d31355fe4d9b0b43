"""A labeled synthetic corpus: planted real-format fake secrets among look-alike non-secrets.

Used by the accuracy test (precision/recall) and by the benchmark. Positives are drawn from the
rules' true-positive templates with fresh seeds; negatives are the things that fool scanners in
real repositories: placeholders, hashes, UUIDs, base64 blobs, test keys, `${VAR}`, `<token>`,
public keys, certificates, unsigned JWTs and environment lookups.
"""

from __future__ import annotations

import base64
import hashlib
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from citywatch.secrets.rule import Rule
from citywatch.secrets.synth import expand


@dataclass(frozen=True, slots=True)
class Planted:
    path: str
    start_line: int
    end_line: int
    rule_id: str


FILLER = (
    "def load_settings(path: str) -> dict[str, str]:",
    "    return {k: v for k, v in items if v is not None}",
    "for user in users: print(user.name, user.email)",
    "const token = await getToken(req.headers.authorization);",
    "if (password.length < MIN_PASSWORD_LENGTH) { throw new Error('too short'); }",
    "  secretName: {{ .Values.existingSecret }}",
    "# rotate the api key every 90 days; see docs/security.md",
    '  "version": "1.4.2", "main": "index.js", "license": "MIT",',
    'resource "aws_s3_bucket" "logs" { bucket = "acme-logs" }',
    "    image: ghcr.io/acme/api:1.8.0",
    "SELECT id, name FROM accounts WHERE api_key_hash = $1;",
    "log.info('token refreshed for %s', client_id)",
    "export PATH=$HOME/.local/bin:$PATH",
    "    auth_type: oauth2  # token endpoint configured below",
    'val keyStore = KeyStore.getInstance("PKCS12")',
    "password_policy: {min_length: 14, require_symbols: true}",
    "      - name: DB_PASSWORD",
    "        valueFrom: {secretKeyRef: {name: db, key: password}}",
)


def _lookalikes(rng: random.Random) -> list[str]:
    """One batch of non-secrets that share a shape or a name with secrets."""
    hex40 = f"{rng.getrandbits(160):040x}"
    hex64 = f"{rng.getrandbits(256):064x}"
    b64 = base64.b64encode(rng.randbytes(150)).decode()
    sha512 = base64.b64encode(hashlib.sha512(rng.randbytes(8)).digest()).decode()
    u = str(uuid.UUID(int=rng.getrandbits(128)))
    pem_pub = base64.b64encode(rng.randbytes(200)).decode()
    return [
        f"commit: {hex40}",
        f'sha256 = "{hex64}"',
        f'"integrity": "sha512-{sha512}",',
        f"request_id = '{u}'",
        f"  uid: {u}",
        f"icon = 'data:image/png;base64,{b64}'",
        'api_key = "<your-api-key>"',
        "token: ${GITHUB_TOKEN}",
        "password: changeme",
        "AWS_SECRET_ACCESS_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "STRIPE_KEY=sk_test_" + "".join(rng.choice("abcdefghijkLMNOP0123") for _ in range(24)),
        "STRIPE_PUBLISHABLE_KEY=pk_live_" + "".join(rng.choice("abcdefXYZ0123") for _ in range(24)),
        'password = os.environ["DB_PASSWORD"]',
        "db_password = settings.database.password",
        "secret = var.db_password",
        "  token: {{ .Values.apiToken }}",
        "api_key: <token>",
        'client_secret = "${CLIENT_SECRET}"',
        "token_url = https://auth.internal/oauth/token",
        "password_min_length = 12",
        "secret_name = prod-database-credentials",
        "public_key = -----BEGIN PUBLIC KEY-----" + pem_pub[:64] + "-----END PUBLIC KEY-----",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5" + b64[:48] + " dev@laptop",
        "-----BEGIN CERTIFICATE-----",
        pem_pub[:64],
        "-----END CERTIFICATE-----",
        "jwt = eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.",
        "DATABASE_URL=postgres://localhost:5432/app",
        "url: https://user@git.internal/repo.git",
        "SECRET_KEY=get_random_secret_key()",
        "passwordField.setText(userInput)",
        f'etag: W/"{hex40[:32]}"',
        "class_name = 'AbstractSingletonProxyFactoryBean'",
        f"x-request-id: {u}",
        f'token_hash = "{hex64}"',
        "session_token_ttl = 3600",
        'secret_key_base = ENV.fetch("SECRET_KEY_BASE")',
        f'"api_key_id": "{u}",',
        f"image: registry.internal/api@sha256:{hex64}",
        f"  checksum/secret: {hex64}",
        "password = getpass.getpass('Password: ')",
        "  auth: {username: ci, password: $(cat /run/secrets/pw)}",
        "TOKEN=$(vault kv get -field=token secret/ci)",
        f"  tokenizer_path = '/models/{hex40[:8]}/tokenizer.json'",
        '  password: ""',
    ]


# other places a self-identifying token turns up; {s} is the token
WRAPPERS = (
    '  "credentials": {{"value": "{s}"}},',
    'headers = {{"Authorization": "Bearer {s}"}}',
    "      - --auth={s}",
    "    env: [{{name: TOKEN, value: '{s}'}}]",
    "curl -H 'X-Api-Key: {s}' https://api.internal/v1/items",
    "const client = new Client(`{s}`);",
    '<add key="ApiToken" value="{s}" />',
)


def _secret_of(rule: Rule, text: str) -> str | None:
    """The secret inside an expanded example, found with the rule's own regex."""
    import re2

    m = re2.search(rule.regex, text)
    if m is None:
        return None
    value: str = m.group(rule.secret_group)
    return value


def _generic_positive(rng: random.Random) -> tuple[str, str]:
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    pw = "".join(rng.choice(alphabet + "!#%+=?@^_~") for _ in range(rng.randint(12, 24)))
    key = "".join(rng.choice(alphabet) for _ in range(rng.choice((32, 40, 48))))
    shapes = [
        ("generic-password", f'db_password = "{pw}"'),
        ("generic-password", f"  password: {pw}"),
        ("generic-password", f'"adminPassword": "{pw}",'),
        ("generic-secret", f"API_KEY={key}"),
        ("generic-secret", f'client_secret: "{key}"'),
        ("generic-secret", f'signing_key = "{key}"'),
    ]
    return rng.choice(shapes)


def generate(root: Path, rules: list[Rule], files: int = 60, seed: int = 7) -> list[Planted]:
    """Write `files` files under `root` and return where each planted secret is."""
    rng = random.Random(seed)
    plantable = [r for r in rules if r.tp and not r.path]
    exts = ["py", "yaml", "json", "env", "js", "tf", "properties", "md", "sh", "toml"]
    planted: list[Planted] = []
    for i in range(files):
        name = f"src/mod{i // 10}/file{i}.{exts[i % len(exts)]}"
        lines: list[str] = []
        for _ in range(rng.randint(4, 8)):
            for _ in range(rng.randint(3, 12)):
                lines.append(rng.choice(FILLER))
            pick = rng.random()
            if pick < 0.45:
                rule = rng.choice(plantable)
                text = expand(rng.choice(rule.tp), f"corpus/{seed}/{i}/{len(lines)}")
                if rule.head_forbidden and rng.random() < 0.5:
                    secret = _secret_of(rule, text)
                    # re-wrapped only when the token carries its own keyword (self-identifying)
                    if (
                        secret
                        and "\n" not in secret
                        and any(k in secret.lower() for k in rule.keywords)
                    ):
                        text = rng.choice(WRAPPERS).format(s=secret)
                start = len(lines) + 1
                block = text.split("\n")
                lines.extend(block)
                planted.append(Planted(name, start, start + len(block) - 1, rule.id))
            elif pick < 0.6:
                rule_id, text = _generic_positive(rng)
                lines.append(text)
                planted.append(Planted(name, len(lines), len(lines), rule_id))
            else:
                lines.extend(rng.sample(_lookalikes(rng), 4))
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return planted


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    true_positives: int
    false_positives: int
    missed: list[Planted]
    false: list[tuple[str, int, str]]


def score(found: list[tuple[str, int, str]], planted: list[Planted]) -> Score:
    """Match findings (path, line, rule) to planted secrets by file and line range."""
    hit: set[int] = set()
    false: list[tuple[str, int, str]] = []
    by_path: dict[str, list[tuple[int, Planted]]] = {}
    for idx, p in enumerate(planted):
        by_path.setdefault(p.path, []).append((idx, p))
    tp = 0
    for path, line, rule_id in found:
        match = next(
            (i for i, p in by_path.get(path, []) if p.start_line <= line <= p.end_line), None
        )
        if match is None:
            false.append((path, line, rule_id))
        elif match not in hit:
            hit.add(match)
            tp += 1
    missed = [p for i, p in enumerate(planted) if i not in hit]
    precision = tp / (tp + len(false)) if tp + len(false) else 1.0
    recall = len(hit) / len(planted) if planted else 1.0
    return Score(precision, recall, tp, len(false), missed, false)
