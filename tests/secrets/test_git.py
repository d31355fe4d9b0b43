"""--git-history and --staged: every added line on every branch, each secret reported once."""

from __future__ import annotations

from pathlib import Path

from citywatch.secrets.synth import expand
from tests.secrets.secret_helpers import git, make_repo, scan

GH = "GITHUB_TOKEN=ghp_{a:36}"
AWS = "aws_access_key_id = AKIA{Z:16}"


def _commit(repo: Path, name: str, text: str, message: str, date: str) -> str:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", name)
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    git(repo, "commit", "-q", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


def test_history_finds_removed_secret_once_with_first_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    token = expand(GH, "hist")
    first = _commit(repo, "app/config.env", "A=1\n" + token + "\n", "add", "2024-01-01T10:00:00")
    _commit(repo, "app/copy.env", token + "\n", "copy it", "2024-01-02T10:00:00")
    _commit(repo, "app/config.env", "A=1\n", "remove", "2024-01-03T10:00:00")
    (repo / "app" / "copy.env").unlink()
    git(repo, "commit", "-q", "-am", "remove copy")
    result = scan(repo, git_history=True)
    hist = [f for f in result.findings if f.check_id == "github-pat"]
    assert len(hist) == 1
    f = hist[0]
    assert f.extra["commit"] == first
    assert f.extra["author"] == "Dev One <dev@example.net>"
    assert f.extra["date"].startswith("2024-01-01T10:00:00")
    assert f.location.path == str(repo / "app" / "config.env") and f.location.start_line == 2
    d = f.to_dict()
    assert d["commit"] == first and token.split("=")[1] not in str(d)
    assert result.stats["secret_history_commits"] >= 2


def test_history_covers_other_branches_and_since(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    base = _commit(repo, "README.md", "hello\n", "init", "2024-01-01T10:00:00")
    git(repo, "checkout", "-q", "-b", "feature")
    aws = expand(AWS, "branch")
    _commit(repo, "deploy/ci.py", "x = 1\n" + aws + "\n", "feature", "2024-02-01T10:00:00")
    git(repo, "checkout", "-q", "main")
    ids = [f.check_id for f in scan(repo, git_history=True).findings]
    assert ids == ["aws-access-key-id"]  # only on a branch that is not checked out
    assert scan(repo, git_history=True, since=base).findings  # after base: still found
    head_feature = git(repo, "rev-parse", "feature").strip()
    assert not scan(repo, git_history=True, since=head_feature).findings


def test_history_only_added_lines_and_line_numbers(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    lines = [f"line {i}" for i in range(1, 21)]
    _commit(repo, "a.txt", "\n".join(lines) + "\n", "init", "2024-01-01T10:00:00")
    token = expand(GH, "lines")
    lines[14] = token
    lines.insert(3, "++ b/not-a-header")
    _commit(repo, "a.txt", "\n".join(lines) + "\n", "edit", "2024-01-02T10:00:00")
    [f] = scan(repo, git_history=True).findings
    assert f.location.start_line == 16


def test_history_not_a_repository_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(expand(GH, "norepo") + "\n")
    result = scan(tmp_path, git_history=True)
    assert [f.check_id for f in result.findings] == ["github-pat"]  # tree still scanned
    assert any("not inside a git repository" in e.reason for e in result.errors)


def test_bad_since_is_an_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    _commit(repo, "a.txt", "x\n", "init", "2024-01-01T10:00:00")
    result = scan(repo, git_history=True, since="no-such-rev")
    assert any("--since" in e.reason for e in result.errors)


def test_staged_scans_only_the_index(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    committed = expand(AWS, "committed")
    _commit(repo, "old.py", committed + "\n", "init", "2024-01-01T10:00:00")
    staged = expand(GH, "staged")
    (repo / "new.env").write_text("X=1\n" + staged + "\n")
    git(repo, "add", "new.env")
    (repo / "unstaged.env").write_text(expand(GH, "unstaged") + "\n")
    result = scan(repo, staged=True)
    assert [(f.check_id, f.location.path, f.location.start_line) for f in result.findings] == [
        ("github-pat", str(repo / "new.env"), 2)
    ]


def test_staged_in_a_fresh_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo / "first.env").write_text(expand(GH, "fresh") + "\n")
    git(repo, "add", "first.env")
    assert [f.check_id for f in scan(repo, staged=True).findings] == ["github-pat"]


def test_history_and_tree_report_a_committed_secret_once(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    committed = expand(GH, "both")
    first = _commit(repo, "a.env", committed + "\n", "add", "2024-01-01T10:00:00")
    (repo / "b.env").write_text(expand(AWS, "uncommitted") + "\n")
    result = scan(repo, git_history=True)
    got = sorted((f.check_id, f.extra.get("commit")) for f in result.findings)
    assert got == [("aws-access-key-id", None), ("github-pat", first)]
