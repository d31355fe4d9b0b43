"""Dependency lockfiles, manifests, OS package databases and SBOMs -> located `Package`s.

`LockfileParser` (scanner "vuln") claims files by name (and, for binaries, tarballs and SBOMs,
by their first bytes) and hands each to the reader for its format. A reader that fails records a
located error; the other files go on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from pathlib import Path

from citywatch.model import Package
from citywatch.parsers.lockfiles import (
    dotnet,
    golang,
    java,
    npm,
    ospkgs,
    php,
    python,
    ruby,
    rust,
    sbom_in,
)
from citywatch.parsers.lockfiles.common import LockfileError, LockInput
from citywatch.pipeline import ScanContext, SourceFile

Reader = Callable[[LockInput], list[Package]]

BY_NAME: dict[str, Reader] = {
    "poetry.lock": python.parse_poetry_or_pdm,
    "pdm.lock": python.parse_poetry_or_pdm,
    "uv.lock": python.parse_uv,
    "Pipfile.lock": python.parse_pipfile_lock,
    "package-lock.json": npm.parse_package_lock,
    "npm-shrinkwrap.json": npm.parse_package_lock,
    "yarn.lock": npm.parse_yarn_lock,
    "pnpm-lock.yaml": npm.parse_pnpm_lock,
    "go.mod": golang.parse_go_mod,
    "Cargo.lock": rust.parse_cargo_lock,
    "Gemfile.lock": ruby.parse_gemfile_lock,
    "gems.locked": ruby.parse_gemfile_lock,
    "composer.lock": php.parse_composer_lock,
    "pom.xml": java.parse_pom,
    "gradle.lockfile": java.parse_gradle_lockfile,
    "packages.lock.json": dotnet.parse_packages_lock,
}
SBOM_GLOBS = ("*.cdx.json", "*.spdx.json", "bom.json", "sbom.json", "*.sbom.json")
EXECUTABLE_BITS = 0o111


def reader_for(file: SourceFile) -> Reader | None:
    """The reader for this file, or None when it is not a dependency artifact we know."""
    name = file.path.name
    posix = file.path.as_posix()
    reader = BY_NAME.get(name)
    if reader is not None:
        return reader
    if name == "go.sum":
        return None if (file.path.parent / "go.mod").exists() else golang.parse_go_sum
    if fnmatch.fnmatch(name, "requirements*.txt") or (
        name.endswith(".txt") and file.path.parent.name == "requirements"
    ):
        return None  # handled with the scan root, for -r includes
    if posix.endswith(("/METADATA", "/PKG-INFO")) and file.path.parent.name.endswith(
        (".dist-info", ".egg-info")
    ):
        return python.parse_dist_info
    if posix.endswith(ospkgs.DB_PATHS) or ospkgs.DPKG_STATUS_D in posix:
        return ospkgs.parse_rootfs_db
    if name.endswith(".json") and (
        any(fnmatch.fnmatch(name, g) for g in SBOM_GLOBS) or sbom_in.looks_like_sbom(file.head())
    ):
        return sbom_in.parse_sbom
    head = file.head()
    if name.endswith(ospkgs.TAR_SUFFIXES) and ospkgs.is_tar_head(head):
        return ospkgs.parse_layer_tarball
    if golang.is_binary_head(head):
        return golang.parse_go_binary
    return None


def _is_requirements(file: SourceFile) -> bool:
    name = file.path.name
    return fnmatch.fnmatch(name, "requirements*.txt") or (
        name.endswith(".txt") and file.path.parent.name == "requirements"
    )


class LockfileParser:
    """Parser protocol implementation for the "vuln" scanner."""

    name = "lockfiles"

    def claims(self, file: SourceFile) -> bool:
        return _is_requirements(file) or reader_for(file) is not None

    def parse(self, files: list[SourceFile], ctx: ScanContext) -> None:
        limit = ctx.options.max_file_bytes
        for file in files:
            is_tar = file.path.name.endswith(ospkgs.TAR_SUFFIXES)
            if file.size > limit and not is_tar:
                ctx.error(file.display, f"larger than {limit} bytes; not read", scanner="vuln")
                continue
            src = LockInput(file.path, file.display, b"" if is_tar else file.read_bytes())
            try:
                if _is_requirements(file):
                    found = python.parse_requirements(src, root=file.root)
                else:
                    reader = reader_for(file)
                    found = reader(src) if reader else []
            except LockfileError as exc:
                ctx.error(file.display, str(exc), exc.line, scanner="vuln")
                continue
            except (OSError, RecursionError, MemoryError, ValueError) as exc:
                ctx.error(file.display, f"{type(exc).__name__}: {exc}", scanner="vuln")
                continue
            for reason, line in src.warnings:
                ctx.error(file.display, reason, line, scanner="vuln")
            ctx.packages.extend(found)
            ctx.stats["lockfiles"] = ctx.stats.get("lockfiles", 0) + 1


def parse_path(path: Path) -> tuple[list[Package], list[tuple[str, str, int | None]]]:
    """Parse one file or every dependency artifact under a directory (library entry point)."""
    from citywatch.options import ScanOptions
    from citywatch.sources.walk import walk_targets

    ctx = ScanContext(options=ScanOptions(targets=[path], scanners=("vuln",)))
    ctx.files = walk_targets([path], ctx.options, ctx)
    parser = LockfileParser()
    parser.parse([f for f in ctx.files if parser.claims(f)], ctx)
    return ctx.packages, [(e.path, e.reason, e.line) for e in ctx.errors]
