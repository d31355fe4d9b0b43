"""CVSS base scores computed from vectors (FIRST v3.1 formulas; v4.0 via the cvss library)."""

from __future__ import annotations

import pytest
from cvss import CVSS3
from hypothesis import given, settings
from hypothesis import strategies as st

from citywatch.model import Severity
from citywatch.vulns.cvss import base_score, cvss3_base_score, severity_for_score


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
        ("CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
        ("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", 6.8),
    ],
)
def test_known_scores(vector: str, score: float) -> None:
    assert base_score(vector) == score


def test_malformed_vectors_have_no_score() -> None:
    assert base_score("CVSS:3.1/AV:N/AC:L") is None
    assert base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") is None
    assert base_score("CVSS:4.0/AV:N") is None
    assert base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P") is None  # v2 is not rated


def test_rating_scale() -> None:
    assert [severity_for_score(s) for s in (0, 0.1, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0)] == [
        Severity.INFO,
        Severity.LOW,
        Severity.LOW,
        Severity.MEDIUM,
        Severity.MEDIUM,
        Severity.HIGH,
        Severity.HIGH,
        Severity.CRITICAL,
    ]


metric = st.sampled_from
vectors = st.builds(
    lambda av, ac, pr, ui, s, c, i, a: (
        f"CVSS:3.1/AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{s}/C:{c}/I:{i}/A:{a}"
    ),
    metric("NALP"),
    metric("LH"),
    metric("NLH"),
    metric("NR"),
    metric("UC"),
    metric("HLN"),
    metric("HLN"),
    metric("HLN"),
)


@settings(max_examples=300, deadline=None)
@given(vectors)
def test_v3_agrees_with_an_independent_implementation(vector: str) -> None:
    assert cvss3_base_score(vector) == float(CVSS3(vector).base_score)
