"""RBAC objects read one at a time: wildcards, dangerous verbs and grants of cluster-admin.

Effective-permission analysis across bindings lives in `citywatch.k8s`; these checks only look
at what a single Role, ClusterRole or binding says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import FRAMEWORK, as_list, compliance, fail, get
from citywatch.model import Resource

RBAC_DOC = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"
RBAC_PRACTICE = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
LEAST_PRIVILEGE = compliance(
    ["AC-6", "AC-3", "AC-2"], ["A.5.15", "A.5.18", "A.8.2"], ["CC6.1", "CC6.3"]
)
ROLES = ("Role", "ClusterRole")
BINDINGS = ("RoleBinding", "ClusterRoleBinding")


def _rules(res: Resource) -> Iterator[tuple[int, dict[str, Any]]]:
    for i, rule in enumerate(as_list(res.attributes.get("rules"))):
        if isinstance(rule, dict):
            yield i, rule


def _strs(value: Any) -> set[str]:
    return {str(v) for v in as_list(value)}


def grants(rule: dict[str, Any], group: str, resource: str, verbs: set[str]) -> bool:
    """Whether one rule allows any of `verbs` on `group`/`resource` (wildcards included)."""
    groups = _strs(rule.get("apiGroups")) or {""}
    resources = _strs(rule.get("resources"))
    rule_verbs = _strs(rule.get("verbs"))
    if rule.get("nonResourceURLs") and not resources:
        return False
    base = resource.partition("/")[0]
    resource_ok = bool(resources & {resource, "*"}) or (
        "/" not in resource and f"{base}/*" in resources
    )
    return bool(groups & {group, "*"}) and resource_ok and bool(rule_verbs & (verbs | {"*"}))


def _rule_check(
    check_id: str,
    title: str,
    severity: str,
    why: str,
    fix: str,
    cis: str,
    group: str,
    resources: tuple[str, ...],
    verbs: set[str],
) -> None:
    check = define(
        check_id,
        title,
        severity,
        description=why,
        remediation=fix,
        references=[RBAC_PRACTICE, RBAC_DOC],
        compliance={**LEAST_PRIVILEGE, "cis_kubernetes": [cis]},
    )
    wanted = "/".join(sorted(verbs))

    @implements(check, FRAMEWORK, *ROLES)
    def _impl(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
        for i, rule in _rules(res):
            hit = [r for r in resources if grants(rule, group, r, verbs)]
            if hit:
                msg = f"rule {i} allows {wanted} on {', '.join(hit)}"
                yield fail(res, msg, f"rules.{i}", f"rule/{i}")


WILDCARD = define(
    "CW-K8S-040",
    "Role grants wildcard permissions",
    "HIGH",
    description="`*` in verbs, resources or apiGroups grants everything that exists now and "
    "every resource type added later (including custom resources).",
    remediation="List the exact apiGroups, resources and verbs the subject needs.",
    references=[RBAC_PRACTICE, RBAC_DOC],
    compliance={**LEAST_PRIVILEGE, "cis_kubernetes": ["5.1.3"]},
)


@implements(WILDCARD, FRAMEWORK, *ROLES)
def _wildcard(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for i, rule in _rules(res):
        where = [f for f in ("verbs", "resources", "apiGroups") if "*" in _strs(rule.get(f))]
        if where:
            msg = f"rule {i} uses '*' in {', '.join(where)}"
            yield fail(res, msg, f"rules.{i}.{where[0]}", f"rule/{i}")


_rule_check(
    "CW-K8S-042",
    "Role can read Secrets",
    "MEDIUM",
    "get, list or watch on secrets reveals every credential in scope, including service "
    "account tokens that may carry more privileges.",
    "Grant `get` on named Secrets only (`resourceNames`), or mount the Secret into the pod "
    "instead of reading it through the API.",
    "5.1.2",
    "",
    ("secrets",),
    {"get", "list", "watch"},
)
_rule_check(
    "CW-K8S-043",
    "Role can create pods",
    "MEDIUM",
    "Whoever can create pods can mount any Secret and run as any service account in the "
    "namespace, and escalate to the node where host access is allowed.",
    "Let controllers (Deployments, Jobs) create pods; grant humans and CI access to those "
    "objects instead.",
    "5.1.4",
    "",
    ("pods",),
    {"create"},
)
_rule_check(
    "CW-K8S-044",
    "Role can bind or escalate roles",
    "HIGH",
    "The bind and escalate verbs on roles and cluster roles let a subject grant itself "
    "permissions it does not hold.",
    "Remove these verbs; reserve them for cluster administrators.",
    "5.1.8",
    "rbac.authorization.k8s.io",
    ("clusterroles", "roles"),
    {"bind", "escalate"},
)
_rule_check(
    "CW-K8S-055",
    "Role can impersonate users, groups or service accounts",
    "HIGH",
    "impersonate lets a subject act as any user, group or service account it names, with "
    "all of their permissions.",
    "Remove the impersonate verb, or restrict it with `resourceNames`.",
    "5.1.8",
    "",
    ("users", "groups", "serviceaccounts"),
    {"impersonate"},
)
_rule_check(
    "CW-K8S-056",
    "Role can reach the kubelet through nodes/proxy",
    "HIGH",
    "Access to nodes/proxy reaches the kubelet API, which can run commands in any container "
    "on the node, bypassing audit logging and admission control.",
    "Remove nodes/proxy from the rule.",
    "5.1.10",
    "",
    ("nodes/proxy",),
    {"get", "create", "update", "patch"},
)
_rule_check(
    "CW-K8S-057",
    "Role can create service account tokens",
    "MEDIUM",
    "create on serviceaccounts/token issues tokens for any service account in scope, and so "
    "their permissions.",
    "Remove the permission or restrict it with `resourceNames`.",
    "5.1.13",
    "",
    ("serviceaccounts/token",),
    {"create"},
)
_rule_check(
    "CW-K8S-058",
    "Role can change admission webhooks",
    "HIGH",
    "Whoever can create or change webhook configurations can read or rewrite every object "
    "sent to the API server, or disable admission policy.",
    "Remove write access to mutating/validating webhook configurations.",
    "5.1.12",
    "admissionregistration.k8s.io",
    ("mutatingwebhookconfigurations", "validatingwebhookconfigurations"),
    {"create", "update", "patch"},
)

_rule_check(
    "CW-K8S-059",
    "Role can approve certificate signing requests",
    "HIGH",
    "update on certificatesigningrequests/approval lets a subject approve its own CSR and "
    "obtain a client certificate for any user or group, including system:masters.",
    "Remove the permission; approve CSRs through a controller with a narrow signer policy.",
    "5.1.11",
    "certificates.k8s.io",
    ("certificatesigningrequests/approval",),
    {"update", "patch"},
)

CLUSTER_ADMIN = define(
    "CW-K8S-041",
    "Binding grants cluster-admin",
    "HIGH",
    description="cluster-admin is unrestricted superuser access; bound outside break-glass "
    "accounts it turns any compromise of the subject into a cluster compromise.",
    remediation="Bind a role with only the permissions the subject needs; keep cluster-admin "
    "for a few named administrators.",
    references=[RBAC_PRACTICE, RBAC_DOC + "#user-facing-roles"],
    compliance={**LEAST_PRIVILEGE, "cis_kubernetes": ["5.1.1"]},
)


@implements(CLUSTER_ADMIN, FRAMEWORK, *BINDINGS)
def _cluster_admin(res: Resource, _ctx: CheckContext) -> Failure | None:
    ref = res.attributes.get("roleRef")
    if isinstance(ref, dict) and (ref.get("kind"), ref.get("name")) == (
        "ClusterRole",
        "cluster-admin",
    ):
        return fail(res, "binding grants cluster-admin", "roleRef.name", "roleRef")
    return None


MASTERS = define(
    "CW-K8S-045",
    "Binding names the system:masters group",
    "HIGH",
    description="Members of system:masters bypass RBAC entirely and cannot be restricted by "
    "removing bindings; binding to it only adds confusion about who holds power.",
    remediation="Remove the system:masters subject and bind a dedicated group to a scoped role.",
    references=[RBAC_PRACTICE],
    compliance={**LEAST_PRIVILEGE, "cis_kubernetes": ["5.1.7"]},
)


@implements(MASTERS, FRAMEWORK, *BINDINGS)
def _masters(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for i, subject in enumerate(as_list(res.attributes.get("subjects"))):
        if get(subject, "kind") == "Group" and get(subject, "name") == "system:masters":
            yield fail(res, "binding names system:masters", f"subjects.{i}.name", f"s/{i}")
