"""Hostile YAML never hangs or eats memory, and good documents survive a bad neighbour."""

from __future__ import annotations

import math
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from citywatch.parsers.yamlsafe import decode_text, load_documents

BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]"
        for i in range(8)
    ]
)


def test_alias_bomb_is_refused_and_other_documents_kept() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\n---\n" + BOMB + "\n"
    loaded = load_documents(text)
    assert [d.data["metadata"]["name"] for d in loaded.docs] == ["ok"]
    assert len(loaded.errors) == 1
    assert "alias bomb" in loaded.errors[0].reason
    assert loaded.errors[0].line is not None and loaded.errors[0].line > 4


def test_deep_flow_nesting_is_refused_quickly() -> None:
    loaded = load_documents("a: " + "[" * 100_000 + "]" * 100_000)
    assert loaded.docs == []
    assert "nesting" in loaded.errors[0].reason


def test_deep_block_nesting_is_refused() -> None:
    text = "".join(" " * i + f"k{i}:\n" for i in range(1000))
    loaded = load_documents(text)
    assert "nesting" in loaded.errors[0].reason
    assert loaded.errors[0].line == 201


def test_syntax_error_is_located_and_earlier_documents_kept() -> None:
    loaded = load_documents("a: 1\n---\nb: [1, 2\nc: 3\n")
    assert [d.data for d in loaded.docs] == [{"a": 1}]
    assert loaded.errors[0].reason.startswith("invalid YAML")
    assert loaded.errors[0].line == 4


def test_line_map_and_merge_keys_and_cfn_tags() -> None:
    text = "base: &b {x: 1}\nitem:\n  <<: *b\n  y: !Ref Param\n  z: !GetAtt Res.Arn\n"
    doc = load_documents(text, cfn_tags=True).docs[0]
    assert doc.data["item"] == {"x": 1, "y": {"Ref": "Param"}, "z": {"Fn::GetAtt": ["Res", "Arn"]}}
    assert doc.line_map["item.y"] == 4


def test_scalars_resolve_like_yaml_1_1() -> None:
    doc = load_documents("a: yes\nb: '1'\nc: 0x1f\nd: ~\ne: 1.5\nf: 2024-01-01\n").docs[0]
    assert doc.data == {"a": True, "b": "1", "c": 31, "d": None, "e": 1.5, "f": "2024-01-01"}


def test_decode_text_rejects_binary_and_bad_utf8() -> None:
    for data, word in ((b"\x00\x01binary", "binary"), (b"ok\n\xff\xfe", "invalid UTF-8")):
        try:
            decode_text(data)
        except ValueError as exc:
            assert word in str(exc)
        else:
            raise AssertionError("accepted bad bytes")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    loaded = load_documents(text)
    assert isinstance(loaded.docs, list) and isinstance(loaded.errors, list)


def test_line_map_covers_every_node_and_can_be_turned_off() -> None:
    text = (
        "kind: Deployment\n"
        "spec:\n"
        "  containers:\n"
        "  - name: app\n"
        "    image: nginx\n"
        "    ports: [80, 443]\n"
        "  - name: side\n"
    )
    doc = load_documents(text).docs[0]
    assert doc.line_map == {
        "kind": 1,
        "spec": 3,
        "spec.containers": 4,
        "spec.containers.0": 4,
        "spec.containers.0.name": 4,
        "spec.containers.0.image": 5,
        "spec.containers.0.ports": 6,
        "spec.containers.0.ports.0": 6,
        "spec.containers.0.ports.1": 6,
        "spec.containers.1": 7,
        "spec.containers.1.name": 7,
    }
    bare = load_documents(text, want_lines=False).docs[0]
    assert bare.data == doc.data and bare.line_map == {}


def test_anchors_merge_lists_and_unknown_alias() -> None:
    text = (
        "a: &a {x: 1, y: 2}\nb: &b {y: 3}\nc:\n  <<: [*b, *a]\n  z: *a\n---\nd: *nope\n---\ne: 1\n"
    )
    loaded = load_documents(text)
    assert [d.data for d in loaded.docs] == [
        {"a": {"x": 1, "y": 2}, "b": {"y": 3}, "c": {"y": 3, "x": 1, "z": {"x": 1, "y": 2}}},
        {"e": 1},
    ]
    assert [(e.reason, e.line) for e in loaded.errors] == [("unknown alias *nope", 7)]


def _safe_loader_value(scalar: str) -> tuple[bool, Any]:
    """What PyYAML's SafeLoader makes of a plain scalar, under this loader's documented rules.

    Timestamps stay strings here; base-60 floats are not compared. Integers, including
    YAML 1.1 octal (`0644`), binary and base 60, must agree: Kubernetes file modes depend on it.
    """
    tag = yaml.SafeLoader("").resolve(yaml.ScalarNode, scalar, (True, False))
    if tag == "tag:yaml.org,2002:timestamp":
        return True, scalar
    if ":" in scalar and tag == "tag:yaml.org,2002:float":
        return False, None
    try:
        return True, yaml.load(f"v: {scalar}\n", Loader=yaml.SafeLoader)["v"]
    except yaml.YAMLError:
        return False, None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


_WORDS = [
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
    "null",
    "Null",
    "NULL",
    "~",
    ".inf",
    ".Inf",
    ".INF",
    "+.inf",
    "-.inf",
    "-.Inf",
    ".nan",
    ".NaN",
    ".NAN",
    "nan",
    "inf",
    "0x1F",
    "-0x1f",
    "0x_1",
    "1_000",
    "1e3",
    "1.5e+3",
    "1.5E-3",
    "-0",
    "+0",
    "0.",
    "0.5",
    ".5",
    "1.",
    "685_230.15",
    "9",
    "42",
    "3.25",
    "7e3",
    "=",
    "<<",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
]
_PLAIN = st.one_of(
    st.sampled_from(_WORDS),
    st.builds(
        str.__add__,
        st.sampled_from(["", "+", "-", "."]),
        st.from_regex(r"[0-9_.eExX+-]{1,8}", fullmatch=True),
    ),
    st.text(alphabet="0123456789+-._:eExXoObBaAlLnNsSuUyYtTrRfFiI~ ", min_size=1, max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(_PLAIN)
def test_plain_scalars_resolve_like_pyyaml_safe_loader(scalar: str) -> None:
    scalar = scalar.strip()
    if not scalar:
        return  # an empty plain scalar is no item at all in a flow sequence
    comparable, expected = _safe_loader_value(scalar)
    # as a value, a sequence item and again in a later document (repeats are served from a
    # cache, which must give the same answer as the first resolution)
    text = f"v: {scalar}\nw: [{scalar}]\n---\nx: {scalar}\n"
    try:
        shapes = [sorted(d) for d in yaml.safe_load_all(text)]
    except yaml.YAMLError:
        return  # not one plain scalar in both contexts
    if not comparable or shapes != [["v", "w"], ["x"]]:
        return
    loaded = load_documents(text)
    assert not loaded.errors
    first, second = loaded.docs
    assert _same(first.data["v"], expected)
    assert _same(first.data["w"][0], expected)
    assert _same(second.data["x"], expected)
