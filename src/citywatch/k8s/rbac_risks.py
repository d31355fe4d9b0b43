"""Risky RBAC grants: each finding names the binding, the role, the rule and the subjects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from citywatch.k8s.findings import RBAC_CHECKS, resource_location
from citywatch.k8s.rbac import Binding, RBACGraph, Role, Rule, Subject
from citywatch.model import Finding, Location

WORKLOADS = (
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
)
BROAD_GROUPS = frozenset(
    ["system:anonymous", "system:unauthenticated", "system:authenticated", "system:serviceaccounts"]
)
RBAC_GROUP = "rbac.authorization.k8s.io"
WEBHOOK_GROUP = "admissionregistration.k8s.io"


def _any(rule: Rule, verbs: tuple[str, ...], group: str, resource: str, sub: str = "") -> bool:
    return any(rule.allows(v, group, resource, sub, "") for v in verbs)


def _wildcard(rule: Rule, b: Binding, role: Role) -> bool:
    return role.name == "cluster-admin" or (
        "*" in rule.verbs and "*" in rule.groups and "*" in rule.resources
    )


def _secrets_cluster(rule: Rule, b: Binding, role: Role) -> bool:
    return b.kind == "ClusterRoleBinding" and _any(rule, ("get", "list", "watch"), "", "secrets")


def _exec(rule: Rule, b: Binding, role: Role) -> bool:
    return any(
        _any(rule, ("create", "get"), "", "pods", sub) for sub in ("exec", "attach", "portforward")
    )


def _workloads(rule: Rule, b: Binding, role: Role) -> bool:
    return any(rule.allows("create", g, r, "", "") for g, r in WORKLOADS)


def _cluster_wide(b: Binding) -> bool:
    """Requests for cluster-scoped objects (nodes, CSRs, webhook configurations, users to
    impersonate) carry no namespace, so only a ClusterRoleBinding can grant them; the same rule
    reached through a RoleBinding is inert."""
    return b.kind == "ClusterRoleBinding"


def _escalate(rule: Rule, b: Binding, role: Role) -> bool:
    if any(_any(rule, ("escalate", "bind"), RBAC_GROUP, r) for r in ("roles", "clusterroles")):
        return True
    if rule.allows("impersonate", "", "serviceaccounts", "", ""):  # namespaced: any binding
        return True
    return _cluster_wide(b) and any(
        rule.allows("impersonate", g, r, "", "")
        for g, r in (
            ("", "users"),
            ("", "groups"),
            ("authentication.k8s.io", "userextras"),
            ("authentication.k8s.io", "uids"),
        )
    )


def _token(rule: Rule, b: Binding, role: Role) -> bool:
    return rule.allows("create", "", "serviceaccounts", "token", "")


def _node_proxy(rule: Rule, b: Binding, role: Role) -> bool:
    return _cluster_wide(b) and _any(
        rule, ("get", "create", "update", "patch", "delete"), "", "nodes", "proxy"
    )


def _csr(rule: Rule, b: Binding, role: Role) -> bool:
    return _cluster_wide(b) and (
        _any(
            rule,
            ("update", "patch"),
            "certificates.k8s.io",
            "certificatesigningrequests",
            "approval",
        )
        or rule.allows("approve", "certificates.k8s.io", "signers", "", "")
    )


def _webhooks(rule: Rule, b: Binding, role: Role) -> bool:
    return _cluster_wide(b) and any(
        _any(rule, ("create", "update", "patch", "delete"), WEBHOOK_GROUP, r)
        for r in ("mutatingwebhookconfigurations", "validatingwebhookconfigurations")
    )


RISKS: tuple[tuple[str, Callable[[Rule, Binding, Role], bool], str], ...] = (
    ("CW-RBAC-001", _wildcard, "cluster-admin or wildcard access"),
    ("CW-RBAC-002", _secrets_cluster, "read secrets in every namespace"),
    ("CW-RBAC-003", _exec, "exec/attach/port-forward into pods"),
    ("CW-RBAC-004", _workloads, "create pods or workloads"),
    ("CW-RBAC-005", _escalate, "escalate, bind or impersonate"),
    ("CW-RBAC-006", _token, "create service account tokens"),
    ("CW-RBAC-007", _node_proxy, "use nodes/proxy"),
    ("CW-RBAC-008", _csr, "approve certificate signing requests"),
    ("CW-RBAC-009", _webhooks, "change admission webhook configurations"),
)


def is_system_subject(s: Subject) -> bool:
    """Control-plane identities that legitimately hold broad rights (not reported)."""
    if s.kind in ("User", "Group"):
        return (
            s.name.startswith("system:")
            and s.name not in BROAD_GROUPS
            and not (s.name.startswith("system:serviceaccounts"))
        )
    return s.kind == "ServiceAccount" and s.namespace == "kube-system"


def is_implicit_subject(s: Subject, binding_ns: str) -> bool:
    """Subjects everyone or every pod is, without asking: anonymous, unauthenticated, default SA."""
    if s.kind == "User" and s.name == "system:anonymous":
        return True
    if s.kind == "Group" and s.name == "system:unauthenticated":
        return True
    if s.kind == "ServiceAccount" and s.name == "default":
        return True
    return (
        s.kind == "User"
        and s.name.startswith("system:serviceaccount:")
        and (s.name.endswith(":default"))
    )


@dataclass(slots=True)
class _Hit:
    check_id: str
    binding: Binding
    role: Role
    rule: Rule
    subjects: list[Subject]
    what: str


def _hits(graph: RBACGraph) -> list[_Hit]:
    hits: list[_Hit] = []
    for b in graph.all_bindings():
        role = graph.role_for(b)
        if role is None or b.name.startswith("system:"):
            continue  # bootstrap bindings of the control plane
        subjects = [s for s in b.subjects if not is_system_subject(s)]
        if subjects:
            for cid, pred, what in RISKS:
                rule = next((r for r in role.rules if r.resources and pred(r, b, role)), None)
                if rule is None and cid == "CW-RBAC-001" and role.name == "cluster-admin":
                    rule = role.rules[0] if role.rules else Rule.parse({"verbs": ["*"]})
                if rule is not None:
                    hits.append(_Hit(cid, b, role, rule, subjects, what))
                    if cid == "CW-RBAC-001":
                        break  # full access implies every narrower risk: report it once
        implicit = [s for s in b.subjects if is_implicit_subject(s, b.namespace)]
        if implicit and role.rules:
            hits.append(_Hit("CW-RBAC-010", b, role, role.rules[0], implicit, "use this role"))
    return hits


def risky_findings(graph: RBACGraph) -> list[Finding]:
    out: list[Finding] = []
    for h in _hits(graph):
        check = RBAC_CHECKS[h.check_id]
        who = ", ".join(s.describe() for s in h.subjects)
        scope = (
            "cluster-wide"
            if h.binding.kind == "ClusterRoleBinding"
            else (f"in namespace {h.binding.namespace}")
        )
        message = (
            f"{h.binding.ref} binds {h.role.ref} to {who}: may {h.what} {scope} "
            f"(rule: {h.rule.describe()})"
        )
        src = h.binding.source
        loc = resource_location(src) if src is not None else Location("<cluster>")
        chain = [
            {
                "subject": s.to_dict(),
                "binding": {
                    "kind": h.binding.kind,
                    "name": h.binding.name,
                    "namespace": h.binding.namespace,
                },
                "role": {"kind": h.role.kind, "name": h.role.name, "namespace": h.role.namespace},
                "rule": h.rule.to_dict(),
            }
            for s in h.subjects
        ]
        out.append(
            Finding.from_check(
                check,
                message,
                loc,
                resource=src.name if src is not None else h.binding.ref,
                extra={"resource_type": h.binding.kind, "framework": "kubernetes", "chain": chain},
                fingerprint_key=f"{h.binding.ref}|{h.role.ref}|{who}",
            )
        )
    return out


def subject_summary(graph: RBACGraph) -> list[dict[str, Any]]:
    """Per subject: how many bindings, which roles, and which risks it holds."""
    rows: dict[Subject, dict[str, Any]] = {}
    risky: dict[Subject, set[str]] = {}
    for h in _hits(graph):
        for s in h.subjects:
            risky.setdefault(s, set()).add(h.check_id)
    for b in graph.all_bindings():
        for s in b.subjects:
            row = rows.setdefault(
                s, {"subject": s.to_dict(), "bindings": 0, "roles": set(), "risks": []}
            )
            row["bindings"] += 1
            row["roles"].add(f"{b.role_kind}/{b.role_name}")
    out = []
    for s, row in sorted(rows.items(), key=lambda kv: (kv[0].kind, kv[0].namespace, kv[0].name)):
        row["roles"] = sorted(row["roles"])
        row["risks"] = sorted(risky.get(s, set()))
        out.append(row)
    return out
