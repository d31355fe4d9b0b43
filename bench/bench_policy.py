"""Policy engine throughput: 1,000 Kubernetes objects x 50 Rego policies, and x 50 CEL policies.

    python bench/bench_policy.py [--objects 1000] [--policies 50]

Generates its input in a temporary directory, loads it with the Kubernetes parser, compiles the
policies once (timed separately) and evaluates every policy on every object through the same
code path as `citywatch scan --policy`. Prints evaluations/s (one policy on one object) and
peak RSS. For the engine choice it also times regopy (rego-cpp) on the same Rego policies,
through its fastest path (a prebuilt bundle, one query per object for all policies), on a
fifth of the objects (it is the slow one).

Peers: neither `opa` nor `conftest` can be installed here (no Debian package, no PyPI wheel for
this Python, the npm package is a REST client), so there is no peer ratio; this says so.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

from citywatch.parsers.kubernetes import load_objects
from citywatch.policy.engine import evaluate
from citywatch.policy.loader import load_policies

REGO_V1 = """# METADATA
# title: bench policy {i}
# custom:
#   id: BENCH-REGO-{i:03d}
#   severity: MEDIUM
#   frameworks: [kubernetes]
package bench.p{i}

import rego.v1

deny contains msg if {{
  input.kind == "Deployment"
  input.metadata.labels.tier == "t{t}"
  some c in input.spec.template.spec.containers
  not c.securityContext.runAsNonRoot
  not startswith(c.image, "registry{i}.example.com/")
  msg := sprintf("p{i}: container %v of %v", [c.name, input.metadata.name])
}}
"""

REGO_V0 = """package main{i}

deny[msg] {{
  input.kind == "Deployment"
  input.metadata.labels.tier == "t{t}"
  c := input.spec.template.spec.containers[_]
  limits := object.get(c, ["resources", "limits"], {{}})
  not limits.memory
  count(input.metadata.labels) < {i} + 3
  msg := sprintf("p{i}: %v has no memory limit", [c.name])
}}
"""

CEL = """kind: CELPolicy
id: BENCH-CEL-{i:03d}
severity: MEDIUM
match: {{frameworks: [kubernetes], kinds: [Deployment]}}
expression: >-
  object.metadata.labels.tier != 't{t}' ||
  object.spec.template.spec.containers.all(c,
    (has(c.securityContext) && has(c.securityContext.runAsNonRoot) &&
     c.securityContext.runAsNonRoot) ||
    c.image.startsWith('registry{i}.example.com/'))
messageExpression: "'p{i}: ' + object.metadata.name"
"""


def deployment(j: int) -> dict[str, object]:
    containers = [
        {
            "name": f"c{k}",
            "image": f"nginx:1.{k}",
            "securityContext": {"runAsNonRoot": (j + k) % 3 == 0},
            "resources": {"limits": {"cpu": "100m"} if k % 2 else {"memory": "64Mi"}},
        }
        for k in range(3)
    ]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": f"app{j}",
            "namespace": f"ns{j % 7}",
            "labels": {"app": f"a{j}", "tier": f"t{j % 10}"},
        },
        "spec": {"replicas": 1 + j % 4, "template": {"spec": {"containers": containers}}},
    }


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bench_citywatch(kind: str, policy_dir: Path, resources: list) -> tuple[float, float, int]:
    started = time.perf_counter()
    policy_set = load_policies([policy_dir], namespaces=["*"])
    compile_s = time.perf_counter() - started
    if policy_set.errors:
        raise SystemExit(f"{kind}: policy errors: {policy_set.errors[:3]}")
    started = time.perf_counter()
    outcome = evaluate(policy_set, resources)
    eval_s = time.perf_counter() - started
    if outcome.errors:
        raise SystemExit(f"{kind}: evaluation errors: {outcome.errors[:3]}")
    rate = outcome.evaluations / eval_s
    print(
        f"{kind:<5} citywatch: {len(policy_set.policies)} policies compiled in {compile_s:.2f} s; "
        f"{outcome.evaluations} evaluations in {eval_s:.2f} s = {rate:,.0f} evaluations/s; "
        f"{len(outcome.findings)} findings"
    )
    return rate, eval_s, len(outcome.findings)


def bench_regopy(sources: dict[str, str], objects: list[dict[str, object]]) -> float | None:
    try:
        import regopy
    except ImportError:
        print("rego  regopy: not installed, skipped")
        return None
    regopy.set_default_log_level("None")
    interp = regopy.Interpreter()
    packages = []
    for name, text in sources.items():
        interp.add_module(name, text)
        packages.append(text.split("package ", 1)[1].split()[0])
    query = "x := [" + ",".join(f"data.{p}.deny" for p in packages) + "]"
    bundle = interp.build(query, [])
    started = time.perf_counter()
    for obj in objects:
        interp.set_input_term(json.dumps(obj))
        interp.query_bundle(bundle)
    elapsed = time.perf_counter() - started
    rate = len(objects) * len(packages) / elapsed
    print(
        f"rego  regopy (rego-cpp, prebuilt bundle, one query per object): {rate:,.0f} evaluations/s"
    )
    return rate


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=1000)
    ap.add_argument("--policies", type=int, default=50)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cw-bench-policy-"))
    try:
        objects = [deployment(j) for j in range(args.objects)]
        manifests = tmp / "manifests"
        manifests.mkdir()
        for j in range(0, len(objects), 100):
            chunk = objects[j : j + 100]
            (manifests / f"m{j}.yaml").write_text(yaml.safe_dump_all(chunk, sort_keys=False))
        resources, errors = load_objects([manifests])
        assert not errors and len(resources) == args.objects, errors
        rego_dir, cel_dir = tmp / "rego", tmp / "cel"
        rego_dir.mkdir()
        cel_dir.mkdir()
        rego_sources = {}
        for i in range(args.policies):
            text = (REGO_V1 if i % 2 == 0 else REGO_V0).format(i=i, t=i % 10)
            rego_sources[f"p{i}.rego"] = text
            (rego_dir / f"p{i}.rego").write_text(text)
            (cel_dir / f"p{i}.yaml").write_text(CEL.format(i=i, t=i % 10))
        print(
            f"input: {args.objects} Kubernetes Deployments x {args.policies} policies "
            f"(Rego: half v1 with METADATA, half v0 `deny[msg]`)"
        )
        rego_rate, _, _ = bench_citywatch("rego", rego_dir, resources)
        cel_rate, _, _ = bench_citywatch("cel", cel_dir, resources)
        print(f"peak RSS after citywatch runs: {peak_rss_mib():.0f} MiB")
        other = bench_regopy(rego_sources, objects[: max(1, args.objects // 5)])
        if other:
            print(f"rego  citywatch (regorus) / regopy: {rego_rate / other:.1f}x")
        for tool in ("opa", "conftest"):
            found = shutil.which(tool)
            print(f"peer  {tool}: {'found at ' + found if found else 'not installed (no ratio)'}")
        print(f"peak RSS (incl. regopy): {peak_rss_mib():.0f} MiB")
        print(f"summary: rego {rego_rate:,.0f} evals/s, cel {cel_rate:,.0f} evals/s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
