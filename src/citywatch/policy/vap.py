"""Kubernetes ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding, evaluated against
the scanned objects the way the API server would for a CREATE request.

Supported: matchConstraints / binding matchResources (resourceRules, excludeResourceRules,
namespaceSelector, objectSelector), matchConditions, variables, validations (expression,
message, messageExpression, reason), paramKind + paramRef (name, namespace, selector,
parameterNotFoundAction) with parameter objects found among the scanned files,
validationActions (Deny -> HIGH, Warn -> LOW, Audit -> INFO; `citywatch.dev/severity` on the
binding overrides), failurePolicy (Fail: an evaluation error is a finding and an error; Ignore:
an error only). `oldObject` is null; auditAnnotations are ignored (they never deny).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from citywatch.model import Check, Location, Resource, Severity
from citywatch.parsers.yamlsafe import YamlDocument
from citywatch.policy.base import EvalContext, Violation
from citywatch.policy.cel import (
    CelEvalError,
    CelProgram,
    NamedProgram,
    compile_expression,
    compile_validation,
    evaluate_variables,
    evaluated_message,
    first_variable_error,
)
from citywatch.policy.errors import PolicyEvalError, PolicyLoadError
from citywatch.policy.inputs import plain
from citywatch.policy.k8smatch import (
    Inventory,
    group_version,
    is_cluster_scoped,
    labels,
    metadata,
    namespace_of,
    selector_matches,
)

GROUP = "admissionregistration.k8s.io"
ACTION_SEVERITY = {"Deny": Severity.HIGH, "Warn": Severity.LOW, "Audit": Severity.INFO}
SEVERITY_ANNOTATION = "citywatch.dev/severity"


def is_vap(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("kind") == "ValidatingAdmissionPolicy"
        and str(doc.get("apiVersion", "")).startswith(GROUP)
    )


def is_binding(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("kind") == "ValidatingAdmissionPolicyBinding"
        and str(doc.get("apiVersion", "")).startswith(GROUP)
    )


def resource_plural(kind: str) -> str:
    """The REST resource name for a kind (what resourceRules list), by English plural rules."""
    low = kind.lower()
    if low.endswith("s") and low in ("endpoints",):
        return low
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return low[:-1] + "ies"
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return low + "es"
    return low + "s"


def _strs(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _rule_matches(rule: Any, obj: dict[str, Any]) -> bool:
    if not isinstance(rule, dict):
        return False
    group, version = group_version(obj)
    operations = _strs(rule.get("operations")) or ["*"]
    if "*" not in operations and "CREATE" not in operations:
        return False
    if not _in(group, _strs(rule.get("apiGroups"))) or not _in(
        version, _strs(rule.get("apiVersions"))
    ):
        return False
    plural = resource_plural(str(obj.get("kind") or ""))
    resources = [r for r in _strs(rule.get("resources")) if "/" not in r or r == "*/*"]
    if not any(r in ("*", "*/*") or r == plural for r in resources):
        return False
    names = _strs(rule.get("resourceNames"))
    if names and str(metadata(obj).get("name") or "") not in names:
        return False
    scope = str(rule.get("scope") or "*")
    cluster = is_cluster_scoped(obj)
    return not ((scope == "Cluster" and not cluster) or (scope == "Namespaced" and cluster))


def _in(value: str, allowed: list[str]) -> bool:
    return "*" in allowed or value in allowed


def match_resources(spec: Any, obj: dict[str, Any], inventory: Inventory, *, binding: bool) -> bool:
    """MatchResources semantics; a binding without one matches whatever the policy matches."""
    if not isinstance(spec, dict):
        return binding
    rules = spec.get("resourceRules")
    if rules and not any(_rule_matches(r, obj) for r in rules):
        return False
    if not rules and not binding:
        return False
    if any(_rule_matches(r, obj) for r in spec.get("excludeResourceRules") or []):
        return False
    if "objectSelector" in spec and not selector_matches(spec["objectSelector"], labels(obj)):
        return False
    if "namespaceSelector" in spec:
        if obj.get("kind") == "Namespace":
            if not selector_matches(spec["namespaceSelector"], labels(obj)):
                return False
        elif not is_cluster_scoped(obj):
            ns_labels = inventory.namespace_labels(namespace_of(obj))
            if not selector_matches(spec["namespaceSelector"], ns_labels or {}):
                return False
    return True


@dataclass(slots=True)
class Validation:
    program: CelProgram
    message: str | None
    message_program: CelProgram | None
    reason: str | None


@dataclass(slots=True)
class AdmissionPolicy:
    name: str
    display: str
    line: int
    param_kind: dict[str, str] | None
    match_constraints: Any
    match_conditions: list[NamedProgram]
    variables: list[NamedProgram]
    validations: list[Validation]
    failure_policy: str
    annotations: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class PolicyBinding:
    name: str
    display: str
    line: int
    policy_name: str
    param_ref: dict[str, Any] | None
    match_resources: Any
    actions: list[str]
    annotations: dict[str, Any] = field(default_factory=dict)


def _compile_list(
    items: Any, key: str, display: str, lines: dict[str, int], line: int
) -> list[NamedProgram]:
    out = []
    for i, item in enumerate(items or []):
        if not isinstance(item, dict) or not isinstance(item.get("expression"), str):
            raise PolicyLoadError(display, f"spec.{key}[{i}] needs an expression", line)
        where = lines.get(f"spec.{key}.{i}.expression", line)
        program = compile_expression(item["expression"], display, where, f"{key}[{i}]")
        out.append(NamedProgram(str(item.get("name") or i), program))
    return out


def load_policy(doc: YamlDocument, display: str) -> AdmissionPolicy:
    data = doc.data
    lines = doc.line_map
    line = lines.get("metadata.name", doc.start_line)
    name = str(metadata(data).get("name") or "")
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    if not name:
        raise PolicyLoadError(display, "ValidatingAdmissionPolicy has no name", line)
    validations = []
    for i, item in enumerate(spec.get("validations") or []):
        program, message, message_program = compile_validation(
            item, f"spec.validations[{i}]", f"spec.validations.{i}", display, lines, line
        )
        reason = item.get("reason")
        validations.append(
            Validation(program, message, message_program, str(reason) if reason else None)
        )
    if not validations:
        raise PolicyLoadError(
            display, f"ValidatingAdmissionPolicy {name!r} has no validations", line
        )
    param_kind = spec.get("paramKind")
    return AdmissionPolicy(
        name=name,
        display=display,
        line=line,
        param_kind={str(k): str(v) for k, v in param_kind.items()}
        if isinstance(param_kind, dict)
        else None,
        match_constraints=spec.get("matchConstraints"),
        match_conditions=_compile_list(
            spec.get("matchConditions"), "matchConditions", display, lines, line
        ),
        variables=_compile_list(spec.get("variables"), "variables", display, lines, line),
        validations=validations,
        failure_policy=str(spec.get("failurePolicy") or "Fail"),
        annotations=metadata(data).get("annotations") or {},
    )


def load_binding(doc: YamlDocument, display: str) -> PolicyBinding:
    data = doc.data
    line = doc.line_map.get("metadata.name", doc.start_line)
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    name = str(metadata(data).get("name") or "")
    policy_name = spec.get("policyName")
    if not name or not isinstance(policy_name, str):
        raise PolicyLoadError(display, "ValidatingAdmissionPolicyBinding needs policyName", line)
    actions = _strs(spec.get("validationActions")) or ["Deny"]
    bad = [a for a in actions if a not in ACTION_SEVERITY]
    if bad:
        raise PolicyLoadError(display, f"unknown validationActions: {', '.join(bad)}", line)
    param_ref = spec.get("paramRef")
    return PolicyBinding(
        name=name,
        display=display,
        line=line,
        policy_name=policy_name,
        param_ref=param_ref if isinstance(param_ref, dict) else None,
        match_resources=spec.get("matchResources"),
        actions=actions,
        annotations=metadata(data).get("annotations") or {},
    )


class BoundAdmissionPolicy:
    """One binding of one ValidatingAdmissionPolicy: the unit that produces findings."""

    def __init__(self, policy: AdmissionPolicy, binding: PolicyBinding) -> None:
        self.policy = policy
        self.binding = binding
        self.name = f"ValidatingAdmissionPolicy/{policy.name}"
        self.display = policy.display
        severity = max(ACTION_SEVERITY[a] for a in binding.actions)
        override = binding.annotations.get(SEVERITY_ANNOTATION) or policy.annotations.get(
            SEVERITY_ANNOTATION
        )
        if override:
            try:
                severity = Severity.parse(str(override))
            except ValueError as exc:
                raise PolicyLoadError(binding.display, str(exc), binding.line) from None
        if policy.param_kind and binding.param_ref is None:
            raise PolicyLoadError(
                binding.display,
                f"binding {binding.name!r}: policy {policy.name!r} has paramKind but no paramRef",
                binding.line,
            )
        self.check = Check(
            id=self.name,
            title=f"ValidatingAdmissionPolicy {policy.name}",
            severity=severity,
            frameworks=["kubernetes"],
            source="vap",
            source_location=Location(policy.display, policy.line, policy.line),
        )

    @property
    def checks(self) -> list[Check]:
        return [self.check]

    def prepare(self, ctx: EvalContext) -> None:
        return None

    def applies(self, resource: Resource, ctx: EvalContext) -> bool:
        obj = resource.attributes
        return (
            resource.framework == "kubernetes"
            and isinstance(obj, dict)
            and self.matches(obj, ctx.inventory)
        )

    def matches(self, obj: dict[str, Any], inventory: Inventory) -> bool:
        return match_resources(
            self.policy.match_constraints, obj, inventory, binding=False
        ) and match_resources(self.binding.match_resources, obj, inventory, binding=True)

    def _params(self, obj: dict[str, Any], inventory: Inventory) -> list[Any] | None:
        """Parameter objects for this object; [None] without paramKind; None if not found."""
        kind = self.policy.param_kind
        ref = self.binding.param_ref
        if not kind or ref is None:
            return [None]
        candidates = [
            o
            for o in inventory.objects
            if o.get("kind") == kind.get("kind") and o.get("apiVersion") == kind.get("apiVersion")
        ]
        namespace = ref.get("namespace")
        if namespace is None and candidates and not is_cluster_scoped(candidates[0]):
            namespace = namespace_of(obj) if not is_cluster_scoped(obj) else None
        if namespace is not None:
            candidates = [o for o in candidates if namespace_of(o) == str(namespace)]
        if ref.get("name") is not None:
            candidates = [o for o in candidates if metadata(o).get("name") == ref["name"]]
        elif "selector" in ref:
            candidates = [o for o in candidates if selector_matches(ref["selector"], labels(o))]
        return candidates or None

    def violations(
        self, obj: dict[str, Any], inventory: Inventory, params: list[Any] | None = None
    ) -> list[tuple[str, str]]:
        """(message, reason) per failed validation; raises PolicyEvalError on errors.

        `params` replaces the paramRef lookup (policy unit tests give parameters inline)."""
        params_list = params if params is not None else self._params(obj, inventory)
        if params_list is None:
            action = str((self.binding.param_ref or {}).get("parameterNotFoundAction") or "Deny")
            if action == "Deny":
                return [(f"no params found for binding {self.binding.name!r}", "Invalid")]
            return []
        out: list[tuple[str, str]] = []
        ns_object = None
        if not is_cluster_scoped(obj):
            ns_object = inventory.namespaces.get(namespace_of(obj))
        for param in params_list:
            activation: dict[str, Any] = {
                "object": obj,
                "oldObject": None,
                "params": param,
                "namespaceObject": ns_object,
                "request": _request(obj),
                "authorizer": None,
            }
            if not self._conditions_hold(activation):
                continue
            _, errors = evaluate_variables(self.policy.variables, activation)
            for validation in self.policy.validations:
                result = self._validate(validation, activation, errors)
                if result is not None:
                    out.append(result)
        return out

    def _conditions_hold(self, activation: dict[str, Any]) -> bool:
        for cond in self.policy.match_conditions:
            try:
                value = cond.program.evaluate(activation)
            except CelEvalError as exc:
                raise self._error(f"matchCondition {cond.name}: {exc}", cond.program) from None
            if value is not True:
                return False
        return True

    def _validate(
        self, validation: Validation, activation: dict[str, Any], errors: dict[str, str]
    ) -> tuple[str, str] | None:
        program = validation.program
        failed = first_variable_error(program.source, errors)
        if failed:
            raise self._error(failed, program)
        try:
            allowed = program.evaluate(activation)
        except CelEvalError as exc:
            raise self._error(str(exc), program) from None
        if allowed is True:
            return None
        if allowed is not False:
            raise self._error(f"validation returned {type(allowed).__name__}, not bool", program)
        message = evaluated_message(
            validation.message_program,
            activation,
            validation.message or f"failed expression: {program.source.strip()}",
        )
        return message, validation.reason or "Invalid"

    def _error(self, reason: str, program: CelProgram) -> PolicyEvalError:
        return PolicyEvalError(
            self.policy.display,
            f"ValidatingAdmissionPolicy {self.policy.name}: {reason}",
            program.line,
        )

    def evaluate(self, resource: Resource, ctx: EvalContext) -> list[Violation]:
        obj = plain(resource.attributes)
        extra = {"binding": self.binding.name, "validation_actions": list(self.binding.actions)}
        try:
            found = self.violations(obj, ctx.inventory)
        except PolicyEvalError as exc:
            if self.policy.failure_policy == "Ignore":
                raise
            return [
                Violation(
                    self.check,
                    f"evaluation failed (failurePolicy Fail): {exc.reason}",
                    extra={**extra, "evaluation_error": exc.reason, "error_line": exc.line},
                )
            ]
        return [
            Violation(self.check, message, extra={**extra, "reason": reason})
            for message, reason in found
        ]

    def decision(self, document: Any, ctx: EvalContext) -> Any:
        if not isinstance(document, dict) or not self.matches(document, ctx.inventory):
            return {"matched": False, "violations": []}
        found = self.violations(document, ctx.inventory)
        return {
            "matched": True,
            "allowed": not found,
            "violations": [{"message": m, "reason": r} for m, r in found],
        }


def _request(obj: dict[str, Any]) -> dict[str, Any]:
    group, version = group_version(obj)
    kind = str(obj.get("kind") or "")
    request: dict[str, Any] = {
        "operation": "CREATE",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": resource_plural(kind)},
        "name": str(metadata(obj).get("name") or ""),
        "userInfo": {},
        "dryRun": False,
    }
    if not is_cluster_scoped(obj):
        request["namespace"] = namespace_of(obj)
    return request
