"""SBOM output: schema-valid CycloneDX 1.6 and SPDX 2.3 with purls and dependency edges, and
SBOMs as scan input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from citywatch.cli.main import main
from citywatch.parsers.lockfiles import parse_path


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "poetry.lock").write_text(
        '[[package]]\nname = "requests"\nversion = "2.31.0"\n\n[package.dependencies]\n'
        'urllib3 = ">=1"\n\n[[package]]\nname = "urllib3"\nversion = "2.0.7"\n'
    )
    (app / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = ["requests"]\n')
    (app / "web").mkdir()
    (app / "web" / "package-lock.json").write_text(
        json.dumps(
            {
                "lockfileVersion": 3,
                "packages": {
                    "": {"dependencies": {"@scope/a": "1"}},
                    "node_modules/@scope/a": {"version": "1.0.0", "dependencies": {"b": "2"}},
                    "node_modules/b": {"version": "2.0.0"},
                },
            }
        )
    )
    return app


def test_cyclonedx_is_valid_1_6_with_purls_and_dependencies(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "bom.cdx.json"
    assert main(["sbom", str(project), "--format", "cyclonedx-json", "-o", str(out)]) == 0
    text = out.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    purls = {c["purl"] for c in bom["components"]}
    assert purls == {
        "pkg:pypi/requests@2.31.0",
        "pkg:pypi/urllib3@2.0.7",
        "pkg:npm/%40scope/a@1.0.0",
        "pkg:npm/b@2.0.0",
    }
    ref = {c["bom-ref"]: c["purl"] for c in bom["components"]}
    edges = {
        (ref[d["ref"]], ref[x])
        for d in bom["dependencies"]
        if d["ref"] in ref
        for x in d.get("dependsOn", [])
    }
    assert ("pkg:pypi/requests@2.31.0", "pkg:pypi/urllib3@2.0.7") in edges
    assert ("pkg:npm/%40scope/a@1.0.0", "pkg:npm/b@2.0.0") in edges
    root = next(
        d for d in bom["dependencies"] if d["ref"] == bom["metadata"]["component"]["bom-ref"]
    )
    direct = {ref[x] for x in root["dependsOn"]}
    assert "pkg:pypi/requests@2.31.0" in direct and "pkg:pypi/urllib3@2.0.7" not in direct


def test_spdx_is_valid_2_3_with_purls_and_relationships(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "bom.spdx.json"
    assert main(["sbom", str(project), "--format", "spdx-json", "-o", str(out)]) == 0
    document = parse_file(str(out))
    assert validate_full_spdx_document(document) == []
    data = json.loads(out.read_text())
    assert data["spdxVersion"] == "SPDX-2.3"
    purls = {r["referenceLocator"] for p in data["packages"] for r in p.get("externalRefs", [])}
    assert "pkg:pypi/urllib3@2.0.7" in purls and "pkg:npm/b@2.0.0" in purls
    ids = {p["SPDXID"]: p["name"] for p in data["packages"]}
    deps = {
        (ids[r["spdxElementId"]], ids[r["relatedSpdxElement"]])
        for r in data["relationships"]
        if r["relationshipType"] == "DEPENDS_ON"
    }
    assert ("requests", "urllib3") in deps and ("@scope/a", "b") in deps
    assert any(r["relationshipType"] == "DESCRIBES" for r in data["relationships"])


def test_sbom_round_trips_as_scan_input(project: Path, tmp_path: Path) -> None:
    for fmt, name in (("cyclonedx-json", "x.cdx.json"), ("spdx-json", "x.spdx.json")):
        out = tmp_path / name
        assert main(["sbom", str(project), "--format", fmt, "-o", str(out)]) == 0
        packages, errors = parse_path(out)
        assert errors == []
        assert {(p.ecosystem, p.name, p.version) for p in packages} == {
            ("PyPI", "requests", "2.31.0"),
            ("PyPI", "urllib3", "2.0.7"),
            ("npm", "@scope/a", "1.0.0"),
            ("npm", "b", "2.0.0"),
        }


def test_sbom_of_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["sbom", str(tmp_path / "nope")]) == 2
