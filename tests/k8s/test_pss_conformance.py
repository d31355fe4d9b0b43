"""Every upstream Pod Security Admission fixture must get the verdict upstream gives it."""

from __future__ import annotations

from pathlib import Path

import yaml

from citywatch.k8s.pss import evaluate_pod, parse_version
from tests.conftest import require_shared

EXPECTED_FIXTURES = 4537


def test_every_upstream_fixture_agrees() -> None:
    root = require_shared("conformance/pod-security")
    files = sorted(root.glob("*/v1.*/*/*.yaml"))
    disagreements: list[str] = []
    for path in files:
        level, version, verdict = path.parts[-4], path.parts[-3], path.parts[-2]
        pod = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = evaluate_pod(pod.get("metadata"), pod.get("spec"), level, parse_version(version))
        allowed = not found
        if allowed != (verdict == "pass"):
            rel = Path(*path.parts[-4:])
            disagreements.append(f"{rel}: {[v.text() for v in found]}")
    assert len(files) == EXPECTED_FIXTURES
    assert disagreements == [], f"{len(disagreements)} of {len(files)} disagree"


def test_fail_fixtures_name_the_check_they_exercise() -> None:
    """A fail fixture is denied *because of* the check in its file name, not another one."""
    root = require_shared("conformance/pod-security")
    wrong: list[str] = []
    for path in sorted(root.glob("*/v1.*/fail/*.yaml")):
        level, version = path.parts[-4], path.parts[-3]
        stem = path.stem.rstrip("0123456789")
        pod = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids = {
            v.check.lower()
            for v in evaluate_pod(
                pod.get("metadata"), pod.get("spec"), level, parse_version(version)
            )
        }
        # at restricted, the baseline check may be replaced by its restricted override
        aliases = {
            "hostpathvolumes": {"hostpathvolumes", "restrictedvolumes"},
            "capabilities_baseline": {"capabilities_baseline", "capabilities_restricted"},
            "seccompprofile_baseline": {"seccompprofile_baseline", "seccompprofile_restricted"},
            "procmount": {"procmount", "procmount_restricted"},
        }.get(stem, {stem})
        if not ids & aliases:
            wrong.append(f"{'/'.join(path.parts[-4:])}: {sorted(ids)}")
    assert wrong == []
