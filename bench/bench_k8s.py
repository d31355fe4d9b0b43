"""Benchmark `citywatch k8s`: PSS throughput, RBAC who-can, NetworkPolicy matrix.

Generates its input (seeded), prints figures and peak RSS. Targets from the issue: PSS >= 20,000
pod specs/s on one core; who-can over 5,000 bindings + 2,000 roles < 1 s including loading;
namespace matrix for 2,000 pods / 100 namespaces / 500 policies < 10 s.
No peer tool is named for these analyses, so none is run.

    python bench/bench_k8s.py [--pods 20000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from citywatch.k8s.load import load_paths
from citywatch.k8s.netpol import Cluster
from citywatch.k8s.pss import LATEST_MINOR, evaluate_pod, evaluate_resources
from citywatch.k8s.rbac import RBACGraph

RNG = random.Random(1234)


class Clock:
    """Wall and CPU time: the machine may be shared, CPU seconds show the one-core cost."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        out = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return out


def fmt(t: tuple[float, float]) -> str:
    return f"{t[1]:.3f} s CPU ({t[0]:.3f} s wall)"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pod_spec(i: int) -> dict[str, Any]:
    """A realistic mix: hardened, default and privileged pods, 1-3 containers, some volumes."""
    kind = i % 4
    containers = []
    for c in range(1 + i % 3):
        sc: dict[str, Any] = {}
        if kind in (0, 1):
            sc = {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "runAsNonRoot": True,
            }
        elif kind == 3:
            sc = {"privileged": True, "capabilities": {"add": ["NET_ADMIN", "SYS_TIME"]}}
        containers.append(
            {
                "name": f"c{c}",
                "image": "registry.example/app:1",
                "ports": [{"containerPort": 8080 + c, "name": f"p{c}"}],
                "securityContext": sc,
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
            }
        )
    spec: dict[str, Any] = {
        "containers": containers,
        "volumes": [{"name": "cfg", "configMap": {"name": "cfg"}}],
    }
    if kind == 0:
        spec["securityContext"] = {
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
    if kind == 3:
        spec["hostNetwork"] = True
        spec["volumes"].append({"name": "root", "hostPath": {"path": "/"}})
    if i % 10 == 0:
        spec["initContainers"] = [{"name": "init", "image": "busybox"}]
    return spec


def bench_pss(n: int) -> None:
    specs = [({"annotations": {}}, pod_spec(i)) for i in range(n)]
    for level in ("restricted", "baseline"):
        clock = Clock()
        violations = 0
        for meta, spec in specs:
            violations += len(evaluate_pod(meta, spec, level, LATEST_MINOR))
        t = clock.lap()
        print(
            f"PSS {level}:latest  {n} pod specs in {fmt(t)} = {n / t[1]:,.0f} pod specs per "
            f"CPU second ({n / t[0]:,.0f}/s wall), {violations} violations"
        )
    # the same through the resource path used by scan / `k8s pss` (namespace lookup, templates)
    from citywatch.k8s.load import objects_to_resources

    objs = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": f"d{i}", "namespace": f"ns{i % 50}"},
            "spec": {"template": {"metadata": {"labels": {"app": f"a{i}"}}, "spec": s}},
        }
        for i, (_, s) in enumerate(specs)
    ]
    res = objects_to_resources(objs, "bench")
    clock = Clock()
    results = evaluate_resources(res)
    t = clock.lap()
    print(
        f"PSS via evaluate_resources (Deployments, labels, templates): {len(results)} in "
        f"{fmt(t)} = {len(results) / t[1]:,.0f} pod specs per CPU second"
    )


def rbac_objects(roles: int, bindings: int) -> list[dict[str, Any]]:
    verbs = ["get", "list", "watch", "create", "update", "patch", "delete"]
    resources = [
        "pods",
        "secrets",
        "configmaps",
        "deployments",
        "services",
        "jobs",
        "pods/exec",
        "pods/log",
        "serviceaccounts/token",
        "nodes/proxy",
    ]
    groups = {"deployments": "apps", "jobs": "batch"}
    out: list[dict[str, Any]] = []
    role_refs = []
    for i in range(roles):
        cluster = i % 3 == 0
        rules = []
        for _ in range(RNG.randint(2, 8)):
            res = RNG.sample(resources, RNG.randint(1, 3))
            rules.append(
                {
                    "apiGroups": sorted({groups.get(r.split("/")[0], "") for r in res}),
                    "resources": res,
                    "verbs": RNG.sample(verbs, RNG.randint(1, 4)),
                    **({"resourceNames": [f"n{i}"]} if RNG.random() < 0.1 else {}),
                }
            )
        meta: dict[str, Any] = {"name": f"role-{i}"}
        if not cluster:
            meta["namespace"] = f"ns{i % 100}"
        out.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole" if cluster else "Role",
                "metadata": meta,
                "rules": rules,
            }
        )
        role_refs.append(("ClusterRole" if cluster else "Role", meta))
    for i in range(bindings):
        kind, meta = RNG.choice(role_refs)
        crb = kind == "ClusterRole" and i % 5 == 0
        bmeta: dict[str, Any] = {"name": f"binding-{i}"}
        if not crb:
            bmeta["namespace"] = meta.get("namespace", f"ns{i % 100}")
        subjects = [
            RNG.choice(
                [
                    {"kind": "User", "name": f"user{RNG.randint(0, 500)}"},
                    {"kind": "Group", "name": f"team{RNG.randint(0, 50)}"},
                    {
                        "kind": "ServiceAccount",
                        "name": f"sa{RNG.randint(0, 20)}",
                        "namespace": f"ns{RNG.randint(0, 99)}",
                    },
                ]
            )
            for _ in range(RNG.randint(1, 3))
        ]
        out.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding" if crb else "RoleBinding",
                "metadata": bmeta,
                "subjects": subjects,
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": kind,
                    "name": meta["name"],
                },
            }
        )
    return out


def bench_rbac(tmp: Path, roles: int, bindings: int) -> None:
    objs = rbac_objects(roles, bindings)
    json_path = tmp / "rbac.json"
    json_path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}))
    yaml_path = tmp / "rbac.yaml"
    yaml_path.write_text(yaml.safe_dump_all(objs, sort_keys=False))
    for label, path in (("JSON (kubectl get -o json)", json_path), ("YAML manifests", yaml_path)):
        clock = Clock()
        res, errors = load_paths([path])
        t_load = clock.lap()
        graph = RBACGraph.from_resources(res)
        t_index = clock.lap()
        grants = graph.who_can("get", "secrets", "ns7")
        t_query = clock.lap()
        total = tuple(a + b + c for a, b, c in zip(t_load, t_index, t_query, strict=True))
        print(
            f"RBAC who-can get secrets -n ns7 over {bindings} bindings + {roles} roles from "
            f"{label} ({path.stat().st_size / 1e6:.1f} MB): load {fmt(t_load)}, index "
            f"{fmt(t_index)}, query {fmt(t_query)}; total {fmt(total)}; {len(grants)} grants, "
            f"{len(errors)} errors"
        )
    bench_rbac_cli(yaml_path, bindings, roles)
    clock = Clock()
    for ns in range(100):
        graph.who_can("create", "pods/exec", f"ns{ns}")
    t = clock.lap()
    print(f"RBAC who-can warm: 100 queries in {fmt(t)} ({t[1] * 10:.2f} ms CPU each)")


def bench_rbac_cli(yaml_path: Path, bindings: int, roles: int) -> None:
    """The command a user runs (in-process, so interpreter start-up is not counted)."""
    import contextlib
    import io

    from citywatch.cli.main import main as cli_main

    argv = ["k8s", "who-can", "get", "secrets", "-n", "ns7", str(yaml_path), "-f", "json"]
    clock = Clock()
    with contextlib.redirect_stdout(io.StringIO()):
        cli_main(argv)
    t = clock.lap()
    print(
        f"RBAC `citywatch k8s who-can get secrets -n ns7` over {bindings} bindings + {roles} "
        f"roles from YAML, whole command: {fmt(t)}"
    )


def netpol_objects(pods: int, namespaces: int, policies: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(namespaces):
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": f"ns{n}",
                    "labels": {"team": f"t{n % 10}", "env": RNG.choice(["prod", "dev"])},
                },
            }
        )
    for i in range(pods):
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"pod{i}",
                    "namespace": f"ns{i % namespaces}",
                    "labels": {"app": f"app{i % 40}", "tier": RNG.choice(["web", "api", "db"])},
                },
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "i",
                            "ports": [{"name": "http", "containerPort": 8080}],
                        }
                    ]
                },
            }
        )
    for p in range(policies):
        ns = f"ns{p % namespaces}"
        kind = p % 5
        spec: dict[str, Any]
        if kind == 0:
            spec = {"podSelector": {}, "policyTypes": ["Ingress"]}
        elif kind == 1:
            spec = {
                "podSelector": {"matchLabels": {"tier": "db"}},
                "ingress": [
                    {
                        "from": [{"podSelector": {"matchLabels": {"tier": "api"}}}],
                        "ports": [{"port": 5432}],
                    }
                ],
            }
        elif kind == 2:
            spec = {
                "podSelector": {"matchLabels": {"tier": "web"}},
                "ingress": [
                    {
                        "from": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"team": f"t{RNG.randint(0, 9)}"}
                                }
                            }
                        ]
                    }
                ],
            }
        elif kind == 3:
            spec = {
                "podSelector": {
                    "matchExpressions": [
                        {"key": "app", "operator": "In", "values": [f"app{RNG.randint(0, 39)}"]}
                    ]
                },
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {"env": "prod"}},
                                "podSelector": {"matchLabels": {"tier": "api"}},
                            }
                        ]
                    },
                    {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}]},
                ],
            }
        else:
            spec = {
                "podSelector": {"matchLabels": {"app": f"app{RNG.randint(0, 39)}"}},
                "ingress": [{"from": [{"namespaceSelector": {}}], "ports": [{"port": "http"}]}],
            }
        out.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": f"pol{p}", "namespace": ns},
                "spec": spec,
            }
        )
    return out


def bench_netpol(tmp: Path, pods: int, namespaces: int, policies: int) -> None:
    path = tmp / "netpol.json"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "List",
                "items": netpol_objects(pods, namespaces, policies),
            }
        )
    )
    clock = Clock()
    res, _ = load_paths([path])
    t_load = clock.lap()
    cluster = Cluster.from_resources(res)
    t_index = clock.lap()
    matrix = cluster.namespace_matrix()
    t_ns = clock.lap()
    reach = cluster.reach()
    pairs = sum(r.bit_count() for r in reach)
    t_pod = clock.lap()
    open_cells = sum(v for row in matrix.values() for v in row.values())
    total = tuple(sum(x) for x in zip(t_load, t_index, t_ns, t_pod, strict=True))
    print(
        f"NetworkPolicy {pods} pods / {namespaces} namespaces / {policies} policies: load "
        f"{fmt(t_load)}, index {fmt(t_index)}, namespace matrix {fmt(t_ns)} "
        f"({open_cells}/{len(matrix) ** 2} cells open), pod matrix {fmt(t_pod)} "
        f"({pairs:,} of {pods * pods:,} pairs reachable); total {fmt(total)}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pods", type=int, default=20_000, help="pod specs for the PSS figure")
    args = ap.parse_args()
    import os

    print(
        f"python {sys.version.split()[0]}; one process, one core; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    bench_pss(args.pods)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        bench_rbac(tmp, roles=2000, bindings=5000)
        bench_netpol(tmp, pods=2000, namespaces=100, policies=500)
    print(f"peak RSS {peak_rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
