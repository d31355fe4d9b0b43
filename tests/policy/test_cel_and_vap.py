"""CEL policies and ValidatingAdmissionPolicies in `scan --policy`."""

from __future__ import annotations

from pathlib import Path

from citywatch.model import Severity
from tests.policy.helpers import by_id, policy_findings, scan

DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  replicas: 10
  template:
    spec:
      containers: [{name: app, image: nginx}]
"""

CEL = """
kind: CELPolicy
id: ACME-CEL-1
title: At most five replicas
severity: LOW
match: {frameworks: [kubernetes], kinds: [Deployment]}
variables:
  - name: replicas
    expression: "has(object.spec.replicas) ? object.spec.replicas : 1"
expression: "variables.replicas <= 5"
messageExpression: "resource.name + ' runs ' + string(variables.replicas) + ' replicas'"
"""


def test_cel_policy_finding(tmp_path: Path) -> None:
    result = scan(tmp_path, {"d.yaml": DEPLOY}, {"cel.yaml": CEL})
    (finding,) = by_id(result)["ACME-CEL-1"]
    assert finding.message == "Deployment/prod/web runs 10 replicas"
    assert finding.severity == Severity.LOW
    assert finding.extra["policy"]["engine"] == "cel"


def test_cel_policy_does_not_run_on_other_kinds(tmp_path: Path) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {replicas: 10}\n"
    result = scan(tmp_path, {"p.yaml": pod}, {"cel.yaml": CEL})
    assert policy_findings(result) == []


def test_cel_eval_error_is_an_error_not_a_pass(tmp_path: Path) -> None:
    policy = CEL.replace("variables.replicas <= 5", "object.spec.missing.field == 1")
    result = scan(tmp_path, {"d.yaml": DEPLOY}, {"cel.yaml": policy})
    assert policy_findings(result) == []
    (err,) = [e for e in result.errors if "ACME-CEL-1" in e.reason]
    assert err.path.endswith("d.yaml")
    assert "missing" in err.reason


def test_cel_syntax_error_and_unknown_field_are_located_load_errors(tmp_path: Path) -> None:
    bad_syntax = CEL.replace("variables.replicas <= 5", "variables.replicas <= ")
    unknown = CEL + "severty: HIGH\n"
    result = scan(
        tmp_path, {"d.yaml": DEPLOY}, {"syntax.yaml": bad_syntax, "unknown.yaml": unknown}
    )
    errors = {Path(e.path).name: e for e in result.errors}
    assert "CEL expression" in errors["syntax.yaml"].reason
    assert errors["syntax.yaml"].line == 9
    assert "severty" in errors["unknown.yaml"].reason


VAP = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: limit}
spec:
  failurePolicy: {failure}
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["deployments"]
  matchConditions:
    - name: not-exempt
      expression: "!('exempt' in object.metadata.?labels.orValue({}))"
  validations:
    - expression: "object.spec.replicas <= int(params.data.max)"
      messageExpression: "'too many replicas: ' + string(object.spec.replicas)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limit-binding}
spec:
  policyName: limit
  validationActions: [{action}]
  paramRef: {name: limits, namespace: params, parameterNotFoundAction: {notfound}}
"""

PARAMS = """
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: params}
data: {max: "5"}
"""


def _vap(failure: str = "Fail", action: str = "Deny", notfound: str = "Deny") -> str:
    return (
        VAP.replace("{failure}", failure)
        .replace("{action}", action)
        .replace("{notfound}", notfound)
    )


def test_vap_with_params_from_scanned_configmap(tmp_path: Path) -> None:
    result = scan(tmp_path, {"d.yaml": DEPLOY, "params.yaml": PARAMS}, {"vap.yaml": _vap()})
    (finding,) = by_id(result)["ValidatingAdmissionPolicy/limit"]
    assert finding.message == "too many replicas: 10"
    assert finding.severity == Severity.HIGH
    assert finding.extra["binding"] == "limit-binding"


def test_vap_warn_action_and_match_conditions(tmp_path: Path) -> None:
    result = scan(
        tmp_path, {"d.yaml": DEPLOY, "params.yaml": PARAMS}, {"vap.yaml": _vap(action="Warn")}
    )
    assert [f.severity for f in policy_findings(result)] == [Severity.LOW]
    exempt = DEPLOY.replace("namespace: prod", "namespace: prod\n  labels: {exempt: 'yes'}")
    result = scan(tmp_path, {"d.yaml": exempt, "params.yaml": PARAMS}, {"vap.yaml": _vap()})
    assert policy_findings(result) == []


def test_vap_parameter_not_found(tmp_path: Path) -> None:
    result = scan(tmp_path, {"d.yaml": DEPLOY}, {"vap.yaml": _vap()})
    assert [f.message for f in policy_findings(result)] == [
        "no params found for binding 'limit-binding'"
    ]
    result = scan(tmp_path, {"d.yaml": DEPLOY}, {"vap.yaml": _vap(notfound="Allow")})
    assert policy_findings(result) == []


def test_vap_failure_policy(tmp_path: Path) -> None:
    broken = PARAMS.replace('max: "5"', 'other: "5"')
    result = scan(tmp_path, {"d.yaml": DEPLOY, "params.yaml": broken}, {"vap.yaml": _vap()})
    (finding,) = policy_findings(result)
    assert finding.message.startswith("evaluation failed (failurePolicy Fail)")
    assert any("ValidatingAdmissionPolicy/limit" in e.reason for e in result.errors)

    result = scan(
        tmp_path, {"d.yaml": DEPLOY, "params.yaml": broken}, {"vap.yaml": _vap(failure="Ignore")}
    )
    assert policy_findings(result) == []
    assert any("ValidatingAdmissionPolicy/limit" in e.reason for e in result.errors)


def test_vap_does_not_match_other_resources(tmp_path: Path) -> None:
    svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {replicas: 10}\n"
    result = scan(tmp_path, {"s.yaml": svc, "params.yaml": PARAMS}, {"vap.yaml": _vap()})
    assert policy_findings(result) == []


def test_binding_to_unknown_policy_is_a_load_error(tmp_path: Path) -> None:
    binding = _vap().split("---")[1].replace("policyName: limit", "policyName: nope")
    result = scan(tmp_path, {"d.yaml": DEPLOY}, {"b.yaml": binding})
    assert any("unknown policy 'nope'" in e.reason for e in result.errors)
