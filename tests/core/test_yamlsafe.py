"""Hostile YAML never hangs or eats memory, and good documents survive a bad neighbour."""

from __future__ import annotations

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
