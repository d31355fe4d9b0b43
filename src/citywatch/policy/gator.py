"""Gatekeeper `gator verify` suites (kind: Suite, test.gatekeeper.sh): run them in process.

A suite names a template, a constraint and cases (an object, optional inventory objects and
assertions: `violations` yes/no/N, optionally only counting messages that match the `message`
regular expression). This is how the public Gatekeeper library tests itself, so running the
suites is our conformance test, and `citywatch policy test` runs them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citywatch.parsers.yamlsafe import YamlDocument, decode_text, load_documents
from citywatch.policy.base import EvalContext
from citywatch.policy.errors import PolicyError, PolicyLoadError
from citywatch.policy.gatekeeper import (
    ConstraintPolicy,
    is_constraint,
    is_template,
    load_constraint,
    load_template,
)
from citywatch.policy.k8smatch import Inventory


def is_suite(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("kind") == "Suite"
        and str(doc.get("apiVersion", "")).startswith("test.gatekeeper.sh")
    )


@dataclass(slots=True)
class CaseResult:
    suite: str
    test: str
    case: str
    passed: bool
    reason: str = ""


@dataclass(slots=True)
class SuiteResult:
    path: str
    cases: list[CaseResult] = field(default_factory=list)
    error: str | None = None  # the suite could not run at all (e.g. unsupported template)


def _docs(path: Path) -> list[YamlDocument]:
    try:
        text = decode_text(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PolicyLoadError(str(path), f"cannot read: {exc}") from None
    loaded = load_documents(text)
    if loaded.errors:
        err = loaded.errors[0]
        raise PolicyLoadError(str(path), err.reason, err.line)
    return [d for d in loaded.docs if isinstance(d.data, dict)]


def _count(assertion: dict[str, Any], messages: list[str]) -> tuple[bool, str]:
    pattern = assertion.get("message")
    relevant = messages
    if pattern is not None:
        regex = re.compile(str(pattern))
        relevant = [m for m in messages if regex.search(m)]
    expected = assertion.get("violations", "yes")
    got = len(relevant)
    what = f" matching {pattern!r}" if pattern is not None else ""
    if expected is True or str(expected).lower() == "yes":
        return got > 0, f"expected violations{what}, got none"
    if expected is False or str(expected).lower() == "no":
        return got == 0, f"expected no violations{what}, got {got}: {relevant[:3]}"
    try:
        want = int(expected)
    except (TypeError, ValueError):
        return False, f"bad assertion violations={expected!r}"
    return got == want, f"expected {want} violations{what}, got {got}: {relevant[:3]}"


def run_suite(path: Path, prefer: str = "rego") -> SuiteResult:
    """Run every test of one suite file; a template we cannot load fails the whole suite.

    `prefer="cel"` runs templates that carry K8sNativeValidation code with their CEL."""
    result = SuiteResult(str(path))
    try:
        suites = [d for d in _docs(path) if is_suite(d.data)]
    except PolicyError as exc:
        result.error = str(exc)
        return result
    base = path.parent
    for suite_doc in suites:
        suite_name = str((suite_doc.data.get("metadata") or {}).get("name") or path.parent.name)
        for test in suite_doc.data.get("tests") or []:
            if not isinstance(test, dict):
                continue
            test_name = str(test.get("name") or "")
            try:
                policy = _policy_for(base, test, prefer)
            except PolicyError as exc:
                result.error = f"{test_name}: {exc}"
                for case in test.get("cases") or []:
                    name = str(case.get("name")) if isinstance(case, dict) else "?"
                    result.cases.append(CaseResult(suite_name, test_name, name, False, str(exc)))
                continue
            for case in test.get("cases") or []:
                if isinstance(case, dict):
                    result.cases.append(_run_case(base, suite_name, test_name, policy, case))
    return result


def _policy_for(base: Path, test: dict[str, Any], prefer: str = "rego") -> ConstraintPolicy:
    template_path = base / str(test.get("template"))
    constraint_path = base / str(test.get("constraint"))
    templates = [d for d in _docs(template_path) if is_template(d.data)]
    constraints = [d for d in _docs(constraint_path) if is_constraint(d.data)]
    if not templates or not constraints:
        raise PolicyLoadError(str(base), "suite test needs a template and a constraint")
    template = load_template(templates[0], str(template_path), prefer)
    constraint = load_constraint(constraints[0], str(constraint_path))
    if constraint.kind != template.kind:
        raise PolicyLoadError(
            str(constraint_path), f"constraint kind {constraint.kind} != template {template.kind}"
        )
    return ConstraintPolicy(template, constraint)


def _run_case(
    base: Path, suite: str, test: str, policy: ConstraintPolicy, case: dict[str, Any]
) -> CaseResult:
    name = str(case.get("name") or "")
    try:
        objects = [d.data for d in _docs(base / str(case.get("object")))]
        inventory: list[dict[str, Any]] = []
        for inv in case.get("inventory") or []:
            inventory.extend(d.data for d in _docs(base / str(inv)))
        if len(objects) != 1:
            return CaseResult(suite, test, name, False, f"expected one object, got {len(objects)}")
        ctx = EvalContext(inventory=Inventory.of(inventory))
        decision = policy.decision(objects[0], ctx)
        messages = [str(v.get("msg")) for v in decision["violations"]]
    except PolicyError as exc:
        return CaseResult(suite, test, name, False, f"error: {exc}")
    for assertion in case.get("assertions") or [{"violations": "yes"}]:
        ok, why = _count(assertion if isinstance(assertion, dict) else {}, messages)
        if not ok:
            return CaseResult(suite, test, name, False, why)
    return CaseResult(suite, test, name, True)
