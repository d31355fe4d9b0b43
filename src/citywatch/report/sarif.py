"""SARIF 2.1.0 for GitHub code scanning: one rule per check, `security-severity` on each rule."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from citywatch import __version__
from citywatch.model import Finding, ScanResult, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

# GitHub maps security-severity to critical (>=9), high (7-8.9), medium (4-6.9), low (0.1-3.9)
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.UNKNOWN: "1.0",
    Severity.INFO: "0.0",
}


def level(sev: Severity) -> str:
    if sev >= Severity.HIGH:
        return "error"
    if sev == Severity.MEDIUM:
        return "warning"
    return "note"


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/").removeprefix("./"), safe="/:@-._~")


def _rule(f: Finding) -> dict[str, Any]:
    refs = "\n".join(f"- {r}" for r in f.references)
    compliance = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(f.compliance.items()))
    help_text = f.remediation or f.title
    markdown = f"**{f.title}**\n\n{f.remediation}\n"
    if refs:
        markdown += f"\nReferences:\n{refs}\n"
    if compliance:
        markdown += f"\nCompliance: {compliance}\n"
    rule: dict[str, Any] = {
        "id": f.check_id,
        "name": f.check_id.replace("-", "").replace("/", ""),
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": f.title},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": level(f.severity)},
        "properties": {
            "security-severity": SECURITY_SEVERITY[f.severity],
            "precision": "high",
            "tags": ["security", f.scanner, *sorted(f.compliance)],
        },
    }
    if f.references and f.references[0].startswith(("http://", "https://")):
        rule["helpUri"] = f.references[0]
    return rule


def _result(f: Finding, index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(f.location.path)}}
    if f.location.start_line > 0:
        physical["region"] = {
            "startLine": f.location.start_line,
            "endLine": max(f.location.start_line, f.location.end_line),
        }
    out: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": {"text": f.message or f.title},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"citywatch/v1": f.fingerprint},
    }
    if f.resource:
        out["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": f.resource}]
    return out


def to_document(result: ScanResult) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for f in result.findings:
        if f.check_id not in index:
            index[f.check_id] = len(rules)
            rules.append(_rule(f))
        results.append(_result(f, index[f.check_id]))
    notifications = []
    for e in result.errors:
        note: dict[str, Any] = {"level": "error", "message": {"text": f"{e.path}: {e.reason}"}}
        phys: dict[str, Any] = {"artifactLocation": {"uri": _uri(e.path)}}
        if e.line:
            phys["region"] = {"startLine": e.line}
        note["locations"] = [{"physicalLocation": phys}]
        notifications.append(note)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "citywatch",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/citywatch/citywatch",
                        "rules": rules,
                    }
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "columnKind": "utf16CodeUnits",
            }
        ],
    }


def render(result: ScanResult, *, color: bool = False) -> str:
    from citywatch.report.json_report import dumps

    return dumps(to_document(result))
