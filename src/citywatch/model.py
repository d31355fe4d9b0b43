"""The one data model every scanner shares: resources and packages in, findings and errors out.

Parsers produce `Resource` and `Package`; engines produce `Finding`; triage and reports only ever
see these types, which is what lets a Rego policy's finding look exactly like a built-in check's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """Ordered so that thresholds are plain comparisons (`sev >= Severity.HIGH`)."""

    INFO = 0
    UNKNOWN = 1
    LOW = 2
    MEDIUM = 3
    HIGH = 4
    CRITICAL = 5

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name for s in cls)
            raise ValueError(f"unknown severity {text!r} (one of {names})") from None

    def __str__(self) -> str:
        return self.name


class _Unknown:
    """A value that cannot be known statically (a resource attribute computed at apply time).

    Deliberately a singleton that is truthy and equal only to itself, so code that forgets to
    handle it does not silently treat it as "false" / "missing" and raise a false positive.
    Checks read attributes through `citywatch.checks.base.attr`, which turns it into a verdict
    of "unknown".
    """

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


def is_unknown(value: object) -> bool:
    return value is UNKNOWN


UNKNOWN_JSON_LEAF = "\x00citywatch-unknown\x00"
"""Stands for one UNKNOWN leaf inside a JSON string a parser built (Terraform `jsonencode`).

An IAM policy whose Resource is an apply-time ARN still has a known Principal; encoding only
that leaf as this string keeps the rest of the document readable. Whoever parses such a string
calls `restore_unknown_leaves` right after `json.loads`, so the leaf is UNKNOWN again and never
mistaken for a real value. The NUL bytes keep it from colliding with anything a user writes.
"""


def restore_unknown_leaves(value: Any, depth: int = 0) -> Any:
    """Parsed JSON with every `UNKNOWN_JSON_LEAF` string turned back into UNKNOWN.

    Beyond a sane depth the rest is UNKNOWN: a leaf left encoded would read as a known string.
    """
    if isinstance(value, str):
        return UNKNOWN if value == UNKNOWN_JSON_LEAF else value
    if not isinstance(value, dict | list):
        return value
    if depth > 200:
        return UNKNOWN
    if isinstance(value, list):
        return [restore_unknown_leaves(v, depth + 1) for v in value]
    return {k: restore_unknown_leaves(v, depth + 1) for k, v in value.items()}


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    start_line: int = 0
    end_line: int = 0
    start_column: int = 0

    def with_lines(self, start: int, end: int | None = None) -> Location:
        return Location(self.path, start, end if end is not None else start, 0)


@dataclass(slots=True)
class Resource:
    """One typed, located piece of configuration.

    `kind` is the native type (`aws_s3_bucket`, `AWS::S3::Bucket`, `Deployment`, `dockerfile`);
    `name` is a unique address within the scan (`aws_s3_bucket.logs`, `module.net.aws_vpc.this`,
    `Deployment/prod/web`); `attributes` is the evaluated configuration as plain JSON-like data,
    where values that cannot be known are `UNKNOWN`. `references` are the addresses of other
    resources this one refers to (how checks find connected resources). `line_map` optionally maps
    dotted attribute paths to line numbers so findings can point at the offending attribute.
    """

    kind: str
    name: str
    framework: str
    attributes: dict[str, Any]
    location: Location
    references: list[str] = field(default_factory=list)
    line_map: dict[str, int] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Package:
    ecosystem: str
    name: str
    version: str
    location: Location
    purl: str = ""
    direct: bool | None = None
    dependencies: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Check:
    """Metadata shared by built-in checks and by users' Rego/CEL policies."""

    id: str
    title: str
    severity: Severity
    description: str = ""
    remediation: str = ""
    references: list[str] = field(default_factory=list)
    compliance: dict[str, list[str]] = field(default_factory=dict)
    frameworks: list[str] = field(default_factory=list)
    resource_types: list[str] = field(default_factory=list)
    scanner: str = "misconfig"
    source: str = "builtin"
    source_location: Location | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": str(self.severity),
            "description": self.description,
            "remediation": self.remediation,
            "references": list(self.references),
            "compliance": {k: list(v) for k, v in self.compliance.items()},
            "frameworks": list(self.frameworks),
            "resource_types": list(self.resource_types),
            "scanner": self.scanner,
            "source": self.source,
        }


def make_fingerprint(*parts: str) -> str:
    """A stable id built from what identifies a finding, never from line numbers or secrets."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


@dataclass(slots=True)
class Finding:
    check_id: str
    scanner: str
    severity: Severity
    title: str
    message: str
    location: Location
    resource: str | None = None
    remediation: str = ""
    references: list[str] = field(default_factory=list)
    compliance: dict[str, list[str]] = field(default_factory=dict)
    fingerprint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    suppressed: str | None = None

    def __post_init__(self) -> None:
        if not self.fingerprint:
            self.fingerprint = make_fingerprint(
                self.check_id, self.location.path, self.resource or "", self.message
            )

    @classmethod
    def from_check(
        cls,
        check: Check,
        message: str,
        location: Location,
        resource: str | None = None,
        extra: Mapping[str, Any] | None = None,
        fingerprint_key: str | None = None,
    ) -> Finding:
        fp = ""
        if fingerprint_key is not None:
            fp = make_fingerprint(check.id, location.path, resource or "", fingerprint_key)
        return cls(
            check_id=check.id,
            scanner=check.scanner,
            severity=check.severity,
            title=check.title,
            message=message,
            location=location,
            resource=resource,
            remediation=check.remediation,
            references=list(check.references),
            compliance={k: list(v) for k, v in check.compliance.items()},
            fingerprint=fp,
            extra=dict(extra or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "check_id": self.check_id,
            "scanner": self.scanner,
            "severity": str(self.severity),
            "title": self.title,
            "message": self.message,
            "location": {
                "path": self.location.path,
                "start_line": self.location.start_line,
                "end_line": self.location.end_line,
            },
            "resource": self.resource,
            "remediation": self.remediation,
            "references": list(self.references),
            "compliance": {k: list(v) for k, v in self.compliance.items()},
            "fingerprint": self.fingerprint,
        }
        for key, value in self.extra.items():
            data.setdefault(key, value)
        return data


@dataclass(frozen=True, slots=True)
class ScanError:
    """A located problem with the input: the scan reports it and goes on."""

    path: str
    reason: str
    line: int | None = None
    scanner: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "reason": self.reason,
            "scanner": self.scanner,
        }


@dataclass(slots=True)
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    unknowns: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    targets: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        by_sev = {s.name: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            by_sev[f.severity.name] += 1
        by_scanner: dict[str, int] = {}
        for f in self.findings:
            by_scanner[f.scanner] = by_scanner.get(f.scanner, 0) + 1
        return {
            "findings": len(self.findings),
            "by_severity": by_sev,
            "by_scanner": by_scanner,
            "suppressed": len(self.suppressed),
            "errors": len(self.errors),
            **self.stats,
        }
