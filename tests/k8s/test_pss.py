"""Pod Security Standards: upstream wording, versions, Windows, templates and namespace labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citywatch.cli.main import main
from citywatch.k8s.pss import LATEST_MINOR, evaluate_pod, evaluate_resources, parse_version
from citywatch.options import ScanOptions
from citywatch.pipeline import run_scan
from tests.k8s.helpers import resources, write


def texts(
    spec: dict[str, object],
    level: str = "restricted",
    version: str = "latest",
    metadata: dict[str, object] | None = None,
) -> list[str]:
    return [v.text() for v in evaluate_pod(metadata or {}, spec, level, parse_version(version))]


def test_messages_match_kubectl_warnings() -> None:
    spec = {
        "containers": [{"name": "x", "image": "i", "securityContext": {"privileged": True}}],
        "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
    }
    assert texts(spec) == [
        'privileged (container "x" must not set securityContext.privileged=true)',
        'allowPrivilegeEscalation != false (container "x" must set '
        "securityContext.allowPrivilegeEscalation=false)",
        'unrestricted capabilities (container "x" must set '
        'securityContext.capabilities.drop=["ALL"])',
        'restricted volume types (volume "h" uses restricted volume type "hostPath")',
        'runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true)',
        'seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to '
        '"RuntimeDefault" or "Localhost")',
    ]
    # baseline keeps the hostPath check that restrictedVolumes replaces at restricted
    assert texts(spec, "baseline") == [
        'hostPath volumes (volume "h")',
        'privileged (container "x" must not set securityContext.privileged=true)',
    ]
    assert texts(spec, "privileged") == []


def test_plurals_and_ephemeral_containers() -> None:
    spec = {
        "containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 80}]}],
        "ephemeralContainers": [{"name": "debug", "ports": [{"containerPort": 1, "hostPort": 81}]}],
    }
    assert texts(spec, "baseline") == ['hostPort (containers "a", "debug" use hostPorts 80, 81)']


def test_version_differences() -> None:
    base = {"securityContext": {"runAsNonRoot": True}, "containers": [{"name": "c"}]}
    # allowPrivilegeEscalation exists from v1.8, seccomp from v1.19, capabilities from v1.22
    assert texts(base, version="v1.7") == []
    assert [t.split(" (")[0] for t in texts(base, version="v1.8")] == [
        "allowPrivilegeEscalation != false"
    ]
    assert len(texts(base, version="v1.19")) == 2
    assert len(texts(base, version="v1.22")) == 3
    root = {
        "securityContext": {"runAsNonRoot": True, "runAsUser": 0},
        "containers": [{"name": "c"}],
    }
    assert not any("runAsUser=0" in t for t in texts(root, version="v1.22"))
    assert any(
        t == "runAsUser=0 (pod must not set runAsUser=0)" for t in texts(root, version="v1.23")
    )
    sysctl = {
        "securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "1"}]},
        "containers": [{"name": "c"}],
    }
    assert texts(sysctl, "baseline", "v1.31") == ["forbidden sysctls (net.ipv4.tcp_rmem)"]
    assert texts(sysctl, "baseline", "v1.32") == []


def test_windows_pods_skip_linux_only_checks_from_v1_25() -> None:
    spec = {
        "os": {"name": "windows"},
        "securityContext": {"runAsNonRoot": True},
        "containers": [{"name": "w"}],
    }
    assert len(texts(spec, version="v1.24")) == 3
    assert texts(spec, version="v1.25") == []


def test_version_parsing() -> None:
    assert parse_version("latest") == LATEST_MINOR
    assert parse_version("v1.99") == LATEST_MINOR  # newer than we know: latest semantics
    assert parse_version("1.23") == 23
    with pytest.raises(ValueError):
        parse_version("v2.0")


MANIFESTS = """
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.30
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: legacy}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/job: unconfined
        spec:
          containers: [{name: job, image: busybox}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: web, image: nginx, securityContext: {allowPrivilegeEscalation: false}}]
"""


def test_namespace_labels_decide_the_level_and_flags_override() -> None:
    res = resources(MANIFESTS)
    results = {r.resource.name: r for r in evaluate_resources(res)}
    cron = results["CronJob/legacy/nightly"]
    assert (cron.policy.level, cron.policy.minor, cron.policy.mode) == ("baseline", 30, "enforce")
    assert [v.text() for v in cron.violations] == [
        "forbidden AppArmor profile (annotation must not set AppArmor profile type to "
        '"container.apparmor.security.beta.kubernetes.io/job="unconfined"")'
    ]
    web = results["Deployment/shop/web"]  # namespace not in the scanned set: default restricted
    assert web.policy.level == "restricted" and len(web.violations) == 3
    forced = {r.resource.name: r for r in evaluate_resources(res, level="baseline", version="v1.0")}
    assert forced["Deployment/shop/web"].violations == []
    assert forced["CronJob/legacy/nightly"].policy.minor == 0


def test_scan_reports_pss_findings(tmp_path: Path) -> None:
    write(tmp_path, MANIFESTS)
    result = run_scan(ScanOptions(targets=[tmp_path], scanners=("misconfig",)))
    pss = [f for f in result.findings if f.check_id.startswith("CW-PSS-")]
    ids = sorted({(f.check_id, f.resource) for f in pss})
    assert ("CW-PSS-appArmorProfile", "CronJob/legacy/nightly") in ids
    assert ("CW-PSS-runAsNonRoot", "Deployment/shop/web") in ids
    web = next(f for f in pss if f.check_id == "CW-PSS-runAsNonRoot")
    assert web.extra["pss_level"] == "restricted" and web.extra["pss_version"] == "latest"
    assert web.location.start_line > 0
    baseline = run_scan(
        ScanOptions(targets=[tmp_path], scanners=("misconfig",), pss_level="baseline")
    )
    assert not any(f.check_id == "CW-PSS-runAsNonRoot" for f in baseline.findings)


def test_cli_pss_json_is_the_scan_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, MANIFESTS)
    rc = main(
        ["k8s", "pss", str(path), "--level", "baseline", "--version", "v1.30", "--format", "json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert doc["schema_version"] and doc["summary"]["findings"] == 1
    assert doc["findings"][0]["check_id"] == "CW-PSS-appArmorProfile"
    assert doc["findings"][0]["message"].startswith('violates PodSecurity "baseline:v1.30"')
    assert main(["k8s", "pss", str(path), "--version", "v9"]) == 2


def test_scan_with_an_invalid_version_reports_it_and_goes_on(tmp_path: Path) -> None:
    write(tmp_path, MANIFESTS)
    result = run_scan(ScanOptions(targets=[tmp_path], scanners=("misconfig",), pss_version="v7"))
    assert any("invalid Pod Security version 'v7'" in e.reason for e in result.errors)
    assert not any(f.check_id.startswith("CW-PSS-") for f in result.findings)
