"""The "vuln" engine: packages from the lockfile parsers, matched against the local OSV database.

Without a database the scan goes on and says what to run; a stale database is matched anyway
with a notice, because an old answer beats none in an air-gapped pipeline.
"""

from __future__ import annotations

import sqlite3

from citywatch.model import Finding
from citywatch.pipeline import ScanContext
from citywatch.vulns.db import STALE_AFTER_DAYS, DatabaseMissing, DatabaseUnusable, VulnDB
from citywatch.vulns.engine import Matcher
from citywatch.vulns.vex import load_vex


class VulnEngine:
    scanner = "vuln"

    def run(self, ctx: ScanContext) -> list[Finding]:
        opts = ctx.options
        if not ctx.packages:
            return []
        try:
            db = VulnDB.open(opts.cache_dir)
        except DatabaseUnusable as exc:  # a located error; the other scanners go on
            ctx.error(str(exc.path), str(exc), scanner="vuln")
            ctx.stats["vuln_packages_unchecked"] = len(ctx.packages)
            return []
        except DatabaseMissing as exc:
            ctx.notices.append(f"vuln: {len(ctx.packages)} packages found but not checked: {exc}")
            ctx.stats["vuln_packages_unchecked"] = len(ctx.packages)
            return []
        try:
            age = db.age_days()
            if age is not None and age > STALE_AFTER_DAYS:
                ctx.notices.append(
                    f"vuln: the vulnerability database is {age:.0f} days old; "
                    "run `citywatch db update` (or import a fresh mirror)"
                )
            vex = load_vex(opts.vex)
            for path, reason in vex.errors:
                ctx.error(path, reason, scanner="vuln")
            matcher = Matcher(db, ignore_unfixed=opts.ignore_unfixed, vex=vex)
            try:
                findings = matcher.match(ctx.packages)
            except sqlite3.DatabaseError as exc:  # damaged past the pages checked on open
                ctx.error(str(db.path), f"vulnerability database is damaged: {exc}", scanner="vuln")
                return []
            stats = matcher.stats
            ctx.stats["vuln_packages"] = stats.packages
            ctx.stats["vuln_unsupported_ecosystem"] = stats.unsupported
            if stats.suppressed_by_vex:
                ctx.notices.append(
                    f"vuln: {stats.suppressed_by_vex} findings marked not affected by VEX"
                )
            if stats.unfixed_skipped:
                ctx.stats["vuln_unfixed_skipped"] = stats.unfixed_skipped
            return findings
        finally:
            db.close()
