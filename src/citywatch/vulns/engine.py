"""Packages in, vulnerability findings out: lookup, range evaluation, alias merging, upgrades.

One query per distinct (ecosystem, name); advisories that are aliases of each other (a CVE, its
GHSA and its PYSEC) become one finding per package, named by the CVE when there is one, else the
GHSA, else the advisory's own id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from citywatch.model import Finding, Location, Package, Severity
from citywatch.vulns.cvss import base_score
from citywatch.vulns.db import AdvisoryInfo, VulnDB
from citywatch.vulns.matcher import clearing_versions, evaluate, first_above
from citywatch.vulns.osv import Advisory, Affected
from citywatch.vulns.versions import Scheme, scheme_for
from citywatch.vulns.vex import VexIndex

SCANNER = "vuln"


def preferred_id(ids: Iterable[str]) -> str:
    """CVE first, then GHSA, then anything else; ties broken alphabetically."""

    def rank(i: str) -> tuple[int, str]:
        u = i.upper()
        return (0 if u.startswith("CVE-") else 1 if u.startswith("GHSA-") else 2, i)

    return min(ids, key=rank)


@dataclass(slots=True)
class _Hit:
    ids: set[str] = field(default_factory=set)
    advisories: list[AdvisoryInfo] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MatchStats:
    packages: int = 0
    unsupported: int = 0
    queries: int = 0
    suppressed_by_vex: int = 0
    unfixed_skipped: int = 0


def advisory_severity(info: AdvisoryInfo) -> tuple[Severity, float | None, str]:
    """(severity, CVSS base score, the vector it came from), memoised on the advisory."""
    cached = info.meta.get("_severity")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    vectors = info.meta.get("severity_vectors") or []
    adv = Advisory(
        id=info.id,
        severity_vectors=tuple(vectors),
        database_severity=info.meta.get("database_severity", ""),
    )
    sev, score = adv.severity()
    vector = next((v for v in vectors if base_score(v) == score), "") if score else ""
    info.meta["_severity"] = (sev, score, vector)
    return sev, score, vector


def _severity(infos: list[AdvisoryInfo]) -> tuple[Severity, float | None, str]:
    best: tuple[Severity, float | None, str] = (Severity.UNKNOWN, None, "")
    best_key = (-1.0, -1)
    for info in infos:
        sev, score, vector = advisory_severity(info)
        key = (score if score is not None else -0.5, int(sev))
        if key > best_key:
            best, best_key = (sev, score, vector), key
    return best


def _release_matches(pkg_ecosystem: str, entry_ecosystem: str) -> bool:
    """`Debian:12` packages match `Debian:12` and plain `Debian` entries only."""
    if ":" not in pkg_ecosystem or ":" not in entry_ecosystem:
        return True
    return pkg_ecosystem.split(":", 1)[1] == entry_ecosystem.split(":", 1)[1]


class Matcher:
    def __init__(self, db: VulnDB, ignore_unfixed: bool = False, vex: VexIndex | None = None):
        self.db = db
        self.ignore_unfixed = ignore_unfixed
        self.vex = vex or VexIndex()
        self.stats = MatchStats()
        self._entries: dict[tuple[str, str], list[tuple[str, Affected]]] = {}
        self._clearing: dict[tuple[str, str], list[str]] = {}
        self._verdicts: dict[tuple[str, str, str], tuple[list[_Hit], str | None]] = {}

    def _lookup(self, pkg: Package) -> list[tuple[str, Affected]]:
        key = (pkg.ecosystem, pkg.name)
        cached = self._entries.get(key)
        if cached is None:
            self.stats.queries += 1
            cached = [
                (adv_id, aff)
                for adv_id, aff in self.db.lookup(pkg.ecosystem, pkg.name)
                if _release_matches(pkg.ecosystem, aff.ecosystem)
            ]
            cached = [(a, e) for a, e in cached if (info := self.db.info(a)) and not info.withdrawn]
            if len(self._entries) > 20_000:
                self._entries.clear()  # bounded: lockfiles repeat names, scans need not
            self._entries[key] = cached
        return cached

    def _clear(
        self, pkg: Package, scheme: Scheme, entries: list[tuple[str, Affected]]
    ) -> list[str]:
        """Fixed versions that clear every advisory of this package, computed once per name."""
        key = (pkg.ecosystem, pkg.name)
        clear = self._clearing.get(key)
        if clear is None:
            fixed = [v for _, aff in entries for v in _fixed_events(aff)]
            clear = clearing_versions(fixed, [a for _, a in entries], scheme)
            if len(self._clearing) > 20_000:
                self._clearing.clear()
            self._clearing[key] = clear
        return clear

    def match(self, packages: Iterable[Package]) -> list[Finding]:
        findings: list[Finding] = []
        for pkg in packages:
            self.stats.packages += 1
            scheme = scheme_for(pkg.ecosystem)
            if scheme is None or not pkg.version:
                self.stats.unsupported += 1
                continue
            findings.extend(self.match_one(pkg, scheme))
        return findings

    def _hits(self, pkg: Package, scheme: Scheme) -> tuple[list[_Hit], str | None]:
        """Affected advisories grouped by alias, and the upgrade; once per name and version."""
        key = (pkg.ecosystem, pkg.name, pkg.version)
        cached = self._verdicts.get(key)
        if cached is not None:
            return cached
        entries = self._lookup(pkg)
        by_id: dict[str, _Hit] = {}
        for adv_id, aff in entries:
            verdict = evaluate(pkg.version, aff, scheme)
            if not verdict.affected:
                continue
            info = self.db.info(adv_id)
            if info is None:
                continue
            ids = {info.id, *info.aliases}
            hit = _Hit()
            for other in {id(h): h for i in ids if (h := by_id.get(i))}.values():
                hit.ids |= other.ids
                hit.advisories.extend(other.advisories)
                hit.fixed.extend(other.fixed)
            hit.ids |= ids
            hit.advisories.append(info)
            hit.fixed.extend(verdict.fixed)
            for i in hit.ids:
                by_id[i] = hit
        hits = list({id(h): h for h in by_id.values()}.values())
        upgrade = None
        if hits:
            upgrade = first_above(pkg.version, self._clear(pkg, scheme, entries), scheme)
        if len(self._verdicts) > 50_000:
            self._verdicts.clear()
        self._verdicts[key] = (hits, upgrade)
        return hits, upgrade

    def match_one(self, pkg: Package, scheme: Scheme) -> list[Finding]:
        hits, upgrade = self._hits(pkg, scheme)
        if not hits:
            return []
        out: list[Finding] = []
        for hit in hits:
            fixed = sorted(set(hit.fixed), key=scheme.sort_key())
            if self.ignore_unfixed and not fixed:
                self.stats.unfixed_skipped += 1
                continue
            finding = self._finding(pkg, hit, fixed, upgrade)
            statement = self.vex.clearing(hit.ids, pkg.purl)
            if statement is not None:
                # kept, marked: triage files it under `suppressed` with the VEX reason
                self.stats.suppressed_by_vex += 1
                why = f" ({statement.justification})" if statement.justification else ""
                finding.suppressed = f"vex: {statement.status}{why} in {statement.source}"
            out.append(finding)
        return out

    def _finding(self, pkg: Package, hit: _Hit, fixed: list[str], upgrade: str | None) -> Finding:
        main = preferred_id(hit.ids)
        aliases = sorted(hit.ids - {main})
        severity, score, vector = _severity(hit.advisories)
        summary = next((a.meta.get("summary") for a in hit.advisories if a.meta.get("summary")), "")
        refs: list[str] = []
        for a in hit.advisories:
            refs.extend(a.meta.get("references") or [])
        fix_text = f"fixed in {', '.join(fixed)}" if fixed else "no fixed version is known"
        remediation = (
            f"Upgrade {pkg.name} to {upgrade} (clears every known advisory for it)."
            if upgrade
            else (f"Upgrade {pkg.name} to {fixed[-1]}." if fixed else "No fix is published yet.")
        )
        extra: dict[str, Any] = {
            "aliases": aliases,
            "package": {
                "ecosystem": pkg.ecosystem,
                "name": pkg.name,
                "version": pkg.version,
                "purl": pkg.purl,
            },
            "fixed_versions": fixed,
            "upgrade_to": upgrade,
            "direct": pkg.direct,
            "cvss_score": score,
            "cvss_vector": vector or None,
            "advisories": sorted(a.id for a in hit.advisories),
        }
        location = pkg.location
        if location.start_line and not location.end_line:
            location = Location(location.path, location.start_line, location.start_line)
        return Finding(
            check_id=main,
            scanner=SCANNER,
            severity=severity,
            title=str(summary or f"{main} in {pkg.name}"),
            message=f"{pkg.name} {pkg.version} is affected by {main}; {fix_text}",
            location=location,
            resource=f"{pkg.ecosystem}/{pkg.name}@{pkg.version}",
            remediation=remediation,
            references=list(dict.fromkeys(refs))[:20],
            extra=extra,
        )


def _fixed_events(aff: Affected) -> list[str]:
    return [
        v
        for rng in aff.ranges
        if rng.type in ("ECOSYSTEM", "SEMVER")
        for k, v in rng.events
        if k == "fixed"
    ]
