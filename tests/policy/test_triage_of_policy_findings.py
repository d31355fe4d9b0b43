"""Policy findings go through triage (inline ignores, baseline) like built-in checks."""

from __future__ import annotations

from pathlib import Path

from citywatch.baseline import write_baseline
from tests.policy.helpers import policy_findings, scan

POLICY = {
    "p.rego": """
    package main
    import rego.v1
    deny contains msg if {
      input.kind == "Service"
      input.spec.type == "LoadBalancer"
      msg := sprintf("public load balancer %v", [input.metadata.name])
    }
    """
}

SERVICES = """
apiVersion: v1
kind: Service
metadata:
  name: public
spec:
  type: LoadBalancer
---
# citywatch:ignore:main.deny fronted by the WAF
apiVersion: v1
kind: Service
metadata:
  name: waf
spec:
  type: LoadBalancer
"""


def test_inline_ignore_suppresses_a_policy_finding(tmp_path: Path) -> None:
    result = scan(tmp_path, {"svc.yaml": SERVICES}, POLICY)
    assert [f.message for f in policy_findings(result)] == ["public load balancer public"]
    (hidden,) = [f for f in result.suppressed if f.check_id == "main.deny"]
    assert hidden.message == "public load balancer waf"
    assert hidden.suppressed == "inline: fronted by the WAF"


def test_baseline_hides_known_policy_findings(tmp_path: Path) -> None:
    first = scan(tmp_path, {"svc.yaml": SERVICES}, POLICY)
    baseline = tmp_path / "baseline.json"
    write_baseline(baseline, first)
    again = scan(tmp_path, {"svc.yaml": SERVICES}, POLICY, baseline=baseline)
    assert policy_findings(again) == []
    assert any(
        f.check_id == "main.deny" and f.suppressed == "in baseline" for f in again.suppressed
    )
