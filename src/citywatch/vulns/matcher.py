"""OSV range evaluation: is this version affected, and which versions fix it?

Rules (OSV schema, "Evaluation"): in a range of type ECOSYSTEM or SEMVER, events are sorted by
version; a version is affected when the last `introduced` at or below it is not followed (at or
below it) by a `fixed` at or below it or a `last_affected` strictly below it; `limit` caps the
range. GIT ranges need commit graphs and are skipped; the explicit `versions` list always counts.

`in_range` is the rule read literally; `evaluate` uses the same rule compiled once per advisory
into intervals of sort keys, which is what makes thousands of lookups per second possible.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from citywatch.vulns.osv import Affected, Range
from citywatch.vulns.versions import SEMVER, Scheme

# at one version, close the previous interval before opening the next one
_ORDER = {"fixed": 0, "limit": 1, "last_affected": 2, "introduced": 3}
_EVALUATED = ("ECOSYSTEM", "SEMVER")


@dataclass(frozen=True, slots=True)
class Verdict:
    affected: bool
    fixed: tuple[str, ...] = ()


@lru_cache(maxsize=65536)
def _sorted_events(rng: Range, scheme: Scheme) -> list[tuple[str, str]]:
    key = scheme.sort_key()

    def event_key(ev: tuple[str, str]) -> tuple[int, Any, int]:
        kind, value = ev
        if kind == "introduced" and value == "0":
            return (0, None, 0)
        return (1, key(value), _ORDER[kind])

    events = list(rng.events)
    with contextlib.suppress(TypeError):
        events.sort(key=event_key)
    return events


def in_range(version: str, rng: Range, scheme: Scheme) -> bool:
    """The OSV rule applied event by event (the reference the compiled form must agree with)."""
    cmp = scheme.compare
    affected = False
    for kind, value in _sorted_events(rng, scheme):
        if kind == "introduced":
            if value == "0" or cmp(version, value) >= 0:
                affected = True
        elif kind == "fixed":
            if cmp(version, value) >= 0:
                affected = False
        elif kind == "last_affected":
            if cmp(version, value) > 0:
                affected = False
        elif kind == "limit" and value != "*" and cmp(version, value) >= 0:
            affected = False
    return affected


# an interval: (low key or None for "from the start", high key or None, high inclusive)
Interval = tuple[Any, Any, bool]


@dataclass(frozen=True, slots=True)
class Compiled:
    # each interval with the range's fixed versions and the scheme its keys belong to
    intervals: tuple[tuple[Interval, tuple[str, ...], Scheme], ...]
    listed: frozenset[str]
    fixed: tuple[str, ...]


@lru_cache(maxsize=262144)
def version_key(scheme: Scheme, version: str) -> Any:
    return scheme.sort_key()(version)


def _compile_range(rng: Range, scheme: Scheme) -> list[Interval]:
    out: list[Interval] = []
    low: Any = None
    is_open = False
    for kind, value in _sorted_events(rng, scheme):
        key = None if (kind == "introduced" and value == "0") else version_key(scheme, value)
        if kind == "introduced":
            if not is_open:
                low, is_open = key, True
        elif kind in ("fixed", "limit") and value != "*":
            if is_open:
                out.append((low, key, False))
                is_open = False
        elif kind == "last_affected" and is_open:
            out.append((low, key, True))
            is_open = False
    if is_open:
        out.append((low, None, False))
    return out


@lru_cache(maxsize=65536)
def compile_affected(affected: Affected, scheme: Scheme) -> Compiled:
    intervals: list[tuple[Interval, tuple[str, ...], Scheme]] = []
    fixed_all: list[str] = []
    for rng in affected.ranges:
        if rng.type not in _EVALUATED:
            continue
        rng_scheme = scheme if rng.type == "ECOSYSTEM" else SEMVER
        fixed = tuple(v for k, v in rng.events if k == "fixed")
        fixed_all.extend(fixed)
        try:
            compiled = _compile_range(rng, rng_scheme)
        except TypeError:
            continue  # keys of mixed kinds: nothing sensible to compare against
        intervals.extend((iv, fixed, rng_scheme) for iv in compiled)
    listed = frozenset(_canonical(scheme, v) for v in affected.versions)
    return Compiled(tuple(intervals), listed, tuple(dict.fromkeys(fixed_all)))


@lru_cache(maxsize=262144)
def _canonical(scheme: Scheme, version: str) -> str:
    if scheme.name == "pep440":
        from citywatch.vulns.versions.pep440 import sort_key

        key = sort_key(version)
        return str(key[1]) if key[0] == 1 else version.strip()
    return version.strip()


def _inside(key: Any, interval: Interval) -> bool:
    low, high, inclusive = interval
    try:
        if low is not None and key < low:
            return False
        if high is None:
            return True
        return bool(key <= high) if inclusive else bool(key < high)
    except TypeError:
        return False


def evaluate(version: str, affected: Affected, scheme: Scheme) -> Verdict:
    """Whether `version` is affected by one `affected` entry, and the fixed versions offered."""
    compiled = compile_affected(affected, scheme)
    hit = bool(compiled.listed) and _canonical(scheme, version) in compiled.listed
    key = version_key(scheme, version)
    fixed: list[str] = []
    for interval, range_fixed, rng_scheme in compiled.intervals:
        here = key if rng_scheme is scheme else version_key(rng_scheme, version)
        if _inside(here, interval):
            hit = True
            fixed.extend(range_fixed)
    if not hit:
        return Verdict(False)
    if not fixed:
        fixed = list(compiled.fixed)
    above = [v for v in dict.fromkeys(fixed) if _greater(scheme, v, key)]
    return Verdict(True, tuple(above))


def _greater(scheme: Scheme, candidate: str, key: Any) -> bool:
    try:
        return bool(version_key(scheme, candidate) > key)
    except TypeError:
        return False


def affects(version: str, affected: Affected, scheme: Scheme) -> bool:
    """`evaluate(...).affected` without collecting fixed versions (the hot path of upgrades)."""
    compiled = compile_affected(affected, scheme)
    if compiled.listed and _canonical(scheme, version) in compiled.listed:
        return True
    key = version_key(scheme, version)
    for interval, _fixed, rng_scheme in compiled.intervals:
        here = key if rng_scheme is scheme else version_key(rng_scheme, version)
        if _inside(here, interval):
            return True
    return False


def clearing_versions(
    candidates: Iterable[str], entries: list[Affected], scheme: Scheme
) -> list[str]:
    """Candidates (ascending) that no entry affects: the possible upgrade targets."""
    ordered = sorted(set(candidates), key=lambda v: version_key(scheme, v))
    return [c for c in ordered if not any(affects(c, e, scheme) for e in entries)]


def first_above(current: str, clear: list[str], scheme: Scheme) -> str | None:
    cur = version_key(scheme, current)
    return next((c for c in clear if _greater(scheme, c, cur)), None)


def smallest_clearing(
    current: str, candidates: Iterable[str], entries: list[Affected], scheme: Scheme
) -> str | None:
    """The smallest candidate above `current` that no entry affects (the upgrade to suggest)."""
    return first_above(current, clearing_versions(candidates, entries, scheme), scheme)
