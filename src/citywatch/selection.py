"""--check / --skip-check selectors: check ids, shell-style globs or severity names."""

from __future__ import annotations

import fnmatch

from citywatch.model import Severity

_SEVERITY_NAMES = {s.name for s in Severity}


def matches(selector: str, check_id: str, severity: Severity) -> bool:
    sel = selector.strip()
    if sel.upper() in _SEVERITY_NAMES:
        return severity.name == sel.upper()
    return fnmatch.fnmatchcase(check_id.upper(), sel.upper())


def selected(check_id: str, severity: Severity, include: list[str], exclude: list[str]) -> bool:
    if include and not any(matches(s, check_id, severity) for s in include):
        return False
    return not any(matches(s, check_id, severity) for s in exclude)
