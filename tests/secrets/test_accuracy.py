"""Labeled corpus: planted real-format fake secrets among look-alikes; precision and recall."""

from __future__ import annotations

from pathlib import Path

import pytest

from citywatch.secrets.corpus import generate, score
from citywatch.secrets.rules import builtin_rules
from tests.secrets.secret_helpers import scan


def test_precision_and_recall_on_labeled_corpus(tmp_path: Path) -> None:
    planted = generate(tmp_path, builtin_rules(), files=120, seed=2024)
    assert len(planted) > 300
    result = scan(tmp_path)
    found = [
        (str(Path(f.location.path).relative_to(tmp_path)), f.location.start_line, f.check_id)
        for f in result.findings
    ]
    s = score(found, planted)
    print(
        f"\nsecret corpus: {len(planted)} planted, {s.true_positives} found, "
        f"{s.false_positives} false positives; precision={s.precision:.3f} recall={s.recall:.3f}"
    )
    assert s.recall >= 0.95, s.missed[:10]
    assert s.precision >= 0.95, s.false[:10]


def test_line_locator_changes_nothing_but_speed(tmp_path: Path) -> None:
    """Locating single-line rules with Hyperscan gives exactly the plain RE2 results."""
    from citywatch.secrets.engine import Detector

    rules = builtin_rules()
    fast, plain = Detector(rules, use_locator=True), Detector(rules)
    if not fast.matcher.located:
        pytest.skip("hyperscan is not installed: the locator is off and plain RE2 runs")
    generate(tmp_path, rules, files=60, seed=99)
    compared = 0
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            a = [(lk.rule_id, lk.line, lk.secret) for lk in fast.scan(data, path.name)]
            b = [(lk.rule_id, lk.line, lk.secret) for lk in plain.scan(data, path.name)]
            assert a == b, path.name
            compared += len(a)
    assert compared > 100
