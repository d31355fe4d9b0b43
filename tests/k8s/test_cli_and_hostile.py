"""`citywatch k8s` over manifest files, and objects of the wrong shape (bad input is normal)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citywatch.cli.main import main
from citywatch.k8s.netpol import Cluster
from citywatch.k8s.netpol_findings import netpol_findings
from citywatch.k8s.pss import evaluate_resources
from citywatch.k8s.rbac import RBACGraph
from citywatch.k8s.rbac_risks import risky_findings
from citywatch.options import ScanOptions
from citywatch.pipeline import run_scan
from tests.k8s.helpers import resources, write

MANIFESTS = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  template:
    metadata: {labels: {app: frontend}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: pg}]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debugger, namespace: shop}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: debuggers, namespace: shop}
subjects: [{kind: Group, name: oncall}]
roleRef: {kind: Role, name: debugger, apiGroup: rbac.authorization.k8s.io}
"""


@pytest.fixture()
def manifests(tmp_path: Path) -> Path:
    return write(tmp_path, MANIFESTS)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    rc = main(["k8s", *argv])
    return rc, capsys.readouterr().out


def test_who_can_and_can(manifests: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = run(capsys, "who-can", "create", "pods/exec", "-n", "shop", str(manifests))
    assert rc == 0 and "oncall" in out and "RoleBinding/shop/debuggers" in out
    rc, out = run(capsys, "who-can", "create", "pods/exec", str(manifests), "-n", "other")
    assert rc == 0 and out == "no subject may do this\n"
    rc, out = run(capsys, "can", "Group:oncall", str(manifests), "--format", "json")
    doc = json.loads(out)
    assert [g["scope"] for g in doc["grants"]] == ["shop"]
    assert doc["grants"][0]["rule"]["resources"] == ["pods/exec"]


def test_rbac_json_has_findings_and_subjects(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out = run(capsys, "rbac", str(manifests), "--format", "json")
    doc = json.loads(out)
    assert rc == 1
    assert [f["check_id"] for f in doc["findings"]] == ["CW-RBAC-003"]
    assert doc["subjects"][0]["subject"] == {"kind": "Group", "name": "oncall", "namespace": ""}


def test_netpol_query_matrix_and_findings(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out = run(
        capsys,
        "netpol",
        str(manifests),
        "--from",
        "shop/frontend",
        "--to",
        "shop/db",
        "--port",
        "pg",
        "--format",
        "json",
    )
    assert rc == 0 and json.loads(out)["allowed"] is True
    rc, out = run(capsys, "netpol", str(manifests), "--matrix", "--by", "workload", "-f", "json")
    reach = json.loads(out)["reach"]
    assert reach["shop/db"] == ["shop/frontend"]  # db's egress is open, frontend accepts all
    assert "shop/db" in reach["shop/frontend"]
    rc, out = run(capsys, "netpol", str(manifests))
    assert rc == 1 and "CW-NETPOL-001" in out and "CW-NETPOL-003" in out


def test_usage_errors(manifests: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["k8s", "pss"]) == 2  # neither paths nor a cluster
    assert main(["k8s", "netpol", str(manifests), "--from", "shop/frontend"]) == 2
    assert main(["k8s", "netpol", str(manifests), "--from", "shop/nope", "--to", "shop/db"]) == 2
    assert main(["k8s", "can", "ServiceAccount:x", str(manifests)]) == 2
    capsys.readouterr()


HOSTILE = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: weird}
subjects: 5
roleRef: "cluster-admin"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agg}
aggregationRule: {clusterRoleSelectors: 7}
rules: [{verbs: 3, resources: {a: b}}, "nonsense"]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: x}
spec:
  podSelector: {matchExpressions: [{key: a, operator: Bogus}]}
  policyTypes: Ingress
  ingress: [{from: [{ipBlock: {cidr: not-a-cidr}}, {ipBlock: {cidr: 10.0.0.0/8, except: 9}}],
             ports: [{port: [1]}]}, 4]
  egress: "x"
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x, labels: [1, 2]}
spec:
  containers: [{name: c, ports: 5, securityContext: [1]}, "str"]
  initContainers: 3
  securityContext: {sysctls: 4, seccompProfile: [1]}
  volumes: [{name: v}, 7]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: x}
spec: {template: 5}
"""


def test_wrong_shapes_never_crash_the_analyses(tmp_path: Path) -> None:
    res = resources(HOSTILE)
    evaluate_resources(res)
    risky_findings(RBACGraph.from_resources(res))
    cluster = Cluster.from_resources(res)
    netpol_findings(cluster)
    cluster.namespace_matrix()
    assert any("invalid ipBlock cidr" in p for p in cluster.problems)
    assert any("operator 'Bogus'" in p for p in cluster.problems)
    write(tmp_path, HOSTILE)
    result = run_scan(ScanOptions(targets=[tmp_path], scanners=("misconfig",)))
    assert not [e for e in result.errors if "analysis failed" in e.reason]
