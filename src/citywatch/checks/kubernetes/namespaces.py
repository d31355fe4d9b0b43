"""Namespace hygiene: the default and kube-system namespaces, and Pod Security Admission labels."""

from __future__ import annotations

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import (
    CLUSTER_SCOPED,
    FRAMEWORK,
    WORKLOADS,
    compliance,
    fail,
    get,
)
from citywatch.model import Resource

NAMESPACES_DOC = "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"
PSA_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-admission/"
SEPARATION = compliance(["AC-4", "SC-7", "CM-6"], ["A.8.9", "A.5.15"], ["CC6.1"])

DEFAULT_NAMESPACE = define(
    "CW-K8S-033",
    "Object is placed in the default namespace",
    "LOW",
    description="The default namespace is shared by everything deployed without thought; "
    "policies, quotas and RBAC scoped to it cannot separate workloads. Objects without a "
    "namespace are not reported: tools such as kustomize and Helm set it at deploy time.",
    remediation="Create a namespace per application or team and set `metadata.namespace`.",
    references=[NAMESPACES_DOC],
    compliance={**SEPARATION, "cis_kubernetes": ["5.7.1", "5.7.4"]},
)


@implements(DEFAULT_NAMESPACE, FRAMEWORK, "*")
def _default_namespace(res: Resource, _ctx: CheckContext) -> Failure | None:
    if res.kind in CLUSTER_SCOPED:
        return None
    if get(res.attributes, "metadata.namespace") == "default":
        return fail(res, "object is in the default namespace", "metadata.namespace", "ns")
    return None


KUBE_SYSTEM = define(
    "CW-K8S-047",
    "Application workload runs in kube-system",
    "MEDIUM",
    description="kube-system holds the control plane's components and their highly privileged "
    "service accounts; workloads placed there share that trust boundary.",
    remediation="Deploy application workloads to their own namespace.",
    references=[NAMESPACES_DOC, PSA_DOC],
    compliance={**SEPARATION, "cis_kubernetes": ["5.7.1"]},
)


@implements(KUBE_SYSTEM, FRAMEWORK, *WORKLOADS)
def _kube_system(res: Resource, _ctx: CheckContext) -> Failure | None:
    if get(res.attributes, "metadata.namespace") == "kube-system":
        return fail(res, "workload is deployed to kube-system", "metadata.namespace", "ns")
    return None


ENFORCE = "pod-security.kubernetes.io/enforce"

PSA_LABELS = define(
    "CW-K8S-048",
    "Namespace does not enforce a Pod Security Standard",
    "LOW",
    description="Without the `pod-security.kubernetes.io/enforce` label (or with `privileged`), "
    "the built-in Pod Security Admission lets any pod into the namespace.",
    remediation="Label the namespace `pod-security.kubernetes.io/enforce: restricted` (or "
    "`baseline` where restricted is not yet possible).",
    references=[PSA_DOC, "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    compliance={**SEPARATION, "cis_kubernetes": ["5.2.1"]},
)


@implements(PSA_LABELS, FRAMEWORK, "Namespace")
def _psa_labels(res: Resource, _ctx: CheckContext) -> Failure | None:
    labels = get(res.attributes, "metadata.labels")
    level = labels.get(ENFORCE) if isinstance(labels, dict) else None
    if level is None:
        return fail(res, f"namespace has no {ENFORCE} label", "metadata", "enforce")
    if str(level) == "privileged":
        path = f"metadata.labels.{ENFORCE}"
        return fail(res, "namespace enforces the privileged level", path, "enforce")
    return None
