"""`citywatch sbom PATH --format cyclonedx-json|spdx-json [-o FILE]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sbom",
        help="write a CycloneDX 1.6 or SPDX 2.3 SBOM of the dependencies under PATH",
        description="Write an SBOM (CycloneDX 1.6 JSON or SPDX 2.3 JSON) of every package found "
        "in lockfiles, manifests, OS package databases and SBOMs under PATH. "
        "Exit codes: 0 written, 2 usage or input error.",
    )
    p.add_argument("path", type=Path, metavar="PATH")
    p.add_argument(
        "--format",
        "-f",
        default="cyclonedx-json",
        choices=["cyclonedx-json", "spdx-json"],
        help="output format (default: %(default)s)",
    )
    p.add_argument("--output", "-o", default="-", metavar="FILE", help="file ('-' for stdout)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from citywatch.sbom import collect, render

    if not args.path.exists():
        print(f"citywatch sbom: error: {args.path} does not exist", file=sys.stderr)
        return 2
    inventory, errors = collect(args.path)
    for path, reason, line in errors:
        where = f"{path}:{line}" if line else path
        print(f"warning: {where}: {reason}", file=sys.stderr)
    text = render(inventory, args.format)
    if args.output == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(
            f"{args.format} SBOM with {len(inventory.unique())} packages written to {args.output}",
            file=sys.stderr,
        )
    return 0
