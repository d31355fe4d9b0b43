"""OPA `# METADATA` annotations -> `citywatch.model.Check`, strictly validated.

An annotation is a YAML document written in comments right above a `package` or a rule:

    # METADATA
    # title: Deployments run at least two replicas
    # custom:
    #   id: ACME-K8S-001
    #   severity: MEDIUM

Only OPA's own fields and the `custom` fields listed in CUSTOM_FIELDS are accepted: a typo such
as `severty` would otherwise silently fall back to a default, so it is a load error instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from citywatch.model import Check, Location, Severity
from citywatch.policy.errors import PolicyLoadError

OPA_FIELDS = frozenset(
    {
        "scope",
        "title",
        "description",
        "related_resources",
        "authors",
        "organizations",
        "schemas",
        "entrypoint",
        "custom",
    }
)
CUSTOM_FIELDS = frozenset(
    {"id", "severity", "remediation", "compliance", "frameworks", "resource_types", "references"}
)
FRAMEWORKS = frozenset({"terraform", "cloudformation", "kubernetes", "dockerfile"})
MARKER = "# METADATA"


@dataclass(frozen=True, slots=True)
class Annotation:
    """One METADATA block: `line` is where `# METADATA` is, `target_line` the statement below."""

    data: dict[str, Any]
    line: int
    target_line: int
    target_is_package: bool


def read_annotations(display: str, text: str, line_base: int = 0) -> list[Annotation]:
    """Every METADATA block in a Rego module, validated; lines are file lines."""
    lines = text.splitlines()
    out: list[Annotation] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != MARKER:
            i += 1
            continue
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].lstrip().startswith("#"):
            content = lines[i].lstrip()[1:]
            body.append(content[1:] if content.startswith(" ") else content)
            i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        target = lines[i].strip() if i < len(lines) else ""
        data = _parse_block(display, "\n".join(body), start + 1 + line_base)
        out.append(
            Annotation(data, start + 1 + line_base, i + 1 + line_base, target.startswith("package"))
        )
    return out


def _parse_block(display: str, text: str, line: int) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = line + 1 + mark.line if mark is not None else line
        raise PolicyLoadError(display, f"METADATA is not valid YAML: {exc}", where) from None
    if not isinstance(data, dict):
        raise PolicyLoadError(display, "METADATA must be a YAML mapping", line)
    unknown = sorted(set(map(str, data)) - OPA_FIELDS)
    if unknown:
        raise PolicyLoadError(
            display,
            f"unknown METADATA field(s): {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(OPA_FIELDS))})",
            _field_line(text, unknown[0], line),
        )
    custom = data.get("custom") or {}
    if not isinstance(custom, dict):
        raise PolicyLoadError(display, "METADATA custom must be a mapping", line)
    unknown = sorted(set(map(str, custom)) - CUSTOM_FIELDS)
    if unknown:
        raise PolicyLoadError(
            display,
            f"unknown METADATA custom field(s): {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(CUSTOM_FIELDS))})",
            _field_line(text, unknown[0], line),
        )
    return data


def _field_line(text: str, name: str, line: int) -> int:
    """The file line of `name:` in a METADATA block starting at `line` (the block's line else)."""
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*:")
    for k, body_line in enumerate(text.splitlines()):
        if pattern.match(body_line):
            return line + 1 + k
    return line


def merged(package: dict[str, Any] | None, rule: dict[str, Any] | None) -> dict[str, Any]:
    """Rule annotations override the package's, field by field (custom merged too)."""
    out: dict[str, Any] = dict(package or {})
    for key, value in (rule or {}).items():
        if key == "custom" and isinstance(value, dict):
            out["custom"] = {**(out.get("custom") or {}), **value}
        else:
            out[key] = value
    return out


def _strings(display: str, line: int, name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    raise PolicyLoadError(display, f"METADATA {name} must be a string or a list of strings", line)


def check_from(
    data: dict[str, Any],
    *,
    display: str,
    line: int,
    default_severity: Severity,
    source: str,
) -> Check:
    """Build the Check for annotated policy metadata; a missing `custom.id` is a load error."""
    custom = data.get("custom") or {}
    check_id = custom.get("id")
    if not isinstance(check_id, str | int) or not str(check_id).strip():
        raise PolicyLoadError(display, "policy METADATA has no custom.id", line)
    severity = default_severity
    if custom.get("severity") is not None:
        try:
            severity = Severity.parse(str(custom["severity"]))
        except ValueError as exc:
            raise PolicyLoadError(display, f"METADATA custom.severity: {exc}", line) from None
    references: list[str] = []
    for item in data.get("related_resources") or []:
        if isinstance(item, dict) and item.get("ref"):
            references.append(str(item["ref"]))
        elif isinstance(item, str):
            references.append(item)
    references += _strings(display, line, "custom.references", custom.get("references"))
    compliance_raw = custom.get("compliance") or {}
    if not isinstance(compliance_raw, dict):
        raise PolicyLoadError(display, "METADATA custom.compliance must be a mapping", line)
    compliance = {
        str(k): _strings(display, line, f"custom.compliance.{k}", v)
        for k, v in compliance_raw.items()
    }
    frameworks = _strings(display, line, "custom.frameworks", custom.get("frameworks"))
    bad = sorted(set(frameworks) - FRAMEWORKS)
    if bad:
        raise PolicyLoadError(
            display,
            f"METADATA custom.frameworks: unknown {', '.join(bad)} "
            f"(one of {', '.join(sorted(FRAMEWORKS))})",
            line,
        )
    return Check(
        id=str(check_id).strip(),
        title=str(data.get("title") or check_id),
        severity=severity,
        description=str(data.get("description") or ""),
        remediation=str(custom.get("remediation") or ""),
        references=references,
        compliance=compliance,
        frameworks=frameworks,
        resource_types=_strings(
            display, line, "custom.resource_types", custom.get("resource_types")
        ),
        source=source,
        source_location=Location(display, line, line),
    )
