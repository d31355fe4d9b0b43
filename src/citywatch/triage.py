"""Triage: apply what the user said to raw findings, in one place for every scanner.

Order: deduplicate, check selection (--check/--skip-check), inline ignores (comments inside the
resource, Kubernetes annotations), the ignore file, the baseline, then the --severity filter.
Suppressed findings are kept (with the reason) so reports can show what was hidden and why.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from citywatch.baseline import read_fingerprints
from citywatch.ignorefile import IgnoreRule, find_ignore_file, load_ignore_file
from citywatch.model import Finding, Resource, ScanResult
from citywatch.secrets.detect_secrets_baseline import is_detect_secrets_baseline
from citywatch.selection import matches, selected

if TYPE_CHECKING:
    from citywatch.pipeline import ScanContext

INLINE = re.compile(r"citywatch:ignore:([A-Za-z0-9_.*?/:-]+)[ \t]*([^\r\n]*)")
ANNOTATION_KEY = "citywatch.io/ignore"


def apply(findings: list[Finding], result: ScanResult, ctx: ScanContext) -> None:
    opts = ctx.options
    seen: set[str] = set()
    unique: list[Finding] = []
    for finding in findings:
        if finding.fingerprint in seen:
            continue
        seen.add(finding.fingerprint)
        if selected(finding.check_id, finding.severity, opts.checks, opts.skip_checks):
            unique.append(finding)

    inline = InlineIgnores(ctx)
    rules = _ignore_rules(ctx)
    baseline: set[str] = set()
    if opts.baseline is not None and not is_detect_secrets_baseline(opts.baseline):
        # a detect-secrets baseline is the secret engine's to apply; it has no fingerprints
        try:
            baseline = read_fingerprints(opts.baseline)
        except ValueError as exc:
            ctx.error(str(opts.baseline), str(exc))

    kept: list[Finding] = []
    for finding in unique:
        reason = finding.suppressed  # an engine may already know (a VEX statement, say)
        if reason is None:
            reason = inline.reason(finding)
        if reason is None:
            reason = next((r.describe() for r in rules if r.applies(finding)), None)
        if reason is None and finding.fingerprint in baseline:
            reason = "in baseline"
        if reason is not None:
            finding.suppressed = reason
            result.suppressed.append(finding)
        else:
            kept.append(finding)

    if opts.severities:
        kept = [f for f in kept if f.severity in opts.severities]
    kept.sort(key=lambda f: (f.location.path, f.location.start_line, f.check_id))
    result.findings = kept


def _ignore_rules(ctx: ScanContext) -> list[IgnoreRule]:
    path = ctx.options.ignore_file or find_ignore_file(ctx.options.targets)
    if path is None:
        return []
    rules, errors, notices = load_ignore_file(path)
    for line, reason in errors:
        ctx.error(str(path), reason, line)
    ctx.notices.extend(notices)
    return rules


class InlineIgnores:
    """`# citywatch:ignore:ID reason` inside a resource, or the annotation on a K8s object."""

    def __init__(self, ctx: ScanContext) -> None:
        self._resources: dict[tuple[str, str], Resource] = {
            (r.location.path, r.name): r for r in ctx.resources
        }
        self._files: dict[str, list[str]] = {}
        self._path_of = {f.display: f.path for f in ctx.files}
        self._cache: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def reason(self, finding: Finding) -> str | None:
        if finding.resource is None:
            return None
        key = (finding.location.path, finding.resource)
        entries = self._cache.get(key)
        if entries is None:
            entries = self._entries(key)
            self._cache[key] = entries
        for selector, why in entries:
            if matches(selector, finding.check_id, finding.severity):
                return f"inline: {why}" if why else "inline"
        return None

    def _entries(self, key: tuple[str, str]) -> list[tuple[str, str]]:
        res = self._resources.get(key)
        if res is None:
            return []
        out: list[tuple[str, str]] = []
        if res.framework == "kubernetes":
            out.extend(_annotation_entries(res))
        lines = self._lines(res.location.path)
        if lines:
            start = max(res.location.start_line - 1, 1)  # the line just above counts too
            end = min(res.location.end_line or res.location.start_line, len(lines))
            for text in lines[start - 1 : end]:
                if "citywatch:ignore" in text:
                    for m in INLINE.finditer(text):
                        out.append((m.group(1), m.group(2).strip()))
        return out

    def _lines(self, display: str) -> list[str]:
        if display not in self._files:
            path = self._path_of.get(display, Path(display))
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._files[display] = text.splitlines()
        return self._files[display]


def _annotation_entries(res: Resource) -> list[tuple[str, str]]:
    meta = res.attributes.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict):
        return []
    out: list[tuple[str, str]] = []
    for key, value in annotations.items():
        if not isinstance(key, str):
            continue
        if key == ANNOTATION_KEY and isinstance(value, str):
            # "CW-K8S-001 reason; CW-K8S-002 another reason"
            for part in re.split(r"[;\n]", value):
                part = part.strip()
                if part:
                    sel, _, why = part.partition(" ")
                    out.append((sel.rstrip(",:"), why.strip()))
        elif key.startswith(ANNOTATION_KEY + "."):
            out.append((key[len(ANNOTATION_KEY) + 1 :], str(value or "")))
    return out
