"""`citywatch policy test`: Rego unit tests, CEL test cases and Gatekeeper gator suites.

- Rego: every rule named `test_*` (like `opa test`; `todo_test_*` are skipped) passes when it
  evaluates to true; `with input as` / `with data.x as` work as in OPA. Several definitions of
  one test name are one test (true when any body is).
- CEL: `kind: CELPolicyTest` documents name a CELPolicy id or a ValidatingAdmissionPolicy and
  list cases (`object`, optional `params`, `expect: allow|deny`, optional `message` regex).
- gator: `kind: Suite` files (test.gatekeeper.sh) run as `gator verify` would.

A policy that fails to load is a failed test: a broken file must never look green.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citywatch.parsers.yamlsafe import YamlDocument
from citywatch.policy.base import EvalContext
from citywatch.policy.celpolicy import CelPolicy
from citywatch.policy.errors import PolicyError
from citywatch.policy.gator import run_suite
from citywatch.policy.loader import PolicySet, load_policies
from citywatch.policy.rego import RegoEngine
from citywatch.policy.vap import BoundAdmissionPolicy, PolicyBinding

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


@dataclass(slots=True)
class TestResult:
    name: str
    status: str
    detail: str = ""
    location: str = ""


@dataclass(slots=True)
class TestReport:
    results: list[TestResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.status == PASS)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.status == FAIL)

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.results if r.status == SKIP)


def run_tests(paths: list[Path]) -> TestReport:
    policy_set = load_policies(paths, namespaces=["*"])
    report = TestReport()
    for err in policy_set.errors:
        where = f"{err.path}:{err.line}" if err.line else err.path
        report.results.append(TestResult(f"load {where}", FAIL, err.reason, where))
    report.results.extend(rego_tests(policy_set))
    report.results.extend(cel_tests(policy_set))
    for suite in policy_set.suites:
        result = run_suite(suite)
        for case in result.cases:
            name = f"gator {case.suite}/{case.test}/{case.case}"
            report.results.append(
                TestResult(name, PASS if case.passed else FAIL, case.reason, str(suite))
            )
        if result.error and not result.cases:
            report.results.append(TestResult(f"gator {suite}", FAIL, result.error, str(suite)))
    return report


def rego_tests(policy_set: PolicySet) -> list[TestResult]:
    seen: set[tuple[str, str]] = set()
    out: list[TestResult] = []
    engine: RegoEngine = policy_set.rego
    for module in policy_set.modules:
        for rule in module.rules:
            is_test = rule.name.startswith("test_")
            is_todo = rule.name.startswith("todo_test_")
            if not (is_test or is_todo) or rule.kind == "Func":
                continue
            key = (module.package, rule.name)
            if key in seen:
                continue
            seen.add(key)
            name = f"data.{module.package}.{rule.name}"
            where = f"{module.display}:{module.file_line(rule.line)}"
            if is_todo:
                out.append(TestResult(name, SKIP, "todo", where))
                continue
            try:
                engine.set_input_json("null")
                value = engine.evaluate(name, module)
            except PolicyError as exc:
                out.append(TestResult(name, FAIL, f"error: {exc.reason}{_prints(engine)}", where))
                continue
            if value is True:
                engine.take_prints()
                out.append(TestResult(name, PASS, "", where))
            else:
                shown = "undefined" if value is not False and value is not None else str(value)
                out.append(TestResult(name, FAIL, f"result {shown}{_prints(engine)}", where))
    return out


def _prints(engine: RegoEngine) -> str:
    lines = engine.take_prints()
    return f"; printed: {' | '.join(lines)}" if lines else ""


def _target(policy_set: PolicySet, name: str) -> CelPolicy | BoundAdmissionPolicy | None:
    for policy in policy_set.policies:
        if isinstance(policy, CelPolicy) and policy.name == name:
            return policy
    vap = policy_set.admission_policies.get(name)
    if vap is None:
        return None
    binding = PolicyBinding(
        "test", vap.display, vap.line, vap.name, {"name": "test"}, None, ["Deny"]
    )
    return BoundAdmissionPolicy(vap, binding)


def _case(
    target: CelPolicy | BoundAdmissionPolicy, case: dict[str, Any]
) -> tuple[bool, str, list[str]]:
    """(allowed, error, messages) for one case."""
    obj = case.get("object")
    if isinstance(target, CelPolicy):
        allowed, message = target.check_document(obj, {})
        return allowed, "", [message] if message else []
    if not isinstance(obj, dict):
        return False, "object must be a mapping", []
    params = [case["params"]] if "params" in case else [None]
    found = target.violations(obj, EvalContext().inventory, params=params)
    return not found, "", [m for m, _ in found]


def cel_tests(policy_set: PolicySet) -> list[TestResult]:
    out: list[TestResult] = []
    for display, doc in policy_set.cel_tests:
        out.extend(_cel_test_doc(policy_set, display, doc))
    return out


def _cel_test_doc(policy_set: PolicySet, display: str, doc: YamlDocument) -> list[TestResult]:
    data = doc.data
    name = str(data.get("policy") or "")
    where = f"{display}:{doc.start_line}"
    target = _target(policy_set, name)
    if target is None:
        return [TestResult(f"cel {name}", FAIL, f"no CEL policy or VAP named {name!r}", where)]
    out = []
    for i, case in enumerate(data.get("cases") or []):
        if not isinstance(case, dict):
            continue
        test_name = f"cel {name}/{case.get('name') or i}"
        line = doc.line_map.get(f"cases.{i}", doc.start_line)
        case_where = f"{display}:{line}"
        expect = str(case.get("expect") or "").lower()
        if expect not in ("allow", "deny"):
            out.append(TestResult(test_name, FAIL, "expect must be allow or deny", case_where))
            continue
        try:
            allowed, error, messages = _case(target, case)
        except PolicyError as exc:
            out.append(TestResult(test_name, FAIL, f"error: {exc.reason}", case_where))
            continue
        if error:
            out.append(TestResult(test_name, FAIL, error, case_where))
        elif allowed != (expect == "allow"):
            got = "allow" if allowed else f"deny ({'; '.join(messages)})"
            out.append(TestResult(test_name, FAIL, f"expected {expect}, got {got}", case_where))
        elif (
            expect == "deny"
            and case.get("message")
            and not any(re.search(str(case["message"]), m) for m in messages)
        ):
            out.append(
                TestResult(
                    test_name,
                    FAIL,
                    f"no message matches {case['message']!r}: {messages}",
                    case_where,
                )
            )
        else:
            out.append(TestResult(test_name, PASS, "", case_where))
    return out
