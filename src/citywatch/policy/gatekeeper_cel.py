"""Gatekeeper templates written in CEL (`code: [{engine: K8sNativeValidation}]`).

Evaluated like Gatekeeper does: the constraint is `params` (so `params.spec.parameters`), the
prelude variables `variables.params` (the parameters) and `variables.anyObject` (the object, or
oldObject on DELETE) come before the template's own `variables`, `matchConditions` must all be
true, and each failed `validations[]` entry is one violation with its (message)Expression.
Templates that carry both Rego and CEL run their Rego unless CEL is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

ENGINE = "K8sNativeValidation"


@dataclass(slots=True)
class CelValidation:
    program: CelProgram
    message: str | None
    message_program: CelProgram | None


@dataclass(slots=True)
class CelTemplateCode:
    display: str
    variables: list[NamedProgram]
    match_conditions: list[NamedProgram]
    validations: list[CelValidation]


def find_cel_source(targets: Any) -> tuple[dict[str, Any], str] | None:
    """(source, line-map key prefix) of the first K8sNativeValidation code block."""
    for i, target in enumerate(targets or []):
        if not isinstance(target, dict):
            continue
        for j, code in enumerate(target.get("code") or []):
            if isinstance(code, dict) and code.get("engine") == ENGINE:
                source = code.get("source")
                if isinstance(source, dict):
                    return source, f"spec.targets.{i}.code.{j}.source"
    return None


def _named(
    items: Any, key: str, display: str, lines: dict[str, int], line: int
) -> list[NamedProgram]:
    out = []
    for k, item in enumerate(items or []):
        if not isinstance(item, dict) or not isinstance(item.get("expression"), str):
            raise PolicyLoadError(display, f"{key}[{k}] needs an expression", line)
        where = lines.get(f"{key}.{k}.expression", line)
        program = compile_expression(item["expression"], display, where, f"{key}[{k}]")
        out.append(NamedProgram(str(item.get("name") or k), program))
    return out


def compile_cel_source(
    source: dict[str, Any], prefix: str, display: str, lines: dict[str, int], line: int
) -> CelTemplateCode:
    validations = []
    for k, item in enumerate(source.get("validations") or []):
        program, message, message_program = compile_validation(
            item, f"validations[{k}]", f"{prefix}.validations.{k}", display, lines, line
        )
        validations.append(CelValidation(program, message, message_program))
    if not validations:
        raise PolicyLoadError(display, "K8sNativeValidation code has no validations", line)
    return CelTemplateCode(
        display=display,
        variables=_named(source.get("variables"), f"{prefix}.variables", display, lines, line),
        match_conditions=_named(
            source.get("matchConditions"), f"{prefix}.matchConditions", display, lines, line
        ),
        validations=validations,
    )


def cel_violations(
    code: CelTemplateCode, review: dict[str, Any], parameters: Any
) -> list[dict[str, Any]]:
    """Gatekeeper-shaped violations ({"msg": ...}) for one admission review."""
    obj = review.get("object")
    old = review.get("oldObject")
    any_object = old if review.get("operation") == "DELETE" and obj is None else obj
    activation: dict[str, Any] = {
        "object": obj,
        "oldObject": old,
        "request": review,
        "params": {"spec": {"parameters": parameters}},
        "namespaceObject": review.get("namespaceObject"),
        "authorizer": None,
    }
    _, errors = evaluate_variables(
        code.variables, activation, {"params": parameters, "anyObject": any_object}
    )
    for cond in code.match_conditions:
        if _run(code, cond.program, activation, errors) is not True:
            return []
    out = []
    for validation in code.validations:
        allowed = _run(code, validation.program, activation, errors)
        if allowed is True:
            continue
        if allowed is not False:
            raise PolicyEvalError(
                code.display, "CEL validation did not return a bool", validation.program.line
            )
        static = validation.message or f"failed expression: {validation.program.source.strip()}"
        out.append({"msg": evaluated_message(validation.message_program, activation, static)})
    return out


def _run(
    code: CelTemplateCode, program: CelProgram, activation: dict[str, Any], errors: dict[str, str]
) -> Any:
    failed = first_variable_error(program.source, errors)
    if failed:
        raise PolicyEvalError(code.display, f"CEL: {failed}", program.line)
    try:
        return program.evaluate(activation)
    except CelEvalError as exc:
        raise PolicyEvalError(code.display, f"CEL: {exc}", program.line) from None
