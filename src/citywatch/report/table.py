"""Human table: grouped by file, severity colours on a TTY, a summary line at the end."""

from __future__ import annotations

from itertools import groupby

from citywatch.model import ScanResult, Severity

_COLORS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.UNKNOWN: "\033[37m",
    Severity.INFO: "\033[37m",
}
_RESET = "\033[0m"


def _sev(sev: Severity, color: bool) -> str:
    text = f"{sev.name:<8}"
    return f"{_COLORS[sev]}{text}{_RESET}" if color else text


def render(result: ScanResult, *, color: bool = False) -> str:
    lines: list[str] = []
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        lines.append("")
        lines.append(f"{path}")
        for f in group:
            where = f"{f.location.start_line}" if f.location.start_line else "-"
            res = f" [{f.resource}]" if f.resource and f.resource != path else ""
            lines.append(f"  {where:>5}  {_sev(f.severity, color)} {f.check_id:<20} {f.title}{res}")
            if f.message and f.message != f.title:
                lines.append(f"{'':>17}{f.message}")
    if result.errors:
        lines.append("")
        lines.append("errors")
        for e in result.errors:
            where = f":{e.line}" if e.line else ""
            lines.append(f"  {e.path}{where}: {e.reason}")
    if result.notices:
        lines.append("")
        lines.append("notes")
        for n in result.notices:
            lines.append(f"  {n}")
    s = result.summary()
    counts = ", ".join(f"{n} {k.lower()}" for k, n in s["by_severity"].items() if n)
    lines.append("")
    lines.append(
        f"{s['findings']} findings ({counts or 'none'}), {s['suppressed']} suppressed, "
        f"{s['errors']} errors; {s.get('files', 0)} files, {s.get('resources', 0)} resources "
        f"scanned"
    )
    return "\n".join(lines).lstrip("\n") + "\n"
