"""Every upstream Pod Security Admission fixture must get the verdict upstream gives it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from citywatch.k8s.pss import evaluate_pod, parse_version
from tests.conftest import require_shared

EXPECTED_FIXTURES = 4537
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def fixtures() -> tuple[tuple[Path, dict[str, Any]], ...]:
    """Every fixture parsed once (both tests read them)."""
    root = require_shared("conformance/pod-security")
    return tuple(
        (path, yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader))
        for path in sorted(root.glob("*/v1.*/*/*.yaml"))
    )


def test_every_upstream_fixture_agrees() -> None:
    files = fixtures()
    disagreements: list[str] = []
    for path, pod in files:
        level, version, verdict = path.parts[-4], path.parts[-3], path.parts[-2]
        found = evaluate_pod(pod.get("metadata"), pod.get("spec"), level, parse_version(version))
        allowed = not found
        if allowed != (verdict == "pass"):
            rel = Path(*path.parts[-4:])
            disagreements.append(f"{rel}: {[v.text() for v in found]}")
    assert len(files) == EXPECTED_FIXTURES
    assert disagreements == [], f"{len(disagreements)} of {len(files)} disagree"


def test_fail_fixtures_name_the_check_they_exercise() -> None:
    """A fail fixture is denied *because of* the check in its file name, not another one."""
    wrong: list[str] = []
    for path, pod in fixtures():
        if path.parts[-2] != "fail":
            continue
        level, version = path.parts[-4], path.parts[-3]
        stem = path.stem.rstrip("0123456789")
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
