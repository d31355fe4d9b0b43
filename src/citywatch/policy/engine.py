"""Evaluate a loaded PolicySet over scanned resources and turn violations into findings.

Findings are built with `Finding.from_check`, so a policy's finding has the same shape,
fingerprint rules, suppression and reporting as a built-in check's. Each finding also names
the policy file and line (`policy`), and an evaluation error is recorded as a located error for
that resource and policy: it is never counted as a pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citywatch.model import Finding, Location, Resource, ScanError
from citywatch.policy.base import EvalContext, Policy, Violation
from citywatch.policy.errors import PolicyEvalError
from citywatch.policy.inputs import InputCache, plain
from citywatch.policy.k8smatch import Inventory
from citywatch.policy.loader import PolicySet
from citywatch.selection import selected

SCANNER = "misconfig"


@dataclass(slots=True)
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    evaluations: int = 0


def context_for(resources: Iterable[Resource]) -> EvalContext:
    """The inventory every policy may consult: all scanned Kubernetes objects."""
    objects = [
        r.attributes
        for r in resources
        if r.framework == "kubernetes" and isinstance(r.attributes, dict)
    ]
    return EvalContext(inventory=Inventory.of(plain(objects)), inputs=InputCache())


def finding_for(violation: Violation, resource: Resource, policy: Policy) -> Finding:
    location = resource.location
    if violation.path:
        line = resource.line_map.get(violation.path)
        if line:
            location = Location(location.path, line, line)
    source = violation.check.source_location
    extra: dict[str, object] = {
        "resource_type": resource.kind,
        "framework": resource.framework,
        "policy": {
            "path": source.path if source else policy.display,
            "line": source.start_line if source else None,
            "engine": violation.check.source,
        },
    }
    if violation.details not in (None, {}, []):
        extra["details"] = violation.details
    extra.update(violation.extra)
    return Finding.from_check(
        violation.check,
        violation.message,
        location,
        resource=resource.name,
        extra=extra,
        fingerprint_key=violation.message,
    )


def evaluate(
    policy_set: PolicySet,
    resources: list[Resource],
    checks: list[str] | None = None,
    skip_checks: list[str] | None = None,
) -> Outcome:
    """Every selected policy over every resource it applies to."""
    outcome = Outcome()
    policies = [
        p
        for p in policy_set.policies
        if any(selected(c.id, c.severity, checks or [], skip_checks or []) for c in p.checks)
    ]
    if not policies or not resources:
        return outcome
    ctx = context_for(resources)
    for policy in policies:
        policy.prepare(ctx)
    for resource in resources:
        for policy in policies:
            try:
                if not policy.applies(resource, ctx):
                    continue
                outcome.evaluations += 1
                violations = policy.evaluate(resource, ctx)
            except PolicyEvalError as exc:
                outcome.errors.append(_eval_error(exc, resource, policy))
                continue
            for violation in violations:
                if not selected(
                    violation.check.id, violation.check.severity, checks or [], skip_checks or []
                ):
                    continue
                outcome.findings.append(finding_for(violation, resource, policy))
                failed = violation.extra.get("evaluation_error")
                if failed:
                    outcome.errors.append(
                        _eval_error(PolicyEvalError(policy.display, str(failed)), resource, policy)
                    )
    return outcome


def _eval_error(exc: PolicyEvalError, resource: Resource, policy: Policy) -> ScanError:
    where = f"{exc.path}:{exc.line}" if exc.line else exc.path
    return ScanError(
        path=resource.location.path,
        line=resource.location.start_line or None,
        reason=f"policy {policy.name} ({where}) failed on {resource.name}: {exc.reason}",
        scanner=SCANNER,
    )


def eval_documents(path: Path) -> list[tuple[str, Any]]:
    """(label, input document) pairs for `policy eval`: the resources citywatch's parsers find in
    the file (Terraform, CloudFormation, Kubernetes, Dockerfile, in the documented input model),
    or else every raw YAML/JSON document, as is."""
    from citywatch import registry
    from citywatch.options import ScanOptions
    from citywatch.pipeline import ScanContext, parse_into
    from citywatch.policy.loader import read_documents
    from citywatch.sources.walk import walk_targets

    ctx = ScanContext(options=ScanOptions(targets=[path], scanners=("misconfig",)))
    ctx.files = walk_targets([path], ctx.options, ctx)
    parse_into(ctx, registry.parsers_for(("misconfig",)))
    if ctx.resources:
        cache = InputCache()
        return [(r.name, cache.document(r)) for r in ctx.resources]
    return [(f"document {i + 1}", doc) for i, doc in enumerate(read_documents(path))]
