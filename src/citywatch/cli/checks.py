"""`citywatch checks list`: every built-in check with its metadata."""

from __future__ import annotations

import argparse
import json
import sys

from citywatch.checks import load_all


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("checks", help="list built-in checks")
    csub = p.add_subparsers(dest="checks_command", metavar="SUBCOMMAND")
    lp = csub.add_parser("list", help="print every check with its metadata")
    lp.add_argument("--format", choices=["table", "json"], default="table")
    lp.add_argument("--framework", help="only checks for this framework")
    lp.set_defaults(func=run_list)

    def _usage(_args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=_usage)


def run_list(args: argparse.Namespace) -> int:
    checks = sorted(load_all().checks.values(), key=lambda c: c.id)
    if args.framework:
        checks = [c for c in checks if args.framework in c.frameworks]
    if args.format == "json":
        json.dump([c.to_dict() for c in checks], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for c in checks:
        print(f"{c.id:<22} {c.severity.name:<8} {','.join(c.frameworks):<28} {c.title}")
    print(f"\n{len(checks)} checks")
    return 0
