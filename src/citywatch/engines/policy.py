"""Runs users' Rego/CEL/Gatekeeper/ValidatingAdmissionPolicy policies (`scan --policy`)."""

from __future__ import annotations

from citywatch.model import Finding
from citywatch.pipeline import ScanContext


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
        outcome = evaluate(policy_set, ctx.resources, opts.checks, opts.skip_checks)
        ctx.errors.extend(outcome.errors)
        ctx.stats["policies_loaded"] = len(policy_set.policies)
        ctx.stats["policy_evaluations"] = outcome.evaluations
        return outcome.findings
