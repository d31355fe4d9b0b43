"""JSON policies with apply-time leaves: `pass_partial_unknown` fixtures stay unknown.

The fixture test only asserts that a `pass*` fixture does not fail; for these the verdict must
also not be a silent pass, so the check is listed among the scan's unknowns. The
`fail_partial_unknown` / `pass_partial_known` fixtures are decided despite their unknown leaves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citywatch import ScanOptions, scan

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"
UNKNOWN_CASES = sorted(FIXTURES.glob("*/pass_partial_unknown.tf"))
DECIDED_CASES = sorted(FIXTURES.glob("*/fail_partial_unknown.tf")) + sorted(
    FIXTURES.glob("*/pass_partial_known.tf")
)


def _scan(path: Path) -> tuple[list[str], list[str]]:
    check_id = path.parent.name
    result = scan(path, options=ScanOptions(scanners=("misconfig",), checks=[check_id]))
    hits = [f.check_id for f in result.findings if f.check_id == check_id]
    unknown = [u["check_id"] for u in result.unknowns if u["check_id"] == check_id]
    return hits, unknown


def test_there_are_partial_unknown_fixtures() -> None:
    assert len(UNKNOWN_CASES) >= 5 and len(DECIDED_CASES) >= 10


@pytest.mark.parametrize("path", UNKNOWN_CASES, ids=[p.parent.name for p in UNKNOWN_CASES])
def test_unknown_part_keeps_the_verdict_unknown(path: Path) -> None:
    hits, unknown = _scan(path)
    assert not hits
    assert unknown, f"{path.parent.name} decided {path.name} although its verdict is unknown"


@pytest.mark.parametrize(
    "path", DECIDED_CASES, ids=[f"{p.parent.name}-{p.stem}" for p in DECIDED_CASES]
)
def test_known_part_decides_despite_unknown_leaves(path: Path) -> None:
    hits, unknown = _scan(path)
    assert not unknown, f"{path.parent.name} still reports unknown on {path.name}"
    assert bool(hits) == path.name.startswith("fail")
