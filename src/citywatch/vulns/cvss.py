"""CVSS base scores computed from vectors, never taken on trust from the advisory text.

v3.0/v3.1 follow the FIRST specification formulas (section 7, including the v3.1 `Roundup`);
v4.0 needs FIRST's macro-vector score table and interpolation, which the maintained `cvss`
library implements, so that is delegated to it.
"""

from __future__ import annotations

import math

from citywatch.model import Severity

_AV = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_AC = {"L": 0.77, "H": 0.44}
_PR_UNCHANGED = {"N": 0.85, "L": 0.62, "H": 0.27}
_PR_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}
_UI = {"N": 0.85, "R": 0.62}
_CIA = {"H": 0.56, "L": 0.22, "N": 0.0}
_V3_REQUIRED = ("AV", "AC", "PR", "UI", "S", "C", "I", "A")


def _roundup(value: float) -> float:
    """CVSS v3.1 Roundup: smallest number with one decimal >= value, free of float error."""
    as_int = round(value * 100000)
    if as_int % 10000 == 0:
        return as_int / 100000.0
    return (math.floor(as_int / 10000) + 1) / 10.0


def _metrics(vector: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in vector.strip().split("/")[1:]:
        key, sep, value = part.partition(":")
        if not sep or key in out:
            raise ValueError(f"malformed CVSS metric {part!r}")
        out[key] = value
    return out


def cvss3_base_score(vector: str) -> float:
    if not vector.startswith(("CVSS:3.0/", "CVSS:3.1/")):
        raise ValueError("not a CVSS v3 vector")
    m = _metrics(vector)
    missing = [k for k in _V3_REQUIRED if k not in m]
    if missing:
        raise ValueError(f"CVSS v3 vector lacks {', '.join(missing)}")
    changed = m["S"] == "C"
    try:
        iss = 1 - (1 - _CIA[m["C"]]) * (1 - _CIA[m["I"]]) * (1 - _CIA[m["A"]])
        pr = (_PR_CHANGED if changed else _PR_UNCHANGED)[m["PR"]]
        exploitability = 8.22 * _AV[m["AV"]] * _AC[m["AC"]] * pr * _UI[m["UI"]]
    except KeyError as exc:
        raise ValueError(f"unknown CVSS v3 metric value {exc}") from None
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    if changed:
        return _roundup(min(1.08 * (impact + exploitability), 10))
    return _roundup(min(impact + exploitability, 10))


def cvss4_base_score(vector: str) -> float:
    if not vector.startswith("CVSS:4.0/"):
        raise ValueError("not a CVSS v4.0 vector")
    from cvss import CVSS4
    from cvss.exceptions import CVSSError

    try:
        return float(CVSS4(vector).base_score)
    except (CVSSError, KeyError, ValueError) as exc:
        raise ValueError(f"invalid CVSS v4.0 vector: {exc}") from None


def base_score(vector: str) -> float | None:
    """The base score of a v3.x or v4.0 vector, or None for other or malformed vectors."""
    try:
        if vector.startswith("CVSS:4.0/"):
            return cvss4_base_score(vector)
        if vector.startswith("CVSS:3."):
            return cvss3_base_score(vector)
    except ValueError:
        return None
    return None


def severity_for_score(score: float) -> Severity:
    """The qualitative rating scale shared by CVSS v3 and v4."""
    if score == 0:
        return Severity.INFO
    if score < 4.0:
        return Severity.LOW
    if score < 7.0:
        return Severity.MEDIUM
    if score < 9.0:
        return Severity.HIGH
    return Severity.CRITICAL
