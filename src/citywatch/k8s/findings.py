"""Check metadata for the Kubernetes posture analyses and the builders that make findings.

Ids: `CW-PSS-<upstream check id>` (Pod Security Standards), `CW-RBAC-<NNN>` (risky grants),
`CW-NETPOL-<NNN>` (reachability). docs/kubernetes.md lists every one.
"""

from __future__ import annotations

from typing import Any

from citywatch.k8s.pss import PodResult, version_label
from citywatch.k8s.pss_checks import CHECKS
from citywatch.model import Check, Finding, Location, Resource, Severity

PSS_REFERENCE = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
RBAC_REFERENCE = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
NETPOL_REFERENCE = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"


def _pss_check(check_id: str, level: str, title: str) -> Check:
    return Check(
        id=f"CW-PSS-{check_id}",
        title=f"Pod Security Standards ({level}): {title}",
        severity=Severity.HIGH if level == "baseline" else Severity.MEDIUM,
        description=f"Upstream Pod Security Admission check `{check_id}` of the {level} level.",
        remediation="Change the pod's securityContext so that it meets the "
        f"{level} Pod Security Standard (see the message for the field).",
        references=[PSS_REFERENCE],
        frameworks=["kubernetes"],
        scanner="misconfig",
    )


PSS_CHECKS: dict[str, Check] = {c.id: _pss_check(c.id, c.level, c.title) for c in CHECKS}


def _check(
    cid: str, title: str, severity: Severity, remediation: str, reference: str, description: str
) -> Check:
    return Check(
        id=cid,
        title=title,
        severity=severity,
        description=description,
        remediation=remediation,
        references=[reference],
        frameworks=["kubernetes"],
        scanner="misconfig",
    )


RBAC_CHECKS: dict[str, Check] = {
    c.id: c
    for c in [
        _check(
            "CW-RBAC-001",
            "Cluster-admin or wildcard permissions granted",
            Severity.CRITICAL,
            "Grant only the verbs and resources the subject needs; keep cluster-admin for "
            "break-glass accounts.",
            RBAC_REFERENCE,
            "A non-system subject holds cluster-admin or `*` verbs on `*` resources.",
        ),
        _check(
            "CW-RBAC-002",
            "Read access to secrets cluster-wide",
            Severity.HIGH,
            "Bind secret read access with a RoleBinding in one namespace, "
            "limited by resourceNames.",
            RBAC_REFERENCE,
            "get/list/watch on secrets through a ClusterRoleBinding exposes every secret.",
        ),
        _check(
            "CW-RBAC-003",
            "Exec, attach or port-forward into pods",
            Severity.HIGH,
            "Remove pods/exec, pods/attach and pods/portforward from the role.",
            RBAC_REFERENCE,
            "Interactive access into pods reads their secrets and service account tokens.",
        ),
        _check(
            "CW-RBAC-004",
            "Can create pods or workloads",
            Severity.MEDIUM,
            "Limit workload creation to deployment pipelines; enforce Pod Security restricted.",
            RBAC_REFERENCE,
            "Creating a pod can mount any service account of the namespace and so use its token.",
        ),
        _check(
            "CW-RBAC-005",
            "Privilege escalation verbs: escalate, bind or impersonate",
            Severity.CRITICAL,
            "Remove escalate/bind/impersonate from the role.",
            RBAC_REFERENCE,
            "These verbs let a subject grant itself or act with permissions it does not hold.",
        ),
        _check(
            "CW-RBAC-006",
            "Can create service account tokens",
            Severity.HIGH,
            "Remove create on serviceaccounts/token.",
            RBAC_REFERENCE,
            "Creating tokens for a service account acts with all its permissions.",
        ),
        _check(
            "CW-RBAC-007",
            "Access to nodes/proxy",
            Severity.HIGH,
            "Remove nodes/proxy; it reaches the kubelet API, including exec into any pod.",
            RBAC_REFERENCE,
            "nodes/proxy gives direct kubelet API access and bypasses admission and audit.",
        ),
        _check(
            "CW-RBAC-008",
            "Can approve certificate signing requests",
            Severity.HIGH,
            "Remove update on certificatesigningrequests/approval and approve on signers.",
            RBAC_REFERENCE,
            "Approving CSRs can mint client certificates for any user or group.",
        ),
        _check(
            "CW-RBAC-009",
            "Can change admission webhook configurations",
            Severity.HIGH,
            "Remove write verbs on mutating/validating webhook configurations.",
            RBAC_REFERENCE,
            "Admission webhooks see and can change every object sent to the API server.",
        ),
        _check(
            "CW-RBAC-010",
            "Permissions granted to anonymous, unauthenticated or default service accounts",
            Severity.HIGH,
            "Bind permissions to dedicated service accounts or named users, never to these.",
            RBAC_REFERENCE,
            "system:anonymous, system:unauthenticated and `default` service accounts are used "
            "implicitly; grants to them reach anyone or every pod.",
        ),
    ]
}


NETPOL_CHECKS: dict[str, Check] = {
    c.id: c
    for c in [
        _check(
            "CW-NETPOL-001",
            "Namespace without default-deny ingress",
            Severity.MEDIUM,
            "Add a NetworkPolicy with an empty podSelector and policyTypes [Ingress].",
            NETPOL_REFERENCE,
            "Without a default-deny policy, new pods accept traffic from everywhere.",
        ),
        _check(
            "CW-NETPOL-002",
            "Namespace without default-deny egress",
            Severity.LOW,
            "Add a NetworkPolicy with an empty podSelector and policyTypes [Egress].",
            NETPOL_REFERENCE,
            "Without a default-deny egress policy, pods can connect anywhere.",
        ),
        _check(
            "CW-NETPOL-003",
            "Pod not selected by any NetworkPolicy",
            Severity.MEDIUM,
            "Select the workload with a NetworkPolicy (or a namespace default-deny).",
            NETPOL_REFERENCE,
            "A pod no policy selects is not isolated in either direction.",
        ),
        _check(
            "CW-NETPOL-004",
            "Pod reachable from every namespace",
            Severity.MEDIUM,
            "Restrict ingress peers with namespaceSelector matchLabels instead of `{}`.",
            NETPOL_REFERENCE,
            "An ingress rule admits traffic from any pod in any namespace.",
        ),
        _check(
            "CW-NETPOL-005",
            "Pod reachable from 0.0.0.0/0",
            Severity.HIGH,
            "Narrow the ipBlock cidr or add the ranges that must not connect to `except`.",
            NETPOL_REFERENCE,
            "An ingress rule admits any IPv4 address (or the pod is not isolated for ingress).",
        ),
        _check(
            "CW-NETPOL-006",
            "Egress to the cloud metadata address allowed",
            Severity.HIGH,
            "Add 169.254.169.254/32 to the ipBlock `except` list of egress rules.",
            NETPOL_REFERENCE,
            "The instance metadata service (169.254.169.254) hands out cloud credentials.",
        ),
    ]
}


def resource_location(res: Resource, dotted: str = "") -> Location:
    line = res.line_map.get(dotted, 0) if dotted else 0
    if line:
        return Location(res.location.path, line, line)
    return res.location


def pss_findings(results: list[PodResult]) -> list[Finding]:
    out: list[Finding] = []
    for pr in results:
        res = pr.resource
        tag = f"{pr.policy.level}:{version_label(pr.policy.minor)}"
        for v in pr.violations:
            check = PSS_CHECKS[v.check]
            extra: dict[str, Any] = {
                "resource_type": res.kind,
                "framework": "kubernetes",
                "pss_level": pr.policy.level,
                "pss_version": version_label(pr.policy.minor),
                "pss_check": v.check,
                "pss_mode": pr.policy.mode,
                "pss_reason": v.reason,
                "pss_detail": v.detail,
            }
            out.append(
                Finding.from_check(
                    check,
                    f'violates PodSecurity "{tag}": {v.text()}',
                    resource_location(res, pr.spec_path),
                    resource=res.name,
                    extra=extra,
                    fingerprint_key=f"{v.check}|{v.detail}",
                )
            )
    return out
