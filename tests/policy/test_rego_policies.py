"""Rego policies in every syntax users write, as `scan --policy` findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from citywatch.model import Severity
from citywatch.policy.errors import PolicyLoadError
from citywatch.policy.rego import UNDEFINED, RegoEngine
from citywatch.policy.regosource import (
    expand_multi_bodies,
    hoist_negated_call_args,
    pad_sprintf_args,
    parse_module,
)
from tests.policy.helpers import by_id, policy_findings, scan

POD = """
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:latest
"""

V0 = """
package main

deny[msg] {
  input.kind == "Pod"
  c := input.spec.containers[_]
  endswith(c.image, ":latest")
  msg := sprintf("container %v uses a latest tag", [c.name])
}
"""

V1 = """
package main

import rego.v1

deny contains msg if {
  input.kind == "Pod"
  some c in input.spec.containers
  endswith(c.image, ":latest")
  msg := sprintf("container %v uses a latest tag", [c.name])
}
"""

FUTURE = """
package main

import future.keywords.contains
import future.keywords.if
import future.keywords.in

deny contains msg if {
  input.kind == "Pod"
  some c in input.spec.containers
  endswith(c.image, ":latest")
  msg := sprintf("container %v uses a latest tag", [c.name])
}
"""


@pytest.mark.parametrize("source", [V0, V1, FUTURE], ids=["v0", "v1", "future-keywords"])
def test_every_syntax_gives_the_same_finding(tmp_path: Path, source: str) -> None:
    result = scan(tmp_path, {"pod.yaml": POD}, {"latest.rego": source})
    found = by_id(result)["main.deny"]
    assert [f.message for f in found] == ["container app uses a latest tag"]
    finding = found[0]
    assert finding.severity == Severity.HIGH
    assert finding.resource == "Pod/web"
    assert finding.location.path.endswith("pod.yaml")
    assert finding.extra["policy"]["path"].endswith("latest.rego")
    assert finding.extra["policy"]["line"] > 1
    assert result.errors == []


def test_metadata_gives_id_severity_and_remediation(tmp_path: Path) -> None:
    policy = """
    # METADATA
    # title: No latest tags
    # description: Pin images.
    # related_resources:
    #   - https://example.com/pin
    # custom:
    #   id: ACME-001
    #   severity: critical
    #   remediation: Use a digest.
    #   compliance:
    #     cis: ["5.1"]
    #   frameworks: [kubernetes]
    package acme.latest

    import rego.v1

    deny contains {"msg": msg, "path": "spec.containers.0.image"} if {
      some c in input.spec.containers
      endswith(c.image, ":latest")
      msg := "latest tag"
    }
    """
    result = scan(tmp_path, {"pod.yaml": POD}, {"latest.rego": policy})
    (finding,) = by_id(result)["ACME-001"]
    assert finding.severity == Severity.CRITICAL
    assert finding.title == "No latest tags"
    assert finding.remediation == "Use a digest."
    assert finding.references == ["https://example.com/pin"]
    assert finding.compliance == {"cis": ["5.1"]}
    # `path` in the result points the finding at the attribute's line
    assert finding.location.start_line == 8


def test_metadata_frameworks_limit_where_a_policy_runs(tmp_path: Path) -> None:
    policy = """
    # METADATA
    # custom:
    #   id: ACME-TF
    #   frameworks: [terraform]
    package acme.tf

    import rego.v1

    deny contains "always" if { true }
    """
    result = scan(tmp_path, {"pod.yaml": POD}, {"tf.rego": policy})
    assert policy_findings(result) == []


def test_warn_is_info_and_namespaces_select_packages(tmp_path: Path) -> None:
    policies = {
        "main.rego": 'package main\nwarn[msg] { msg := "just a warning" }\n',
        "other.rego": 'package team.k8s\ndeny[msg] { msg := "from team" }\n',
    }
    result = scan(tmp_path, {"pod.yaml": POD}, policies)
    ids = by_id(result)
    assert ids["main.warn"][0].severity == Severity.INFO
    assert "team.k8s.deny" not in ids  # not main, no metadata: not selected by default

    result = scan(tmp_path, {"pod.yaml": POD}, policies, policy_namespaces=["team.*"])
    ids = by_id(result)
    assert set(ids) == {"team.k8s.deny"}


def test_terraform_input_model_and_unknown_marker(tmp_path: Path) -> None:
    tf = """
    variable "name" {}
    resource "aws_s3_bucket" "logs" {
      bucket = var.name
      tags   = { team = "x" }
    }
    """
    policy = """
    package main
    import rego.v1
    deny contains msg if {
      input.type == "aws_s3_bucket"
      v := input.values
      msg := sprintf("%v bucket=%v team=%v", [input.address, v.bucket, v.tags.team])
    }
    """
    result = scan(tmp_path, {"main.tf": tf}, {"p.rego": policy})
    (finding,) = by_id(result)["main.deny"]
    assert finding.message == "aws_s3_bucket.logs bucket=<unknown> team=x"
    assert finding.extra["framework"] == "terraform"


def test_dockerfile_input_model(tmp_path: Path) -> None:
    policy = """
    package main
    import rego.v1
    deny contains msg if {
      input.framework == "dockerfile"
      some i in input.values.instructions
      i.cmd == "USER"
      i.value == "root"
      msg := sprintf("runs as root at line %v", [i.line])
    }
    """
    result = scan(tmp_path, {"Dockerfile": "FROM alpine:3\nUSER root\n"}, {"p.rego": policy})
    assert [f.message for f in by_id(result)["main.deny"]] == ["runs as root at line 2"]


def test_syntax_error_names_file_line_and_engine_message(tmp_path: Path) -> None:
    bad = "package main\n\ndeny[msg] {\n  input.kind ==\n}\n"
    result = scan(tmp_path, {"pod.yaml": POD}, {"bad.rego": bad})
    (err,) = [e for e in result.errors if e.path.endswith("bad.rego")]
    assert err.line in (3, 4, 5)
    assert "Rego syntax error" in err.reason
    assert policy_findings(result) == []


def test_eval_error_is_a_located_error_not_a_pass(tmp_path: Path) -> None:
    policy = """
    package main
    import rego.v1
    deny contains msg if {
      x := to_number(input.metadata.name)
      msg := sprintf("%v", [x])
    }
    """
    result = scan(tmp_path, {"pod.yaml": POD}, {"p.rego": policy})
    (err,) = [e for e in result.errors if "policy data.main" in e.reason]
    assert err.path.endswith("pod.yaml")
    assert "Pod/web" in err.reason
    assert "p.rego:4" in err.reason


def test_unknown_metadata_field_and_missing_id_are_load_errors(tmp_path: Path) -> None:
    typo = "# METADATA\n# custom:\n#   id: X\n#   severty: HIGH\npackage a\ndeny[m] { m := 1 }\n"
    no_id = "# METADATA\n# title: t\npackage b\ndeny[m] { m := 1 }\n"
    top = "# METADATA\n# titel: t\n# custom: {id: Y}\npackage c\ndeny[m] { m := 1 }\n"
    result = scan(
        tmp_path, {"pod.yaml": POD}, {"typo.rego": typo, "noid.rego": no_id, "top.rego": top}
    )
    reasons = {Path(e.path).name: e.reason for e in result.errors}
    assert "severty" in reasons["typo.rego"]
    assert "no custom.id" in reasons["noid.rego"]
    assert "titel" in reasons["top.rego"]


def test_skip_check_and_check_select_policy_findings(tmp_path: Path) -> None:
    result = scan(tmp_path, {"pod.yaml": POD}, {"p.rego": V1}, skip_checks=["main.*"])
    assert policy_findings(result) == []
    result = scan(tmp_path, {"pod.yaml": POD}, {"p.rego": V1}, checks=["main.deny"])
    assert {f.check_id for f in result.findings} == {"main.deny"}


def test_multi_body_v0_rules_are_expanded_with_lines_kept() -> None:
    src = 'package a\n\nf(x) = y {\n  x == 1\n  y := "one"\n} {\n  x == 2\n  y := "two"\n}\n'
    text, inserted = expand_multi_bodies(src)
    assert inserted == [7]
    module = parse_module("a.rego", src)
    assert module.version == "v0"
    assert module.file_line(8) == 7  # line 8 of the rewritten text is line 7 of the file
    assert [r.name for r in module.rules] == ["f", "f"]
    engine = RegoEngine()
    engine.add_module(parse_module("b.rego", src + "p := [f(1), f(2)]\n"))
    assert engine.evaluate("data.a.p") == ["one", "two"]


def test_newline_before_parenthesis_ends_the_expression() -> None:
    src = "package a\nimport rego.v1\np if {\n  input.x\n  (input.y - 1) > 0\n}\n"
    module = parse_module("a.rego", src)
    assert module.text.count("\n") == src.count("\n")
    assert "input.x;" in module.text


def test_unparseable_module_is_a_located_load_error() -> None:
    with pytest.raises(PolicyLoadError) as info:
        parse_module("x.rego", "package a\nimport rego.v1\np if {\n  x := \n}\n")
    assert info.value.path == "x.rego"
    assert info.value.line is not None


def test_sprintf_with_too_few_operands_prints_like_opa() -> None:
    src = 'package a\nimport rego.v1\nmsg := sprintf("%v has %v of %s", ["pod", 2])\n'
    engine = RegoEngine()
    engine.add_module(parse_module("a.rego", src))
    assert engine.evaluate("data.a.msg") == "pod has 2 of %!s(MISSING)"
    # correct calls and other verbs are left alone
    assert pad_sprintf_args('sprintf("%v", [x])') == 'sprintf("%v", [x])'
    assert pad_sprintf_args('sprintf("%d %d", [x])') == 'sprintf("%d %d", [x])'


def test_negated_call_with_undefined_argument_is_undefined_like_opa() -> None:
    src = (
        "package a\n"
        "import rego.v1\n"
        "ok(_, _) := true\n"
        "p if {\n"
        "  not ok(1, input.missing)\n"
        "}\n"
        "q if {\n"
        "  not ok(1, input.present)\n"
        "}\n"
        "r if {\n"
        "  not input.missing == 1\n"
        "}\n"
    )
    engine = RegoEngine()
    module = parse_module("a.rego", src)
    assert module.text.count("\n") == src.count("\n")
    engine.add_module(module)
    engine.set_input({"present": 2})
    # OPA evaluates input.missing before the negation: undefined, so p is undefined
    assert engine.evaluate("data.a.p") is UNDEFINED
    assert engine.evaluate("data.a.q") is UNDEFINED  # ok(...) is true, so `not` fails
    assert engine.evaluate("data.a.r") is True  # plain comparisons are not rewritten
    assert hoist_negated_call_args("  not f(x) with input as y") == "  not f(x) with input as y"
    assert hoist_negated_call_args("  not f(a[_])") == "  not f(a[_])"


def test_policies_inside_the_scanned_tree_are_not_judged_by_themselves(tmp_path: Path) -> None:
    from citywatch.options import ScanOptions
    from citywatch.pipeline import run_scan
    from tests.policy.helpers import write

    write(
        tmp_path,
        {
            "k8s/pod.yaml": POD,
            "policy/latest.rego": V1,
            "policy/samples/pod.yaml": POD.replace("name: web", "name: sample"),
        },
    )
    result = run_scan(
        ScanOptions(targets=[tmp_path], scanners=("misconfig",), policies=[tmp_path / "policy"])
    )
    assert [f.resource for f in policy_findings(result)] == ["Pod/web"]
    assert any("read from the --policy paths" in n for n in result.notices)
