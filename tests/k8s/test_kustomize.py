"""Kustomize `namespace:` decides where a base's objects live, for every analysis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citywatch.cli.main import main

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api:1}]
"""
RBAC = """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: api}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: global-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
"""


def _base(tmp_path: Path, namespace: str | None) -> Path:
    base = tmp_path / "base"
    base.mkdir()
    ns_line = f"namespace: {namespace}\n" if namespace else ""
    (base / "kustomization.yaml").write_text(
        KUSTOMIZATION + ns_line + "resources: [deploy.yaml, rbac.yaml]\n"
    )
    (base / "deploy.yaml").write_text(DEPLOY)
    (base / "rbac.yaml").write_text(RBAC)
    return base


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    main(argv)
    return json.loads(capsys.readouterr().out)


def test_pss_reports_the_kustomization_namespace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(tmp_path, "payments")
    doc = _json(capsys, ["k8s", "pss", str(base), "--format", "json"])
    assert {f["resource"] for f in doc["findings"]} == {"Deployment/payments/api"}


def test_who_can_answers_in_the_kustomization_namespace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(tmp_path, "payments")
    doc = _json(
        capsys, ["k8s", "who-can", "get", "secrets", "-n", "payments", str(base), "-f", "json"]
    )
    assert [(s["kind"], s["namespace"], s["name"]) for s in doc["subjects"]] == [
        ("ServiceAccount", "payments", "api")
    ]
    doc = _json(
        capsys, ["k8s", "who-can", "get", "secrets", "-n", "default", str(base), "-f", "json"]
    )
    assert doc["subjects"] == []


def test_kustomization_namespace_overrides_and_skips_cluster_scoped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(tmp_path, "payments")
    (base / "deploy.yaml").write_text(DEPLOY.replace("{name: api}", "{name: api, namespace: dev}"))
    doc = _json(capsys, ["k8s", "netpol", str(base), "--format", "json"])
    resources = {f["resource"] for f in doc["findings"]}
    assert "Deployment/payments/api" in resources
    assert not any("/dev/" in r for r in resources)
    doc = _json(capsys, ["k8s", "who-can", "get", "pods", str(base), "-f", "json"])
    assert doc["subjects"] == []  # nobody bound it; the ClusterRole itself got no namespace


def test_without_namespace_field_objects_stay_in_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(tmp_path, None)
    doc = _json(capsys, ["k8s", "pss", str(base), "--format", "json"])
    assert {f["resource"] for f in doc["findings"]} == {"Deployment/api"}
    doc = _json(
        capsys, ["k8s", "who-can", "get", "secrets", "-n", "default", str(base), "-f", "json"]
    )
    assert [(s["namespace"], s["name"]) for s in doc["subjects"]] == [("default", "api")]


def test_nested_manifest_directory_uses_the_nearest_kustomization(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(tmp_path, "payments")
    sub = base / "extra"
    sub.mkdir()
    (sub / "more.yaml").write_text(DEPLOY.replace("name: api}", "name: worker}"))
    doc = _json(capsys, ["k8s", "pss", str(tmp_path), "--format", "json"])
    assert {f["resource"] for f in doc["findings"]} == {
        "Deployment/payments/api",
        "Deployment/payments/worker",
    }
