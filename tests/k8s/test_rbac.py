"""RBAC answers compared with what `kubectl auth can-i` gives on the same objects."""

from __future__ import annotations

import pytest

from citywatch.k8s.rbac import Identity, RBACGraph
from citywatch.k8s.rbac_risks import risky_findings, subject_summary
from tests.k8s.helpers import resources

OBJECTS = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: dev}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [pods/log], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods, namespace: dev}
subjects: [{kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get, watch, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-secrets, namespace: development}
subjects: [{kind: User, name: dave}]
roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: read-secrets-global}
subjects: [{kind: Group, name: manager}]
roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: configmap-updater}
rules:
- {apiGroups: [""], resources: [configmaps], resourceNames: [my-configmap], verbs: [update, get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cm, namespace: dev}
subjects: [{kind: ServiceAccount, name: builder}]
roleRef: {kind: ClusterRole, name: configmap-updater, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exec}
rules:
- {apiGroups: [""], resources: [pods/exec], verbs: [create]}
- {apiGroups: [""], resources: ["*/scale"], verbs: [update]}
- {apiGroups: ["apps"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: exec, namespace: dev}
subjects: [{kind: Group, name: "system:serviceaccounts:dev"}]
roleRef: {kind: ClusterRole, name: exec, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: health}
rules:
- {nonResourceURLs: [/healthz, "/metrics/*"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: health}
subjects: [{kind: Group, name: "system:authenticated"}]
roleRef: {kind: ClusterRole, name: health, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: health-ns, namespace: dev}
subjects: [{kind: User, name: "system:anonymous"}]
roleRef: {kind: ClusterRole, name: health, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-endpoints
  labels: {rbac.example.com/aggregate-to-monitoring: "true"}
rules:
- {apiGroups: [""], resources: [services, endpointslices, pods], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: monitoring}
subjects: [{kind: ServiceAccount, name: prometheus, namespace: mon}]
roleRef: {kind: ClusterRole, name: monitoring, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: wrong-ref}
subjects: [{kind: User, name: eve}]
roleRef: {kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io}
"""

GRAPH = RBACGraph.from_resources(resources(OBJECTS))


# (who, verb, resource, namespace, name, expected kubectl auth can-i answer)
CASES = [
    ("jane", "get", "pods", "dev", "", True),
    ("jane", "list", "pods", "dev", "", True),
    ("jane", "get", "pods", "prod", "", False),  # Role only in dev
    ("jane", "get", "pods", "", "", False),  # not cluster-wide
    ("jane", "delete", "pods", "dev", "", False),
    ("jane", "get", "pods/log", "dev", "", True),
    ("jane", "create", "pods/exec", "dev", "", False),  # "pods" does not cover subresources
    ("dave", "get", "secrets", "development", "", True),  # ClusterRole via RoleBinding
    ("dave", "get", "secrets", "dev", "", False),  # ... only in the binding's namespace
    ("Group:manager", "list", "secrets", "anywhere", "", True),
    ("Group:manager", "list", "secrets", "", "", True),
    ("ServiceAccount:dev:builder", "get", "configmaps", "dev", "my-configmap", True),
    ("ServiceAccount:dev:builder", "get", "configmaps", "dev", "other", False),
    ("ServiceAccount:dev:builder", "get", "configmaps", "dev", "", False),  # names need a name
    ("ServiceAccount:dev:builder", "list", "configmaps", "dev", "", False),
    ("ServiceAccount:dev:builder", "create", "pods/exec", "dev", "", True),  # SA namespace group
    ("system:serviceaccount:dev:other", "create", "pods/exec", "dev", "", True),
    ("ServiceAccount:prod:builder", "create", "pods/exec", "dev", "", False),
    ("ServiceAccount:dev:builder", "get", "pods/exec", "dev", "", False),
    ("ServiceAccount:dev:builder", "update", "deployments/scale", "dev", "", True),  # */scale
    ("ServiceAccount:dev:builder", "delete", "deployments.apps", "dev", "", True),  # wildcards
    ("ServiceAccount:dev:builder", "delete", "deployments", "dev", "", True),
    ("ServiceAccount:dev:builder", "delete", "jobs.batch", "dev", "", False),
    ("ServiceAccount:mon:prometheus", "list", "endpointslices", "x", "", True),  # aggregated
    ("ServiceAccount:mon:prometheus", "list", "secrets", "x", "", False),
    ("eve", "get", "pods", "dev", "", False),  # ClusterRoleBinding to a Role: ignored
]


@pytest.mark.parametrize(("who", "verb", "resource", "ns", "name", "expected"), CASES)
def test_can_i(who: str, verb: str, resource: str, ns: str, name: str, expected: bool) -> None:
    identity = Identity.parse(who)
    assert (GRAPH.can(identity, verb, resource, ns, name) is not None) is expected


def test_non_resource_urls_only_through_cluster_role_bindings() -> None:
    alice = Identity.parse("alice")
    anon = Identity.parse("system:anonymous")
    assert GRAPH.can(alice, "get", "", url="/healthz") is not None
    assert GRAPH.can(alice, "get", "", url="/metrics/cadvisor") is not None
    assert GRAPH.can(alice, "get", "", url="/metrics") is None  # prefix needs the slash
    assert GRAPH.can(alice, "post", "", url="/healthz") is None
    # the RoleBinding to system:anonymous cannot grant non-resource URLs
    assert GRAPH.can(anon, "get", "", url="/healthz", namespace="dev") is None


def test_who_can_lists_subjects_with_their_chain() -> None:
    grants = GRAPH.who_can("get", "secrets", "development")
    who = {(g.subject.kind, g.subject.name) for g in grants}
    assert who == {("User", "dave"), ("Group", "manager")}
    chain = next(g for g in grants if g.subject.name == "dave").chain()
    assert chain["binding"] == {
        "kind": "RoleBinding",
        "name": "read-secrets",
        "namespace": "development",
    }
    assert chain["role"]["name"] == "secret-reader"
    assert chain["rule"]["resources"] == ["secrets"]


def test_identity_groups() -> None:
    sa = Identity.parse("sa:dev/builder")
    assert sa.user == "system:serviceaccount:dev:builder"
    assert sa.groups == {
        "system:serviceaccounts",
        "system:serviceaccounts:dev",
        "system:authenticated",
    }
    assert Identity.parse("system:anonymous").groups == {"system:unauthenticated"}
    with pytest.raises(ValueError):
        Identity.parse("ServiceAccount:onlyname")


RISKY = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-admin}
subjects: [{kind: User, name: bob}, {kind: Group, name: "system:masters"}]
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:bootstrap-ish"}
subjects: [{kind: User, name: mallory}]
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: app}
rules:
- {apiGroups: [apps], resources: [deployments], verbs: [create]}
- {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: app}
subjects: [{kind: ServiceAccount, name: default, namespace: app}]
roleRef: {kind: Role, name: deployer, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-debug}
rules:
- {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval],
   verbs: [update]}
- {apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations],
   verbs: [patch]}
- {apiGroups: [""], resources: [pods/portforward], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: node-debug}
subjects: [{kind: Group, name: "system:unauthenticated"}]
roleRef: {kind: ClusterRole, name: node-debug, apiGroup: rbac.authorization.k8s.io}
"""


def test_risky_grants_are_reported_with_binding_role_and_subjects() -> None:
    findings = risky_findings(RBACGraph.from_resources(resources(RISKY)))
    by_id: dict[str, list[str]] = {}
    for f in findings:
        by_id.setdefault(f.check_id, []).append(f.message)
    assert any(
        "ClusterRoleBinding/ops-admin" in m and "User bob" in m for m in by_id["CW-RBAC-001"]
    )
    assert not any("system:masters" in m for m in by_id["CW-RBAC-001"])  # system subject
    assert not any("mallory" in m for ms in by_id.values() for m in ms)  # system: binding
    for cid in ("CW-RBAC-004", "CW-RBAC-005", "CW-RBAC-006"):
        assert any("RoleBinding/app/deployer" in m for m in by_id[cid]), cid
    for cid in ("CW-RBAC-003", "CW-RBAC-007", "CW-RBAC-008", "CW-RBAC-009"):
        assert any("node-debug" in m for m in by_id[cid]), cid
    implicit = " ".join(by_id["CW-RBAC-010"])
    assert "ServiceAccount app/default" in implicit and "system:unauthenticated" in implicit
    chain = next(f for f in findings if f.check_id == "CW-RBAC-006").extra["chain"]
    assert chain[0]["rule"]["resources"] == ["serviceaccounts/token"]


def test_subject_summary() -> None:
    rows = subject_summary(RBACGraph.from_resources(resources(RISKY)))
    bob = next(r for r in rows if r["subject"]["name"] == "bob")
    assert bob["roles"] == ["ClusterRole/cluster-admin"] and bob["risks"] == ["CW-RBAC-001"]


BUILTIN_ONLY = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: web-admin}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: shop}
subjects: [{kind: Group, name: auditors}]
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: shop}
subjects: [{kind: Group, name: devs}]
roleRef: {kind: ClusterRole, name: edit, apiGroup: rbac.authorization.k8s.io}
"""


def test_bindings_to_the_built_in_cluster_roles_count_without_their_definition() -> None:
    graph = RBACGraph.from_resources(resources(BUILTIN_ONLY))
    assert graph.missing_roles() == []
    web = Identity.parse("sa:shop/web")
    assert graph.can(web, "delete", "nodes") is not None
    assert graph.can(web, "get", "", url="/metrics") is not None
    auditors, devs = Identity.parse("Group:auditors"), Identity.parse("Group:devs")
    assert graph.can(auditors, "list", "deployments", "shop") is not None
    assert graph.can(auditors, "get", "secrets", "shop") is None  # view never reads secrets
    assert graph.can(devs, "get", "secrets", "shop") is not None
    assert graph.can(devs, "create", "pods/exec", "shop") is not None
    assert graph.can(devs, "create", "roles", "shop") is None  # that is admin, not edit
    ids = {f.check_id for f in risky_findings(graph)}
    assert {"CW-RBAC-001", "CW-RBAC-003", "CW-RBAC-004", "CW-RBAC-006"} <= ids


def test_a_cluster_role_in_the_input_replaces_the_built_in_one() -> None:
    own = """
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
"""
    graph = RBACGraph.from_resources(resources(BUILTIN_ONLY + own))
    auditors = Identity.parse("Group:auditors")
    assert graph.can(auditors, "get", "secrets", "shop") is not None
    assert graph.can(auditors, "list", "deployments", "shop") is None
