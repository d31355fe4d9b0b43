"""Kubernetes posture during `citywatch scan`: Pod Security Standards, RBAC and NetworkPolicy.

Works on the Kubernetes resources the parser already produced, so a manifest directory gets the
same findings as `citywatch k8s pss|rbac|netpol` on it.
"""

from __future__ import annotations

from collections.abc import Callable

from citywatch.model import Finding, Resource
from citywatch.pipeline import ScanContext
from citywatch.selection import selected


def _analyses() -> list[tuple[str, Callable[[list[Resource], ScanContext], list[Finding]]]]:
    return [("pss", _pss), ("rbac", _rbac), ("netpol", _netpol)]


def _pss(resources: list[Resource], ctx: ScanContext) -> list[Finding]:
    from citywatch.k8s.findings import pss_findings
    from citywatch.k8s.pss import evaluate_resources, parse_level, parse_version

    opts = ctx.options
    try:
        parse_version(opts.pss_version)
        if opts.pss_level is not None:
            parse_level(opts.pss_level)
    except ValueError as exc:  # a usage problem, reported once; the other analyses go on
        ctx.error(resources[0].location.path, str(exc), scanner="misconfig")
        return []
    results = evaluate_resources(resources, level=opts.pss_level, version=opts.pss_version)
    ctx.stats["pss_pod_specs"] = len(results)
    return pss_findings(results)


def _rbac(resources: list[Resource], ctx: ScanContext) -> list[Finding]:
    from citywatch.k8s.rbac import RBACGraph
    from citywatch.k8s.rbac_risks import risky_findings

    if not any(r.kind in ("RoleBinding", "ClusterRoleBinding") for r in resources):
        return []
    return risky_findings(RBACGraph.from_resources(resources))


def _netpol(resources: list[Resource], ctx: ScanContext) -> list[Finding]:
    from citywatch.k8s.netpol import Cluster
    from citywatch.k8s.netpol_findings import netpol_findings
    from citywatch.parsers.kubernetes import POD_SPEC_PATHS

    # workloads with no NetworkPolicy anywhere are the least isolated case of all: report it
    if not any(r.kind == "NetworkPolicy" or r.kind in POD_SPEC_PATHS for r in resources):
        return []
    return netpol_findings(Cluster.from_resources(resources))


def _in_kustomize_namespaces(resources: list[Resource], ctx: ScanContext) -> list[Resource]:
    """Objects of a directory whose kustomization.yaml sets `namespace:` live there."""
    from citywatch.k8s.kustomize import apply_kustomize_namespaces

    on_disk = {f.display: f.path for f in ctx.files}
    return apply_kustomize_namespaces(resources, on_disk.get)


class K8sPostureEngine:
    scanner = "misconfig"

    def run(self, ctx: ScanContext) -> list[Finding]:
        resources = [r for r in ctx.resources if r.framework == "kubernetes"]
        if not resources:
            return []
        resources = _in_kustomize_namespaces(resources, ctx)
        findings: list[Finding] = []
        for name, analysis in _analyses():
            try:
                findings.extend(analysis(resources, ctx))
            except Exception as exc:  # one broken analysis must not lose the others
                first = resources[0].location.path
                ctx.error(
                    first,
                    f"k8s {name} analysis failed: {type(exc).__name__}: {exc}",
                    scanner="misconfig",
                )
        opts = ctx.options
        return [
            f for f in findings if selected(f.check_id, f.severity, opts.checks, opts.skip_checks)
        ]
