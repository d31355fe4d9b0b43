"""Every built-in rule finds its true-positive examples and stays quiet on its false positives.

Examples are templates expanded at run time (see citywatch.secrets.synth), so this repository
holds no string that looks like a live credential. Each template is tried with several seeds.
"""

from __future__ import annotations

import pytest
import re2

from citywatch.secrets.engine import Detector
from citywatch.secrets.rules import builtin_rules
from citywatch.secrets.synth import expand, placeholder

RULES = builtin_rules()
DETECTOR = Detector(RULES)
SEEDS = range(3)

TP = [(r, i, t) for r in RULES for i, t in enumerate(r.tp)]
FP = [(r, i, t) for r in RULES for i, t in enumerate(r.fp)]
PLACEHOLDERS = [(r, i, placeholder(t)) for r in RULES for i, t in enumerate(r.tp)]


def _ids(text: str, path: str) -> list[str]:
    return [leak.rule_id for leak in DETECTOR.scan(text.encode(), path)]


def test_rule_set_size_and_shape() -> None:
    assert len(RULES) >= 150
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for r in RULES:
        assert r.description and r.tp and r.fp, r.id
        assert r.keywords, f"{r.id} has no prefilter keyword"
        assert all(k == k.lower() for k in r.keywords), r.id
        assert re2.compile(r.regex).groups >= r.secret_group, r.id


@pytest.mark.parametrize(("rule", "index", "template"), TP, ids=[f"{r.id}-{i}" for r, i, _ in TP])
def test_true_positive(rule, index, template) -> None:  # type: ignore[no-untyped-def]
    for seed in SEEDS:
        text = expand(template, f"tp/{seed}/{rule.id}/{index}")
        assert rule.id in _ids(text, rule.example_path), f"{rule.id} missed seed {seed}"


@pytest.mark.parametrize(("rule", "index", "template"), FP, ids=[f"{r.id}-{i}" for r, i, _ in FP])
def test_false_positive(rule, index, template) -> None:  # type: ignore[no-untyped-def]
    text = expand(template, f"fp/{rule.id}/{index}")
    assert _ids(text, rule.example_path) == []


@pytest.mark.parametrize(
    ("rule", "index", "text"), PLACEHOLDERS, ids=[f"{r.id}-{i}" for r, i, _ in PLACEHOLDERS]
)
def test_placeholder_version_is_quiet(rule, index, text) -> None:  # type: ignore[no-untyped-def]
    """`ghp_xxxx…`-style documentation placeholders of every example are not reported."""
    assert _ids(text, rule.example_path) == []


def test_keyword_prefilter_is_case_insensitive() -> None:
    text = expand("GITHUB_TOKEN=ghp_{a:36}", "kw").replace("GITHUB_TOKEN", "github_token")
    assert "github-pat" in _ids(text, "a.env")
    upper = expand("-----BEGIN RSA PRIVATE KEY-----{nl}{k64}{nl}-----END RSA PRIVATE KEY-----", 1)
    assert "private-key-rsa" in _ids(upper, "id_rsa")


def test_keyword_backends_agree() -> None:
    """Hyperscan (when installed) and the RE2 fallback find the same keywords."""
    from citywatch.secrets.keywords import KeywordIndex

    keywords = DETECTOR.matcher.keywords
    texts = [expand(t, "kw") for r in RULES[:80] for t in r.tp] + ["", "nothing here", "ÄKIA ß"]
    blob = "\n".join(texts).encode()
    re2_index = KeywordIndex(keywords, "re2")
    try:
        hs_index = KeywordIndex(keywords, "hyperscan")
    except ValueError:
        pytest.skip("hyperscan is not installed on this platform; the RE2 fallback is used")
    for text in [*(t.encode() for t in texts), blob, blob.upper()]:
        assert hs_index.hits(text) == re2_index.hits(text)
