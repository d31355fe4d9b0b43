"""Loading policy files/dirs/bundles, and the `citywatch policy test|eval` commands."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from citywatch.cli.main import main
from citywatch.policy.loader import load_policies
from tests.conftest import REPO
from tests.policy.helpers import write

POLICY = """
package main
import rego.v1
deny contains msg if {
  input.kind == "Pod"
  not input.metadata.namespace in data.allowed.namespaces
  msg := sprintf("pod %v outside allowed namespaces", [input.metadata.name])
}
"""


def _bundle(path: Path, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            raw = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return path


def test_bundle_with_data_is_loaded_in_memory(tmp_path: Path) -> None:
    bundle = _bundle(
        tmp_path / "bundle.tar.gz",
        {
            "/policy/main.rego": POLICY,
            "/allowed/data.json": '{"namespaces": ["prod"]}',
            "/.manifest": '{"roots": [""]}',
        },
    )
    policy_set = load_policies([bundle])
    assert policy_set.errors == []
    (policy,) = policy_set.policies
    from citywatch.policy.base import EvalContext

    pod = {"kind": "Pod", "metadata": {"name": "a", "namespace": "dev"}}
    assert policy.decision(pod, EvalContext()) == {"deny": ["pod a outside allowed namespaces"]}
    pod["metadata"]["namespace"] = "prod"
    assert policy.decision(pod, EvalContext()) == {"deny": []}


def test_data_files_mount_at_their_directory(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {"main.rego": POLICY, "allowed/data.yaml": "namespaces: [dev]\n"},
    )
    policy_set = load_policies([root], builtin_checks=False)
    assert policy_set.data == {"allowed": {"namespaces": ["dev"]}}


def test_builtin_checks_are_data_for_policies(tmp_path: Path) -> None:
    from citywatch.checks import load_all

    some_id = sorted(load_all().checks)[0]
    policy = (
        "package main\nimport rego.v1\n"
        f'deny contains c.severity if {{ c := data.citywatch.checks["{some_id}"] }}\n'
    )
    policy_set = load_policies([write(tmp_path, {"p.rego": policy})])
    from citywatch.policy.base import EvalContext

    (decision,) = [p.decision({}, EvalContext()) for p in policy_set.policies]
    assert decision["deny"] == [str(load_all().checks[some_id].severity)]


def test_bad_inputs_are_located_errors(tmp_path: Path) -> None:
    write(tmp_path, {"notes.txt": "hello", "plain.yaml": "a: 1\n", "bin.rego": "\x00\x01"})
    (tmp_path / "bin.rego").write_bytes(b"\xff\xfe\x00garbage\x00")
    policy_set = load_policies(
        [
            tmp_path / "missing",
            tmp_path / "notes.txt",
            tmp_path / "plain.yaml",
            tmp_path / "bin.rego",
        ]
    )
    reasons = {Path(e.path).name: e.reason for e in policy_set.errors}
    assert reasons["missing"] == "policy path does not exist"
    assert "not a policy file" in reasons["notes.txt"]
    assert "no policy documents" in reasons["plain.yaml"]
    assert "bin.rego" in reasons
    # in a directory walk, non-policy YAML (test inputs) is skipped, not an error
    assert load_policies([tmp_path]).errors[0].path.endswith("bin.rego")


def test_policy_test_on_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["policy", "test", str(REPO / "examples" / "policies")])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[-1].endswith(" passed, 0 failed")
    passed = int(out[-1].split()[0])
    assert passed == sum(1 for line in out if line.startswith("PASS "))
    assert any(line.startswith("PASS gator ") for line in out)
    assert any(line.startswith("PASS cel ") for line in out)
    assert any(line.startswith("PASS data.main.") for line in out)


def test_policy_test_failures_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "p.rego": "package p\nimport rego.v1\nallow if input.ok\n"
            'test_ok if allow with input as {"ok": true}\n'
            'test_wrong if {\n  print("checking", 42)\n  allow with input as {"ok": false}\n}\n'
            'test_error if { x := to_number("nope"); x > 1 }\n'
            "todo_test_later if false\n",
            "cel.yaml": "kind: CELPolicy\nid: C1\nexpression: object.a == 1\n"
            "---\nkind: CELPolicyTest\npolicy: C1\ncases:\n"
            "  - {name: one, expect: allow, object: {a: 1}}\n"
            "  - {name: two, expect: allow, object: {a: 2}}\n",
        },
    )
    code = main(["policy", "test", str(tmp_path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert "PASS data.p.test_ok" in out
    assert any(
        line.startswith("FAIL data.p.test_wrong: result undefined; printed: ")
        and "checking 42" in line
        for line in out
    )
    assert any(line.startswith("FAIL data.p.test_error: error:") for line in out)
    assert any(line.startswith("SKIP data.p.todo_test_later") for line in out)
    assert "PASS cel C1/one" in out
    assert any(line.startswith("FAIL cel C1/two: expected allow") for line in out)
    assert out[-2:] == ["1 skipped", "2 passed, 3 failed"]


def test_policy_test_counts_a_broken_policy_as_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"broken.rego": "package x\ndeny[m] {\n"})
    assert main(["policy", "test", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("FAIL load ") and "broken.rego" in out[0]
    assert out[-1] == "0 passed, 1 failed"


def test_policy_eval_prints_raw_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "pol/p.rego": POLICY,
            "pol/data.json": '{"allowed": {"namespaces": ["prod"]}}',
            "pod.yaml": "kind: Pod\nmetadata: {name: a, namespace: dev}\n",
        },
    )
    code = main(
        ["policy", "eval", "--policy", str(tmp_path / "pol"), "--input", str(tmp_path / "pod.yaml")]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out == {
        "input": "document 1",
        "decisions": {"data.main": {"deny": ["pod a outside allowed namespaces"]}},
    }
    code = main(
        [
            "policy",
            "eval",
            "--policy",
            str(tmp_path / "pol"),
            "--input",
            str(tmp_path / "pod.yaml"),
            "--query",
            "data.allowed.namespaces",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert out["decisions"]["query"][0]["expressions"][0]["value"] == ["prod"]


def test_hostile_policy_files_fail_fast_with_a_location(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}]\n"
    bomb += "kind: CELPolicy\n"
    write(tmp_path, {"bomb.yaml": bomb, "deep.yaml": "x: " + "[" * 500 + "]" * 500 + "\n"})
    (tmp_path / "big.rego").write_text("package big\n" + "# pad\n" * 200_000)
    policy_set = load_policies([tmp_path], max_bytes=100_000)
    reasons = {Path(e.path).name: e.reason for e in policy_set.errors}
    assert set(reasons) == {"bomb.yaml", "deep.yaml", "big.rego"}
    assert "larger than 100000 bytes" in reasons["big.rego"]


def test_policy_eval_uses_the_input_model_for_iac_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = (
        "package main\nimport rego.v1\n"
        'deny contains sprintf("%v %v", [input.type, input.values.bucket]) if input.values.bucket\n'
    )
    write(
        tmp_path,
        {
            "p.rego": policy,
            "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "logs"\n}\n',
        },
    )
    code = main(
        [
            "policy",
            "eval",
            "--policy",
            str(tmp_path / "p.rego"),
            "--input",
            str(tmp_path / "main.tf"),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["input"] == "aws_s3_bucket.b"
    assert out["decisions"]["data.main"] == {"deny": ["aws_s3_bucket logs"]}


def test_policy_eval_leaves_out_rego_rules_a_scan_would_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A package scoped to Deployments by METADATA shows no denial for a Service in eval."""
    policy = """
        # METADATA
        # title: two replicas
        # custom:
        #   id: QA-REPLICAS
        #   frameworks: [kubernetes]
        #   resource_types: [Deployment]
        package acme.replicas
        import rego.v1
        deny contains "one replica" if object.get(input.spec, "replicas", 1) < 2
    """
    manifests = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec: {replicas: 1}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {ports: [{port: 80}]}
    """
    write(tmp_path, {"p.rego": policy, "app.yaml": manifests})
    args = ["policy", "eval", "--policy", str(tmp_path / "p.rego")]
    code = main([*args, "--input", str(tmp_path / "app.yaml")])
    out = {e["input"]: e["decisions"] for e in json.loads(capsys.readouterr().out)}
    assert code == 0
    assert out["Deployment/web"]["data.acme.replicas"] == {"deny": ["one replica"]}
    assert out["Service/web"]["data.acme.replicas"] == {"matched": False}


def test_unknown_policy_fields_point_at_their_own_line(tmp_path: Path) -> None:
    """A typo is reported on the line that has it, not on the block's first line."""
    write(
        tmp_path,
        {
            "meta.rego": """
                # METADATA
                # title: typo
                # custom:
                #   id: QA-META
                #   severty: HIGH
                package qa.meta
                deny["x"] { input.kind == "Pod" }
            """,
            "cel.yaml": """
                kind: CELPolicy
                id: QA-CEL
                title: typo
                severity: HIGH
                expresion: "true"
            """,
        },
    )
    errors = {Path(e.path).name: e for e in load_policies([tmp_path]).errors}
    assert errors["meta.rego"].line == 5 and "severty" in errors["meta.rego"].reason
    assert errors["cel.yaml"].line == 5 and "expresion" in errors["cel.yaml"].reason
    assert "allowed:" in errors["cel.yaml"].reason


def test_a_package_that_would_never_run_is_named_in_a_notice(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "acme.rego": 'package acme.k8s\nimport rego.v1\ndeny contains "x" if input.kind\n',
            "lib.rego": "package acme.lib\nimport rego.v1\nname(o) := o.metadata.name\n",
            "main.rego": 'package main\nimport rego.v1\ndeny contains "y" if input.kind\n',
        },
    )
    notices = load_policies([tmp_path]).notices
    assert len(notices) == 1 and "acme.k8s" in notices[0] and "--policy-namespace" in notices[0]
    assert load_policies([tmp_path], ["acme.*"]).notices == []
