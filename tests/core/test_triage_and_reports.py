"""Suppression, baselines and every report format, end to end through `citywatch scan`."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from citywatch.cli.main import main
from citywatch.model import Check
from tests.conftest import SHARED

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
{annotations}spec:
  containers:
    - name: c
      image: nginx:1.25
      securityContext:
        privileged: true{comment}
"""


def pod(name: str, annotations: str = "", comment: str = "") -> str:
    return POD.format(name=name, annotations=annotations, comment=comment)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["scan", "--scanners", "misconfig", "--check", "CW-TEST-*", *args])
    return code, capsys.readouterr().out


def test_finding_points_at_line_and_exit_code(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.yaml").write_text(pod("a"))
    code, out = run(capsys, str(tmp_path), "-f", "json")
    doc = json.loads(out)
    assert code == 1
    [f] = doc["findings"]
    assert f["check_id"] == "CW-TEST-PRIV-001" and f["location"]["start_line"] == 10
    assert f["resource"] == "Pod/a" and f["compliance"]["nist_800_53"] == ["AC-6"]
    code, _ = run(capsys, str(tmp_path), "--fail-on", "CRITICAL")
    assert code == 0


def test_inline_comment_and_annotation_suppress(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(pod("a", comment="  # citywatch:ignore:CW-TEST-PRIV-001 ok"))
    ann = '  annotations:\n    citywatch.io/ignore: "CW-TEST-* debug pod"\n'
    (tmp_path / "b.yaml").write_text(pod("b", annotations=ann))
    (tmp_path / "c.yaml").write_text(pod("c"))
    code, out = run(capsys, str(tmp_path), "-f", "json")
    doc = json.loads(out)
    assert [f["resource"] for f in doc["findings"]] == ["Pod/c"]
    reasons = sorted(s["suppression"] for s in doc["suppressed"])
    assert reasons == ["inline: debug pod", "inline: ok"]


def test_ignore_file_with_expiry(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(pod("a"))
    (tmp_path / "b.yaml").write_text(pod("b"))
    (tmp_path / ".citywatchignore").write_text(
        "- id: CW-TEST-PRIV-001\n  path: '*a.yaml'\n  reason: accepted\n  expires: 2999-01-01\n"
        "- id: CW-TEST-PRIV-001\n  resource: Pod/b\n  reason: old\n  expires: 2001-01-01\n"
    )
    code, out = run(capsys, str(tmp_path), "-f", "json")
    doc = json.loads(out)
    assert [f["resource"] for f in doc["findings"]] == ["Pod/b"]
    assert any("expired on 2001-01-01" in n for n in doc["notices"])


def test_bad_ignore_file_is_a_located_error(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(pod("a"))
    (tmp_path / ".citywatchignore").write_text("- id: X\n- id: Y\n  reason: r\n  color: red\n")
    _, out = run(capsys, str(tmp_path), "-f", "json")
    errors = json.loads(out)["errors"]
    assert [
        (e["line"], "reason" in e["reason"] or "unknown field" in e["reason"]) for e in errors
    ] == [(1, True), (2, True)]


def test_baseline_reports_only_new_and_survives_moved_lines(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(pod("a"))
    base = tmp_path.parent / f"{tmp_path.name}-baseline.json"
    code, _ = run(capsys, str(tmp_path), "--create-baseline", str(base))
    assert code == 1 and base.exists()
    # unrelated lines move, a new finding appears
    (tmp_path / "a.yaml").write_text("# a comment\n# another\n" + pod("a"))
    (tmp_path / "b.yaml").write_text(pod("b"))
    code, out = run(capsys, str(tmp_path), "--baseline", str(base), "-f", "json")
    doc = json.loads(out)
    assert [f["resource"] for f in doc["findings"]] == ["Pod/b"]
    assert [s["suppression"] for s in doc["suppressed"]] == ["in baseline"]


def test_sarif_validates_against_official_schema(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    schema_path = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if not schema_path.exists():
        pytest.skip(f"{schema_path} not present (ships beside the project only)")
    (tmp_path / "a b.yaml").write_text(pod("a"))
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nspec: [\n")
    out_file = tmp_path.parent / f"{tmp_path.name}.sarif"
    run(capsys, str(tmp_path), "-f", "sarif", "-o", str(out_file))
    doc = json.loads(out_file.read_text())
    jsonschema.validate(doc, json.loads(schema_path.read_text()))
    run_ = doc["runs"][0]
    rule = run_["tool"]["driver"]["rules"][0]
    assert rule["properties"]["security-severity"] == "8.0" and rule["help"]["text"]
    assert run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ].endswith("a%20b.yaml")
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert "broken.yaml" in notes[0]["message"]["text"]


def test_multiple_formats_and_junit(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(pod("a"))
    (tmp_path / "bad.yaml").write_bytes(b"apiVersion: v1\nkind: Pod\n\xff\xfe")
    j, x = tmp_path.parent / "o.json", tmp_path.parent / "o.xml"
    code, _ = run(capsys, str(tmp_path), "-f", "json", "-o", str(j), "-f", "junit", "-o", str(x))
    assert code == 1
    assert json.loads(j.read_text())["summary"]["findings"] == 1
    root = ET.parse(x).getroot()
    assert root.get("failures") == "1" and root.get("errors") == "1"
    assert root.find(".//failure") is not None
    assert "invalid UTF-8" in (root.find(".//error").get("message") or "")  # type: ignore[union-attr]


def test_table_groups_by_file_and_summarises(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(pod("a"))
    _, out = run(capsys, str(tmp_path))
    assert "a.yaml" in out and "CW-TEST-PRIV-001" in out
    assert out.strip().splitlines()[-1].startswith("1 findings (1 high)")
    assert "\033[" not in out  # no colour when not a TTY


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path / "missing")]) == 2
    assert main(["scan", "--scanners", "nope", str(tmp_path)]) == 2
    assert main(["scan", "-f", "pdf", str(tmp_path)]) == 2
    assert main(["scan", "--fail-on", "bogus", str(tmp_path)]) == 2
    assert main(["scan", "--no-such-flag"]) == 2
    assert main(["scan", "--scanners", "secret", "--policy", str(tmp_path), str(tmp_path)]) == 2
    assert "--policy needs the misconfig scanner" in capsys.readouterr().err


def test_detect_secrets_baseline_is_not_a_triage_error(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(pod("a"))
    ds = tmp_path.parent / f"{tmp_path.name}.secrets.baseline"
    ds.write_text(
        json.dumps(
            {
                "version": "1.5.0",
                "plugins_used": [],
                "results": {},
                "generated_at": "2024-01-01T00:00:00Z",
            }
        )
    )
    code, out = run(capsys, str(tmp_path), "--baseline", str(ds), "-f", "json")
    doc = json.loads(out)
    assert doc["errors"] == [] and len(doc["findings"]) == 1 and code == 1
    bad = tmp_path.parent / f"{tmp_path.name}.bad.json"
    bad.write_text('{"nope": 1}')
    _, out = run(capsys, str(tmp_path), "--baseline", str(bad), "-f", "json")
    assert "has no 'findings' list" in json.loads(out)["errors"][0]["reason"]


def test_unknown_severity_counts_as_low_for_the_gate() -> None:
    from citywatch.cli.scan import fails
    from citywatch.model import Severity

    assert fails(Severity.UNKNOWN, Severity.LOW)
    assert not fails(Severity.UNKNOWN, Severity.MEDIUM)
    assert not fails(Severity.INFO, Severity.LOW)
    assert fails(Severity.HIGH, Severity.HIGH) and not fails(Severity.MEDIUM, Severity.HIGH)


def test_kustomize_namespace_reaches_every_check(
    tmp_path: Path, privileged_check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "kustomization.yaml").write_text("namespace: payments\nresources: [p.yaml]\n")
    (tmp_path / "p.yaml").write_text(pod("a"))
    _, out = run(capsys, str(tmp_path), "-f", "json")
    assert [f["resource"] for f in json.loads(out)["findings"]] == ["Pod/payments/a"]
