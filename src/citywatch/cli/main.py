"""Entry point: builds the argument parser from one module per command group."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from citywatch import __version__

# each module defines `register(subparsers)`; its subcommands set `func(args) -> int`
COMMAND_MODULES = [
    "citywatch.cli.scan",
    "citywatch.cli.checks",
    "citywatch.cli.policy",
    "citywatch.cli.k8s",
    "citywatch.cli.db",
    "citywatch.cli.sbom",
]

EXIT_CODES = """exit codes:
  0  no finding at or above the --fail-on threshold
  1  findings at or above the threshold (or failing tests for `policy test`)
  2  usage error or unreadable target
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citywatch",
        description="Cloud-native security scanner: IaC, secrets, vulnerabilities, Kubernetes.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"citywatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
