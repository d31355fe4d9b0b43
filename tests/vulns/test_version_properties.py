"""Property tests: every scheme is a total order on the versions its ecosystem produces."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from citywatch.vulns.versions import (
    alpine,
    composer,
    debian,
    golang,
    maven,
    nuget,
    pep440,
    rpm,
    rubygems,
    semver,
)

num = st.integers(min_value=0, max_value=30).map(str)
word = st.sampled_from(["alpha", "beta", "rc", "pre", "dev", "sp", "p", "a", "b", "final", "ga"])

pep440_versions = st.builds(
    lambda rel, pre, post, dev: ".".join(rel) + pre + post + dev,
    st.lists(num, min_size=1, max_size=4),
    st.sampled_from(["", "a1", "b2", "rc1", "a10"]),
    st.sampled_from(["", ".post1", ".post2"]),
    st.sampled_from(["", ".dev0", ".dev3"]),
)
semver_versions = st.builds(
    lambda core, pre, build: ".".join(core) + (("-" + ".".join(pre)) if pre else "") + build,
    st.lists(num, min_size=3, max_size=3),
    st.lists(st.one_of(num, word), max_size=3),
    st.sampled_from(["", "+build.1", "+x"]),
)
# Maven's ComparableVersion is itself not transitive once qualifiers follow dots: for Maven,
# "0" < "0-1" < "0.beta-2" < "0" and "0" < "pre" < "0.alpha" < "0" (citywatch reproduces that,
# and the OSV vectors check it line by line). The order is total on the usual shape of artifact
# versions, a dotted release followed by dash-separated numbers and qualifiers (1.2.3-beta-2).
maven_versions = st.builds(
    lambda release, tail: ".".join(release) + "".join("-" + t for t in tail),
    st.lists(num, min_size=1, max_size=3),
    st.lists(st.one_of(num, word), max_size=3),
)
gem_versions = st.builds(
    lambda parts: ".".join(parts), st.lists(st.one_of(num, word), min_size=1, max_size=5)
)
debian_versions = st.builds(
    lambda epoch, up, rev: f"{epoch}{up}{rev}",
    st.sampled_from(["", "1:", "2:"]),
    st.from_regex(r"[0-9][0-9a-z.+~]{0,6}", fullmatch=True),
    st.sampled_from(["", "-1", "-2ubuntu1", "-1~bpo1"]),
)
rpm_versions = st.builds(
    lambda epoch, ver, rel: f"{epoch}{ver}-{rel}",
    st.sampled_from(["", "1:"]),
    st.from_regex(r"[0-9][0-9a-z.~^]{0,6}", fullmatch=True),
    st.from_regex(r"[0-9][0-9a-z.]{0,4}", fullmatch=True),
)
alpine_versions = st.builds(
    lambda rel, letter, suffix, rev: ".".join(rel) + letter + suffix + rev,
    st.lists(num, min_size=1, max_size=4),
    st.sampled_from(["", "a", "z"]),
    st.sampled_from(["", "_alpha1", "_rc2", "_p3", "_git20240101"]),
    st.sampled_from(["", "-r0", "-r12"]),
)
composer_versions = st.builds(
    lambda rel, suffix: ".".join(rel) + suffix,
    st.lists(num, min_size=1, max_size=4),
    st.sampled_from(["", "-dev", "-alpha1", "-beta2", "-RC1", "-pl1", "-p2"]),
)

SCHEMES: list[tuple[Callable[[str, str], int], st.SearchStrategy[str]]] = [
    (pep440.compare, pep440_versions),
    (semver.compare, semver_versions),
    (golang.compare, semver_versions.map(lambda v: "v" + v)),
    (nuget.compare, semver_versions),
    (maven.compare, maven_versions),
    (rubygems.compare, gem_versions),
    (debian.compare, debian_versions),
    (rpm.compare, rpm_versions),
    (alpine.compare, alpine_versions),
    (composer.compare, composer_versions),
]


def _check_total_order(compare: Callable[[str, str], int], a: str, b: str, c: str) -> None:
    assert compare(a, a) == 0
    assert compare(a, b) == -compare(b, a)
    if compare(a, b) <= 0 and compare(b, c) <= 0:
        assert compare(a, c) <= 0, (a, b, c)


def _make_test(compare: Callable[[str, str], int], strategy: st.SearchStrategy[str]) -> object:
    @settings(max_examples=150, deadline=None)
    @given(strategy, strategy, strategy)
    def test(a: str, b: str, c: str) -> None:
        _check_total_order(compare, a, b, c)

    return test


for _compare, _strategy in SCHEMES:
    globals()[f"test_total_order_{_compare.__module__.rsplit('.', 1)[1]}"] = _make_test(
        _compare, _strategy
    )


@settings(max_examples=200, deadline=None)
@given(pep440_versions, pep440_versions)
def test_pep440_matches_packaging_for_valid_versions(a: str, b: str) -> None:
    from packaging.version import Version

    va, vb = Version(a), Version(b)
    assert pep440.compare(a, b) == (va > vb) - (va < vb)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 99), min_size=3, max_size=3),
    st.lists(st.integers(0, 99), min_size=3, max_size=3),
)
def test_semver_release_order_is_numeric_tuple_order(a: list[int], b: list[int]) -> None:
    sa, sb = ".".join(map(str, a)), ".".join(map(str, b))
    assert semver.compare(sa, sb) == (a > b) - (a < b)
    # any pre-release sorts before its release; build metadata never matters
    assert semver.compare(sa + "-rc.1", sa) == -1
    assert semver.compare(sa + "+meta", sa) == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=4))
def test_trailing_zeros_do_not_matter_where_the_scheme_says_so(parts: list[int]) -> None:
    v = ".".join(map(str, parts))
    assert maven.compare(v, v + ".0") == 0
    assert rubygems.compare(v, v + ".0") == 0
    assert pep440.compare(v, v + ".0") == 0


def test_go_pseudo_versions_and_incompatible() -> None:
    assert golang.compare("v0.0.0-20210101000000-abcdef123456", "v0.0.1") == -1
    assert golang.compare("v2.0.0+incompatible", "v2.0.0") == 0
    assert golang.compare("go1.21.3", "1.21.10") == -1
