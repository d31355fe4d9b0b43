"""Scan benchmark: citywatch against Checkov and Trivy on a generated Terraform + Kubernetes tree.

    python bench/bench_scan.py [--dir DIR] [--roots N] [--manifests N] [--no-peers]

Generates the estate with `gen_estate.py` (unless --dir already holds one), runs
`citywatch scan DIR --scanners misconfig -f json -o FILE` in a child process, and, when they are
installed, `checkov -d DIR --quiet --compact -o json --skip-download` and
`trivy config --skip-check-update -f json -o FILE DIR` on the same tree. Each tool runs under a
small measuring wrapper process so its peak RSS (getrusage of the wrapper's children) is its own.
Prints wall time, peak RSS, files/s and resources/s, then the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOV = Path("/opt/peers/bin/checkov")
TRIVY = Path("/opt/peers/bin/trivy")


def measure(cmd: list[str], stdout_file: str) -> dict[str, float | int]:
    """Run cmd in a fresh wrapper process; returns wall seconds, peak RSS (KiB) and exit code."""
    wrapper = [sys.executable, str(Path(__file__).resolve()), "--measure", stdout_file, *cmd]
    proc = subprocess.run(wrapper, capture_output=True, text=True, check=False)
    line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "{}"
    try:
        return dict(json.loads(line))
    except ValueError:
        print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
        raise


def _measure_main(stdout_file: str, cmd: list[str]) -> None:
    started = time.perf_counter()
    with open(stdout_file, "wb") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.decode("utf-8", "replace")[-3000:])
    print(json.dumps({"wall": wall, "peak_kib": peak_kib, "rc": proc.returncode}))


def count_files(root: Path) -> dict[str, int]:
    counts = {"tf": 0, "k8s": 0, "total": 0}
    for _dirpath, _dirs, files in os.walk(root):
        for name in files:
            counts["total"] += 1
            if name.endswith((".tf", ".tf.json")):
                counts["tf"] += 1
            elif name.endswith((".yaml", ".yml")):
                counts["k8s"] += 1
    return counts


def checkov_summary(out_dir: Path) -> str:
    """What Checkov reported, to show it scanned the same tree (best effort)."""
    files = sorted(out_dir.glob("*.json")) if out_dir.is_dir() else []
    passed = failed = resources = 0
    for path in files:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for report in data if isinstance(data, list) else [data]:
            summary = report.get("summary", {}) if isinstance(report, dict) else {}
            passed += int(summary.get("passed", 0))
            failed += int(summary.get("failed", 0))
            resources += int(summary.get("resource_count", 0))
    return f"checkov: {resources} resources, {failed} failed / {passed} passed checks"


def trivy_summary(report: Path) -> str:
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return "trivy: no readable report"
    results = data.get("Results") or []
    failures = sum(len(r.get("Misconfigurations") or []) for r in results)
    return f"trivy: {len(results)} files with results, {failures} misconfigurations"


def parser_only(root: Path) -> None:
    """The Terraform parser alone, in process: how much of the scan is parsing/evaluation."""
    from citywatch.options import ScanOptions
    from citywatch.parsers.terraform import TerraformParser
    from citywatch.pipeline import ScanContext
    from citywatch.sources.walk import walk_targets

    opts = ScanOptions(targets=[root], scanners=("misconfig",))
    ctx = ScanContext(options=opts)
    ctx.files = walk_targets([root], opts, ctx)
    parser = TerraformParser()
    mine = [f for f in ctx.files if parser.claims(f)]
    cpu, wall = time.process_time(), time.perf_counter()
    parser.parse(mine, ctx)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"terraform parser alone: {len(mine)} files, {len(ctx.resources)} resources in "
        f"{wall:.2f} s wall / {cpu:.2f} s CPU ({len(mine) / cpu:.0f} files/s, "
        f"{len(ctx.resources) / cpu:.0f} resources/s of CPU)"
    )


def _mib(kib: float) -> float:
    return kib / 1024


def _row(name: str, m: dict[str, float | int], files: int, resources: int | None) -> None:
    wall = float(m["wall"])
    rate = f"{files / wall:8.1f} files/s"
    if resources:
        rate += f"  {resources / wall:8.1f} resources/s"
    print(
        f"{name:10s} {wall:8.2f} s  {_mib(float(m['peak_kib'])):8.1f} MiB peak  "
        f"{rate}  (exit {m['rc']})"
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        _measure_main(sys.argv[2], sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", type=Path, help="estate directory (generated if empty or missing)")
    ap.add_argument("--roots", type=int, default=50)
    ap.add_argument("--manifests", type=int, default=300)
    ap.add_argument("--no-peers", action="store_true", help="skip Checkov and Trivy")
    args = ap.parse_args()

    sys.path.insert(0, str(HERE))
    from gen_estate import generate

    workdir = Path(tempfile.mkdtemp(prefix="cw-bench-"))
    estate = args.dir or workdir / "estate"
    if not estate.exists() or not any(estate.iterdir()):
        estate.mkdir(parents=True, exist_ok=True)
        generate(estate, args.roots, args.manifests)
    counts = count_files(estate)
    print(
        f"estate: {estate} ({counts['total']} files: {counts['tf']} Terraform, "
        f"{counts['k8s']} Kubernetes manifests)"
    )

    report = workdir / "citywatch.json"
    citywatch = shutil.which("citywatch")
    cw_cmd = ([citywatch] if citywatch else [sys.executable, "-m", "citywatch"]) + [
        "scan",
        str(estate),
        "--scanners",
        "misconfig",
        "-f",
        "json",
        "-o",
        str(report),
    ]
    cw = measure(cw_cmd, str(workdir / "citywatch.stdout"))
    data = json.loads(report.read_text())
    summary = data.get("summary", {})
    resources = int(summary.get("resources", 0))
    print(
        f"citywatch: {resources} resources, {summary.get('findings')} findings, "
        f"{summary.get('errors')} errors"
    )
    _row("citywatch", cw, counts["total"], resources)

    parser_only(estate / "terraform" if (estate / "terraform").is_dir() else estate)

    results = {"citywatch": cw}
    if args.no_peers:
        print("peers skipped (--no-peers)")
    else:
        if CHECKOV.exists():
            ck_out = workdir / "checkov-out"
            ck = measure(
                [
                    str(CHECKOV),
                    "-d",
                    str(estate),
                    "--quiet",
                    "--compact",
                    "-o",
                    "json",
                    "--skip-download",
                    "--output-file-path",
                    str(ck_out),
                ],
                str(workdir / "checkov.stdout"),
            )
            print(checkov_summary(ck_out))
            _row("checkov", ck, counts["total"], resources)
            results["checkov"] = ck
        else:
            print(f"checkov not installed at {CHECKOV}; skipped")
        if TRIVY.exists():
            tv_out = workdir / "trivy.json"
            tv = measure(
                [
                    str(TRIVY),
                    "config",
                    "--skip-check-update",
                    "-f",
                    "json",
                    "-o",
                    str(tv_out),
                    str(estate),
                ],
                str(workdir / "trivy.stdout"),
            )
            print(trivy_summary(tv_out))
            _row("trivy", tv, counts["total"], resources)
            results["trivy"] = tv
        else:
            print(f"trivy not installed at {TRIVY}; skipped")

    for peer in ("checkov", "trivy"):
        if peer in results:
            speed = float(results[peer]["wall"]) / float(cw["wall"])
            memory = float(results[peer]["peak_kib"]) / float(cw["peak_kib"])
            print(f"citywatch vs {peer}: {speed:.1f}x faster, {memory:.1f}x less peak memory")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
