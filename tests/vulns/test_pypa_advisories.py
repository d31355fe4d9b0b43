"""Real PyPI advisories (pypa/advisory-database): import them, then check the scanner against a
plain reading of each advisory's ranges for vulnerable pins, fixed versions and outsiders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.version import InvalidVersion, Version

from citywatch.model import Location, Package
from citywatch.vulns.db import VulnDB, import_paths
from citywatch.vulns.engine import Matcher
from tests.conftest import require_shared


def _reference_affected(version: str, affected: dict[str, Any]) -> tuple[bool, set[str]]:
    """The OSV rule, read literally: listed, or inside an introduced..fixed interval."""
    hit = version in (affected.get("versions") or [])
    fixed: set[str] = set()
    v = Version(version)
    for rng in affected.get("ranges") or []:
        if rng.get("type") != "ECOSYSTEM":
            continue
        start: Version | None = None
        opened = False
        for ev in rng["events"]:
            ((kind, value),) = ev.items()
            value = str(value)
            if kind == "introduced":
                start, opened = (Version("0") if value == "0" else Version(value)), True
            elif kind in ("fixed", "last_affected") and opened and start is not None:
                end = Version(value)
                inside = start <= v < end if kind == "fixed" else start <= v <= end
                if inside:
                    hit = True
                    if kind == "fixed":
                        fixed.add(value)
                opened = False
        if opened and start is not None and v >= start:
            hit = True
    return hit, fixed


def _probes(affected: dict[str, Any]) -> list[str]:
    out: list[str] = []
    listed = [str(v) for v in affected.get("versions") or []]
    out += listed[-1:]
    for rng in affected.get("ranges") or []:
        if rng.get("type") != "ECOSYSTEM":
            continue
        for event in rng["events"]:
            ((kind, value),) = event.items()
            # every fix (the first version outside), and the introductions when no version
            # list offers an inside pin
            if kind != "introduced" or not listed:
                out.append(str(value))
    good: list[str] = []
    for v in dict.fromkeys(out):
        try:
            Version(v)
        except InvalidVersion:
            continue
        if v != "0":
            good.append(v)
    return good


@pytest.fixture(scope="module")
def pypa_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[VulnDB, Path]:
    folder = require_shared("conformance/osv/pypa-advisories/vulns")
    cache = tmp_path_factory.mktemp("cache")
    report = import_paths([folder], cache)
    assert report.errors == []
    assert report.imported > 2000
    return VulnDB.open(cache), folder


def test_every_advisory_agrees_with_a_literal_reading(pypa_db: tuple[VulnDB, Path]) -> None:
    db, folder = pypa_db
    matcher = Matcher(db)
    checked = vulnerable = 0
    mismatches: list[str] = []
    for path in sorted(folder.rglob("*.yaml")):
        adv = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if adv.get("withdrawn"):
            continue
        for affected in adv.get("affected") or []:
            name = affected["package"]["name"]
            for version in _probes(affected):
                expect_hit, expect_fixed = _reference_affected(version, affected)
                pkg = Package("PyPI", name, version, Location("requirements.txt", 1))
                findings = matcher.match([pkg])
                mine = [f for f in findings if adv["id"] in f.extra["advisories"]]
                checked += 1
                if expect_hit != bool(mine):
                    mismatches.append(f"{adv['id']} {name}=={version}: expected {expect_hit}")
                    continue
                if mine:
                    vulnerable += 1
                    missing = expect_fixed - set(mine[0].extra["fixed_versions"])
                    if missing:
                        mismatches.append(f"{adv['id']} {name}=={version}: no fix {missing}")
    print(f"pypa: {checked} probes, {vulnerable} vulnerable, {len(mismatches)} mismatches")
    assert checked > 4000
    assert vulnerable > 1500
    assert mismatches == []


def test_known_pins(pypa_db: tuple[VulnDB, Path]) -> None:
    db, _ = pypa_db
    matcher = Matcher(db)
    found = matcher.match([Package("PyPI", "AIOHTTP", "3.7.3", Location("r.txt", 3))])
    by_id = {f.check_id: f for f in found}
    redirect = by_id["CVE-2021-21330"]  # PYSEC-2021-76 / GHSA-v6wp-4m6f-gcjg merged into one
    assert set(redirect.extra["aliases"]) >= {"PYSEC-2021-76", "GHSA-v6wp-4m6f-gcjg"}
    assert redirect.extra["fixed_versions"] == ["3.7.4"]
    assert redirect.location.start_line == 3
    assert redirect.extra["package"]["purl"] == ""
    upgrade = redirect.extra["upgrade_to"]
    assert upgrade is not None
    assert matcher.match([Package("PyPI", "aiohttp", upgrade, Location("r.txt", 1))]) == []
    assert matcher.match([Package("PyPI", "aiohttp", "99.0", Location("r.txt", 1))]) == []
    assert len({f.check_id for f in found}) == len(found)


def test_withdrawn_advisories_are_ignored(pypa_db: tuple[VulnDB, Path]) -> None:
    db, folder = pypa_db
    withdrawn = []
    for path in sorted(folder.rglob("*.yaml")):
        adv = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if adv.get("withdrawn") and adv.get("affected"):
            withdrawn.append(adv)
    assert withdrawn
    matcher = Matcher(db)
    for adv in withdrawn:
        for affected in adv["affected"]:
            for version in _probes(affected):
                pkg = Package("PyPI", affected["package"]["name"], version, Location("x", 1))
                ids = {a for f in matcher.match([pkg]) for a in f.extra["advisories"]}
                assert adv["id"] not in ids
