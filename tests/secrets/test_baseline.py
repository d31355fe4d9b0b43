"""A detect-secrets `.secrets.baseline` silences the secrets it already lists."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from citywatch.secrets.synth import expand
from tests.secrets.secret_helpers import scan


def test_detect_secrets_baseline_at_root(tmp_path: Path) -> None:
    known = expand("ghp_{a:36}", "known")
    new = expand("ghp_{a:36}", "new")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "a.env").write_text(f"A={known}\nB={new}\n")
    baseline = {
        "version": "1.5.0",
        "plugins_used": [{"name": "GitHubTokenDetector"}],
        "results": {
            "app/a.env": [
                {
                    "type": "GitHub Token",
                    "filename": "app/a.env",
                    "hashed_secret": hashlib.sha1(known.encode()).hexdigest(),
                    "is_verified": False,
                    "line_number": 1,
                }
            ]
        },
        "generated_at": "2024-01-01T00:00:00Z",
    }
    (tmp_path / ".secrets.baseline").write_text(json.dumps(baseline))
    result = scan(tmp_path)
    assert [f.location.start_line for f in result.findings] == [2]
    assert result.stats["secret_in_detect_secrets_baseline"] == 1


def test_broken_baseline_is_reported(tmp_path: Path) -> None:
    (tmp_path / ".secrets.baseline").write_text("{not json")
    (tmp_path / "a.env").write_text(expand("A=ghp_{a:36}", 1) + "\n")
    result = scan(tmp_path)
    assert len(result.findings) == 1
    assert any(e.path.endswith(".secrets.baseline") for e in result.errors)
