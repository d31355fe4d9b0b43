"""citywatch's own CEL policy format: one YAML document per policy.

    kind: CELPolicy
    id: ACME-K8S-002
    title: Deployments run at least two replicas
    severity: MEDIUM
    match:
      frameworks: [kubernetes]        # optional; terraform, cloudformation, kubernetes, dockerfile
      kinds: [Deployment, StatefulSet] # optional; the resource type
    variables:                        # optional, evaluated in order, read as variables.<name>
      - name: replicas
        expression: "has(object.spec.replicas) ? object.spec.replicas : 1"
    expression: "variables.replicas >= 2"          # true means compliant
    message: "runs a single replica"                # or messageExpression (a CEL string)

`object` is the input document (docs/policy.md: the same model Rego sees) and `resource` is
{kind, name, framework, file, line}. Optional: description, remediation, references,
compliance. Any other field is a load error.
"""

from __future__ import annotations

from typing import Any

from citywatch.model import Check, Location, Resource, Severity
from citywatch.parsers.yamlsafe import YamlDocument
from citywatch.policy.base import EvalContext, Violation
from citywatch.policy.cel import (
    CelEvalError,
    NamedProgram,
    compile_expression,
    evaluate_variables,
    evaluated_message,
    first_variable_error,
    prebuilt_activation,
)
from citywatch.policy.errors import PolicyEvalError, PolicyLoadError
from citywatch.policy.inputs import FRAMEWORKS, guess_framework, resource_summary

KIND = "CELPolicy"
FIELDS = frozenset(
    {
        "apiVersion",
        "kind",
        "id",
        "title",
        "severity",
        "description",
        "remediation",
        "references",
        "compliance",
        "match",
        "variables",
        "expression",
        "message",
        "messageExpression",
    }
)
MATCH_FIELDS = frozenset({"frameworks", "kinds"})


def is_cel_policy(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == KIND


def _str_list(value: Any, display: str, line: int, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise PolicyLoadError(display, f"{name} must be a list of strings", line)


class CelPolicy:
    """A compiled CELPolicy document."""

    def __init__(self, doc: YamlDocument, display: str) -> None:
        data = doc.data
        line = doc.start_line
        lines = doc.line_map
        unknown = sorted(set(map(str, data)) - FIELDS)
        if unknown:
            raise PolicyLoadError(
                display,
                f"unknown CELPolicy field(s): {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(FIELDS))})",
                lines.get(unknown[0], line),
            )
        policy_id = data.get("id")
        if not isinstance(policy_id, str) or not policy_id.strip():
            raise PolicyLoadError(display, "CELPolicy has no id", line)
        if not isinstance(data.get("expression"), str):
            raise PolicyLoadError(display, f"CELPolicy {policy_id}: expression is required", line)
        try:
            severity = Severity.parse(str(data.get("severity") or "MEDIUM"))
        except ValueError as exc:
            raise PolicyLoadError(display, f"CELPolicy {policy_id}: {exc}", line) from None
        match = data.get("match") or {}
        if not isinstance(match, dict) or set(map(str, match)) - MATCH_FIELDS:
            raise PolicyLoadError(
                display, f"CELPolicy {policy_id}: match takes only frameworks and kinds", line
            )
        self.frameworks = _str_list(match.get("frameworks"), display, line, "match.frameworks")
        bad = sorted(set(self.frameworks) - set(FRAMEWORKS))
        if bad:
            raise PolicyLoadError(display, f"unknown framework(s): {', '.join(bad)}", line)
        self.kinds = _str_list(match.get("kinds"), display, line, "match.kinds")
        compliance = data.get("compliance") or {}
        if not isinstance(compliance, dict):
            raise PolicyLoadError(display, "compliance must be a mapping", line)
        self.name = policy_id
        self.display = display
        self.check = Check(
            id=policy_id.strip(),
            title=str(data.get("title") or policy_id),
            severity=severity,
            description=str(data.get("description") or ""),
            remediation=str(data.get("remediation") or ""),
            references=_str_list(data.get("references"), display, line, "references"),
            compliance={
                str(k): _str_list(v, display, line, "compliance") for k, v in compliance.items()
            },
            frameworks=self.frameworks,
            resource_types=self.kinds,
            source="cel",
            source_location=Location(display, line, line),
        )
        self.variables: list[NamedProgram] = []
        for i, var in enumerate(data.get("variables") or []):
            if not isinstance(var, dict) or not isinstance(var.get("expression"), str):
                raise PolicyLoadError(display, f"variables[{i}] needs name and expression", line)
            where = lines.get(f"variables.{i}.expression", line)
            program = compile_expression(var["expression"], display, where, f"variable {i}")
            self.variables.append(NamedProgram(str(var.get("name")), program))
        self.expression = compile_expression(
            data["expression"], display, lines.get("expression", line), "expression"
        )
        self.message = str(data.get("message") or f"{policy_id} failed")
        self.message_expression = None
        if isinstance(data.get("messageExpression"), str):
            self.message_expression = compile_expression(
                data["messageExpression"],
                display,
                lines.get("messageExpression", line),
                "messageExpression",
            )

    @property
    def checks(self) -> list[Check]:
        return [self.check]

    def prepare(self, ctx: EvalContext) -> None:
        return None

    def applies(self, resource: Resource, ctx: EvalContext) -> bool:
        if self.frameworks and resource.framework not in self.frameworks:
            return False
        return not self.kinds or resource.kind in self.kinds

    def check_document(
        self, document: Any, summary: dict[str, Any], prebuilt: Any = None
    ) -> tuple[bool, str]:
        """(allowed, message) for one input document; raises PolicyEvalError.

        `prebuilt` is the resource's shared CEL activation, used when there are no variables.
        """
        activation: dict[str, Any] = {"object": document, "resource": summary}
        errors: dict[str, str] = {}
        if self.variables:
            _, errors = evaluate_variables(self.variables, activation)
        failed = first_variable_error(self.expression.source, errors)
        if failed:
            raise PolicyEvalError(self.display, f"CEL {self.name}: {failed}", self.check_line)
        use = prebuilt if prebuilt is not None and not self.variables else activation
        try:
            allowed = self.expression.evaluate(use)
        except CelEvalError as exc:
            raise PolicyEvalError(
                self.display, f"CEL {self.name}: {exc}", self.expression.line
            ) from None
        if not isinstance(allowed, bool):
            raise PolicyEvalError(
                self.display,
                f"CEL {self.name}: expression must be a bool, got {type(allowed).__name__}",
                self.expression.line,
            )
        if allowed:
            return True, ""
        return False, evaluated_message(self.message_expression, use, self.message)

    @property
    def check_line(self) -> int:
        loc = self.check.source_location
        return loc.start_line if loc else 0

    def evaluate(self, resource: Resource, ctx: EvalContext) -> list[Violation]:
        document = ctx.inputs.document(resource)
        summary = resource_summary(resource)
        prebuilt = None
        if not self.variables:
            prebuilt = ctx.cached(
                "cel",
                resource,
                lambda: prebuilt_activation({"object": document, "resource": summary}),
            )
        allowed, message = self.check_document(document, summary, prebuilt)
        return [] if allowed else [Violation(self.check, message)]

    def decision(self, document: Any, ctx: EvalContext) -> Any:
        framework = guess_framework(document)
        kind = document.get("type", document.get("kind")) if isinstance(document, dict) else None
        if (self.frameworks and framework and framework not in self.frameworks) or (
            self.kinds and kind and kind not in self.kinds
        ):
            return {"matched": False}
        allowed, message = self.check_document(document, {})
        return {"allowed": allowed, "message": message or None}
