"""Every built-in check has failing and passing fixtures, and each behaves as labelled.

Layout: tests/checks/fixtures/<framework>/<CHECK_ID>/<pass|fail>[_anything].<ext>, or a directory
named pass*/fail* holding several files (for Terraform modules, CloudFormation with parameters).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citywatch import ScanOptions, scan
from citywatch.checks import load_all

FIXTURES = Path(__file__).parent / "fixtures"


def _cases() -> list[tuple[str, str, Path, bool]]:
    out: list[tuple[str, str, Path, bool]] = []
    if not FIXTURES.exists():
        return out
    for framework_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for check_dir in sorted(p for p in framework_dir.iterdir() if p.is_dir()):
            for item in sorted(check_dir.iterdir()):
                if item.name.startswith("pass"):
                    out.append((framework_dir.name, check_dir.name, item, False))
                elif item.name.startswith("fail"):
                    out.append((framework_dir.name, check_dir.name, item, True))
    return out


CASES = _cases()


@pytest.mark.parametrize(
    ("framework", "check_id", "path", "should_fail"),
    CASES,
    ids=[f"{c[1]}-{c[2].name}" for c in CASES],
)
def test_fixture(framework: str, check_id: str, path: Path, should_fail: bool) -> None:
    assert check_id in load_all().checks, f"fixture for unknown check {check_id}"
    result = scan(path, options=ScanOptions(scanners=("misconfig",), checks=[check_id]))
    assert not [e for e in result.errors if "failed" in e.reason], result.errors
    hits = [f for f in result.findings if f.check_id == check_id]
    if should_fail:
        assert hits, f"{check_id} did not fire on {path}; unknowns: {result.unknowns}"
        for f in hits:
            assert f.location.start_line > 0, "finding has no line"
            assert f.remediation and f.compliance
    else:
        assert not hits, [f.message for f in hits]


def test_every_check_has_pass_and_fail_fixture_per_framework() -> None:
    registry = load_all()
    have: dict[tuple[str, str], set[bool]] = {}
    for framework, check_id, _path, should_fail in CASES:
        have.setdefault((framework, check_id), set()).add(should_fail)
    missing = []
    for check in registry.checks.values():
        for framework in check.frameworks:
            if have.get((framework, check.id)) != {True, False}:
                missing.append(f"{check.id} ({framework})")
    assert not missing, f"checks without both a pass and a fail fixture: {missing}"


def test_every_check_has_complete_metadata() -> None:
    for check in load_all().checks.values():
        assert check.id.startswith("CW-"), check.id
        assert check.title and check.remediation and check.description, check.id
        assert check.references, f"{check.id} has no references"
        assert (
            "nist_800_53" in check.compliance
            and "iso27001" in check.compliance
            and "soc2" in check.compliance
        ), f"{check.id} lacks compliance mappings"
