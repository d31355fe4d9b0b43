"""A .gitleaks.toml loads and behaves the way Gitleaks documents it."""

from __future__ import annotations

from pathlib import Path

from citywatch.secrets.synth import expand
from tests.secrets.secret_helpers import scan

GH = "GITHUB_TOKEN=ghp_{a:36}"
CUSTOM = """
[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''acme_[a-z0-9]{24}'''
keywords = ["acme_"]
"""


def _tree(tmp_path: Path, config: str, files: dict[str, str]) -> Path:
    (tmp_path / ".gitleaks.toml").write_text(config)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _ids(result: object) -> list[str]:
    return sorted(f.check_id for f in result.findings)  # type: ignore[attr-defined]


def test_custom_rules_replace_defaults(tmp_path: Path) -> None:
    acme = expand("key = acme_{l:24}", "c")
    root = _tree(tmp_path, CUSTOM, {"a.env": acme + "\n" + expand(GH, 1) + "\n"})
    result = scan(root)
    assert _ids(result) == ["acme-token"]
    f = result.findings[0]
    assert f.title == "ACME internal token" and "acme…(29 chars)" in f.message


def test_extend_use_default_adds_to_builtin(tmp_path: Path) -> None:
    acme = expand("key = acme_{l:24}", "c")
    config = "[extend]\nuseDefault = true\n" + CUSTOM
    root = _tree(tmp_path, config, {"a.env": acme + "\n" + expand(GH, 1) + "\n"})
    assert _ids(scan(root)) == ["acme-token", "github-pat"]


def test_disabled_rules_and_rule_extension(tmp_path: Path) -> None:
    config = """
[extend]
useDefault = true
disabledRules = ["aws-access-key-id"]

[[rules]]
id = "github-pat"
[[rules.allowlists]]
regexes = ['''^ghp_A''']
"""
    text = expand("AKIA{Z:16}", 2) + "\n" + "t=ghp_A" + expand("{a:35}", 3) + "\n"
    text += expand(GH, 4) + "\n"
    root = _tree(tmp_path, config, {"a.env": text})
    result = scan(root)
    assert [(f.check_id, f.location.start_line) for f in result.findings] == [("github-pat", 3)]


def test_global_allowlists_paths_regex_targets_and_stopwords(tmp_path: Path) -> None:
    config = """
[extend]
useDefault = true

[[allowlists]]
paths = ['''fixtures/''']

[[allowlists]]
regexTarget = "line"
regexes = ['''DEMO-ONLY''']

[[allowlists]]
targetRules = ["aws-access-key-id"]
stopwords = ["qqq"]
"""
    files = {
        "fixtures/t.env": expand(GH, 1) + "\n",
        "a.env": expand(GH, 2) + "  # DEMO-ONLY\n" + expand(GH, 3) + "\n",
        "b.env": "AKIAQQQ" + expand("{Z:13}", 5) + "\n" + expand("AKIA{Z:16}", 6) + "\n",
    }
    result = scan(_tree(tmp_path, config, files))
    assert result.errors == []
    got = sorted((Path(f.location.path).name, f.location.start_line) for f in result.findings)
    assert got == [("a.env", 2), ("b.env", 2)]


def test_old_and_new_global_allowlist_forms_together_are_rejected(tmp_path: Path) -> None:
    config = "[allowlist]\npaths = ['''a''']\n[[allowlists]]\npaths = ['''b''']\n"
    result = scan(_tree(tmp_path, config, {"a.env": expand(GH, 1) + "\n"}))
    assert any("either allowlist or allowlists" in e.reason for e in result.errors)
    assert [f.check_id for f in result.findings] == ["github-pat"]  # built-in rules still ran


def test_and_condition_needs_every_check(tmp_path: Path) -> None:
    config = (
        '[extend]\nuseDefault = true\n[[allowlists]]\ncondition = "AND"\n'
        "paths = ['''docs/''']\nregexTarget = \"line\"\nregexes = ['''GITHUB_TOKEN''']\n"
    )
    files = {
        "docs/a.md": expand(GH, 1) + "\n" + "token: ghp_" + expand("{a:36}", 2) + "\n",
        "src/a.env": expand(GH, 3) + "\n",
    }
    result = scan(_tree(tmp_path, config, files))
    got = sorted(
        (str(Path(f.location.path).relative_to(tmp_path)), f.location.start_line)
        for f in result.findings
    )
    assert got == [("docs/a.md", 2), ("src/a.env", 1)]


def test_secret_config_flag_and_invalid_config(tmp_path: Path) -> None:
    other = tmp_path / "rules.toml"
    other.write_text(CUSTOM)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.env").write_text(expand("key = acme_{l:24}", 1) + "\n")
    assert _ids(scan(tmp_path / "src", secret_config=other)) == ["acme-token"]

    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]]\nid = 'x'\nregex = '''(unclosed'''\n")
    result = scan(tmp_path / "src", secret_config=bad)
    assert any(e.path == str(bad) and "invalid regex" in e.reason for e in result.errors)

    bad.write_text("[[rules]\nid=")
    result = scan(tmp_path / "src", secret_config=bad)
    assert any("not valid TOML" in e.reason for e in result.errors)
    assert _ids(result) == []  # built-in rules still run; this file has no built-in match


def test_path_only_rule_reports_the_file(tmp_path: Path) -> None:
    config = "[[rules]]\nid = 'pkcs12-file'\ndescription = 'PKCS#12 file'\npath = '''\\.p12$'''\n"
    root = _tree(tmp_path, config, {"certs/client.p12": "not really binary\n"})
    result = scan(root)
    assert [(f.check_id, Path(f.location.path).name) for f in result.findings] == [
        ("pkcs12-file", "client.p12")
    ]
