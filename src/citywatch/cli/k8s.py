"""`citywatch k8s`: Pod Security Standards, RBAC and NetworkPolicy over manifests or a cluster.

exit codes: 0 nothing found (or a query answered); 1 findings (pss, rbac, netpol without
--from/--to/--matrix); 2 usage error or no readable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from citywatch.model import Finding, Resource, ScanError, ScanResult

Sub = argparse._SubParsersAction


class _Intermixed(argparse.ArgumentParser):
    """Lets paths come after options (`who-can get secrets -n prod manifests/`)."""

    _inside = False

    def parse_known_args(  # type: ignore[override]
        self, args: Any = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._inside:
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", default=[], help="manifest files or directories")
    p.add_argument("--kubeconfig", help="read a live cluster with this kubeconfig (list/get only)")
    p.add_argument("--context", help="kubeconfig context of the live cluster")
    p.add_argument("--format", "-f", choices=["table", "json"], default="table")


def register(sub: Sub[argparse.ArgumentParser]) -> None:
    k8s = sub.add_parser(
        "k8s",
        help="Kubernetes posture: Pod Security Standards, RBAC, NetworkPolicy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ks = k8s.add_subparsers(dest="k8s_command", metavar="SUBCOMMAND", parser_class=_Intermixed)

    p = ks.add_parser("pss", help="evaluate pods and pod templates against Pod Security Standards")
    _common(p)
    p.add_argument(
        "--level",
        choices=["privileged", "baseline", "restricted"],
        help="override the level (default: namespace labels, else restricted)",
    )
    p.add_argument(
        "--version",
        dest="pss_version",
        metavar="VERSION",
        help="policy version v1.0 ... latest (default: labels, else latest)",
    )
    p.set_defaults(func=run_pss)

    p = ks.add_parser("rbac", help="risky RBAC grants and a per-subject summary")
    _common(p)
    p.set_defaults(func=run_rbac)

    p = ks.add_parser("who-can", help="which subjects may VERB RESOURCE (like kubectl auth can-i)")
    p.add_argument("verb")
    p.add_argument("resource", help="pods, pods/exec, deployments.apps, or a /non-resource/url")
    _common(p)
    p.add_argument("--namespace", "-n", default="", help="namespace (default: cluster-wide)")
    p.add_argument("--name", default="", help="resource name (resourceNames)")
    p.set_defaults(func=run_who_can)

    p = ks.add_parser("can", help="everything a user, group or service account may do")
    p.add_argument("subject", help="alice | User:alice | Group:devs | ServiceAccount:NS:NAME")
    _common(p)
    p.add_argument("--group", action="append", default=[], help="extra group of the user")
    p.add_argument("--namespace", "-n", default=None, help="only grants effective in NS")
    p.set_defaults(func=run_can)

    p = ks.add_parser("netpol", help="NetworkPolicy reachability and findings")
    _common(p)
    p.add_argument("--from", dest="src", metavar="NS/POD", help="source pod/workload or IP")
    p.add_argument("--to", dest="dst", metavar="NS/POD", help="destination pod/workload or IP")
    p.add_argument("--port", help="port number or name (default: any port)")
    p.add_argument("--protocol", default="TCP", choices=["TCP", "UDP", "SCTP"])
    p.add_argument("--matrix", action="store_true", help="print the reachability matrix")
    p.add_argument(
        "--by",
        choices=["namespace", "workload"],
        default="namespace",
        help="matrix granularity (default: namespace)",
    )
    p.set_defaults(func=run_netpol)

    def _help(args: argparse.Namespace) -> int:
        k8s.print_help()
        return 2

    k8s.set_defaults(func=_help)


# --- shared --------------------------------------------------------------------------------


class InputError(Exception):
    pass


def _load(args: argparse.Namespace) -> tuple[list[Resource], list[ScanError]]:
    if not args.paths and args.kubeconfig is None and args.context is None:
        raise InputError("give manifest paths, or --kubeconfig/--context for a live cluster")
    resources, errs = _load_without_gc_pauses(
        [Path(p) for p in args.paths], args.kubeconfig, args.context
    )
    errors = [ScanError(path, reason, line, "misconfig") for path, reason, line in errs]
    if not resources and errors:
        for e in errors:
            print(f"citywatch k8s: {e.path}: {e.reason}", file=sys.stderr)
        raise InputError("no Kubernetes objects could be read")
    return resources, errors


def _qualified(resource: str, group: str) -> str:
    """`deployments.apps/scale`, as `kubectl auth can-i --list` writes it (not `.../scale.apps`)."""
    if not group:
        return resource
    name, slash, sub = resource.partition("/")
    return f"{name}.{group}{slash}{sub}"


def _load_without_gc_pauses(
    paths: list[Path], kubeconfig: str | None, context: str | None
) -> tuple[list[Resource], list[tuple[str, str, int | None]]]:
    """Load with the cyclic GC off, then freeze what was loaded.

    Loading builds hundreds of thousands of acyclic dicts and lists that live until the command
    ends; the collector rescanning them over and over cost about a third of `who-can` on 5,000
    bindings. Reference counting still frees every temporary.
    """
    import gc

    from citywatch.k8s.load import load_inputs

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        loaded = load_inputs(paths, kubeconfig, context)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    return loaded


def _result(
    findings: list[Finding],
    errors: list[ScanError],
    args: argparse.Namespace,
    resources: list[Resource],
) -> ScanResult:
    targets = list(args.paths) or [f"cluster:{args.context or 'current-context'}"]
    files = {r.location.path for r in resources}  # the files objects came from, not the args
    return ScanResult(
        findings=findings,
        errors=errors,
        targets=targets,
        stats={"files": len(files), "resources": len(resources)},
    )


def _emit_findings(result: ScanResult, fmt: str, extra: dict[str, Any] | None = None) -> None:
    if fmt == "json":
        from citywatch.report.json_report import to_document

        doc = to_document(result)
        doc.update(extra or {})
        sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")
    else:
        from citywatch.report.table import render

        sys.stdout.write(render(result))


def _guard(fn: Any) -> Any:
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return int(fn(args))
        except (InputError, ValueError) as exc:
            print(f"citywatch k8s: error: {exc}", file=sys.stderr)
            return 2

    return wrapped


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


# --- subcommands ---------------------------------------------------------------------------


@_guard
def run_pss(args: argparse.Namespace) -> int:
    from citywatch.k8s.findings import pss_findings
    from citywatch.k8s.pss import evaluate_resources, parse_version

    if args.pss_version is not None:
        parse_version(args.pss_version)
    resources, errors = _load(args)
    results = evaluate_resources(resources, level=args.level, version=args.pss_version)
    findings = pss_findings(results)
    result = _result(findings, errors, args, resources)
    result.stats["pod_specs"] = len(results)
    _emit_findings(result, args.format)
    return 1 if findings else 0


@_guard
def run_rbac(args: argparse.Namespace) -> int:
    from citywatch.k8s.rbac import RBACGraph
    from citywatch.k8s.rbac_risks import risky_findings, subject_summary

    resources, errors = _load(args)
    graph = RBACGraph.from_resources(resources)
    findings = risky_findings(graph)
    summary = subject_summary(graph)
    for b in graph.missing_roles():
        errors.append(
            ScanError(
                b.source.location.path if b.source else "<cluster>",
                f"{b.ref} refers to missing {b.role_kind}/{b.role_name}",
                None,
                "misconfig",
            )
        )
    result = _result(findings, errors, args, resources)
    if args.format == "json":
        _emit_findings(result, "json", {"subjects": summary})
    else:
        _emit_findings(result, "table")
        rows = [
            [
                str(r["subject"]["kind"]),
                _subject_name(r["subject"]),
                str(r["bindings"]),
                ", ".join(r["roles"]),
                ", ".join(r["risks"]) or "-",
            ]
            for r in summary
        ]
        if rows:
            sys.stdout.write(
                "\nsubjects\n" + _table(rows, ["KIND", "NAME", "BINDINGS", "ROLES", "RISKS"])
            )
    return 1 if findings else 0


def _subject_name(s: dict[str, str]) -> str:
    return f"{s['namespace']}/{s['name']}" if s.get("namespace") else s["name"]


@_guard
def run_who_can(args: argparse.Namespace) -> int:
    from citywatch.k8s.rbac import RBACGraph, split_resource

    resources, errors = _load(args)
    graph = RBACGraph.from_resources(resources)
    url = args.resource if args.resource.startswith("/") else None
    grants = graph.who_can(args.verb, args.resource, args.namespace, args.name, url=url)
    res, sub, group = split_resource(args.resource) if url is None else ("", "", "")
    subjects: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for g in grants:
        key = (
            g.subject.kind,
            g.subject.namespace
            or (g.binding.namespace if g.subject.kind == "ServiceAccount" else ""),
            g.subject.name,
        )
        subjects.setdefault(key, []).append(g.chain())
    if args.format == "json":
        doc = {
            "verb": args.verb.lower(),
            "resource": res,
            "subresource": sub,
            "apiGroup": group,
            "nonResourceURL": url,
            "namespace": args.namespace,
            "name": args.name,
            "subjects": [
                {"kind": k, "namespace": ns, "name": n, "chain": chain}
                for (k, ns, n), chain in sorted(subjects.items())
            ],
            "errors": [e.to_dict() for e in errors],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        rows = []
        for (k, ns, n), chain in sorted(subjects.items()):
            for c in chain:
                b, r = c["binding"], c["role"]
                rows.append(
                    [
                        k,
                        f"{ns}/{n}" if ns else n,
                        f"{b['kind']}/{b['namespace'] + '/' if b['namespace'] else ''}{b['name']}",
                        f"{r['kind']}/{r['name']}",
                    ]
                )
        if rows:
            sys.stdout.write(_table(rows, ["KIND", "SUBJECT", "BINDING", "ROLE"]))
        else:
            sys.stdout.write("no subject may do this\n")
    return 0


@_guard
def run_can(args: argparse.Namespace) -> int:
    from citywatch.k8s.rbac import Identity, RBACGraph

    who = Identity.parse(args.subject, args.group)
    resources, errors = _load(args)
    graph = RBACGraph.from_resources(resources)
    grants = graph.grants_of(who)
    if args.namespace is not None:
        grants = [
            g
            for g in grants
            if g.binding.kind == "ClusterRoleBinding" or g.binding.namespace == args.namespace
        ]
    if args.format == "json":
        doc = {
            "subject": who.label,
            "user": who.user,
            "groups": sorted(who.groups),
            "grants": [
                dict(
                    g.chain(),
                    scope="cluster"
                    if g.binding.kind == "ClusterRoleBinding"
                    else g.binding.namespace,
                )
                for g in grants
            ],
            "errors": [e.to_dict() for e in errors],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        rows = [
            [
                "*" if g.binding.kind == "ClusterRoleBinding" else g.binding.namespace,
                ",".join(sorted(g.rule.verbs)),
                ",".join(g.rule.urls)
                if g.rule.urls
                else ",".join(
                    _qualified(r, grp) for grp in sorted(g.rule.groups) for r in g.rule.resources
                ),
                ",".join(sorted(g.rule.names)) or "-",
                f"{g.binding.ref} -> {g.role.ref}",
            ]
            for g in grants
        ]
        sys.stdout.write(f"{who.label} (groups: {', '.join(sorted(who.groups))})\n")
        sys.stdout.write(
            _table(rows, ["NAMESPACE", "VERBS", "RESOURCES", "NAMES", "VIA"])
            if rows
            else "no permissions\n"
        )
    return 0


@_guard
def run_netpol(args: argparse.Namespace) -> int:
    from citywatch.k8s.netpol import Cluster, Pod
    from citywatch.k8s.netpol_findings import netpol_findings

    resources, errors = _load(args)
    cluster = Cluster.from_resources(resources)
    if args.src or args.dst:
        if not (args.src and args.dst):
            raise InputError("--from and --to go together")

        def endpoint(ref: str) -> Pod | str:
            pod = cluster.find(ref)
            if pod is not None:
                return pod
            import ipaddress

            try:
                return str(ipaddress.ip_address(ref))
            except ValueError:
                raise InputError(f"no pod or workload {ref!r} in the input") from None

        verdict = cluster.connection(
            endpoint(args.src), endpoint(args.dst), args.port, args.protocol
        )
        doc = {
            "from": args.src,
            "to": args.dst,
            "port": args.port,
            "protocol": args.protocol,
            **verdict.to_dict(),
        }
        if args.format == "json":
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        else:
            sys.stdout.write(
                f"{'ALLOWED' if verdict.allowed else 'DENIED'}: {args.src} -> {args.dst}"
                f"{' port ' + args.port if args.port else ''}/{args.protocol}\n"
                f"  egress:  {verdict.egress}\n  ingress: {verdict.ingress}\n"
            )
        return 0
    if args.matrix:
        if args.port is not None and not args.port.isdigit():
            raise InputError("--matrix takes a port number (names resolve per pod)")
        port = int(args.port) if args.port is not None else None
        if args.by == "namespace":
            matrix = cluster.namespace_matrix(port, args.protocol)
            if args.format == "json":
                sys.stdout.write(json.dumps({"by": "namespace", "matrix": matrix}, indent=2) + "\n")
            else:
                names = sorted(matrix)
                rows = [[src] + ["✓" if matrix[src][d] else "·" for d in names] for src in names]
                sys.stdout.write(_table(rows, ["FROM \\ TO", *names]))
        else:
            reach = cluster.reach(port, args.protocol)
            edges = {
                p.key: [cluster.pods[j].key for j in range(len(cluster.pods)) if reach[i] >> j & 1]
                for i, p in enumerate(cluster.pods)
            }
            if args.format == "json":
                sys.stdout.write(json.dumps({"by": "workload", "reach": edges}, indent=2) + "\n")
            else:
                for src, dsts in edges.items():
                    sys.stdout.write(f"{src} -> {', '.join(dsts) or '(nothing)'}\n")
        return 0
    findings = netpol_findings(cluster)
    errors += [ScanError("<netpol>", p, None, "misconfig") for p in cluster.problems]
    _emit_findings(_result(findings, errors, args, resources), args.format)
    return 1 if findings else 0
