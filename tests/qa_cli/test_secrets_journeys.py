"""Secret scanning as a user meets it: a repository with history, configs and hostile files."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from pathlib import Path

import pytest

from tests.qa_cli.helpers import git, run, run_json, token

GH = token("ghp_", 36, 1)
AKID = token("AKIA", 16, 2, string.ascii_uppercase + "234567")
STRIPE = token("sk_live_", 24, 3)
GITLAB = token("glpat-", 20, 4)
NPM = token("npm_", 36, 5)
ALL = (GH, AKID, STRIPE, GITLAB, NPM)


def _repo(tmp_path: Path) -> Path:
    """main: a token, an AWS key added then removed; feature (Bob): Stripe and GitLab keys."""
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "app" / "settings.py").write_text(f'GITHUB_TOKEN = "{GH}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial", env={"GIT_AUTHOR_DATE": "2026-01-05T10:00:00Z"})
    (repo / "aws.ini").write_text(f"[default]\naws_access_key_id = {AKID}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "aws", env={"GIT_AUTHOR_DATE": "2026-02-01T10:00:00Z"})
    git(repo, "tag", "v1")
    git(repo, "rm", "-q", "aws.ini")
    git(repo, "commit", "-qm", "remove aws")
    git(repo, "checkout", "-qb", "feature")
    bob = {"GIT_AUTHOR_NAME": "Bob Ops", "GIT_AUTHOR_EMAIL": "bob@corp.test"}
    (repo / "app" / "pay.js").write_text(f'const s = require("stripe")("{STRIPE}");\n')
    (repo / "app" / "copy.py").write_text(f'GITHUB_TOKEN = "{GH}"\n')
    (repo / "app" / "notify.py").write_text(f'GL = "{GITLAB}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "payments", env=bob)
    git(repo, "checkout", "-q", "main")
    (repo / ".gitleaks.toml").write_text(
        '[extend]\nuseDefault = true\n[[allowlists]]\npaths = ["docs/.*"]\n'
    )
    (repo / "docs").mkdir()
    (repo / "docs" / "readme.md").write_text(f"token: {token('ghp_', 36, 9)}\n")
    return repo


def _assert_redacted(*texts: str) -> None:
    for text in texts:
        for secret in ALL:
            assert secret not in text


def test_history_reports_each_secret_once_with_commit_author_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    code, doc = run_json(capsys, ["scan", "--scanners", "secret", "--git-history", str(repo)])
    assert code == 1
    by_rule = {}
    for f in doc["findings"]:
        by_rule.setdefault(f["check_id"], []).append(f)
    assert sorted(by_rule) == [
        "aws-access-key-id",
        "github-pat",
        "gitlab-pat",
        "stripe-secret-key",
    ]
    assert all(len(v) == 1 for v in by_rule.values())  # the token in two files: once
    gh = by_rule["github-pat"][0]
    assert gh["author"] == "Alice Dev <alice@corp.test>"
    assert gh["date"].startswith("2026-01-05")
    assert gh["location"]["path"].endswith("app/settings.py")
    aws = by_rule["aws-access-key-id"][0]
    assert aws["date"].startswith("2026-02-01") and len(aws["commit"]) == 40
    assert by_rule["stripe-secret-key"][0]["author"] == "Bob Ops <bob@corp.test>"
    _assert_redacted(json.dumps(doc))


def test_since_limits_history_to_later_commits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    argv = ["scan", "--scanners", "secret", "--git-history", "--since", "v1", str(repo)]
    _, doc = run_json(capsys, argv)
    rules = {f["check_id"] for f in doc["findings"]}
    assert "aws-access-key-id" not in rules  # added before v1, gone from the tree
    assert {"stripe-secret-key", "gitlab-pat", "github-pat"} <= rules


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "junit"])
def test_every_format_redacts(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    repo = _repo(tmp_path)
    code, out, err = run(
        capsys, ["scan", "--scanners", "secret", "--git-history", str(repo), "--format", fmt]
    )
    assert code == 1 and out
    _assert_redacted(out, err)


def test_detect_secrets_baseline_and_gitleaks_allowlist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    repo = _repo(tmp_path)
    baseline = {
        "version": "1.5.0",
        "plugins_used": [{"name": "GitHubTokenDetector"}],
        "filters_used": [],
        "results": {
            "app/settings.py": [
                {
                    "type": "GitHub Token",
                    "filename": "app/settings.py",
                    "hashed_secret": hashlib.sha1(GH.encode()).hexdigest(),
                    "is_verified": False,
                    "line_number": 1,
                }
            ]
        },
        "generated_at": "2026-01-01T00:00:00Z",
    }
    (repo / ".secrets.baseline").write_text(json.dumps(baseline))
    code, doc = run_json(capsys, ["scan", "--scanners", "secret", "."], cwd=repo)
    assert doc["findings"] == []  # baselined token; docs/ allowlisted by .gitleaks.toml
    assert code == 0


def test_baselined_secret_pasted_into_another_file_still_shows_in_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The baseline covers the token in app/settings.py only; its copy in app/copy.py (feature
    branch) is a new leak. It used to vanish: history kept one occurrence per secret (the
    oldest, the baselined one) and the baseline then dropped it."""
    import hashlib

    repo = _repo(tmp_path)
    entry = {
        "type": "GitHub Token",
        "filename": "app/settings.py",
        "hashed_secret": hashlib.sha1(GH.encode()).hexdigest(),
        "is_verified": False,
        "line_number": 1,
    }
    baseline = {"version": "1.5.0", "plugins_used": [], "results": {"app/settings.py": [entry]}}
    (repo / ".secrets.baseline").write_text(json.dumps(baseline))
    argv = ["scan", "--scanners", "secret", "--git-history", "."]
    _, doc = run_json(capsys, argv, cwd=repo)
    github = [f for f in doc["findings"] if f["check_id"] == "github-pat"]
    assert [(f["location"]["path"], f["author"]) for f in github] == [
        ("app/copy.py", "Bob Ops <bob@corp.test>")
    ]


def test_staged_scan_sees_only_staged_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    (repo / "new.py").write_text(f'NPM = "{NPM}"\n')
    (repo / "unstaged.py").write_text(f'S = "{STRIPE}"\n')
    git(repo, "add", "new.py")
    code, doc = run_json(capsys, ["scan", "--scanners", "secret", "--staged"], cwd=repo)
    assert code == 1
    assert [(f["check_id"], f["location"]["path"]) for f in doc["findings"]] == [
        ("npm-access-token", "new.py")
    ]


def test_hostile_files_give_findings_or_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "hostile"
    (d / "sub").mkdir(parents=True)
    line = "".join(f"var a{i}=function(b){{return b*{i}}};" for i in range(120_000))
    (d / "app.min.js").write_text(line + f'var k="{STRIPE}";' + line)
    (d / "blob.bin").write_bytes(b"\x00\x01" * 500 + GH.encode() + b"\x00")
    (d / "weird.py").write_bytes(b"\xff\xfe bad\nT = '" + GH.encode() + b"' \xc3\x28\xa0\n")
    (d / "sub" / "loop").symlink_to("..")
    (d / "self").symlink_to("self")
    code, doc = run_json(capsys, ["scan", "--scanners", "secret", str(d)])
    found = {(Path(f["location"]["path"]).name, f["check_id"]) for f in doc["findings"]}
    assert found == {("app.min.js", "stripe-secret-key"), ("weird.py", "github-pat")}
    reasons = " ".join(e["reason"] for e in doc["errors"])
    assert "symlink loop" in reasons
    assert code == 1
    _assert_redacted(json.dumps(doc))


@pytest.mark.parametrize(
    "config",
    [
        "[[rules]]\nid = 'x'\nregex = '''{t}(['''\n",
        "[allowlist]\nregexes = ['''{t})''']\n",
        "[[rules]]\nid = 'y'\nregex = 'corp_[0-9]+'\n[rules.allowlist]\npaths = ['''{t}(''']\n",
    ],
)
def test_bad_regex_in_gitleaks_config_is_an_error_that_never_quotes_it(
    tmp_path: Path, config: str
) -> None:
    """The regex may be the very credential; RE2 used to log it to stderr (native code, so a
    subprocess), or crash the scan with a traceback quoting it."""
    d = tmp_path / "cfg"
    d.mkdir()
    (d / ".gitleaks.toml").write_text(config.format(t=GH))
    (d / "a.py").write_text(f'T = "{STRIPE}"\n')
    done = subprocess.run(
        [sys.executable, "-m", "citywatch", "scan", "--scanners", "secret", str(d), "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    doc = json.loads(done.stdout)
    assert any("invalid regex" in e["reason"] for e in doc["errors"])
    assert [f["check_id"] for f in doc["findings"]] == ["stripe-secret-key"]  # built-ins go on
    assert done.returncode == 1
    _assert_redacted(done.stdout, done.stderr)
