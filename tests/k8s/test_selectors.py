"""Label selectors and policy versions: properties that must hold for any input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from citywatch.k8s.pss import LATEST_MINOR, parse_version, version_label
from citywatch.k8s.selectors import Selector

KEYS = st.sampled_from(["app", "tier", "env"])
VALUES = st.sampled_from(["a", "b", "c"])
LABELS = st.dictionaries(KEYS, VALUES, max_size=3)
EXPR = st.fixed_dictionaries(
    {
        "key": KEYS,
        "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]),
        "values": st.lists(VALUES, min_size=1, max_size=2),
    }
)


def reference(sel: dict[str, object], labels: dict[str, str]) -> bool:
    """The selector semantics spelled out the long way (every requirement ANDed)."""
    ml = sel.get("matchLabels") or {}
    assert isinstance(ml, dict)
    ok = all(labels.get(k) == v for k, v in ml.items())
    exprs = sel.get("matchExpressions") or []
    assert isinstance(exprs, list)
    for e in exprs:
        key, op, values = e["key"], e["operator"], e["values"]
        if op == "In":
            ok = ok and key in labels and labels[key] in values
        elif op == "NotIn":
            ok = ok and not (key in labels and labels[key] in values)
        elif op == "Exists":
            ok = ok and key in labels
        else:
            ok = ok and key not in labels
    return ok


@given(st.dictionaries(KEYS, VALUES, max_size=2), st.lists(EXPR, max_size=3), LABELS)
def test_selector_matches_reference(
    match_labels: dict[str, str], exprs: list[dict[str, object]], labels: dict[str, str]
) -> None:
    raw = {"matchLabels": match_labels, "matchExpressions": exprs}
    sel = Selector(raw)
    assert sel(labels) == reference(raw, labels)
    assert sel.matches_all == (not match_labels and not exprs)


@given(LABELS)
def test_empty_selects_all_and_invalid_selects_nothing(labels: dict[str, str]) -> None:
    assert Selector({})(labels)
    assert not Selector({"matchExpressions": [{"key": "a", "operator": "Near"}]})(labels)
    assert not Selector("app=a")(labels)


@given(st.integers(min_value=0, max_value=200), st.booleans())
def test_version_round_trip(minor: int, prefixed: bool) -> None:
    text = f"{'v' if prefixed else ''}1.{minor}"
    parsed = parse_version(text)
    assert parsed == min(minor, LATEST_MINOR)
    assert parse_version(version_label(parsed)) == parsed
