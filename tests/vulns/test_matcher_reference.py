"""The matcher against a straightforward reading of the OSV range rules, on generated ranges."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from citywatch.vulns.matcher import affects, evaluate, in_range
from citywatch.vulns.osv import Affected, Range
from citywatch.vulns.versions import scheme_for

PYPI = scheme_for("PyPI")
NPM = scheme_for("npm")
assert PYPI is not None and NPM is not None


def reference(version: tuple[int, int], events: list[tuple[str, tuple[int, int]]]) -> bool:
    """OSV: sort events by version (at one version a fix closes before an introduction opens);
    the last event at or below the version decides, with `last_affected` covering itself."""
    order = {"fixed": 0, "limit": 1, "last_affected": 2, "introduced": 3}
    affected = False
    for kind, at in sorted(events, key=lambda e: (e[1], order[e[0]])):
        if kind == "introduced" and version >= at:
            affected = True
        elif (kind in ("fixed", "limit") and version >= at) or (
            kind == "last_affected" and version > at
        ):
            affected = False
    return affected


versions = st.tuples(st.integers(0, 6), st.integers(0, 6))
events = st.lists(
    st.tuples(st.sampled_from(["introduced", "fixed", "last_affected", "limit"]), versions),
    min_size=1,
    max_size=6,
)


def _text(v: tuple[int, int]) -> str:
    return f"{v[0]}.{v[1]}.0"


@settings(max_examples=400, deadline=None)
@given(versions, events, st.booleans())
def test_matcher_agrees_with_reference(
    version: tuple[int, int], evs: list[tuple[str, tuple[int, int]]], use_npm: bool
) -> None:
    scheme = NPM if use_npm else PYPI
    assert scheme is not None
    rng = Range("ECOSYSTEM", tuple((k, _text(v)) for k, v in evs))
    aff = Affected("npm" if use_npm else "PyPI", "pkg", ranges=(rng,))
    expected = reference(version, evs)
    assert in_range(_text(version), rng, scheme) == expected
    assert evaluate(_text(version), aff, scheme).affected == expected
    assert affects(_text(version), aff, scheme) == expected


@settings(max_examples=200, deadline=None)
@given(versions, st.lists(versions, max_size=5))
def test_explicit_versions_list_always_counts(
    version: tuple[int, int], listed: list[tuple[int, int]]
) -> None:
    assert PYPI is not None
    aff = Affected("PyPI", "pkg", versions=tuple(_text(v) for v in listed))
    assert evaluate(_text(version), aff, PYPI).affected == (version in listed)


def test_zero_introduced_and_git_ranges() -> None:
    assert PYPI is not None
    aff = Affected(
        "PyPI",
        "pkg",
        ranges=(
            Range("GIT", (("introduced", "0"), ("fixed", "abcdef"))),
            Range("ECOSYSTEM", (("introduced", "0"), ("fixed", "1.2"))),
        ),
    )
    verdict = evaluate("1.1", aff, PYPI)
    assert verdict.affected and verdict.fixed == ("1.2",)
    assert not evaluate("1.2", aff, PYPI).affected
    assert evaluate("1.2rc1", aff, PYPI).affected  # a pre-release of the fix is before it
    assert evaluate("1.1.post1", aff, PYPI).affected
