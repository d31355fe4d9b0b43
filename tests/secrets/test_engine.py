"""The secret engine through the real pipeline and CLI: what a user sees in reports."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from citywatch.secrets.synth import expand
from tests.secrets.secret_helpers import cli_json, scan


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GH = "GITHUB_TOKEN=ghp_{a:36}"


def test_finding_shape_and_redaction(tmp_path: Path) -> None:
    secret_line = expand(GH, "shape")
    token = secret_line.split("=", 1)[1]
    _write(tmp_path / "app" / "settings.env", "# config\n" + secret_line + "\n")
    result = scan(tmp_path / "app")
    assert [f.check_id for f in result.findings] == ["github-pat"]
    f = result.findings[0]
    assert f.scanner == "secret"
    assert f.location.start_line == 2
    assert f.location.path.endswith("settings.env")
    assert token not in f.message and "ghp_…(40 chars)" in f.message
    assert token not in f.fingerprint and len(f.fingerprint) == 32
    assert token not in json.dumps(f.to_dict())


def test_reports_never_contain_the_secret(tmp_path: Path) -> None:
    line = expand("aws_secret_access_key = {b:40}", "reports")
    secret = line.rsplit(" ", 1)[1]
    _write(tmp_path / "src" / "deploy.py", line + "\n")
    for fmt in ("table", "json", "sarif", "junit"):
        proc = subprocess.run(
            ["citywatch", "scan", "--scanners", "secret", "-f", fmt, str(tmp_path / "src")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 1, proc.stderr
        assert "aws-secret-access-key" in proc.stdout
        assert secret not in proc.stdout + proc.stderr, fmt


def test_show_secrets_opt_in(tmp_path: Path) -> None:
    line = expand(GH, "show")
    token = line.split("=", 1)[1]
    _write(tmp_path / "a.env", line + "\n")
    doc = cli_json(tmp_path, "--show-secrets", str(tmp_path / "a.env"))
    assert doc["findings"][0]["secret"] == token
    assert token in doc["findings"][0]["message"]
    plain = cli_json(tmp_path, str(tmp_path / "a.env"))
    assert "secret" not in plain["findings"][0]
    assert plain["findings"][0]["redacted"] == "ghp_…(40 chars)"


def test_fingerprint_follows_the_secret_not_the_line(tmp_path: Path) -> None:
    line = expand(GH, "fp")
    _write(tmp_path / "a.env", line + "\n")
    before = scan(tmp_path).findings[0].fingerprint
    _write(tmp_path / "a.env", "# moved down\n\n" + line + "\n")
    after = scan(tmp_path).findings[0]
    assert after.location.start_line == 3 and after.fingerprint == before
    _write(tmp_path / "a.env", expand(GH, "other") + "\n")
    assert scan(tmp_path).findings[0].fingerprint != before


def test_inline_ignores(tmp_path: Path) -> None:
    text = "\n".join(
        [
            expand(GH, 1) + "  # gitleaks:allow",
            expand(GH, 2) + "  # citywatch:ignore",
            expand(GH, 3) + "  # citywatch:ignore:github-pat",
            expand(GH, 4) + "  # citywatch:ignore:aws-access-key-id",
            expand(GH, 5),
        ]
    )
    _write(tmp_path / "x.py", text + "\n")
    lines = sorted(f.location.start_line for f in scan(tmp_path).findings)
    assert lines == [4, 5]


def test_binary_vendored_lock_and_minified_files(tmp_path: Path) -> None:
    token = expand(GH, "kinds")
    generic = expand('api_key = "{a:32}"', "kinds")
    _write(tmp_path / "node_modules" / "lib" / "index.js", token + "\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01" + token.encode() + b"\n")
    (tmp_path / "logo.png").write_bytes(token.encode())
    _write(tmp_path / "package-lock.json", generic + "\n" + token + "\n")
    _write(tmp_path / "dist" / "app.min.js", "var a=1;" * 200 + generic + ";" + token)
    _write(tmp_path / "src" / "app.py", generic + "\n")
    result = scan(tmp_path)
    got = sorted(
        (str(Path(f.location.path).relative_to(tmp_path)), f.check_id) for f in result.findings
    )
    assert got == [
        ("dist/app.min.js", "github-pat"),
        ("package-lock.json", "github-pat"),
        ("src/app.py", "generic-secret"),
    ]
    assert any("2 binary, 1 vendored" in n for n in result.notices)


def test_unreadable_file_is_a_located_error(tmp_path: Path) -> None:
    import os

    p = _write(tmp_path / "secret.env", expand(GH, "perm") + "\n")
    p.chmod(0)
    try:
        if os.access(p, os.R_OK):  # running as root: permissions are not enforced
            return
        result = scan(tmp_path)
        assert any(e.path.endswith("secret.env") for e in result.errors)
    finally:
        p.chmod(0o600)


def test_check_selection_applies_to_secret_rules(tmp_path: Path) -> None:
    _write(tmp_path / "a.env", expand(GH, "sel") + "\n" + expand("AKIA{Z:16}", "sel") + "\n")
    result = scan(tmp_path, skip_checks=["github-*", "generic-*"])
    assert [f.check_id for f in result.findings] == ["aws-access-key-id"]


def test_multi_line_private_key_location(tmp_path: Path) -> None:
    key = expand(
        "-----BEGIN OPENSSH PRIVATE KEY-----{nl}{k64}{nl}-----END OPENSSH PRIVATE KEY-----"
    )
    _write(tmp_path / "id_ed25519", "\n" + key + "\n")
    [f] = scan(tmp_path).findings
    assert f.check_id == "private-key-openssh"
    assert f.location.start_line == 2 and f.location.end_line == 7


def test_large_tree_uses_workers_and_finds_everything(tmp_path: Path) -> None:
    """Past the parallel threshold the result is the same as a single-process scan."""
    from citywatch.engines import secret as engine

    filler = ("x = compute(value, other) + 1\n" * 2000).encode()
    for i in range(40):
        body = filler + expand(GH, f"big{i}").encode() + b"\n"
        (tmp_path / f"f{i}.py").write_bytes(body)
    old = engine.PARALLEL_MIN_BYTES
    engine.PARALLEL_MIN_BYTES = 1
    try:
        par = scan(tmp_path, jobs=2)
    finally:
        engine.PARALLEL_MIN_BYTES = old
    single = scan(tmp_path, jobs=1)
    assert par.stats["secret_workers"] == 2 and single.stats["secret_workers"] == 1
    assert len(par.findings) == 40
    assert {f.fingerprint for f in par.findings} == {f.fingerprint for f in single.findings}


def test_scanner_config_files_are_not_scanned(tmp_path: Path) -> None:
    _write(tmp_path / ".gitleaksignore", expand(GH, "ignorefile") + "\n")
    _write(tmp_path / "app.env", expand(GH, "app") + "\n")
    result = scan(tmp_path)
    assert [Path(f.location.path).name for f in result.findings] == ["app.env"]
    assert any("1 scanner-config" in n for n in result.notices)
