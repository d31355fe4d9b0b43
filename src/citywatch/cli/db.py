"""`citywatch db update|import|status`: manage the local OSV vulnerability database."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "db",
        help="manage the local vulnerability database (OSV data)",
        description="Manage the local OSV vulnerability database used by `scan --scanners vuln`."
        " It lives in the user cache directory unless --cache-dir or $CITYWATCH_CACHE_DIR say"
        " otherwise. Exit codes: 0 success, 2 usage or input error.",
    )
    p.add_argument("--cache-dir", type=Path, metavar="DIR", help="database location")
    dbsub = p.add_subparsers(dest="db_command", metavar="SUBCOMMAND")

    up = dbsub.add_parser("update", help="download OSV archives (network) and import them")
    up.add_argument(
        "--ecosystem",
        action="append",
        default=[],
        metavar="NAME",
        help="OSV ecosystem to fetch (repeatable; default: the common ones)",
    )
    up.add_argument(
        "--mirror", default=None, metavar="URL", help="base URL laid out like OSV's bucket"
    )
    up.add_argument(
        "--cache-dir", type=Path, metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    up.set_defaults(func=_update)

    imp = dbsub.add_parser("import", help="import OSV JSON/YAML files, folders or zips (offline)")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument("--replace", action="store_true", help="drop what the database held before")
    imp.add_argument(
        "--cache-dir", type=Path, metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    imp.set_defaults(func=_import)

    st = dbsub.add_parser("status", help="show sources, counts and age")
    st.add_argument("--json", action="store_true", help="machine-readable output")
    st.add_argument(
        "--cache-dir", type=Path, metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    st.set_defaults(func=_status)

    def _usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=_usage)


def _print_report(report: object) -> int:
    from citywatch.vulns.db import ImportReport

    assert isinstance(report, ImportReport)
    for where, reason in report.errors[:50]:
        print(f"skipped {where}: {reason}", file=sys.stderr)
    if len(report.errors) > 50:
        print(f"... and {len(report.errors) - 50} more skipped files", file=sys.stderr)
    print(
        f"imported {report.imported} advisories ({report.skipped_withdrawn} withdrawn, "
        f"{len(report.errors)} skipped) into {report.path}"
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from citywatch.vulns.db import DatabaseUnusable, import_paths

    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"citywatch db import: error: {missing[0]} does not exist", file=sys.stderr)
        return 2
    try:
        report = import_paths(args.paths, args.cache_dir, source="import", replace=args.replace)
    except (DatabaseUnusable, OSError) as exc:
        print(f"citywatch db import: error: {exc}", file=sys.stderr)
        return 2
    return _print_report(report)


def _update(args: argparse.Namespace) -> int:
    from citywatch.vulns.db import DatabaseUnusable
    from citywatch.vulns.update import OSV_BASE, update

    try:
        report = update(
            args.ecosystem or None,
            args.cache_dir,
            base=args.mirror or OSV_BASE,
            progress=lambda msg: print(msg, file=sys.stderr),
        )
    except (OSError, ValueError, DatabaseUnusable) as exc:
        print(
            f"citywatch db update: error: {exc} (the previous database is unchanged)",
            file=sys.stderr,
        )
        return 2
    return _print_report(report)


def _status(args: argparse.Namespace) -> int:
    from citywatch.vulns.db import DatabaseMissing, VulnDB

    try:
        db = VulnDB.open(args.cache_dir)
    except DatabaseMissing as exc:
        print(f"citywatch db status: {exc}", file=sys.stderr)
        return 2
    try:
        info = db.status()
    except sqlite3.DatabaseError as exc:
        print(f"citywatch db status: {db.path} is damaged ({exc})", file=sys.stderr)
        return 2
    finally:
        db.close()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"database:   {info['path']} ({info['size_bytes'] / 1e6:.1f} MB)")
    print(f"advisories: {info['advisories']} ({info['withdrawn']} withdrawn)")
    print(
        f"built:      {info['built_at']} ({info['age_days']} days ago)"
        + ("  STALE: run `citywatch db update`" if info["stale"] else "")
    )
    print("ecosystems:")
    for eco, count in info["ecosystems"].items():
        print(f"  {eco:<16} {count}")
    print("sources:")
    for src in info["sources"]:
        print(f"  {src['name']}  ({src['advisories']} advisories, {src['imported_at']})")
    return 0
