"""OSV range evaluation: is this version affected, and which versions fix it?

Rules (OSV schema, "Evaluation"): in a range of type ECOSYSTEM or SEMVER, events are sorted by
version; a version is affected when the last `introduced` at or below it is not followed (at or
below it) by a `fixed` at or below it or a `last_affected` strictly below it; `limit` caps the
range. GIT ranges need commit graphs and are skipped; the explicit `versions` list always counts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from citywatch.vulns.osv import Affected, Range
from citywatch.vulns.versions import SEMVER, Compare, Scheme

_ORDER = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}


@dataclass(frozen=True, slots=True)
class Verdict:
    affected: bool
    fixed: tuple[str, ...] = ()


def _sorted_events(rng: Range, scheme: Scheme) -> list[tuple[str, str]]:
    key = scheme.sort_key()

    def event_key(ev: tuple[str, str]) -> tuple[int, object, int]:
        kind, value = ev
        if kind == "introduced" and value == "0":
            return (0, None, 0)
        return (1, key(value), _ORDER[kind])

    events = list(rng.events)
    with contextlib.suppress(TypeError):
        events.sort(key=event_key)
    return events


def in_range(version: str, rng: Range, scheme: Scheme) -> bool:
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


def evaluate(version: str, affected: Affected, scheme: Scheme) -> Verdict:
    """Whether `version` is affected by one `affected` entry, and the fixed versions offered."""
    hit = False
    fixed: list[str] = []
    eq = scheme.compare
    if any(v == version or _safe_eq(eq, v, version) for v in affected.versions):
        hit = True
    for rng in affected.ranges:
        if rng.type not in ("ECOSYSTEM", "SEMVER"):
            continue
        rng_scheme = scheme if rng.type == "ECOSYSTEM" else SEMVER
        if in_range(version, rng, rng_scheme):
            hit = True
            fixed.extend(v for k, v in rng.events if k == "fixed")
    if hit and not fixed:
        # listed in `versions` only: offer the fixes of ranges that cover later versions
        for rng in affected.ranges:
            if rng.type in ("ECOSYSTEM", "SEMVER"):
                fixed.extend(v for k, v in rng.events if k == "fixed" and eq(v, version) > 0)
    return Verdict(hit, tuple(dict.fromkeys(fixed)))


def _safe_eq(compare: Compare, a: str, b: str) -> bool:
    try:
        return bool(compare(a, b) == 0)
    except (ValueError, TypeError):
        return False


def smallest_clearing(
    current: str, candidates: Iterable[str], entries: list[Affected], scheme: Scheme
) -> str | None:
    """The smallest candidate above `current` that no entry affects (the upgrade to suggest)."""
    cmp = scheme.compare
    above = sorted({c for c in candidates if cmp(c, current) > 0}, key=scheme.sort_key())
    for cand in above:
        if not any(evaluate(cand, e, scheme).affected for e in entries):
            return cand
    return None
