"""Conftest-style Rego policies: `deny`, `warn` and `violation` rules in a package.

Which packages run: those named with `--policy-namespace` (globs allowed, `*` for all); without
it, package `main` (Conftest's default) plus every package whose METADATA carries a `custom.id`.
A rule's result may be a string (the message) or an object with `msg` (or `message`) and
optionally `details` and `path` (a dotted attribute path, to point the finding at its line).

Without METADATA the check id is `<package>.<rule>` and the severity follows Conftest's meaning:
deny/violation -> HIGH, warn -> INFO (reported, but below the default --fail-on LOW).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from citywatch.model import Check, Location, Resource, Severity
from citywatch.policy.base import EvalContext, Violation
from citywatch.policy.errors import PolicyError
from citywatch.policy.inputs import guess_framework
from citywatch.policy.metadata import Annotation, check_from, merged, read_annotations
from citywatch.policy.rego import UNDEFINED, RegoEngine
from citywatch.policy.regosource import RegoModule

DECISION_RULES = ("deny", "warn", "violation")


def is_decision_rule(name: str) -> bool:
    return any(name == r or name.startswith(r + "_") for r in DECISION_RULES)


def default_severity(rule: str) -> Severity:
    return Severity.INFO if rule.startswith("warn") else Severity.HIGH


def package_selected(package: str, namespaces: list[str], annotated: bool) -> bool:
    if namespaces:
        return any(fnmatch.fnmatchcase(package, ns) for ns in namespaces)
    return package == "main" or annotated


@dataclass(slots=True)
class DecisionRule:
    rule: str
    check: Check
    module: RegoModule


def _applies(check: Check, resource: Resource) -> bool:
    if check.frameworks and resource.framework not in check.frameworks:
        return False
    return not check.resource_types or resource.kind in check.resource_types


def _applies_document(check: Check, document: Any) -> bool:
    """`_applies` for a raw input document (`policy eval`): framework and kind as guessed."""
    framework = guess_framework(document)
    kind = document.get("type", document.get("kind")) if isinstance(document, dict) else None
    if check.frameworks and framework and framework not in check.frameworks:
        return False
    return not (check.resource_types and kind and kind not in check.resource_types)


def violations_from(value: Any, check: Check) -> list[Violation]:
    """Normalise a deny/warn/violation value (set, list, bool or object) into violations."""
    if value is UNDEFINED or value is None or value is False:
        return []
    if value is True:
        return [Violation(check, f"{check.id} failed")]
    items = list(value.values()) if isinstance(value, dict) else value
    if not isinstance(items, list):
        items = [items]
    out: list[Violation] = []
    for item in items:
        if isinstance(item, str):
            out.append(Violation(check, item))
        elif isinstance(item, dict):
            msg = item.get("msg", item.get("message"))
            text = msg if isinstance(msg, str) else json.dumps(item, sort_keys=True)
            path = item.get("path")
            out.append(
                Violation(
                    check,
                    text,
                    path=str(path) if isinstance(path, str) and path else None,
                    details=item.get("details"),
                )
            )
        elif item is not None and item is not False:
            out.append(Violation(check, json.dumps(item, sort_keys=True)))
    return out


class RegoPackagePolicy:
    """The decision rules of one Rego package, sharing the run's compiled engine."""

    def __init__(self, engine: RegoEngine, package: str, rules: list[DecisionRule]) -> None:
        self.engine = engine
        self.package = package
        self.rules = rules
        self.name = f"data.{package}"
        self.display = rules[0].module.display if rules else "<rego>"

    @property
    def checks(self) -> list[Check]:
        return [r.check for r in self.rules]

    def prepare(self, ctx: EvalContext) -> None:
        return None

    def applies(self, resource: Resource, ctx: EvalContext) -> bool:
        return any(_applies(r.check, resource) for r in self.rules)

    def evaluate(self, resource: Resource, ctx: EvalContext) -> list[Violation]:
        self.engine.set_input_keyed(id(resource), ctx.inputs.json(resource))
        out: list[Violation] = []
        for rule in self.rules:
            if _applies(rule.check, resource):
                value = self.engine.evaluate(f"data.{self.package}.{rule.rule}", rule.module)
                out.extend(violations_from(value, rule.check))
        return out

    def decision(self, document: Any, ctx: EvalContext) -> Any:
        """Raw rule values, for the rules a scan would evaluate on this document.

        Rules whose METADATA `frameworks`/`resource_types` exclude the document are left out
        (all of them: `{"matched": false}`, as CEL policies say), so `policy eval` never shows
        a denial that `scan` would not report.
        """
        rules = [r for r in self.rules if _applies_document(r.check, document)]
        if not rules:
            return {"matched": False}
        self.engine.set_input(document)
        result: dict[str, Any] = {}
        for rule in rules:
            value = self.engine.evaluate(f"data.{self.package}.{rule.rule}", rule.module)
            result[rule.rule] = None if value is UNDEFINED else value
        return result


def _annotations_by_line(module: RegoModule) -> tuple[Annotation | None, dict[int, Annotation]]:
    package_ann: Annotation | None = None
    by_line: dict[int, Annotation] = {}
    for ann in read_annotations(module.display, module.text):
        if ann.target_is_package:
            package_ann = ann
        else:
            by_line[ann.target_line] = ann
    return package_ann, by_line


def build_package_policies(
    engine: RegoEngine, modules: list[RegoModule], namespaces: list[str]
) -> tuple[list[RegoPackagePolicy], list[PolicyError]]:
    """One policy per selected package, plus METADATA errors (whose package does not run)."""
    errors: list[PolicyError] = []
    broken: set[str] = set()
    package_meta: dict[str, dict[str, Any]] = {}
    rule_meta: dict[tuple[str, str], tuple[dict[str, Any], int]] = {}
    first_def: dict[tuple[str, str], tuple[RegoModule, int]] = {}
    for module in modules:
        try:
            package_ann, by_line = _annotations_by_line(module)
        except PolicyError as exc:
            errors.append(exc)
            broken.add(module.package)
            continue
        if package_ann is not None:
            package_meta.setdefault(module.package, package_ann.data)
        for rule in module.rules:
            if not is_decision_rule(rule.name):
                continue
            key = (module.package, rule.name)
            first_def.setdefault(key, (module, rule.line))
            ann = by_line.get(rule.line)
            if ann is not None and key not in rule_meta:
                rule_meta[key] = (ann.data, ann.line)
    grouped: dict[str, list[DecisionRule]] = {}
    for (package, rule_name), (module, line) in sorted(first_def.items()):
        pkg_data = package_meta.get(package)
        rule_data: dict[str, Any] | None = None
        ann_line = line
        if (package, rule_name) in rule_meta:
            rule_data, ann_line = rule_meta[(package, rule_name)]
        annotated = bool(pkg_data or rule_data)
        if package in broken or not package_selected(package, namespaces, annotated):
            continue
        file_line = module.file_line(line)
        if annotated:
            try:
                check = check_from(
                    merged(pkg_data, rule_data),
                    display=module.display,
                    line=module.file_line(ann_line),
                    default_severity=default_severity(rule_name),
                    source="rego",
                )
            except PolicyError as exc:
                errors.append(exc)
                continue
            check.source_location = Location(module.display, file_line, file_line)
        else:
            check = Check(
                id=f"{package}.{rule_name}",
                title=f"Rego policy {package}.{rule_name}",
                severity=default_severity(rule_name),
                source="rego",
                source_location=Location(module.display, file_line, file_line),
            )
        grouped.setdefault(package, []).append(DecisionRule(rule_name, check, module))
    policies = [RegoPackagePolicy(engine, pkg, rules) for pkg, rules in sorted(grouped.items())]
    return policies, errors
