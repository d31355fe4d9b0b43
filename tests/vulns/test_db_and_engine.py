"""The database (import, atomicity, status) and the engine's findings as a user sees them."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from citywatch.cli.main import main
from citywatch.model import Location, Package, Severity
from citywatch.options import ScanOptions
from citywatch.pipeline import run_scan
from citywatch.vulns import db as dbmod
from citywatch.vulns.db import DatabaseMissing, VulnDB, import_paths
from citywatch.vulns.engine import Matcher
from citywatch.vulns.vex import load_vex
from tests.vulns.osvdata import CRITICAL, advisory, write

DOCS = [
    advisory(
        "PYSEC-1",
        "Demo_Pkg",
        [{"introduced": "0"}, {"fixed": "1.5"}],
        aliases=["CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"],
        severity=CRITICAL,
    ),
    advisory(
        "GHSA-aaaa-bbbb-cccc",
        "demo-pkg",
        [{"introduced": "1.0"}, {"fixed": "1.5"}],
        aliases=["CVE-2024-0001"],
        db_severity="MODERATE",
    ),
    advisory("PYSEC-2", "demo-pkg", [{"introduced": "1.4"}, {"fixed": "2.0"}], db_severity="LOW"),
    advisory("PYSEC-3", "demo-pkg", [{"introduced": "0"}], db_severity="HIGH"),
    advisory(
        "PYSEC-4",
        "demo-pkg",
        [{"introduced": "0"}, {"fixed": "9.0"}],
        withdrawn="2024-02-01T00:00:00Z",
    ),
]


def pkg(version: str, name: str = "demo.pkg", eco: str = "PyPI") -> Package:
    return Package(
        eco, name, version, Location("requirements.txt", 7), purl=f"pkg:pypi/{name}@{version}"
    )


@pytest.fixture()
def cache(tmp_path: Path) -> Path:
    report = import_paths([write(tmp_path / "osv", DOCS)], tmp_path / "cache")
    assert report.imported == len(DOCS) and report.errors == []
    return tmp_path / "cache"


def test_aliases_merge_into_one_finding_named_by_the_cve(cache: Path) -> None:
    findings = Matcher(VulnDB.open(cache)).match([pkg("1.4.2")])
    by_id = {f.check_id: f for f in findings}
    assert set(by_id) == {"CVE-2024-0001", "PYSEC-2", "PYSEC-3"}  # PYSEC-4 is withdrawn
    cve = by_id["CVE-2024-0001"]
    assert cve.extra["aliases"] == ["GHSA-aaaa-bbbb-cccc", "PYSEC-1"]
    assert cve.severity is Severity.CRITICAL and cve.extra["cvss_score"] == 9.8
    assert cve.extra["fixed_versions"] == ["1.5"]
    assert cve.location.start_line == 7 and cve.scanner == "vuln"
    assert by_id["PYSEC-2"].severity is Severity.LOW  # database_specific severity fallback
    # PYSEC-3 has no fix at all, so no upgrade clears every advisory
    assert cve.extra["upgrade_to"] is None
    assert by_id["PYSEC-3"].extra["fixed_versions"] == []
    d = cve.to_dict()
    assert d["package"] == {
        "ecosystem": "PyPI",
        "name": "demo.pkg",
        "version": "1.4.2",
        "purl": "pkg:pypi/demo.pkg@1.4.2",
    }


def test_upgrade_is_smallest_version_clearing_all(tmp_path: Path) -> None:
    docs = [d for d in DOCS if d["id"] != "PYSEC-3"]
    docs.append(advisory("PYSEC-5", "demo-pkg", [{"introduced": "2.5"}, {"fixed": "3.0"}]))
    import_paths([write(tmp_path / "osv", docs)], tmp_path / "c")
    matcher = Matcher(VulnDB.open(tmp_path / "c"))
    # 1.5 fixes PYSEC-1 but is inside PYSEC-2; 3.0 also clears everything but is not smallest
    assert {f.extra["upgrade_to"] for f in matcher.match([pkg("1.0")])} == {"2.0"}
    found = matcher.match([pkg("2.6")])
    assert [(f.check_id, f.extra["upgrade_to"]) for f in found] == [("PYSEC-5", "3.0")]


def test_ignore_unfixed(cache: Path) -> None:
    findings = Matcher(VulnDB.open(cache), ignore_unfixed=True).match([pkg("1.4.2")])
    assert "PYSEC-3" not in {f.check_id for f in findings}


def test_vex_openvex_and_cyclonedx_mark_not_affected(cache: Path, tmp_path: Path) -> None:
    openvex = tmp_path / "a.openvex.json"
    openvex.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "statements": [
                    {
                        "vulnerability": {"name": "GHSA-aaaa-bbbb-cccc"},
                        "products": [{"@id": "pkg:pypi/demo.pkg"}],
                        "status": "not_affected",
                        "justification": "vulnerable_code_not_in_execute_path",
                    }
                ],
            }
        )
    )
    cdx = tmp_path / "b.cdx.json"
    cdx.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.6",
                "components": [
                    {"bom-ref": "x", "name": "demo.pkg", "purl": "pkg:pypi/demo.pkg@1.4.2"}
                ],
                "vulnerabilities": [
                    {
                        "id": "PYSEC-2",
                        "analysis": {"state": "false_positive"},
                        "affects": [{"ref": "x"}],
                    },
                    {
                        "id": "PYSEC-3",
                        "analysis": {"state": "exploitable"},
                        "affects": [{"ref": "x"}],
                    },
                ],
            }
        )
    )
    matcher = Matcher(VulnDB.open(cache), vex=load_vex([openvex, cdx]))
    findings = matcher.match([pkg("1.4.2")])
    assert {f.check_id for f in findings if f.suppressed is None} == {"PYSEC-3"}
    cleared = {f.check_id: f.suppressed for f in findings if f.suppressed}
    assert len(cleared) == 2 and "PYSEC-2" in cleared, cleared
    assert any("vulnerable_code_not_in_execute_path" in str(r) for r in cleared.values())
    assert all(str(reason).startswith("vex: ") for reason in cleared.values())
    assert matcher.stats.suppressed_by_vex == 2
    # a VEX statement for another version does not hide this one
    other = Matcher(VulnDB.open(cache), vex=load_vex([cdx])).match([pkg("1.4.3")])
    assert "PYSEC-2" in {f.check_id for f in other if f.suppressed is None}


def test_import_reads_zip_yaml_and_reports_bad_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    archive = src / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("PYSEC-1.json", json.dumps(DOCS[0]))
        zf.writestr("broken.json", "{not json")
    (src / "GHSA-x.yaml").write_text(
        "id: GHSA-x\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: {ecosystem: npm, "
        "name: left-pad}\n  ranges:\n  - type: SEMVER\n    events:\n    - introduced: '0'\n"
        "    - fixed: 1.3.0\n"
    )
    report = import_paths([src], tmp_path / "c")
    assert report.imported == 2
    assert [w for w, _ in report.errors] == [f"{archive}!broken.json"]
    db = VulnDB.open(tmp_path / "c")
    status = db.status()
    assert status["advisories"] == 2 and status["ecosystems"] == {"PyPI": 1, "npm": 1}
    assert not status["stale"]
    found = Matcher(db).match([Package("npm", "left-pad", "1.2.9", Location("p", 1))])
    assert [f.extra["fixed_versions"] for f in found] == [["1.3.0"]]


def test_failed_import_leaves_previous_database(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = VulnDB.open(cache).status()["advisories"]

    def boom(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(dbmod, "_store", boom)
    with pytest.raises(RuntimeError):
        import_paths([write(tmp_path / "more", [advisory("PYSEC-9", "x", [])])], cache)
    assert VulnDB.open(cache).status()["advisories"] == before
    assert [p.name for p in (cache / "vulndb").iterdir()] == ["osv.sqlite3"]


def test_stale_database_warns_in_scan(cache: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(cache / "vulndb" / "osv.sqlite3")
    conn.execute("UPDATE meta SET value = '2020-01-01T00:00:00Z' WHERE key = 'built_at'")
    conn.commit()
    conn.close()
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "requirements.txt").write_text("demo-pkg==1.4.2\n")
    result = run_scan(ScanOptions(targets=[tmp_path / "app"], scanners=("vuln",), cache_dir=cache))
    assert any("days old" in n for n in result.notices)
    assert {f.check_id for f in result.findings} == {"CVE-2024-0001", "PYSEC-2", "PYSEC-3"}


def test_scan_without_database_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").write_text("demo-pkg==1.4.2\n")
    code = main(
        [
            "scan",
            str(tmp_path),
            "--scanners",
            "vuln",
            "--cache-dir",
            str(tmp_path / "none"),
            "-f",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert any("citywatch db import" in n for n in out["notices"])
    with pytest.raises(DatabaseMissing):
        VulnDB.open(tmp_path / "none")


def test_cli_import_status_and_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYWATCH_CACHE_DIR", str(tmp_path / "envcache"))
    osv = write(tmp_path / "osv", DOCS)
    assert main(["db", "import", str(osv)]) == 0
    assert "imported 5 advisories" in capsys.readouterr().out
    assert main(["db", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["advisories"] == 5 and status["withdrawn"] == 1
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text("# pinned\ndemo-pkg==1.4.2 --hash=sha256:00\n")
    code = main(["scan", str(app), "--scanners", "vuln", "-f", "json", "--ignore-unfixed"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert {f["check_id"] for f in out["findings"]} == {"CVE-2024-0001", "PYSEC-2"}
    assert all(f["location"]["start_line"] == 2 for f in out["findings"])
    assert main(["db", "import", str(tmp_path / "missing")]) == 2


def test_update_from_a_mirror(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mirror = tmp_path / "mirror" / "PyPI"
    mirror.mkdir(parents=True)
    with zipfile.ZipFile(mirror / "all.zip", "w") as zf:
        for doc in DOCS:
            zf.writestr(f"{doc['id']}.json", json.dumps(doc))
    code = main(
        [
            "db",
            "--cache-dir",
            str(tmp_path / "c"),
            "update",
            "--ecosystem",
            "PyPI",
            "--mirror",
            (tmp_path / "mirror").as_uri(),
        ]
    )
    assert code == 0
    assert VulnDB.open(tmp_path / "c").status()["advisories"] == 5
    # an unreachable mirror fails cleanly and keeps the database
    code = main(
        [
            "db",
            "--cache-dir",
            str(tmp_path / "c"),
            "update",
            "--ecosystem",
            "npm",
            "--mirror",
            (tmp_path / "nowhere").as_uri(),
        ]
    )
    assert code == 2
    assert VulnDB.open(tmp_path / "c").status()["advisories"] == 5


def test_distro_release_must_match(tmp_path: Path) -> None:
    docs = [
        advisory(
            "DSA-1",
            "openssl",
            [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u1"}],
            ecosystem="Debian:12",
        ),
        advisory(
            "DSA-2",
            "openssl",
            [{"introduced": "0"}, {"fixed": "1.1.1w-0+deb11u1"}],
            ecosystem="Debian:11",
        ),
    ]
    import_paths([write(tmp_path / "o", docs)], tmp_path / "c")
    m = Matcher(VulnDB.open(tmp_path / "c"))
    found = m.match([Package("Debian:12", "openssl", "3.0.9-1", Location("status", 1))])
    assert [f.check_id for f in found] == ["DSA-1"]
