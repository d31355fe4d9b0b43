"""Every lockfile and manifest format: names, versions, lines and direct/transitive."""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import tarfile
from pathlib import Path

from citywatch.model import Package
from citywatch.parsers.lockfiles import parse_path
from citywatch.parsers.lockfiles.golang import BUILDINFO_MAGIC


def found(root: Path) -> dict[tuple[str, str], Package]:
    packages, errors = parse_path(root)
    assert errors == [], errors
    return {(p.name, p.version): p for p in packages}


def one(tmp_path: Path, name: str, text: str) -> dict[tuple[str, str], Package]:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    return found(tmp_path)


def test_requirements_pins_extras_markers_hashes_includes(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("urllib3===1.26.5\n")
    pkgs = one(
        tmp_path,
        "requirements-dev.txt",
        "# comment\n-r base.txt\n--index-url https://example.invalid/simple\n"
        "Flask_Login[extra]==0.6.2 ; python_version >= '3.8' \\\n"
        "    --hash=sha256:aaaa\nrequests>=2.0\n-e ./local\nDjango == 4.2.1  # pinned\n",
    )
    assert set(pkgs) == {("urllib3", "1.26.5"), ("flask-login", "0.6.2"), ("django", "4.2.1")}
    assert pkgs[("flask-login", "0.6.2")].location.start_line == 4
    assert pkgs[("django", "4.2.1")].location.start_line == 8
    assert pkgs[("urllib3", "1.26.5")].location.path.endswith("base.txt")
    assert pkgs[("django", "4.2.1")].purl == "pkg:pypi/django@4.2.1"


def test_requirements_include_loop_and_escape(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "requirements.txt").write_text(
        "-r requirements.txt\n-r ../../x.txt\nsix==1.0\n"
    )
    packages, errors = parse_path(tmp_path / "a")
    assert [p.name for p in packages] == ["six"]
    assert any("outside the scanned tree" in reason for _, reason, _ in errors)


def test_poetry_lock_with_pyproject_directness(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry.dependencies]\npython = "^3.11"\nrequests = "*"\n'
    )
    pkgs = one(
        tmp_path,
        "poetry.lock",
        '[[package]]\nname = "requests"\nversion = "2.31.0"\n\n[package.dependencies]\n'
        'urllib3 = ">=1"\n\n[[package]]\nname = "urllib3"\nversion = "2.0.7"\n',
    )
    assert pkgs[("requests", "2.31.0")].direct is True
    assert pkgs[("urllib3", "2.0.7")].direct is False
    assert pkgs[("urllib3", "2.0.7")].location.start_line == 9


def test_uv_and_pdm_and_pipfile(tmp_path: Path) -> None:
    (tmp_path / "uv").mkdir()
    pkgs = one(
        tmp_path / "uv",
        "uv.lock",
        'version = 1\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n'
        'dependencies = [{ name = "idna" }]\n\n[[package]]\nname = "idna"\nversion = "3.6"\n'
        'source = { registry = "https://pypi.org/simple" }\n\n[[package]]\nname = "sniffio"\n'
        'version = "1.3.0"\nsource = { registry = "https://pypi.org/simple" }\n',
    )
    assert set(pkgs) == {("idna", "3.6"), ("sniffio", "1.3.0")}
    assert pkgs[("idna", "3.6")].direct is True and pkgs[("sniffio", "1.3.0")].direct is False
    (tmp_path / "pdm").mkdir()
    pkgs = one(tmp_path / "pdm", "pdm.lock", '[[package]]\nname = "Jinja2"\nversion = "3.1.2"\n')
    assert ("jinja2", "3.1.2") in pkgs
    (tmp_path / "pip").mkdir()
    pkgs = one(
        tmp_path / "pip",
        "Pipfile.lock",
        json.dumps(
            {
                "default": {"certifi": {"version": "==2023.7.22"}},
                "develop": {"pytest": {"version": "==7.0.0"}},
            },
            indent=4,
        ),
    )
    assert pkgs[("certifi", "2023.7.22")].location.start_line == 3
    assert pkgs[("pytest", "7.0.0")].meta["dev"] is True


def test_dist_info_metadata(tmp_path: Path) -> None:
    pkgs = one(
        tmp_path,
        "site-packages/PyYAML-5.3.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\n\nbody\n",
    )
    assert ("pyyaml", "5.3") in pkgs


def test_package_lock_v1_v3(tmp_path: Path) -> None:
    v3 = {
        "lockfileVersion": 3,
        "packages": {
            "": {"dependencies": {"lodash": "^4"}},
            "node_modules/lodash": {"version": "4.17.20"},
            "node_modules/@babel/core": {"version": "7.0.0", "dev": True},
            "node_modules/lodash/node_modules/minimist": {"version": "1.2.0"},
            "node_modules/local": {"link": True, "resolved": "../local"},
        },
    }
    pkgs = one(tmp_path / "v3", "package-lock.json", json.dumps(v3, indent=2))
    assert set(pkgs) == {("lodash", "4.17.20"), ("@babel/core", "7.0.0"), ("minimist", "1.2.0")}
    assert pkgs[("lodash", "4.17.20")].direct is True
    assert pkgs[("minimist", "1.2.0")].direct is False
    assert pkgs[("@babel/core", "7.0.0")].purl == "pkg:npm/%40babel/core@7.0.0"
    assert pkgs[("lodash", "4.17.20")].location.start_line == 9
    v1 = {
        "lockfileVersion": 1,
        "dependencies": {"a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}}},
    }
    pkgs = one(tmp_path / "v1", "package-lock.json", json.dumps(v1, indent=2))
    assert set(pkgs) == {("a", "1.0.0"), ("b", "2.0.0")}


def test_yarn_classic_and_berry(tmp_path: Path) -> None:
    classic = (
        '# yarn lockfile v1\n\n"@types/node@^18", "@types/node@^18.1":\n  version "18.11.9"\n'
        '  resolved "https://x"\n\nleft-pad@1.3.0:\n  version "1.3.0"\n  dependencies:\n'
        '    foo "1"\n'
    )
    pkgs = one(tmp_path / "c", "yarn.lock", classic)
    assert set(pkgs) == {("@types/node", "18.11.9"), ("left-pad", "1.3.0")}
    assert pkgs[("left-pad", "1.3.0")].location.start_line == 7
    berry = (
        '__metadata:\n  version: 6\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n\n'
        '"ms@npm:^2.1.1":\n  version: 2.1.3\n  resolution: "ms@npm:2.1.3"\n'
    )
    pkgs = one(tmp_path / "b", "yarn.lock", berry)
    assert set(pkgs) == {("ms", "2.1.3")}


def test_pnpm_lock_versions(tmp_path: Path) -> None:
    v6 = (
        "lockfileVersion: '6.0'\ndependencies:\n  express:\n    specifier: ^4\n"
        "    version: 4.18.2\n"
        "packages:\n  /express@4.18.2:\n    resolution: {integrity: x}\n"
        "  /@types/node@20.1.0:\n    dev: true\n"
        "  /debug@2.6.9(supports-color@5.5.0):\n    dev: false\n"
    )
    pkgs = one(tmp_path / "6", "pnpm-lock.yaml", v6)
    assert set(pkgs) == {("express", "4.18.2"), ("@types/node", "20.1.0"), ("debug", "2.6.9")}
    assert pkgs[("express", "4.18.2")].direct is True
    v5 = (
        "lockfileVersion: 5.4\npackages:\n  /ms/2.1.2:\n    dev: false\n"
        "  /@scope/pkg/1.0.0_react@18:\n    dev: false\n"
    )
    pkgs = one(tmp_path / "5", "pnpm-lock.yaml", v5)
    assert set(pkgs) == {("ms", "2.1.2"), ("@scope/pkg", "1.0.0")}


def test_go_mod_replace_indirect_and_go_sum(tmp_path: Path) -> None:
    pkgs = one(
        tmp_path / "m",
        "go.mod",
        "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.7.0\n"
        "\tgithub.com/pkg/errors v0.9.1 // indirect\n)\n\nrequire github.com/a/b v1.0.0\n\n"
        "replace github.com/a/b => github.com/c/b v1.2.0\n",
    )
    assert pkgs[("golang.org/x/net", "v0.7.0")].direct is True
    assert pkgs[("github.com/pkg/errors", "v0.9.1")].direct is False
    assert ("github.com/c/b", "v1.2.0") in pkgs and ("github.com/a/b", "v1.0.0") not in pkgs
    assert pkgs[("golang.org/x/net", "v0.7.0")].location.start_line == 6
    pkgs = one(
        tmp_path / "s",
        "go.sum",
        "golang.org/x/text v0.3.7 h1:x=\ngolang.org/x/text v0.3.7/go.mod h1:y=\n",
    )
    assert list(pkgs) == [("golang.org/x/text", "v0.3.7")]


def _varint(n: int) -> bytes:
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def test_go_binary_build_info_is_read_not_run(tmp_path: Path) -> None:
    modinfo = (
        "path\texample.com/cmd\nmod\texample.com/cmd\t(devel)\t\n"
        "dep\tgolang.org/x/crypto\tv0.1.0\th1:x=\n"
        "dep\tgithub.com/old/dep\tv1.0.0\n=>\tgithub.com/new/dep\tv1.1.0\th1:y=\n"
    )
    wrapped = b"0" * 16 + modinfo.encode() + b"1" * 16
    header = BUILDINFO_MAGIC + bytes([8, 2]) + b"\0" * 16
    blob = (
        b"\x7fELF"
        + b"\0" * 200
        + header
        + _varint(8)
        + b"go1.21.3"
        + _varint(len(wrapped))
        + wrapped
        + b"\0" * 64
    )
    path = tmp_path / "app"
    path.write_bytes(blob)
    path.chmod(0o644)  # executable bit or not, it is only ever read
    pkgs = found(tmp_path)
    assert set(pkgs) == {
        ("stdlib", "1.21.3"),
        ("golang.org/x/crypto", "v0.1.0"),
        ("github.com/new/dep", "v1.1.0"),
    }


def test_cargo_gemfile_composer_gradle_nuget(tmp_path: Path) -> None:
    pkgs = one(
        tmp_path / "rs",
        "Cargo.lock",
        'version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n'
        'dependencies = ["smallvec"]\n\n'
        '[[package]]\nname = "smallvec"\nversion = "1.6.0"\nsource = "registry+https://x"\n\n'
        '[[package]]\nname = "libc"\nversion = "0.2.1"\nsource = "registry+https://x"\n',
    )
    assert set(pkgs) == {("smallvec", "1.6.0"), ("libc", "0.2.1")}
    assert pkgs[("smallvec", "1.6.0")].direct is True and pkgs[("libc", "0.2.1")].direct is False
    assert pkgs[("smallvec", "1.6.0")].location.start_line == 9
    pkgs = one(
        tmp_path / "rb",
        "Gemfile.lock",
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.13.0-x86_64-linux)\n"
        "      racc (~> 1.4)\n    racc (1.6.0)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  nokogiri\n",
    )
    assert pkgs[("nokogiri", "1.13.0")].direct is True and pkgs[("racc", "1.6.0")].direct is False
    assert pkgs[("racc", "1.6.0")].location.start_line == 6
    (tmp_path / "php").mkdir()
    (tmp_path / "php" / "composer.json").write_text('{"require": {"guzzlehttp/guzzle": "^7"}}')
    pkgs = one(
        tmp_path / "php",
        "composer.lock",
        json.dumps(
            {
                "packages": [
                    {"name": "guzzlehttp/guzzle", "version": "7.4.0"},
                    {"name": "psr/log", "version": "v1.1.4"},
                ],
                "packages-dev": [{"name": "x/y", "version": "dev-main"}],
            },
            indent=4,
        ),
    )
    assert set(pkgs) == {("guzzlehttp/guzzle", "7.4.0"), ("psr/log", "1.1.4")}
    assert pkgs[("guzzlehttp/guzzle", "7.4.0")].direct is True
    assert pkgs[("psr/log", "1.1.4")].purl == "pkg:composer/psr/log@1.1.4"
    pkgs = one(
        tmp_path / "gr",
        "gradle.lockfile",
        "# comment\norg.apache.logging.log4j:log4j-core:2.14.1=compileClasspath\nempty=\n",
    )
    assert pkgs[("org.apache.logging.log4j:log4j-core", "2.14.1")].location.start_line == 2
    pkgs = one(
        tmp_path / "net",
        "packages.lock.json",
        json.dumps(
            {
                "version": 1,
                "dependencies": {
                    "net6.0": {
                        "Newtonsoft.Json": {"type": "Direct", "resolved": "12.0.1"},
                        "System.Text.Json": {"type": "Transitive", "resolved": "6.0.0"},
                    }
                },
            },
            indent=2,
        ),
    )
    assert pkgs[("Newtonsoft.Json", "12.0.1")].direct is True
    assert pkgs[("System.Text.Json", "6.0.0")].direct is False


def test_pom_properties_and_dependency_management(tmp_path: Path) -> None:
    pkgs = one(
        tmp_path,
        "pom.xml",
        """<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <groupId>com.example</groupId><artifactId>app</artifactId><version>1.0</version>
  <properties><log4j.version>2.14.1</log4j.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId><version>2.9.8</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
    </dependency>
  </dependencies>
</project>
""",
    )
    assert pkgs[("org.apache.logging.log4j:log4j-core", "2.14.1")].location.start_line == 12
    assert ("com.fasterxml.jackson.core:jackson-databind", "2.9.8") in pkgs
    assert pkgs[("org.apache.logging.log4j:log4j-core", "2.14.1")].purl == (
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    )


DPKG = (
    "Package: libssl3\nStatus: install ok installed\nSource: openssl (3.0.9-1)\n"
    "Version: 3.0.9-1+b1\n\nPackage: removed\nStatus: deinstall ok config-files\nVersion: 1\n\n"
    "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2\n"
)
APK = "C:Q1abc=\nP:busybox\nV:1.36.1-r0\no:busybox\n\nP:libcrypto3\nV:3.1.2-r0\no:openssl\n"


def test_rootfs_dpkg_and_apk(tmp_path: Path) -> None:
    deb = tmp_path / "deb"
    (deb / "etc").mkdir(parents=True)
    (deb / "etc" / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    pkgs = one(deb, "var/lib/dpkg/status", DPKG)
    assert set(pkgs) == {("openssl", "3.0.9-1"), ("bash", "5.2.15-2")}
    assert pkgs[("openssl", "3.0.9-1")].ecosystem == "Debian:12"
    assert pkgs[("openssl", "3.0.9-1")].meta["binary"] == "libssl3"
    assert pkgs[("bash", "5.2.15-2")].location.start_line == 10
    alp = tmp_path / "alp"
    (alp / "etc").mkdir(parents=True)
    (alp / "etc" / "os-release").write_text("ID=alpine\nVERSION_ID=3.18.4\n")
    pkgs = one(alp, "lib/apk/db/installed", APK)
    assert pkgs[("openssl", "3.1.2-r0")].ecosystem == "Alpine:v3.18"


def _rpm_blob(tags: dict[int, str | int]) -> bytes:
    index, store = b"", b""
    for tag, value in tags.items():
        if isinstance(value, int):
            index += struct.pack(">IIII", tag, 4, len(store), 1)
            store += struct.pack(">I", value)
        else:
            index += struct.pack(">IIII", tag, 6, len(store), 1)
            store += value.encode() + b"\0"
    return struct.pack(">II", len(tags), len(store)) + index + store


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def test_layer_tarball_with_rpm_database(tmp_path: Path) -> None:
    rpmdb = tmp_path / "rpmdb.sqlite"
    conn = sqlite3.connect(rpmdb)
    conn.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)")
    conn.execute(
        "INSERT INTO Packages (blob) VALUES (?)",
        (_rpm_blob({1000: "openssl-libs", 1001: "3.0.7", 1002: "24.el9", 1003: 1}),),
    )
    conn.execute("INSERT INTO Packages (blob) VALUES (?)", (b"\xff\xff",))
    conn.commit()
    conn.close()
    layer = tmp_path / "scan" / "layer.tar"
    layer.parent.mkdir()
    with tarfile.open(layer, "w") as tar:
        _add(tar, "etc/os-release", b'ID="almalinux"\nVERSION_ID="9.2"\n')
        _add(tar, "./var/lib/rpm/rpmdb.sqlite", rpmdb.read_bytes())
        _add(tar, "var/lib/dpkg/status", DPKG.encode())
    packages, errors = parse_path(layer.parent)
    got = {(p.ecosystem, p.name, p.version) for p in packages}
    assert ("AlmaLinux:9", "openssl-libs", "1:3.0.7-24.el9") in got
    assert ("Debian", "openssl", "3.0.9-1") in got
    assert any("RPM header" in reason for _, reason, _ in errors)  # the broken row, located


def test_sbom_input_cyclonedx_and_spdx(tmp_path: Path) -> None:
    cdx = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"name": "jinja2", "version": "2.10", "purl": "pkg:pypi/jinja2@2.10"},
            {
                "name": "zlib",
                "purl": "pkg:deb/debian/zlib@1.2.13.dfsg-1?distro=debian-12.1",
                "components": [{"name": "x", "purl": "pkg:maven/org.x/y@1.0"}],
            },
        ],
    }
    pkgs = one(tmp_path / "c", "app.cdx.json", json.dumps(cdx, indent=2))
    assert {(p.ecosystem, p.name) for p in pkgs.values()} == {
        ("PyPI", "jinja2"),
        ("Debian:12", "zlib"),
        ("Maven", "org.x:y"),
    }
    spdx = {
        "spdxVersion": "SPDX-2.3",
        "packages": [
            {
                "name": "lodash",
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "pkg:npm/lodash@4.17.20",
                    }
                ],
            }
        ],
    }
    pkgs = one(tmp_path / "s", "export.json", json.dumps(spdx, indent=2))
    assert pkgs[("lodash", "4.17.20")].location.start_line == 10


def test_broken_lockfiles_give_located_errors(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text('{"packages": {')
    (tmp_path / "Cargo.lock").write_bytes(b"\xff\xfe[[package]]")
    (tmp_path / "poetry.lock").write_text("[[package]\nname=")
    packages, errors = parse_path(tmp_path)
    assert packages == []
    assert {Path(p).name for p, _, _ in errors} == {
        "package-lock.json",
        "Cargo.lock",
        "poetry.lock",
    }
    assert any(line == 1 for p, _, line in errors if p.endswith("package-lock.json"))


def test_hostile_lockfiles_are_located_errors_not_hangs(tmp_path: Path) -> None:
    bomb = (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
            f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(9)
        )
        + "packages:\n  /ms@2.1.2: *j\n"
    )
    (tmp_path / "pnpm").mkdir()
    (tmp_path / "pnpm" / "pnpm-lock.yaml").write_text(bomb)
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "package-lock.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "composer.lock").write_bytes(bytes(range(256)) * 10)
    packages, errors = parse_path(tmp_path)
    assert packages == []
    assert {Path(p).parent.name for p, _, _ in errors} == {"pnpm", "deep", "bin"}
