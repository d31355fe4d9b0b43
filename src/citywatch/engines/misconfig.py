"""Runs the built-in check library over every parsed resource."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from citywatch.checks import load_all
from citywatch.checks.base import CheckContext, Failure, Implementation, UnknownValue
from citywatch.model import Finding, Location, Resource
from citywatch.pipeline import ScanContext
from citywatch.selection import selected


def _failures(result: object) -> Iterator[Failure]:
    if result is None:
        return
    if isinstance(result, Failure):
        yield result
        return
    if isinstance(result, Iterable):
        for item in result:
            if isinstance(item, Failure):
                yield item


def finding_for(impl_check: object, resource: Resource, failure: Failure) -> Finding:
    from citywatch.model import Check

    assert isinstance(impl_check, Check)
    line = resource.line_map.get(failure.path, 0) if failure.path else 0
    loc = resource.location
    if line:
        loc = Location(loc.path, line, line)
    return Finding.from_check(
        impl_check,
        failure.message,
        loc,
        resource=resource.name,
        fingerprint_key=failure.key or failure.path or "",
        extra={
            "resource_type": resource.kind,
            "framework": resource.framework,
            "resource_location": {
                "start_line": resource.location.start_line,
                "end_line": resource.location.end_line,
            },
        },
    )


class MisconfigEngine:
    scanner = "misconfig"

    def run(self, ctx: ScanContext) -> list[Finding]:
        registry = load_all()
        table = registry.by_type()
        opts = ctx.options
        check_ctx = CheckContext(ctx.resources)
        findings: list[Finding] = []
        cache: dict[tuple[str, str], list[Implementation]] = {}
        for resource in ctx.resources:
            key = (resource.framework, resource.kind)
            impls = cache.get(key)
            if impls is None:
                impls = [
                    i
                    for i in table.get(key, []) + table.get((resource.framework, "*"), [])
                    if selected(i.check.id, i.check.severity, opts.checks, opts.skip_checks)
                ]
                cache[key] = impls
            for impl in impls:
                try:
                    result = impl.fn(resource, check_ctx)
                    failures = list(_failures(result))
                except UnknownValue as unk:
                    ctx.unknowns.append(
                        {
                            "check_id": impl.check.id,
                            "resource": resource.name,
                            "path": resource.location.path,
                            "attribute": unk.path,
                            "result": "unknown",
                        }
                    )
                    continue
                except Exception as exc:  # a check bug is an error, never a silent pass
                    ctx.error(
                        resource.location.path,
                        f"check {impl.check.id} failed on {resource.name}: "
                        f"{type(exc).__name__}: {exc}",
                        resource.location.start_line,
                        scanner="misconfig",
                    )
                    continue
                for failure in failures:
                    findings.append(finding_for(impl.check, resource, failure))
        ctx.stats["checks_evaluated"] = sum(len(v) for v in cache.values())
        return findings
