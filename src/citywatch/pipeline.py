"""The scan pipeline: sources -> parsers -> engines -> triage -> report.

Interfaces are deliberately tiny: a `Parser` claims files and appends resources/packages to the
shared `ScanContext`; an `Engine` reads the context and returns findings. Adding a format or a
scanner is one new module registered in `citywatch.registry`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from citywatch.model import Finding, Package, Resource, ScanError, ScanResult
from citywatch.options import ScanOptions

HEAD_BYTES = 4096


@dataclass(slots=True)
class SourceFile:
    """A regular file found by a source; `display` is the path shown to users."""

    path: Path
    display: str
    size: int
    root: Path
    _head: bytes | None = None

    def head(self) -> bytes:
        if self._head is None:
            try:
                with self.path.open("rb") as fh:
                    self._head = fh.read(HEAD_BYTES)
            except OSError:
                self._head = b""
        return self._head

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass(slots=True)
class ScanContext:
    options: ScanOptions
    files: list[SourceFile] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    unknowns: list[dict[str, Any]] = field(default_factory=list)
    claimed: dict[str, str] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)

    def error(
        self, path: str, reason: str, line: int | None = None, scanner: str | None = None
    ) -> None:
        self.errors.append(ScanError(path=path, reason=reason, line=line, scanner=scanner))


class Parser(Protocol):
    """Turns bytes into located resources or packages. Never decides what is insecure."""

    name: str

    def claims(self, file: SourceFile) -> bool: ...

    def parse(self, files: list[SourceFile], ctx: ScanContext) -> None: ...


class Engine(Protocol):
    """Decides what is wrong. Returns findings and records errors in the context."""

    scanner: str

    def run(self, ctx: ScanContext) -> Iterable[Finding]: ...


def run_scan(options: ScanOptions) -> ScanResult:
    """Run every selected scanner over the targets and apply triage."""
    from citywatch import registry, triage
    from citywatch.sources.walk import walk_targets

    started = time.perf_counter()
    ctx = ScanContext(options=options)
    if options.staged:
        ctx.files = _staged(options, ctx)
    else:
        ctx.files = walk_targets(options.targets, options, ctx)

    parse_into(ctx, registry.parsers_for(options.scanners))

    findings: list[Finding] = []
    for engine in registry.engines_for(options.scanners):
        findings.extend(engine.run(ctx))

    result = ScanResult(
        errors=ctx.errors,
        notices=ctx.notices,
        unknowns=ctx.unknowns,
        targets=[str(t) for t in options.targets],
    )
    triage.apply(findings, result, ctx)
    result.errors = _unique_errors(ctx.errors)
    result.stats.update(ctx.stats)
    result.stats["files"] = len(ctx.files)
    result.stats["resources"] = len(ctx.resources)
    result.stats["packages"] = len(ctx.packages)
    result.stats["duration_ms"] = int((time.perf_counter() - started) * 1000)
    return result


def _unique_errors(errors: list[ScanError]) -> list[ScanError]:
    """Two engines may report the same problem with one file: say it once."""
    seen: set[tuple[str, str, int | None]] = set()
    out: list[ScanError] = []
    for err in errors:
        key = (err.path, err.reason, err.line)
        if key not in seen:
            seen.add(key)
            out.append(err)
    return out


def _staged(options: ScanOptions, ctx: ScanContext) -> list[SourceFile]:
    from citywatch.sources.staged import NotARepository, staged_files
    from citywatch.sources.walk import walk_targets

    files: list[SourceFile] = []
    for target in options.targets:
        try:
            paths = staged_files(target)
        except NotARepository as exc:
            ctx.error(str(target), str(exc))
            continue
        existing = [p for p in paths if p.is_file()]
        files.extend(walk_targets(existing, options, ctx))
    return files


def parse_into(ctx: ScanContext, parsers: list[Parser]) -> None:
    """Give each file to the first parser that claims it, then let each parser run once."""
    batches: dict[str, list[SourceFile]] = {p.name: [] for p in parsers}
    for file in ctx.files:
        for parser in parsers:
            try:
                claimed = parser.claims(file)
            except Exception as exc:  # a broken detector must not stop the scan
                ctx.error(file.display, f"{parser.name} detector failed: {exc}")
                claimed = False
            if claimed:
                batches[parser.name].append(file)
                ctx.claimed[file.display] = parser.name
                break
    for parser in parsers:
        batch = batches[parser.name]
        if not batch:
            continue
        try:
            parser.parse(batch, ctx)
        except Exception as exc:  # report, never lose the rest of the scan
            ctx.error(
                batch[0].display if len(batch) == 1 else str(batch[0].root),
                f"{parser.name} parser failed: {type(exc).__name__}: {exc}",
            )
