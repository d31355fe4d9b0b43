"""Dependency scanning as a user meets it: import OSV data, scan lockfiles, SBOMs, VEX, bad DBs."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import require_shared
from tests.qa_cli.helpers import run, run_json

ADVISORIES = {
    "GHSA-35jh-r3h4-6jhm": {
        "aliases": ["CVE-2021-23337"],
        "summary": "Command Injection in lodash",
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [
            {
                "package": {"ecosystem": "npm", "name": "lodash"},
                "ranges": [
                    {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}
                ],
            }
        ],
    },
    "GHSA-qqqq-unfx-0001": {
        "summary": "Unfixed issue in minimist",
        "database_specific": {"severity": "LOW"},
        "affected": [
            {
                "package": {"ecosystem": "npm", "name": "minimist"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
            }
        ],
    },
    "GO-2023-2102": {
        "aliases": ["CVE-2023-44487"],
        "affected": [
            {
                "package": {"ecosystem": "Go", "name": "golang.org/x/net"},
                "ranges": [
                    {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.17.0"}]}
                ],
            }
        ],
    },
    "RUSTSEC-2020-0071": {
        "aliases": ["CVE-2020-26235"],
        "affected": [
            {
                "package": {"ecosystem": "crates.io", "name": "time"},
                "ranges": [
                    {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.2.23"}]}
                ],
            }
        ],
    },
    "PYSEC-2021-76": {
        "aliases": ["CVE-2021-21330"],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "aiohttp"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.7.4"}]}
                ],
            }
        ],
    },
    "PYSEC-2019-1": {
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "Django"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "2.2"}, {"fixed": "2.2.2"}]}
                ],
            }
        ],
    },
    "PYSEC-2019-2": {
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "jinja2"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.10.1"}]}
                ],
            }
        ],
    },
    "PYSEC-2020-3": {
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "pillow"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "8.1.0"}]}
                ],
            }
        ],
    },
}


def _write_advisories(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for vid, body in ADVISORIES.items():
        doc = {"schema_version": "1.6.0", "id": vid, "modified": "2024-01-01T00:00:00Z", **body}
        (folder / f"{vid}.json").write_text(json.dumps(doc))
    return folder


@pytest.fixture
def cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    cache_dir = tmp_path / "cache"
    adv = _write_advisories(tmp_path / "advisories")
    code, out, _ = run(capsys, ["db", "import", str(adv), "--cache-dir", str(cache_dir)])
    assert code == 0 and f"imported {len(ADVISORIES)} advisories" in out
    return cache_dir


def _python_project(root: Path) -> Path:
    py = root / "py"
    (py / "requirements").mkdir(parents=True)
    (py / "requirements.txt").write_text(
        "# app\n-r requirements/base.txt\n"
        "aiohttp==3.7.3 \\\n    --hash=sha256:" + "a" * 64 + "\n"
        'requests[socks]==2.31.0 ; python_version >= "3.6"\n'
        "urllib3==1.24.*\n"  # a prefix match is a range, not a version: not looked up
    )
    (py / "requirements" / "base.txt").write_text("Django==2.2.0\n")
    (py / "poetry.lock").write_text(
        '[[package]]\nname = "jinja2"\nversion = "2.10"\ndescription = ""\noptional = false\n'
        'python-versions = "*"\nfiles = []\n\n[metadata]\nlock-version = "2.0"\n'
        'python-versions = "^3.11"\ncontent-hash = "x"\n'
    )
    uv = root / "uvp"
    uv.mkdir()
    (uv / "uv.lock").write_text(
        'version = 1\nrequires-python = ">=3.11"\n\n[[package]]\nname = "uvapp"\n'
        'version = "0.1.0"\nsource = { editable = "." }\ndependencies = [{ name = "pillow" }]\n\n'
        '[[package]]\nname = "pillow"\nversion = "8.0.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
    )
    return root


def _other_ecosystems(root: Path) -> Path:
    npm = root / "npm"
    (npm / "yarnapp").mkdir(parents=True)
    (npm / "pnpmapp").mkdir()
    lock = {
        "name": "web",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "packages": {
            "": {
                "name": "web",
                "dependencies": {"lodash": "^4.17.15"},
                "devDependencies": {"minimist": "1.2.5"},
            },
            "node_modules/lodash": {"version": "4.17.15"},
            "node_modules/minimist": {"version": "1.2.5", "dev": True},
        },
    }
    (npm / "package-lock.json").write_text(json.dumps(lock, indent=2))
    (npm / "yarnapp" / "yarn.lock").write_text(
        '# yarn lockfile v1\n\n\nlodash@^4.17.0:\n  version "4.17.19"\n'
        '  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.19.tgz"\n'
    )
    (npm / "pnpmapp" / "pnpm-lock.yaml").write_text(
        "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n      lodash:\n"
        "        specifier: ^4.17.0\n        version: 4.17.20\n\npackages:\n  lodash@4.17.20:\n"
        "    resolution: {integrity: sha512-x}\n\nsnapshots:\n  lodash@4.17.20: {}\n"
    )
    go = root / "gomod"
    go.mkdir()
    (go / "go.mod").write_text(
        "module example.com/svc\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.10.0\n"
        "\tgithub.com/stretchr/testify v1.8.4 // indirect\n)\n"
    )
    rust = root / "rust"
    rust.mkdir()
    (rust / "Cargo.lock").write_text(
        'version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = ["time"]\n\n'
        '[[package]]\nname = "time"\nversion = "0.1.45"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
    )
    return root


def _found(doc: dict) -> set[tuple[str, str, str, int]]:
    return {
        (
            f["check_id"],
            f["package"]["name"],
            Path(f["location"]["path"]).name,
            f["location"]["start_line"],
        )
        for f in doc["findings"]
    }


def test_python_lockfiles_with_includes_hashes_and_markers(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _python_project(tmp_path / "src")
    argv = ["scan", "--scanners", "vuln", "--cache-dir", str(cache), str(root)]
    code, doc = run_json(capsys, argv)
    # these advisories carry no CVSS: UNKNOWN counts as LOW, so the default gate fails
    assert code == 1
    code, doc = run_json(capsys, [*argv, "--fail-on", "MEDIUM"])
    assert code == 0
    assert _found(doc) == {
        ("CVE-2021-21330", "aiohttp", "requirements.txt", 3),
        ("PYSEC-2019-1", "django", "base.txt", 1),
        ("PYSEC-2019-2", "jinja2", "poetry.lock", 2),
        ("PYSEC-2020-3", "pillow", "uv.lock", 11),
    }
    code, out, _ = run(capsys, ["sbom", str(root), "--format", "cyclonedx-json"])
    versions = {c["name"]: c.get("version") for c in json.loads(out)["components"]}
    assert "urllib3" not in versions and versions["requests"] == "2.31.0"
    aiohttp = next(f for f in doc["findings"] if f["package"]["name"] == "aiohttp")
    assert aiohttp["fixed_versions"] == ["3.7.4"]
    assert "PYSEC-2021-76" in aiohttp["aliases"]
    assert aiohttp["package"]["purl"] == "pkg:pypi/aiohttp@3.7.3"


def test_npm_go_and_cargo_lockfiles(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _other_ecosystems(tmp_path / "src")
    code, doc = run_json(
        capsys, ["scan", "--scanners", "vuln", "--cache-dir", str(cache), str(root)]
    )
    assert code == 1
    found = {(c, n, f) for c, n, f, _ in _found(doc)}
    assert found == {
        ("CVE-2021-23337", "lodash", "package-lock.json"),
        ("CVE-2021-23337", "lodash", "yarn.lock"),
        ("CVE-2021-23337", "lodash", "pnpm-lock.yaml"),
        ("GHSA-qqqq-unfx-0001", "minimist", "package-lock.json"),
        ("CVE-2023-44487", "golang.org/x/net", "go.mod"),
        ("CVE-2020-26235", "time", "Cargo.lock"),
    }
    lodash = next(
        f
        for f in doc["findings"]
        if f["location"]["path"].endswith("package-lock.json") and f["package"]["name"] == "lodash"
    )
    assert lodash["severity"] == "HIGH" and lodash["cvss_score"] == 7.2  # computed from the vector
    code, doc = run_json(
        capsys,
        ["scan", "--scanners", "vuln", "--cache-dir", str(cache), str(root), "--ignore-unfixed"],
    )
    assert "GHSA-qqqq-unfx-0001" not in {f["check_id"] for f in doc["findings"]}
    assert len(doc["findings"]) == 5


@pytest.mark.parametrize("fmt", ["cyclonedx-json", "spdx-json"])
def test_sbom_written_then_scanned_gives_the_same_vulnerabilities(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    root = _other_ecosystems(tmp_path / "src")
    out = tmp_path / f"app.{fmt}.json"
    code, _, _ = run(capsys, ["sbom", str(root), "--format", fmt, "-o", str(out)])
    assert code == 0 and out.is_file()
    _, direct = run_json(
        capsys, ["scan", "--scanners", "vuln", "--cache-dir", str(cache), str(root)]
    )
    code, via_sbom = run_json(capsys, ["scan", "--cache-dir", str(cache), str(out)])
    assert code == 1

    def pairs(doc: dict) -> set[tuple[str, str]]:
        return {(f["check_id"], f["package"]["purl"]) for f in doc["findings"]}

    assert pairs(via_sbom) == pairs(direct)


def test_vex_cleared_findings_are_suppressed_with_the_statement_reason(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _other_ecosystems(tmp_path / "src")
    vex = tmp_path / "vex.json"
    vex.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "@id": "https://corp.test/vex/1",
                "author": "Security",
                "timestamp": "2026-11-01T00:00:00Z",
                "version": 1,
                "statements": [
                    {
                        "vulnerability": {"name": "CVE-2021-23337"},
                        "products": [{"@id": "pkg:npm/lodash@4.17.15"}],
                        "status": "not_affected",
                        "justification": "vulnerable_code_not_in_execute_path",
                        "impact_statement": "template() is never called",
                    },
                    {
                        "vulnerability": {"name": "GHSA-qqqq-unfx-0001"},
                        "products": [{"@id": "pkg:npm/minimist"}],
                        "status": "under_investigation",
                    },
                    {
                        "vulnerability": {"name": "RUSTSEC-2020-0071"},  # by alias
                        "products": [{"@id": "pkg:cargo/time"}],  # every version
                        "status": "fixed",
                    },
                ],
            }
        )
    )
    argv = ["scan", "--scanners", "vuln", "--cache-dir", str(cache), str(root), "--vex", str(vex)]
    code, doc = run_json(capsys, argv)
    assert code == 1
    live = {(f["check_id"], f["package"]["purl"]) for f in doc["findings"]}
    assert ("CVE-2021-23337", "pkg:npm/lodash@4.17.15") not in live
    assert ("CVE-2021-23337", "pkg:npm/lodash@4.17.19") in live  # other versions stay
    assert ("GHSA-qqqq-unfx-0001", "pkg:npm/minimist@1.2.5") in live  # under investigation
    cleared = {f["package"]["purl"]: f["suppression"] for f in doc["suppressed"]}
    assert cleared == {
        "pkg:npm/lodash@4.17.15": "vex: not_affected (vulnerable_code_not_in_execute_path: "
        f"template() is never called) in {vex}",
        "pkg:cargo/time@0.1.45": f"vex: fixed in {vex}",
    }
    assert doc["summary"]["suppressed"] == 2


def test_without_a_database_the_scan_says_what_to_run_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _other_ecosystems(tmp_path / "src")
    argv = ["scan", "--scanners", "vuln", "--cache-dir", str(tmp_path / "none"), str(root)]
    code, doc = run_json(capsys, argv)
    assert code == 0 and doc["findings"] == [] and doc["errors"] == []
    assert any("not checked" in n and "citywatch db import" in n for n in doc["notices"])


def test_stale_database_warns_in_status_and_scan(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(cache / "vulndb" / "osv.sqlite3") as conn:
        conn.execute("UPDATE meta SET value = '2020-01-01T00:00:00Z' WHERE key = 'built_at'")
    code, out, _ = run(capsys, ["db", "status", "--cache-dir", str(cache)])
    assert code == 0 and "STALE" in out
    root = _other_ecosystems(tmp_path / "src")
    _, doc = run_json(capsys, ["scan", "--scanners", "vuln", "--cache-dir", str(cache), str(root)])
    assert any("days old" in n for n in doc["notices"])
    assert doc["findings"]  # an old answer beats none


@pytest.mark.parametrize("damage", [b"\x13garbage" * 400, b"SQLite format 3\x00" + b"\x00" * 90])
def test_corrupt_database_is_a_clear_error_never_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: bytes
) -> None:
    cache = tmp_path / "cache"
    (cache / "vulndb").mkdir(parents=True)
    db = cache / "vulndb" / "osv.sqlite3"
    db.write_bytes(damage)
    root = _other_ecosystems(tmp_path / "src")
    code, doc = run_json(capsys, ["scan", "--cache-dir", str(cache), str(root)])
    assert code == 0  # nothing else failed
    [error] = doc["errors"]
    assert error["path"] == str(db) and "not a usable vulnerability database" in error["reason"]
    assert "db import --replace" in error["reason"]
    code, _, err = run(capsys, ["db", "status", "--cache-dir", str(cache)])
    assert code == 2 and "not a usable vulnerability database" in err
    adv = _write_advisories(tmp_path / "adv")
    code, _, err = run(capsys, ["db", "import", str(adv), "--cache-dir", str(cache)])
    assert code == 2 and "Traceback" not in err
    assert db.read_bytes() == damage  # left as it was
    code, _, _ = run(capsys, ["db", "import", "--replace", str(adv), "--cache-dir", str(cache)])
    assert code == 0
    code, doc = run_json(capsys, ["scan", "--cache-dir", str(cache), str(root)])
    assert code == 1 and doc["errors"] == []


def test_real_pypa_advisories_import_and_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    advisories = require_shared("conformance/osv/pypa-advisories")
    cache = tmp_path / "cache"
    code, out, _ = run(capsys, ["db", "import", str(advisories), "--cache-dir", str(cache)])
    assert code == 0 and "imported" in out
    root = _python_project(tmp_path / "src")
    shutil.rmtree(root / "uvp")
    code, doc = run_json(
        capsys, ["scan", "--scanners", "vuln", "--cache-dir", str(cache), str(root)]
    )
    assert code == 1
    by_pkg = {}
    for f in doc["findings"]:
        by_pkg.setdefault(f["package"]["name"], set()).add(f["check_id"])
    assert "CVE-2021-21330" in by_pkg["aiohttp"]  # the advisory in docs/vulns.md
    assert "CVE-2019-10906" in by_pkg["jinja2"]
    assert "requests" not in by_pkg  # 2.31.0 is outside every range


def test_package_lock_v1_nested_copies_have_their_own_lines(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """v1 lockfiles nest a second copy under its parent; both are located, whatever the spacing
    (a compact file used to give line 0, and the nested copy the parent's line)."""
    lock = {
        "name": "x",
        "version": "1.0.0",
        "lockfileVersion": 1,
        "dependencies": {
            "lodash": {"version": "4.17.15"},
            "express": {
                "version": "4.18.2",
                "requires": {"lodash": "4.17.10"},
                "dependencies": {"lodash": {"version": "4.17.10"}},
            },
        },
    }
    for name, text in (("compact", json.dumps(lock)), ("pretty", json.dumps(lock, indent=2))):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "package-lock.json").write_text(text)
        _, doc = run_json(
            capsys, ["scan", "--scanners", "vuln", "--cache-dir", str(cache), str(folder)]
        )
        lines = {f["package"]["version"]: f["location"]["start_line"] for f in doc["findings"]}
        expected = [
            i + 1
            for i, row in enumerate(text.splitlines())
            for _ in range(row.count('"lodash": {') + row.count('"lodash":{'))
        ]
        if name == "compact":
            assert set(lines.values()) == {1}
        else:
            assert [lines["4.17.15"], lines["4.17.10"]] == expected


def test_cyclonedx_root_is_never_left_without_dependencies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only `// indirect` requirements: the root depends on the graph's tops, and the library's
    "incomplete dependency graph" warning no longer lands on the user's stderr."""
    (tmp_path / "go.mod").write_text(
        "module x\n\ngo 1.22\n\nrequire golang.org/x/net v0.10.0 // indirect\n"
    )
    code, out, err = run(capsys, ["sbom", str(tmp_path), "--format", "cyclonedx-json"])
    assert code == 0 and "Warning" not in err
    deps = {d["ref"]: d.get("dependsOn", []) for d in json.loads(out)["dependencies"]}
    assert deps["root-application"] == ["pkg-0:pkg:golang/golang.org/x/net@v0.10.0"]
