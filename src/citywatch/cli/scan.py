"""`citywatch scan`: parse arguments, run the pipeline, write reports, choose the exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from citywatch.model import Severity
from citywatch.options import ALL_SCANNERS, DEFAULT_SCANNERS, ScanOptions

HELP = """Scan files and directories for misconfigurations, secrets and vulnerable dependencies.

exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage error or
unreadable target."""


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _var(value: str) -> tuple[str, str]:
    name, sep, val = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, val


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scan",
        help="scan files and directories",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    p.add_argument(
        "--scanners",
        default=",".join(DEFAULT_SCANNERS),
        help=f"comma-separated: {', '.join(ALL_SCANNERS)} (default: %(default)s)",
    )
    p.add_argument(
        "--skip-path",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files or directories matching GLOB (repeatable)",
    )
    p.add_argument(
        "--format",
        "-f",
        action="append",
        default=[],
        metavar="FORMAT",
        help="table, json, sarif, junit (repeatable; default table)",
    )
    p.add_argument(
        "--output",
        "-o",
        action="append",
        default=[],
        metavar="FILE",
        help="write the matching --format to FILE (repeatable; '-' for stdout)",
    )
    p.add_argument(
        "--severity",
        default="",
        metavar="LIST",
        help="only report these severities (comma-separated)",
    )
    p.add_argument(
        "--fail-on",
        default="LOW",
        metavar="SEVERITY",
        help="exit 1 when a finding at or above this severity remains "
        "(default: %(default)s; NONE never fails)",
    )
    p.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="SEL",
        help="run only these checks: ids, globs or severities (repeatable, or a,b)",
    )
    p.add_argument(
        "--skip-check",
        action="append",
        default=[],
        metavar="SEL",
        help="skip these checks: ids, globs or severities (repeatable, or a,b)",
    )
    p.add_argument(
        "--baseline", type=Path, metavar="FILE", help="report only findings not in this baseline"
    )
    p.add_argument(
        "--create-baseline",
        type=Path,
        metavar="FILE",
        help="write all current findings to FILE as a baseline",
    )
    p.add_argument(
        "--ignore-file",
        type=Path,
        metavar="FILE",
        help="ignore file (default: .citywatchignore at the scan root)",
    )
    p.add_argument(
        "--var-file",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="Terraform variable file (repeatable)",
    )
    p.add_argument(
        "--var",
        action="append",
        default=[],
        type=_var,
        metavar="NAME=VALUE",
        help="Terraform variable (repeatable)",
    )
    p.add_argument(
        "--policy",
        action="append",
        default=[],
        type=Path,
        metavar="PATH",
        help="Rego/CEL policy file or directory to add (repeatable)",
    )
    p.add_argument(
        "--policy-namespace",
        action="append",
        default=[],
        metavar="NS",
        help="only run policies in this Rego package / namespace (repeatable)",
    )
    p.add_argument(
        "--level",
        dest="pss_level",
        choices=["privileged", "baseline", "restricted"],
        help="Pod Security Standards level for reporting (default: namespace "
        "labels, else restricted)",
    )
    p.add_argument(
        "--pss-version",
        dest="pss_version",
        metavar="VERSION",
        help="Pod Security Standards policy version (v1.0 ... latest)",
    )
    p.add_argument(
        "--secret-config", type=Path, metavar="FILE", help="gitleaks-compatible TOML rule file"
    )
    p.add_argument(
        "--git-history",
        action="store_true",
        help="scan lines added in every commit of every branch",
    )
    p.add_argument("--since", metavar="REV", help="with --git-history: only commits after REV")
    p.add_argument("--staged", action="store_true", help="scan only what is staged in git")
    p.add_argument(
        "--show-secrets",
        action="store_true",
        help="print secrets in full (local use only; default redacts)",
    )
    p.add_argument(
        "--test-secrets-low",
        action="store_true",
        help="report secrets in test fixtures (tests/, testdata/, fixtures/ ...) at LOW",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="vulnerability database location (default: user cache dir or $CITYWATCH_CACHE_DIR)",
    )
    p.add_argument(
        "--ignore-unfixed",
        action="store_true",
        help="skip vulnerabilities that have no fixed version",
    )
    p.add_argument(
        "--vex",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="OpenVEX or CycloneDX VEX document (repeatable)",
    )
    p.add_argument(
        "--max-file-size",
        type=int,
        default=None,
        metavar="BYTES",
        help="skip (and report) files larger than this",
    )
    p.add_argument("--no-color", action="store_true", help="no colours in the table")
    p.set_defaults(func=run)


def options_from_args(args: argparse.Namespace) -> ScanOptions:
    scanners = tuple(_csv(args.scanners))
    unknown = [s for s in scanners if s not in ALL_SCANNERS]
    if unknown:
        raise ValueError(f"unknown scanner(s): {', '.join(unknown)}")
    if args.policy and "misconfig" not in scanners:
        raise ValueError("--policy needs the misconfig scanner: add it to --scanners")
    severities = tuple(Severity.parse(s) for s in _csv(args.severity))
    opts = ScanOptions(
        targets=[Path(p) for p in args.paths],
        scanners=scanners,
        skip_paths=list(args.skip_path),
        var_files=list(args.var_file),
        variables=dict(args.var),
        checks=[c for chunk in args.check for c in _csv(chunk)],
        skip_checks=[c for chunk in args.skip_check for c in _csv(chunk)],
        severities=severities,
        baseline=args.baseline,
        ignore_file=args.ignore_file,
        policies=list(args.policy),
        policy_namespaces=list(args.policy_namespace),
        pss_level=args.pss_level,
        pss_version=args.pss_version,
        secret_config=args.secret_config,
        git_history=args.git_history,
        since=args.since,
        staged=args.staged,
        show_secrets=args.show_secrets,
        test_secrets_low=args.test_secrets_low,
        cache_dir=args.cache_dir,
        ignore_unfixed=args.ignore_unfixed,
        vex=list(args.vex),
    )
    if args.max_file_size is not None:
        opts.max_file_bytes = args.max_file_size
    return opts


def run(args: argparse.Namespace) -> int:
    from citywatch.pipeline import run_scan
    from citywatch.report import FORMATS, render

    try:
        opts = options_from_args(args)
        fail_on = None if args.fail_on.upper() == "NONE" else Severity.parse(args.fail_on)
        formats = [f.lower() for chunk in args.format for f in _csv(chunk)] or ["table"]
        bad = [f for f in formats if f not in FORMATS]
        if bad:
            raise ValueError(
                f"unknown format(s): {', '.join(bad)} (one of {', '.join(sorted(FORMATS))})"
            )
        outputs = list(args.output)
        if len(outputs) > len(formats):
            raise ValueError("more --output than --format")
    except ValueError as exc:
        print(f"citywatch scan: error: {exc}", file=sys.stderr)
        return 2

    result = run_scan(opts)

    if args.create_baseline is not None:
        from citywatch.baseline import write_baseline

        write_baseline(args.create_baseline, result)
        print(
            f"baseline with {len(result.findings)} findings written to {args.create_baseline}",
            file=sys.stderr,
        )

    color = not args.no_color
    for i, fmt in enumerate(formats):
        dest = outputs[i] if i < len(outputs) else "-"
        text = render(fmt, result, color=color and dest == "-" and sys.stdout.isatty())
        if dest == "-":
            sys.stdout.write(text)
        else:
            Path(dest).write_text(text, encoding="utf-8")

    targets = {str(t) for t in opts.targets}
    missing = [
        e
        for e in result.errors
        if e.path in targets
        and (
            e.reason == "target does not exist"
            or e.reason.startswith("cannot read target")
            or e.reason.endswith("is not inside a git repository")
        )
    ]
    if missing and len(missing) == len(opts.targets):
        return 2
    if fail_on is not None and any(fails(f.severity, fail_on) for f in result.findings):
        return 1
    return 0


def fails(severity: Severity, threshold: Severity) -> bool:
    """At or above the threshold; UNKNOWN (a known vulnerability without a score) counts as LOW,
    so the default gate never lets an unscored advisory through."""
    if severity == Severity.UNKNOWN:
        severity = Severity.LOW
    return severity >= threshold
