"""--test-secrets-low: secrets in test fixtures are reported at LOW only when asked."""

from __future__ import annotations

import random
import string
from pathlib import Path

from citywatch import ScanOptions, scan
from citywatch.engines.secret import is_test_fixture_path
from citywatch.model import Severity


def _token() -> str:
    rng = random.Random(7)
    body = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))
    return "gh" + "p_" + body


def test_paths_that_count_as_test_fixtures() -> None:
    for path in (
        "tests/a.py",
        "src/testdata/x.json",
        "pkg/app_test.go",
        "test_app.py",
        "web/foo.spec.ts",
        "a/__tests__/b.js",
        "fixtures/k.yaml",
    ):
        assert is_test_fixture_path(path), path
    for path in ("src/app.py", "contest/app.py", "latest.txt", "attestation/x.go"):
        assert not is_test_fixture_path(path), path


def test_downgrade_only_when_asked(tmp_path: Path) -> None:
    token = _token()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conf.py").write_text(f'TOKEN = "{token}"\n')
    (tmp_path / "app.py").write_text(f'TOKEN = "{token}"\n')
    default = scan(tmp_path, options=ScanOptions(scanners=("secret",)))
    assert {f.severity for f in default.findings} != {Severity.LOW}
    asked = scan(tmp_path, options=ScanOptions(scanners=("secret",), test_secrets_low=True))
    by_path = {Path(f.location.path).parent.name: f for f in asked.findings}
    assert by_path["tests"].severity == Severity.LOW
    assert by_path["tests"].extra["test_fixture"] is True
    assert by_path[tmp_path.name].severity != Severity.LOW
