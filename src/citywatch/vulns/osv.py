"""The OSV schema, reduced to what matching and reporting need, parsed defensively.

Advisories come from strangers' mirrors and zip files: anything malformed raises `OsvError`
with the reason, and callers report it and go on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from citywatch.model import Severity
from citywatch.vulns.cvss import base_score, severity_for_score

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


class OsvError(ValueError):
    """An advisory that does not follow the OSV schema."""


@dataclass(frozen=True, slots=True)
class Range:
    type: str
    events: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Affected:
    ecosystem: str
    name: str
    purl: str = ""
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "ecosystem": self.ecosystem,
            "name": self.name,
            "purl": self.purl,
            "ranges": [
                {"type": r.type, "events": [{k: v} for k, v in r.events]} for r in self.ranges
            ],
            "versions": list(self.versions),
        }


@dataclass(slots=True)
class Advisory:
    id: str
    modified: str = ""
    published: str = ""
    withdrawn: str = ""
    summary: str = ""
    details: str = ""
    aliases: tuple[str, ...] = ()
    severity_vectors: tuple[str, ...] = ()
    database_severity: str = ""
    references: tuple[str, ...] = ()
    affected: tuple[Affected, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def severity(self) -> tuple[Severity, float | None]:
        """Highest computed CVSS base score, else the database's own rating, else UNKNOWN."""
        scores = [s for s in (base_score(v) for v in self.severity_vectors) if s is not None]
        if scores:
            best = max(scores)
            return severity_for_score(best), best
        rating = self.database_severity.strip().upper()
        mapping = {"MODERATE": Severity.MEDIUM, "IMPORTANT": Severity.HIGH}
        if rating in mapping:
            return mapping[rating], None
        try:
            return Severity.parse(rating), None
        except ValueError:
            return Severity.UNKNOWN, None

    def meta_json(self) -> str:
        """What a finding shows, stored once per advisory (the ranges live in the index)."""
        return json.dumps(
            {
                "summary": self.summary,
                "details": self.details[:2000],
                "severity_vectors": list(self.severity_vectors),
                "database_severity": self.database_severity,
                "references": list(self.references),
                "published": self.published,
            },
            separators=(",", ":"),
        )


def _text(value: object, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):  # unquoted YAML timestamps
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise OsvError(f"{what} must be a string")


def _list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise OsvError(f"{what} must be a list")
    return value


def _range(raw: object) -> Range:
    if not isinstance(raw, dict):
        raise OsvError("range must be a mapping")
    events: list[tuple[str, str]] = []
    for ev in _list(raw.get("events"), "range events"):
        if not isinstance(ev, dict) or len(ev) != 1:
            raise OsvError("each range event must have exactly one key")
        ((kind, value),) = ev.items()
        if kind not in EVENT_KINDS:
            raise OsvError(f"unknown range event {kind!r}")
        events.append((kind, _text(value, kind)))
    return Range(type=_text(raw.get("type"), "range type").upper(), events=tuple(events))


def _affected(raw: object) -> Affected | None:
    if not isinstance(raw, dict):
        raise OsvError("affected entry must be a mapping")
    pkg = raw.get("package")
    if not isinstance(pkg, dict):
        return None  # affected entries without a package are for GIT-only repositories
    return Affected(
        ecosystem=_text(pkg.get("ecosystem"), "package.ecosystem"),
        name=_text(pkg.get("name"), "package.name"),
        purl=_text(pkg.get("purl"), "package.purl"),
        ranges=tuple(_range(r) for r in _list(raw.get("ranges"), "ranges")),
        versions=tuple(_text(v, "version") for v in _list(raw.get("versions"), "versions")),
    )


def _severity_vectors(raw: dict[str, Any]) -> list[str]:
    vectors: list[str] = []
    entries = list(_list(raw.get("severity"), "severity"))
    for aff in _list(raw.get("affected"), "affected"):
        if isinstance(aff, dict):
            entries.extend(_list(aff.get("severity"), "affected.severity"))
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("score"), str):
            vectors.append(entry["score"])
    return vectors


def parse_advisory(raw: object) -> Advisory:
    """Build an `Advisory` from decoded OSV JSON/YAML, or raise `OsvError`."""
    if not isinstance(raw, dict):
        raise OsvError("an advisory must be a mapping")
    adv_id = _text(raw.get("id"), "id").strip()
    if not adv_id:
        raise OsvError("advisory has no id")
    db_specific = raw.get("database_specific")
    db_sev = ""
    if isinstance(db_specific, dict) and isinstance(db_specific.get("severity"), str):
        db_sev = db_specific["severity"]
    affected = [a for a in (_affected(x) for x in _list(raw.get("affected"), "affected")) if a]
    refs = [
        r["url"]
        for r in _list(raw.get("references"), "references")
        if isinstance(r, dict) and isinstance(r.get("url"), str)
    ]
    return Advisory(
        id=adv_id,
        modified=_text(raw.get("modified"), "modified"),
        published=_text(raw.get("published"), "published"),
        withdrawn=_text(raw.get("withdrawn"), "withdrawn"),
        summary=_text(raw.get("summary"), "summary"),
        details=_text(raw.get("details"), "details"),
        aliases=tuple(_text(a, "alias") for a in _list(raw.get("aliases"), "aliases")),
        severity_vectors=tuple(_severity_vectors(raw)),
        database_severity=db_sev,
        references=tuple(refs),
        affected=tuple(affected),
    )


def affected_from_json(data: dict[str, Any]) -> Affected:
    """Inverse of `Affected.to_json` (the form stored in the database index)."""
    return Affected(
        ecosystem=data["ecosystem"],
        name=data["name"],
        purl=data.get("purl", ""),
        ranges=tuple(
            Range(r["type"], tuple(next(iter(e.items())) for e in r["events"]))
            for r in data["ranges"]
        ),
        versions=tuple(data.get("versions", ())),
    )
