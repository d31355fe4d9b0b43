"""Gatekeeper templates + constraints in `scan --policy`, and the match block semantics."""

from __future__ import annotations

from pathlib import Path

from citywatch.model import Severity
from citywatch.policy.gatekeeper import apply_defaults, constraint_matches
from citywatch.policy.k8smatch import Inventory
from tests.policy.helpers import by_id, policy_findings, scan

TEMPLATE = """
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8srequiredlabels
  annotations:
    metadata.gatekeeper.sh/title: Required labels
spec:
  crd:
    spec:
      names:
        kind: K8sRequiredLabels
      validation:
        openAPIV3Schema:
          type: object
          properties:
            labels:
              type: array
              items: {type: string}
            message:
              type: string
              default: missing labels
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8srequiredlabels

        violation[{"msg": msg, "details": {"missing_labels": missing}}] {
          provided := {label | input.review.object.metadata.labels[label]}
          required := {label | label := input.parameters.labels[_]}
          missing := required - provided
          count(missing) > 0
          msg := sprintf("%v: %v", [input.parameters.message, missing])
        }
"""

CONSTRAINT = """
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata:
  name: must-have-owner
spec:
  enforcementAction: warn
  match:
    kinds:
      - apiGroups: ["apps"]
        kinds: ["Deployment"]
    excludedNamespaces: ["kube-*"]
  parameters:
    labels: ["owner"]
"""

DEPLOYMENTS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: prod}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b, namespace: prod, labels: {owner: me}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: c, namespace: kube-system}
---
apiVersion: v1
kind: Pod
metadata: {name: d, namespace: prod}
"""


def test_constraint_findings_use_kind_slash_name(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        {"deploy.yaml": DEPLOYMENTS},
        {"template.yaml": TEMPLATE, "constraint.yaml": CONSTRAINT},
    )
    found = by_id(result)["K8sRequiredLabels/must-have-owner"]
    assert [f.resource for f in found] == ["Deployment/prod/a"]
    finding = found[0]
    # schema default applied to parameters; warn -> LOW
    assert finding.message == 'missing labels: {"owner"}'
    assert finding.severity == Severity.LOW
    assert finding.title == "Required labels"
    assert finding.extra["details"] == {"missing_labels": ["owner"]}
    assert finding.extra["policy"]["path"].endswith("constraint.yaml")


def test_constraint_without_template_is_a_load_error(tmp_path: Path) -> None:
    result = scan(tmp_path, {"deploy.yaml": DEPLOYMENTS}, {"constraint.yaml": CONSTRAINT})
    assert policy_findings(result) == []
    assert any(
        "no ConstraintTemplate defines kind K8sRequiredLabels" in e.reason for e in result.errors
    )


def test_template_rego_error_points_into_the_template(tmp_path: Path) -> None:
    broken = TEMPLATE.replace("count(missing) > 0", "count(missing) >")
    result = scan(
        tmp_path, {"deploy.yaml": DEPLOYMENTS}, {"template.yaml": broken, "c.yaml": CONSTRAINT}
    )
    (err,) = [e for e in result.errors if e.path.endswith("template.yaml")]
    # the engine stops at the broken expression or the line after it, in the YAML file
    text = (tmp_path / "policies" / "template.yaml").read_text().splitlines()
    broken_line = next(i for i, t in enumerate(text, 1) if "count(missing) >" in t)
    assert err.line in (broken_line, broken_line + 1)
    assert "Rego syntax error" in err.reason


def test_referential_policy_reads_inventory_of_scanned_objects(tmp_path: Path) -> None:
    template = """
    apiVersion: templates.gatekeeper.sh/v1
    kind: ConstraintTemplate
    metadata: {name: k8suniquehost}
    spec:
      crd: {spec: {names: {kind: K8sUniqueHost}}}
      targets:
        - target: admission.k8s.gatekeeper.sh
          rego: |
            package k8suniquehost
            violation[{"msg": msg}] {
              host := input.review.object.spec.rules[_].host
              other := data.inventory.namespace[ns][_]["Ingress"][name]
              other.spec.rules[_].host == host
              not same(ns, name)
              msg := sprintf("host %v also used by %v/%v", [host, ns, name])
            }
            same(ns, name) {
              ns == input.review.object.metadata.namespace
              name == input.review.object.metadata.name
            }
    """
    constraint = """
    apiVersion: constraints.gatekeeper.sh/v1beta1
    kind: K8sUniqueHost
    metadata: {name: unique}
    spec: {}
    """
    ingresses = """
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: one, namespace: a}
    spec: {rules: [{host: x.example.com}]}
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: two, namespace: b}
    spec: {rules: [{host: x.example.com}]}
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: three, namespace: b}
    spec: {rules: [{host: y.example.com}]}
    """
    result = scan(tmp_path, {"ing.yaml": ingresses}, {"t.yaml": template, "c.yaml": constraint})
    messages = sorted(f.message for f in by_id(result)["K8sUniqueHost/unique"])
    assert messages == [
        "host x.example.com also used by a/one",
        "host x.example.com also used by b/two",
    ]


def _obj(kind: str, ns: str | None = None, labels: dict[str, str] | None = None) -> dict:
    meta: dict = {"name": "x"}
    if ns:
        meta["namespace"] = ns
    if labels:
        meta["labels"] = labels
    api = "apps/v1" if kind == "Deployment" else "v1"
    return {"apiVersion": api, "kind": kind, "metadata": meta}


def test_match_block_semantics() -> None:
    inv = Inventory.of(
        [
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": "prod", "labels": {"env": "prod"}},
            },
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": "dev", "labels": {"env": "dev"}},
            },
        ]
    )
    deploy = _obj("Deployment", "prod", {"app": "web"})
    assert constraint_matches(
        {"kinds": [{"apiGroups": ["apps"], "kinds": ["Deployment"]}]}, deploy, inv
    )
    assert not constraint_matches(
        {"kinds": [{"apiGroups": [""], "kinds": ["Deployment"]}]}, deploy, inv
    )
    assert constraint_matches({"namespaces": ["pro*"]}, deploy, inv)
    assert not constraint_matches({"excludedNamespaces": ["prod"]}, deploy, inv)
    # no namespace in the manifest: lands in "default", like kubectl apply and gator
    assert constraint_matches({"namespaces": ["default"]}, _obj("Pod"), inv)
    sel = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}
    assert constraint_matches({"labelSelector": sel}, deploy, inv)
    assert not constraint_matches({"labelSelector": {"matchLabels": {"app": "db"}}}, deploy, inv)
    assert constraint_matches({"namespaceSelector": {"matchLabels": {"env": "prod"}}}, deploy, inv)
    assert not constraint_matches(
        {"namespaceSelector": {"matchLabels": {"env": "prod"}}}, _obj("Deployment", "dev"), inv
    )
    # unknown namespace: its labels cannot be known, so a namespaceSelector does not match
    assert not constraint_matches(
        {"namespaceSelector": {"matchLabels": {"env": "prod"}}}, _obj("Deployment", "qa"), inv
    )
    assert not constraint_matches({"scope": "Cluster"}, deploy, inv)
    assert constraint_matches({"scope": "Cluster"}, _obj("Namespace"), inv)
    assert constraint_matches({"scope": "Namespaced"}, deploy, inv)


def test_schema_defaults_fill_nested_parameters() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "default": "x"},
            "b": {"type": "object", "properties": {"c": {"type": "integer", "default": 3}}},
            "l": {
                "type": "array",
                "items": {"type": "object", "properties": {"d": {"default": 1}}},
            },
        },
    }
    assert apply_defaults(schema, {"b": {}, "l": [{}, {"d": 2}]}) == {
        "a": "x",
        "b": {"c": 3},
        "l": [{"d": 1}, {"d": 2}],
    }


def test_cel_only_template(tmp_path: Path) -> None:
    template = """
    apiVersion: templates.gatekeeper.sh/v1
    kind: ConstraintTemplate
    metadata: {name: k8smaxreplicas}
    spec:
      crd: {spec: {names: {kind: K8sMaxReplicas}}}
      targets:
        - target: admission.k8s.gatekeeper.sh
          code:
            - engine: K8sNativeValidation
              source:
                variables:
                  - name: replicas
                    expression: >-
                      has(variables.anyObject.spec.replicas)
                      ? variables.anyObject.spec.replicas : 1
                validations:
                  - expression: "variables.replicas <= variables.params.max"
                    messageExpression: >-
                      'replicas ' + string(variables.replicas)
                      + ' > ' + string(variables.params.max)
    """
    constraint = """
    apiVersion: constraints.gatekeeper.sh/v1beta1
    kind: K8sMaxReplicas
    metadata: {name: max-three}
    spec:
      match: {kinds: [{apiGroups: ["apps"], kinds: ["Deployment"]}]}
      parameters: {max: 3}
    """
    deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 5}\n"
    result = scan(tmp_path, {"d.yaml": deploy}, {"t.yaml": template, "c.yaml": constraint})
    assert [f.message for f in by_id(result)["K8sMaxReplicas/max-three"]] == ["replicas 5 > 3"]
