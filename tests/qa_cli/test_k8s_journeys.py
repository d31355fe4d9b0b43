"""`citywatch k8s` on a realistic multi-namespace snapshot (k8s_snapshot/), as a user runs it.

Expected answers are reasoned from the Kubernetes documentation: the RBAC authorizer for
`who-can`/`can` (what `kubectl auth can-i` would say), Pod Security Admission for `pss`, the
NetworkPolicy semantics for `netpol`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa_cli.helpers import run, run_json

SNAPSHOT = Path(__file__).parent / "k8s_snapshot"
CLUSTER = [
    str(SNAPSHOT / n) for n in ("namespaces.yaml", "workloads.yaml", "rbac.yaml", "netpol.yaml")
]
BASE = str(SNAPSHOT / "payments-base")


def _who(capsys: pytest.CaptureFixture[str], *query: str) -> set[tuple[str, str, str]]:
    code, doc = run_json(capsys, ["k8s", "who-can", *query, *CLUSTER])
    assert code == 0
    for s in doc["subjects"]:
        for link in s["chain"]:
            assert set(link) == {"subject", "binding", "role", "rule"}
    return {(s["kind"], s["namespace"], s["name"]) for s in doc["subjects"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # RoleBinding to a Role in shop: the SA subject without namespace is shop's, and the
        # group of every service account in data gets it too
        (
            ("create", "pods/exec", "-n", "shop"),
            {("ServiceAccount", "shop", "builder"), ("Group", "", "system:serviceaccounts:data")},
        ),
        (("create", "pods/exec", "-n", "data"), set()),  # a Role grants in its namespace only
        (("create", "pods", "-n", "shop"), set()),  # pods/exec is not pods
        (
            ("delete", "deployments.apps", "-n", "shop"),
            {("ServiceAccount", "shop", "builder"), ("Group", "", "system:serviceaccounts:data")},
        ),
        (("create", "deployments.extensions", "-n", "shop"), set()),  # the rule names apps
        # ClusterRole bound by a RoleBinding: that namespace only; aggregated ClusterRole: all
        (
            ("get", "pods", "-n", "data"),
            {
                ("Group", "", "devs"),
                ("User", "", "alice"),
                ("ServiceAccount", "monitoring", "prometheus"),
            },
        ),
        (("get", "pods"), {("ServiceAccount", "monitoring", "prometheus")}),
        (("get", "pods/log", "-n", "data"), {("Group", "", "devs"), ("User", "", "alice")}),
        # resourceNames: only a request that names the object
        (("get", "secrets", "-n", "monitoring"), set()),
        (
            ("get", "secrets", "-n", "monitoring", "--name", "prom-token"),
            {("ServiceAccount", "monitoring", "prometheus")},
        ),
        (("list", "secrets"), set()),  # view has no secrets
    ],
)
def test_who_can_answers_like_the_rbac_authorizer(
    capsys: pytest.CaptureFixture[str], query: tuple[str, ...], expected: set[tuple[str, str, str]]
) -> None:
    assert _who(capsys, *query) == expected


def test_can_lists_a_service_account_and_its_groups(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(capsys, ["k8s", "can", "sa:shop/builder", *CLUSTER])
    assert code == 0
    assert set(doc["groups"]) == {
        "system:authenticated",
        "system:serviceaccounts",
        "system:serviceaccounts:shop",
    }
    rules = {(g["binding"]["name"], tuple(g["rule"]["resources"])) for g in doc["grants"]}
    assert rules == {("builder-deployer", ("deployments",)), ("builder-deployer", ("pods/exec",))}
    # any service account of data inherits the same through its namespace group
    _, doc = run_json(capsys, ["k8s", "can", "ServiceAccount:data:anything", *CLUSTER])
    assert {g["binding"]["name"] for g in doc["grants"]} == {"builder-deployer"}
    code, out, _ = run(capsys, ["k8s", "can", "Group:devs", *CLUSTER])
    assert code == 0 and "deployments.apps/scale" in out  # kubectl's spelling


def test_rbac_findings_name_binding_role_and_namespaced_subject(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, doc = run_json(capsys, ["k8s", "rbac", *CLUSTER])
    assert code == 1
    assert {f["check_id"] for f in doc["findings"]} == {"CW-RBAC-003", "CW-RBAC-004"}
    exec_finding = next(f for f in doc["findings"] if f["check_id"] == "CW-RBAC-003")
    assert "RoleBinding/shop/builder-deployer" in exec_finding["message"]
    assert "ServiceAccount shop/builder" in exec_finding["message"]
    summary = {
        (s["subject"]["kind"], s["subject"]["namespace"], s["subject"]["name"])
        for s in doc["subjects"]
    }
    assert ("ServiceAccount", "shop", "builder") in summary
    code, out, _ = run(capsys, ["k8s", "rbac", *CLUSTER])
    assert code == 1 and "shop/builder" in out and "ServiceAccount /builder" not in out


def test_pss_uses_namespace_labels_and_upstream_messages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, doc = run_json(capsys, ["k8s", "pss", *CLUSTER])
    assert code == 1
    by_resource: dict[str, set[str]] = {}
    for f in doc["findings"]:
        assert f["scanner"] == "misconfig"
        assert {
            "pss_level",
            "pss_version",
            "pss_mode",
            "pss_check",
            "pss_reason",
            "pss_detail",
        } <= set(f)
        assert f["message"].startswith('violates PodSecurity "')
        by_resource.setdefault(f["resource"], set()).add(f["check_id"])
    # shop: enforce baseline, warn restricted -> the warn label is reported, mode warn
    frontend = [f for f in doc["findings"] if f["resource"] == "Deployment/shop/frontend"]
    assert {f["pss_mode"] for f in frontend} == {"warn"}
    assert "CW-PSS-allowPrivilegeEscalation" not in by_resource["Deployment/shop/frontend"]
    # data: enforce restricted; the StatefulSet is compliant, the CronJob is not
    assert "StatefulSet/data/db" not in by_resource
    assert {"CW-PSS-privileged", "CW-PSS-hostNamespaces"} <= by_resource["CronJob/data/backup"]
    privileged = next(f for f in doc["findings"] if f["check_id"] == "CW-PSS-privileged")
    assert privileged["message"] == (
        'violates PodSecurity "restricted:latest": privileged '
        '(container "b" must not set securityContext.privileged=true)'
    )
    code, doc = run_json(
        capsys, ["k8s", "pss", *CLUSTER, "--level", "baseline", "--version", "v1.30"]
    )
    assert {(f["resource"], f["check_id"]) for f in doc["findings"]} == {
        ("CronJob/data/backup", "CW-PSS-hostNamespaces"),
        ("CronJob/data/backup", "CW-PSS-privileged"),
        ("DaemonSet/monitoring/node-exporter", "CW-PSS-hostNamespaces"),
        ("DaemonSet/monitoring/node-exporter", "CW-PSS-hostPathVolumes"),
    }
    assert {(f["pss_version"], f["pss_mode"]) for f in doc["findings"]} == {("v1.30", "override")}


@pytest.mark.parametrize(
    ("src", "dst", "port", "allowed", "why"),
    [
        # namespaceSelector AND podSelector in one peer, named port resolved on the db pod
        ("shop/frontend", "data/db", "5432", True, "db-from-shop-frontend"),
        ("shop/frontend", "data/db", "pg", True, "db-from-shop-frontend"),
        # two peers are an OR: any pod of a team=platform namespace
        ("monitoring/node-exporter", "data/db", "5432", True, "db-two-peers"),
        # default-deny egress in data: the backup job cannot leave even though db admits it
        ("data/backup", "data/db", "5432", False, "egress"),
        ("shop/frontend", "data/db", "80", False, "egress"),
        ("monitoring/node-exporter", "shop/frontend", "8080", True, "not isolated"),
    ],
)
def test_netpol_from_to(
    capsys: pytest.CaptureFixture[str], src: str, dst: str, port: str, allowed: bool, why: str
) -> None:
    argv = ["k8s", "netpol", *CLUSTER, "--from", src, "--to", dst, "--port", port]
    code, doc = run_json(capsys, argv)
    assert code == 0
    assert doc["allowed"] is allowed
    assert {"allowed", "rule", "egress", "ingress"} <= set(doc)
    assert why in doc["rule"]


def test_netpol_matrix_and_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(capsys, ["k8s", "netpol", *CLUSTER, "--matrix"])
    assert code == 0
    assert doc["matrix"] == {
        "data": {"data": False, "monitoring": False, "shop": False},
        "monitoring": {"data": True, "monitoring": True, "shop": True},
        "shop": {"data": True, "monitoring": False, "shop": False},
    }
    code, doc = run_json(capsys, ["k8s", "netpol", *CLUSTER])
    assert code == 1
    found = {(f["check_id"], f["resource"]) for f in doc["findings"]}
    assert ("CW-NETPOL-003", "DaemonSet/monitoring/node-exporter") in found
    assert ("CW-NETPOL-001", "Namespace/data") not in found  # default-deny present


@pytest.mark.parametrize("sub", ["pss", "rbac", "netpol"])
def test_every_subcommand_renders_a_table(capsys: pytest.CaptureFixture[str], sub: str) -> None:
    code, out, err = run(capsys, ["k8s", sub, str(SNAPSHOT)])
    assert code == 1 and "findings" in out and not err
    assert "; 7 files, " in out  # the manifests read, not the one directory given


def test_kustomize_base_namespace_in_k8s_and_scan(capsys: pytest.CaptureFixture[str]) -> None:
    _, doc = run_json(capsys, ["k8s", "pss", BASE])
    assert {f["resource"] for f in doc["findings"]} == {"Deployment/payments/api"}
    assert _who_base(capsys) == {("ServiceAccount", "payments", "api")}
    code, doc = run_json(capsys, ["scan", "--scanners", "misconfig", BASE])
    posture = {
        f["resource"] for f in doc["findings"] if f["check_id"].startswith(("CW-PSS", "CW-NETPOL"))
    }
    assert "Deployment/payments/api" in posture and "Deployment/api" not in posture


def _who_base(capsys: pytest.CaptureFixture[str]) -> set[tuple[str, str, str]]:
    _, doc = run_json(capsys, ["k8s", "who-can", "get", "secrets", "-n", "payments", BASE])
    return {(s["kind"], s["namespace"], s["name"]) for s in doc["subjects"]}


def test_bad_inputs_are_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, ["k8s", "pss", *CLUSTER, "--version", "bogus"])[0] == 2
    assert run(capsys, ["k8s", "pss", str(tmp_path / "missing")])[0] == 2
    assert (
        run(capsys, ["k8s", "netpol", *CLUSTER, "--from", "shop/nothere", "--to", "data/db"])[0]
        == 2
    )
    assert run(capsys, ["k8s", "can", "sa:bad", *CLUSTER])[0] == 2
    (tmp_path / "broken.yaml").write_bytes(
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: [\n\x00\xff"
    )
    code, out, err = run(capsys, ["k8s", "pss", str(tmp_path / "broken.yaml")])
    assert code == 2 and "broken.yaml" in err and "Traceback" not in err


CLUSTER_SCOPED_GRANTS = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-and-cert-ops}
rules:
- {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}
- apiGroups: [certificates.k8s.io]
  resources: [certificatesigningrequests/approval]
  verbs: [update]
- apiGroups: [admissionregistration.k8s.io]
  resources: [validatingwebhookconfigurations]
  verbs: [delete]
- {apiGroups: [""], resources: [users], verbs: [impersonate]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {name: ops, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-and-cert-ops}
subjects: [{kind: User, name: bob}]
"""


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("ClusterRoleBinding", {"CW-RBAC-005", "CW-RBAC-007", "CW-RBAC-008", "CW-RBAC-009"}),
        # nodes, CSRs, webhook configurations and users are cluster-scoped: a RoleBinding
        # cannot grant them (their requests carry no namespace), so nothing is at risk
        ("RoleBinding", set()),
    ],
)
def test_cluster_scoped_risks_need_a_cluster_role_binding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, expected: set[str]
) -> None:
    path = tmp_path / "rbac.yaml"
    path.write_text(CLUSTER_SCOPED_GRANTS.replace("{kind}", kind))
    _, doc = run_json(capsys, ["k8s", "rbac", str(path)])
    assert {f["check_id"] for f in doc["findings"]} == expected
