"""Runs users' Rego/CEL/Gatekeeper/ValidatingAdmissionPolicy policies (`scan --policy`)."""

from __future__ import annotations

from pathlib import Path

from citywatch.model import Finding, Resource
from citywatch.pipeline import ScanContext


def _outside_policy_paths(ctx: ScanContext) -> list[Resource]:
    """Resources not read from the policy paths themselves: when policies live in the scanned
    repository, their templates, test samples and manifests are not the estate to judge."""
    roots = [Path(p).resolve() for p in ctx.options.policies]
    inside: set[str] = set()
    for file in ctx.files:
        try:
            real = file.path.resolve()
        except OSError:
            continue
        if any(real == root or root in real.parents for root in roots):
            inside.add(file.display)
    return [r for r in ctx.resources if r.location.path not in inside]


class PolicyEngine:
    """A misconfig engine that only does work when the user passed `--policy`."""

    scanner = "misconfig"

    def run(self, ctx: ScanContext) -> list[Finding]:
        opts = ctx.options
        if not opts.policies:
            return []
        from citywatch.policy.engine import evaluate
        from citywatch.policy.loader import load_policies

        policy_set = load_policies(
            list(opts.policies), list(opts.policy_namespaces), opts.max_file_bytes
        )
        for err in policy_set.errors:
            ctx.error(err.path, f"policy error: {err.reason}", err.line, scanner="misconfig")
        ctx.notices.extend(policy_set.notices)
        resources = _outside_policy_paths(ctx)
        skipped = len(ctx.resources) - len(resources)
        if skipped:
            ctx.notices.append(
                f"policies not applied to {skipped} resource(s) read from the --policy paths"
            )
        outcome = evaluate(policy_set, resources, opts.checks, opts.skip_checks)
        ctx.errors.extend(outcome.errors)
        ctx.stats["policies_loaded"] = len(policy_set.policies)
        ctx.stats["policy_evaluations"] = outcome.evaluations
        return outcome.findings
