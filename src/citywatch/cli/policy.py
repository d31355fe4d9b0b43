"""`citywatch policy test|eval`: run policy unit tests, print raw policy decisions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "policy",
        help="test and debug Rego/CEL/Gatekeeper/ValidatingAdmissionPolicy policies",
        description="Policy as code: unit tests and raw decisions (docs/policy.md).",
    )
    psub = p.add_subparsers(dest="policy_command", metavar="SUBCOMMAND")

    tp = psub.add_parser(
        "test",
        help="run Rego test_ rules, CELPolicyTest cases and gator suites",
        description="Run Rego unit tests (test_ rules), CEL test cases in YAML and Gatekeeper "
        "gator suites. Prints PASS/FAIL per test and a final `N passed, N failed` line; "
        "exit 1 when a test fails or a policy does not load.",
    )
    tp.add_argument("paths", nargs="*", default=["."], type=Path, metavar="DIR")
    tp.set_defaults(func=run_test)

    ep = psub.add_parser(
        "eval",
        help="print the raw decision of every policy for an input file",
        description="Evaluate policies against every document of an input file (YAML/JSON) "
        "and print the raw decisions as JSON. Exit 2 on a load or evaluation error.",
    )
    ep.add_argument("--policy", action="append", required=True, type=Path, metavar="PATH")
    ep.add_argument("--input", required=True, type=Path, metavar="FILE")
    ep.add_argument(
        "--policy-namespace",
        action="append",
        default=[],
        metavar="NS",
        help="Rego packages to evaluate (default: main and annotated packages; '*' for all)",
    )
    ep.add_argument("--query", metavar="REGO", help="evaluate this Rego query instead")
    ep.set_defaults(func=run_eval)

    def _usage(_args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=_usage)


def run_test(args: argparse.Namespace) -> int:
    from citywatch.policy.testing import FAIL, run_tests

    report = run_tests(list(args.paths))
    for result in report.results:
        line = f"{result.status} {result.name}"
        if result.detail:
            line += f": {result.detail}"
        if result.status == FAIL and result.location and result.location not in result.name:
            line += f" ({result.location})"
        print(line)
    if report.skipped:
        print(f"{report.skipped} skipped")
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


def run_eval(args: argparse.Namespace) -> int:
    from citywatch.policy.base import EvalContext
    from citywatch.policy.engine import eval_documents
    from citywatch.policy.errors import PolicyError
    from citywatch.policy.k8smatch import Inventory
    from citywatch.policy.loader import load_policies

    policy_set = load_policies(list(args.policy), list(args.policy_namespace) or ["*"])
    for err in policy_set.errors:
        where = f"{err.path}:{err.line}" if err.line else err.path
        print(f"citywatch policy eval: {where}: {err.reason}", file=sys.stderr)
    if policy_set.errors:
        return 2
    try:
        documents = eval_documents(args.input)
    except (OSError, PolicyError) as exc:
        print(f"citywatch policy eval: {args.input}: {exc}", file=sys.stderr)
        return 2
    ctx = EvalContext(inventory=Inventory.of(d for _, d in documents if isinstance(d, dict)))
    status = 0
    out: list[dict[str, Any]] = []
    for label, document in documents:
        decisions: dict[str, Any] = {}
        if args.query:
            policy_set.rego.set_input(document)
            try:
                decisions["query"] = policy_set.rego.query(args.query)
            except PolicyError as exc:
                decisions["query"] = {"error": str(exc)}
                status = 2
        else:
            for policy in policy_set.policies:
                try:
                    decisions[policy.name] = policy.decision(document, ctx)
                except PolicyError as exc:
                    decisions[policy.name] = {"error": str(exc)}
                    status = 2
        out.append({"input": label, "decisions": decisions})
    json.dump(out if len(out) != 1 else out[0], sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return status
