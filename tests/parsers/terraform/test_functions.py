"""Built-in functions and expression semantics, checked against Terraform's documented results."""

from __future__ import annotations

import contextlib
import ipaddress
import json
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from citywatch.model import UNKNOWN, UNKNOWN_JSON_LEAF
from citywatch.parsers.terraform.expressions import Scope
from citywatch.parsers.terraform.functions import call_function
from citywatch.parsers.terraform.hcl import parse_expression
from citywatch.parsers.terraform.values import EvalError


class _Roots:
    """A scope with `var.known` values and `var.unknown` = UNKNOWN."""

    def root(self, name: str, scope: Scope) -> Any:
        if name == "var":
            return {"unknown": UNKNOWN, "n": 3, "m": {"a": 1, "b": 2}, "l": ["x", "y"]}
        raise EvalError(name)

    def call(self, name: str, args: list[Any], scope: Scope) -> Any:
        return call_function(name, args, None)


def ev(text: str) -> Any:
    return parse_expression(text).ev(Scope(_Roots()))


CASES = [
    ('concat(["a"], ["b", "c"])', ["a", "b", "c"]),
    ("merge({a = 1}, {b = 2}, {a = 3})", {"a": 3, "b": 2}),
    ('lookup({a = "x"}, "b", "dflt")', "dflt"),
    ('element(["a", "b", "c"], 4)', "b"),
    ("length(var.m)", 2),
    ('format("%s-%03d-%t-%q", "a", 7, true, "q")', 'a-007-true-"q"'),
    ('formatlist("%s=%s", ["a", "b"], "v")', ["a=v", "b=v"]),
    ('join("-", ["a", "b"], ["c"])', "a-b-c"),
    ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
    ('lower("ABC")', "abc"),
    ('upper("abc")', "ABC"),
    ('title("hello world")', "Hello World"),
    ('trimspace("  x \\n")', "x"),
    ('trim("?!hello?!", "!?")', "hello"),
    ('replace("a-b-c", "-", "_")', "a_b_c"),
    ('replace("hello world", "/w(or)ld/", "$1")', "hello or"),
    ('substr("hello world", 1, 4)', "ello"),
    ('substr("hello", -3, -1)', "llo"),
    ('regex("[a-z]+", "53abc12")', "abc"),
    ('regex("(\\\\d+)-(\\\\d+)", "10-20")', ["10", "20"]),
    ('regexall("[0-9]", "a1b2")', ["1", "2"]),
    ("jsonencode({a = [1, true, null]})", '{"a":[1,true,null]}'),
    ('jsondecode("{\\"a\\": [1, 2.5]}")', {"a": [1, 2.5]}),
    ("yamlencode({a = 1})", "a: 1\n"),
    ('tolist(toset(["b", "a", "b"]))', ["a", "b"]),
    ("tomap({a = 1})", {"a": 1}),
    ("tostring(12)", "12"),
    ('tonumber("3.5")', 3.5),
    ('tobool("true")', True),
    ('coalesce("", null, "x")', "x"),
    ('coalescelist([], ["a"])', ["a"]),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ('try(var.m.missing, "fallback")', "fallback"),
    ("can(var.m.missing)", False),
    ("can(var.m.a)", True),
    ('contains(["a", "b"], "b")', True),
    ("keys(var.m)", ["a", "b"]),
    ("values(var.m)", [1, 2]),
    ("flatten([[1, [2]], 3, []])", [1, 2, 3]),
    ("distinct([1, 2, 1, 3])", [1, 2, 3]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ("range(3)", [0, 1, 2]),
    ("range(1, 10, 4)", [1, 5, 9]),
    ("max(1, 5, 3)", 5),
    ("min(4, 2)", 2),
    ("abs(-2.5)", 2.5),
    ("ceil(1.2)", 2),
    ("floor(-1.2)", -2),
    ('startswith("hello", "he")', True),
    ('endswith("hello", "lo")', True),
    ('base64encode("hello")', "aGVsbG8="),
    ('base64decode("aGVsbG8=")', "hello"),
    ('md5("hello")', "5d41402abc4b2a76b9719d911017c592"),
    ('sha256("")', "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
    ('cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', "fd00:fd12:3456:7800:a200::/72"),
    ('cidrhost("10.12.112.0/20", 16)', "10.12.112.16"),
    ('cidrhost("10.12.112.0/20", -2)', "10.12.127.254"),
    ('one(["x"])', "x"),
    ("one([])", None),
    ("sum([1, 2, 3.5])", 6.5),
    ('setunion(["b"], ["a", "b"])', ["a", "b"]),
    ('setintersection(["a", "b"], ["b", "c"])', ["b"]),
    ("reverse([1, 2, 3])", [3, 2, 1]),
    ('sort(["b", "a", "c"])', ["a", "b", "c"]),
    ('index(["a", "b"], "b")', 1),
    ("chunklist([1, 2, 3], 2)", [[1, 2], [3]]),
    ("slice([1, 2, 3, 4], 1, 3)", [2, 3]),
    ('concat([["a"], ["b"]]...)', ["a", "b"]),
    ('[for i, v in var.l : "${i}:${v}"]', ["0:x", "1:y"]),
    ("{for k, v in var.m : v => k}", {"1": "a", "2": "b"}),
    ("7 % 3 + 10 / 4", 3.5),
    # chained conditionals are right-associative (tree-sitter-hcl nests them the other way)
    ('var.n == 1 ? "one" : var.n == 3 ? "three" : "many"', "three"),
    ("false ? 1 : false ? 2 : true ? 3 : 4", 3),
    ('(true ? false : true) ? "x" : "y"', "y"),
    ("10 - 3 - 2", 5),
    ("100 / 10 / 5", 2),
    ("-7 % 3", -1),
]


@pytest.mark.parametrize(("expr", "expected"), CASES, ids=[c[0] for c in CASES])
def test_function_results(expr: str, expected: Any) -> None:
    assert ev(expr) == expected


UNKNOWN_CASES = [
    "upper(var.unknown)",
    'join(",", ["a", var.unknown])',
    '"prefix-${var.unknown}"',
    "var.unknown ? 1 : 2",
    "var.unknown + 1",
    "merge({a = 1}, var.unknown)",
    "[for x in var.unknown : x]",
    "jsonencode(var.unknown)",
    '"x${jsonencode({a = var.unknown})}"',
    "length(jsonencode({a = var.unknown}))",
    "sha256(jsonencode([var.unknown]))",
    'lookup(var.unknown, "a", 1)',
    'provider::aws::arn_parse("x")',
    "timestamp()",
]


@pytest.mark.parametrize("expr", UNKNOWN_CASES)
def test_unknown_propagates_instead_of_failing(expr: str) -> None:
    assert ev(expr) is UNKNOWN


def test_unknown_does_not_swallow_what_is_known() -> None:
    assert ev('length(["a", var.unknown])') == 2
    assert ev('var.unknown ? "same" : "same"') == "same"
    assert ev("false && var.unknown") is False
    assert ev("true || var.unknown") is True
    assert ev('concat(["a"], [var.unknown])') == ["a", UNKNOWN]


def test_invalid_calls_are_errors_that_try_can_catch() -> None:
    with pytest.raises(EvalError):
        ev("element([], 0)")
    with pytest.raises(EvalError):
        ev('regex("[", "x")')
    assert ev('try(element([], 0), "safe")') == "safe"


def _hcl_quote(text: str) -> str:
    out = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
        .replace("${", "$${")
        .replace("%{", "%%{")
    )
    return f'"{out}"'


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(["\n", "\t", "$", "{", "%", "\\", '"']),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_quoted_string_round_trip(text: str) -> None:
    # tree-sitter-hcl cannot lex "$$${" (a literal "$" before an escaped "${"); rare enough
    assume("$${" not in text and "%%{" not in text)
    assert ev(_hcl_quote(text)) == text


@settings(max_examples=100, deadline=None)
@given(_TEXT, _TEXT)
def test_interpolation_concatenates(a: str, b: str) -> None:
    assume(all("$${" not in t and "%%{" not in t for t in (a, b)))
    expr = f'"${{{_hcl_quote(a)}}}{_hcl_quote(b)[1:-1]}"'
    assert ev(expr) == a + b


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abc-,", max_size=5), min_size=1, max_size=6))
def test_join_split_round_trip(items: list[str]) -> None:
    joined = ev(f'join(";", {json.dumps(items)})')
    assert joined == ";".join(items)
    if all(";" not in i for i in items):
        assert ev(f'split(";", {json.dumps(joined)})') == items


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=8, max_value=24),
    st.integers(min_value=1, max_value=8),
    st.data(),
)
def test_cidrsubnet_stays_inside_its_parent(prefix: int, newbits: int, data: st.DataObject) -> None:
    netnum = data.draw(st.integers(min_value=0, max_value=2**newbits - 1))
    parent = ipaddress.ip_network(f"10.0.0.0/{prefix}", strict=False)
    sub = ipaddress.ip_network(ev(f'cidrsubnet("{parent}", {newbits}, {netnum})'))
    assert sub.subnet_of(parent)
    assert sub.prefixlen == prefix + newbits


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_jsonencode_jsondecode_round_trip(value: Any) -> None:
    from citywatch.parsers.terraform.fn_text import f_jsondecode, f_jsonencode

    assert f_jsondecode(f_jsonencode(value)) == value


def test_regex_functions_use_linear_time_re2() -> None:
    # a classic catastrophic-backtracking pattern: RE2 answers at once, as Terraform's Go does
    assert ev('regexall("(a+)+$", "' + "a" * 60 + 'b")') == []
    with pytest.raises(EvalError, match="invalid regular expression"):
        ev('regex("(?<=x)y", "xy")')


_ARITH = st.lists(
    st.tuples(st.sampled_from(["+", "-", "*"]), st.integers(0, 9), st.booleans()),
    min_size=1,
    max_size=7,
)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 9), _ARITH)
def test_arithmetic_precedence_and_associativity(first: int, rest: list[Any]) -> None:
    # a flat, unparenthesised chain: precedence and left associativity decide the result,
    # and Python's rules for + - * and unary minus are the same as HCL's
    text = str(first) + "".join(f" {op} {'-' if neg else ''}{n}" for op, n, neg in rest)
    assert ev(text) == eval(text)  # noqa: S307 - digits and operators generated above


_BOOL = st.lists(
    st.tuples(st.sampled_from(["&&", "||"]), st.booleans(), st.booleans()),
    min_size=1,
    max_size=7,
)


@settings(max_examples=150, deadline=None)
@given(st.booleans(), _BOOL)
def test_boolean_precedence(first: bool, rest: list[Any]) -> None:
    hcl = str(first).lower() + "".join(
        f" {op} {'!' if neg else ''}{str(v).lower()}" for op, v, neg in rest
    )
    py = str(first) + "".join(
        f" {'and' if op == '&&' else 'or'} {'not ' if neg else ''}{v}" for op, v, neg in rest
    )
    assert ev(hcl) == eval(py)  # noqa: S307 - booleans and operators generated above


_HCL_PIECES = st.sampled_from(
    [
        'resource "a_b" "c" {',
        "}",
        "{",
        "x = ",
        '"',
        "${",
        "%{ if true }",
        "%{ endif }",
        "%{ for v in var.l }",
        "%{ endfor }",
        "<<EOT\n",
        "EOT\n",
        "\n",
        "[",
        "]",
        ",",
        "var.m",
        ".a",
        "[0]",
        "[*]",
        "(",
        ")",
        "? 1 : 2",
        "&&",
        "+",
        "for k, v in var.m : k => v",
        "...",
        'dynamic "d" {',
        "content {",
        "lower(",
        "#",
        "/*",
        "*/",
        "1.5",
        "null",
        "\\",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_HCL_PIECES, max_size=40))
def test_arbitrary_token_soup_never_crashes_the_parser(pieces: list[str]) -> None:
    from citywatch.parsers.terraform.hcl import parse_hcl

    parsed = parse_hcl("".join(pieces).encode())
    scope = Scope(_Roots())

    def walk(body: Any) -> None:
        for attr in body.attributes.values():
            with contextlib.suppress(EvalError):
                attr.expr.ev(scope)
        for block in body.blocks:
            walk(block.body)

    walk(parsed.body)
    assert all(isinstance(line, int) and reason for line, reason in parsed.errors)


def test_jsonencode_keeps_known_structure_around_unknown_leaves() -> None:
    text = ev('jsonencode({Statement = [{Principal = "*", Resource = var.unknown}]})')
    assert isinstance(text, str)
    assert json.loads(text) == {"Statement": [{"Principal": "*", "Resource": UNKNOWN_JSON_LEAF}]}
    # decoding it again gives the unknown leaf back as UNKNOWN, not as a string
    assert ev('jsondecode(jsonencode({a = "x", b = [var.unknown]}))') == {"a": "x", "b": [UNKNOWN]}
    assert ev('"${jsonencode([var.unknown])}"') == json.dumps([UNKNOWN_JSON_LEAF])
