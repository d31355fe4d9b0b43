"""The policy features used as docs/policy.md tells a user to: on the QA inputs, good and broken.

`policies/good/` has a Conftest-style Rego policy with METADATA and its tests, a plain
`package main` policy, a Gatekeeper template + constraint, a CEL policy with its test cases and a
ValidatingAdmissionPolicy + binding. `policies/broken/` has one mistake per file; each must be
reported on the line of the mistake and must not stop the other policies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citywatch.cli.main import main
from citywatch.model import ScanResult
from citywatch.options import ScanOptions
from citywatch.pipeline import run_scan

HERE = Path(__file__).parent
GOOD = HERE / "policies" / "good"
BROKEN = HERE / "policies" / "broken"
INPUTS = HERE / "inputs"


def _scan(target: Path, policies: Path) -> ScanResult:
    return run_scan(ScanOptions(targets=[target], scanners=("misconfig",), policies=[policies]))


def _policy_hits(result: ScanResult) -> set[tuple[str, str]]:
    return {
        (Path(f.location.path).relative_to(INPUTS).as_posix(), f.check_id)
        for f in result.findings
        if "policy" in f.extra
    }


def test_good_policy_tests_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "test", str(GOOD)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "5 passed, 0 failed"


def test_every_policy_format_fires_on_the_insecure_app() -> None:
    hits = _policy_hits(_scan(INPUTS / "insecure", GOOD))
    app = "insecure/kubernetes/app.yaml"
    assert hits == {
        (app, "QA-K8S-001"),
        (app, "QA-CEL-001"),
        (app, "K8sRequiredLabels/workloads-have-part-of"),
        (app, "ValidatingAdmissionPolicy/no-host-network"),
        ("insecure/azure/main.tf", "QA-TF-001"),
    }


def test_policies_on_hardened_inputs_report_only_the_missing_part_of_label() -> None:
    """The chart and the Kustomize base do not label part-of; the hand-written app does."""
    hits = _policy_hits(_scan(INPUTS / "hardened", GOOD))
    assert hits == {
        ("hardened/kubernetes/helm-rendered.yaml", "K8sRequiredLabels/workloads-have-part-of"),
        ("hardened/kustomize/base/deployment.yaml", "K8sRequiredLabels/workloads-have-part-of"),
    }


def test_broken_policies_are_located_at_the_mistake() -> None:
    result = _scan(INPUTS / "insecure" / "kubernetes", BROKEN)
    located = {(Path(e.path).name, e.line) for e in result.errors}
    assert {
        ("syntax.rego", 8),  # the unclosed call is noticed at the closing brace
        ("metadata.rego", 5),  # severty
        ("cel_syntax.yaml", 5),
        ("cel_unknown_field.yaml", 5),  # expresion
        ("vap_bad.yaml", 13),  # the validation's expression
        ("vap_bad.yaml", 18),  # binding to an unknown policy
        ("constraint_no_template.yaml", 4),
    } <= located
    runtime = [e.reason for e in result.errors if Path(e.path).name == "app.yaml"]
    assert any("runtime.rego:12" in r and "Deployment/web" in r for r in runtime), runtime
    assert any("cel_runtime.yaml:5" in r and "hostPID" in r for r in runtime), runtime
    # built-in checks still ran
    assert any(f.check_id == "CW-K8S-001" for f in result.findings)


def test_broken_policies_fail_policy_test(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "test", str(BROKEN)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "0 passed, 7 failed"
    assert any(line.startswith("FAIL load ") and "metadata.rego:5" in line for line in out)


def test_policy_eval_scopes_rego_like_scan(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "policy",
            "eval",
            "--policy",
            str(GOOD),
            "--input",
            str(INPUTS / "insecure" / "kubernetes" / "app.yaml"),
        ]
    )
    out = {e["input"]: e["decisions"] for e in json.loads(capsys.readouterr().out)}
    assert code == 0
    assert out["Deployment/web"]["data.qa.kubernetes.replicas"]["deny"]
    assert out["Service/web"]["data.qa.kubernetes.replicas"] == {"matched": False}
    assert out["Service/web"]["QA-CEL-001"] == {"matched": False}
