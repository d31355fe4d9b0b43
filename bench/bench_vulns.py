"""Benchmark: OSV import, lockfile scanning throughput, and memory as the database grows.

    python bench/bench_vulns.py [--packages 20000] [--advisories 10000]

1. imports the full pypa advisory set (../shared/conformance/osv/pypa-advisories) and times it;
2. generates lockfiles with N packages across PyPI, npm, Go, crates.io, RubyGems, Packagist,
   Maven and NuGet (PyPI names and versions drawn from the real advisories, the other ecosystems
   from synthetic advisories), scans them with `--scanners vuln` in a child process, and prints
   packages/s and peak RSS;
3. rebuilds the database with A and 10*A synthetic advisories and scans the same lockfiles
   against each, to show that peak RSS stays flat (a scan queries per package name and never
   loads the database).
Peers: osv-scanner (offline mode) and pip-audit are run on the same input when installed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPA = ROOT.parent / "shared" / "conformance" / "osv" / "pypa-advisories" / "vulns"
OTHER = ["npm", "Go", "crates.io", "RubyGems", "Packagist", "Maven", "NuGet"]


def synthetic_name(eco: str, i: int) -> str:
    return {
        "npm": f"pkg-{i}",
        "Go": f"example.com/mod{i}",
        "crates.io": f"crate_{i}",
        "RubyGems": f"gem{i}",
        "Packagist": f"vendor{i}/lib",
        "Maven": f"org.example{i}:artifact",
        "NuGet": f"Example.Package{i}",
        "PyPI": f"synthetic-{i}",
    }[eco]


def synthetic_advisories(count: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    ecos = OTHER + ["PyPI"]
    for i in range(count):
        eco = ecos[i % len(ecos)]
        pkg = i // len(ecos)
        major = rng.randint(0, 5)
        out.append(
            {
                "id": f"BENCH-{seed}-{i}",
                "modified": "2024-01-01T00:00:00Z",
                "aliases": [f"CVE-2099-{seed}{i}"],
                "summary": "synthetic advisory",
                "severity": [
                    {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:L/A:N"}
                ],
                "affected": [
                    {
                        "package": {"ecosystem": eco, "name": synthetic_name(eco, pkg)},
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [
                                    {"introduced": f"{major}.0.0"},
                                    {"fixed": f"{major}.{rng.randint(1, 9)}.0"},
                                ],
                            }
                        ],
                    }
                ],
            }
        )
    return out


def write_zip(path: Path, docs: list[dict[str, object]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for doc in docs:
            zf.writestr(f"{doc['id']}.json", json.dumps(doc))
    return path


def pypi_pins(limit: int, rng: random.Random) -> list[tuple[str, str]]:
    import yaml

    pins: list[tuple[str, str]] = []
    for path in sorted(PYPA.rglob("*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for aff in doc.get("affected") or []:
            versions = [str(v) for v in aff.get("versions") or []]
            if versions:
                pins.append((aff["package"]["name"], rng.choice(versions)))
        if len(pins) >= limit:
            break
    return pins


def generate_lockfiles(root: Path, total: int, names: int, seed: int = 7) -> int:
    """Lockfiles of 500 packages each, round-robin over ecosystems; returns the package count."""
    rng = random.Random(seed)
    per_file = 500
    pins = pypi_pins(4000, rng)
    written = 0
    index = 0
    ecos = ["PyPI"] + OTHER
    while written < total:
        eco = ecos[index % len(ecos)]
        folder = root / f"svc{index:03d}"
        folder.mkdir(parents=True)
        n = min(per_file, total - written)
        pkgs = []
        for k in range(n):
            if eco == "PyPI" and k % 2 == 0:
                pkgs.append(pins[rng.randrange(len(pins))])
            else:
                pkgs.append(
                    (synthetic_name(eco, rng.randrange(names)), f"{rng.randint(0, 5)}.{k % 10}.0")
                )
        write_lockfile(folder, eco, pkgs)
        written += n
        index += 1
    return written


def write_lockfile(folder: Path, eco: str, pkgs: list[tuple[str, str]]) -> None:
    if eco == "PyPI":
        text = "".join(f"{n}=={v}\n" for n, v in pkgs)
        (folder / "requirements.txt").write_text(text)
    elif eco == "npm":
        packages: dict[str, object] = {"": {"dependencies": {}}}
        for i, (n, v) in enumerate(pkgs):
            packages[f"node_modules/{n}" + ("" if i % 3 else f"/node_modules/{n}-x")] = {
                "version": v
            }
        (folder / "package-lock.json").write_text(
            json.dumps({"lockfileVersion": 3, "packages": packages}, indent=2)
        )
    elif eco == "Go":
        body = "".join(f"\t{n} v{v}\n" for n, v in pkgs)
        (folder / "go.mod").write_text(f"module example.com/x\n\ngo 1.21\n\nrequire (\n{body})\n")
    elif eco == "crates.io":
        body = "".join(
            f'[[package]]\nname = "{n}"\nversion = "{v}"\nsource = "registry+x"\n\n'
            for n, v in pkgs
        )
        (folder / "Cargo.lock").write_text("version = 3\n\n" + body)
    elif eco == "RubyGems":
        body = "".join(f"    {n} ({v})\n" for n, v in pkgs)
        (folder / "Gemfile.lock").write_text(f"GEM\n  remote: x\n  specs:\n{body}\n")
    elif eco == "Packagist":
        data = {"packages": [{"name": n, "version": v} for n, v in pkgs]}
        (folder / "composer.lock").write_text(json.dumps(data, indent=4))
    elif eco == "Maven":
        body = "".join(f"{n}:{v}=runtimeClasspath\n" for n, v in pkgs)
        (folder / "gradle.lockfile").write_text(body)
    elif eco == "NuGet":
        deps = {n: {"type": "Direct", "resolved": v} for n, v in pkgs}
        data = {"version": 1, "dependencies": {"net8.0": deps}}
        (folder / "packages.lock.json").write_text(json.dumps(data, indent=2))


CHILD = """
import json, sys, time
from pathlib import Path
from citywatch.options import ScanOptions
from citywatch.pipeline import run_scan
def hwm_mb():
    # VmHWM belongs to this process image; ru_maxrss would inherit the parent's high-water mark
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
t = time.perf_counter()
r = run_scan(ScanOptions(targets=[Path(sys.argv[1])], scanners=("vuln",),
                         cache_dir=Path(sys.argv[2])))
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "packages": r.stats.get("packages", 0),
                  "findings": len(r.findings), "errors": len(r.errors),
                  "rss_mb": hwm_mb()}))
"""


def scan(target: Path, cache: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(target), str(cache)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def import_db(paths: list[Path], cache: Path) -> tuple[float, int, float]:
    from citywatch.vulns.db import import_paths

    t = time.perf_counter()
    report = import_paths(paths, cache, replace=True)
    dt = time.perf_counter() - t
    size = (cache / "vulndb" / "osv.sqlite3").stat().st_size / 1e6
    return dt, report.imported, size


WHY_NOT = {
    "osv-scanner": "not packaged on PyPI, npm or Debian, so not installable here",
    "pip-audit": "its offline mode has no local database and audits nothing",
    "trivy": "offline it needs its own vulnerability DB, which cannot be downloaded here",
}


def peers(target: Path) -> None:
    """Run a peer only if it can work offline on the same input; otherwise say why not."""
    for tool in ("osv-scanner", "pip-audit", "trivy"):
        path = shutil.which(tool) or (
            "/opt/peers/bin/trivy"
            if tool == "trivy" and Path("/opt/peers/bin/trivy").exists()
            else None
        )
        if path is None:
            print(f"peer {tool}: not installed ({WHY_NOT[tool]}); no ratio")
            continue
        if tool == "trivy":
            with tempfile.TemporaryDirectory() as tmp:
                report = Path(tmp) / "trivy.json"
                proc = subprocess.run(
                    [
                        path,
                        "fs",
                        "--scanners",
                        "vuln",
                        "--skip-db-update",
                        "--offline-scan",
                        "--cache-dir",
                        tmp,
                        "-f",
                        "json",
                        "-o",
                        str(report),
                        str(target),
                    ],
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                if proc.returncode != 0 or not report.exists():
                    last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                    print(f"peer trivy: cannot run offline ({last[-120:]}); no ratio")
                    continue
        print(f"peer {tool}: {WHY_NOT[tool]}; no ratio")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--packages", type=int, default=20000)
    ap.add_argument("--advisories", type=int, default=10000)
    args = ap.parse_args()
    if not PYPA.exists():
        print(f"{PYPA} missing: the pypa advisory set ships beside the project only")
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-vulns-"))
    try:
        files = sum(1 for _ in PYPA.rglob("*.yaml"))
        dt, n, size = import_db([PYPA], work / "pypa")
        print(
            f"import pypa advisories: {n} advisories from {files} YAML files in {dt:.2f} s "
            f"({n / dt:.0f}/s), database {size:.1f} MB"
        )

        lock = work / "locks"
        total = generate_lockfiles(lock, args.packages, max(1, args.advisories // (len(OTHER) + 1)))
        # same seed: the 10N database holds the N database's advisories plus 9N more for
        # package names the lockfiles never use, so findings stay equal and only size grows
        small = write_zip(work / "small.zip", synthetic_advisories(args.advisories, 1))
        big = write_zip(work / "big.zip", synthetic_advisories(args.advisories * 10, 1))

        dt, n, size = import_db([PYPA, small], work / "db1")
        print(
            f"import DB N   (pypa + {args.advisories} synthetic): {n} advisories in {dt:.2f} s "
            f"({n / dt:.0f}/s), {size:.1f} MB"
        )
        dt, n, size = import_db([PYPA, big], work / "db10")
        print(
            f"import DB 10N (pypa + {args.advisories * 10} synthetic): {n} advisories in "
            f"{dt:.2f} s ({n / dt:.0f}/s), {size:.1f} MB"
        )

        for label, cache in (("N", work / "db1"), ("10N", work / "db10")):
            r = scan(lock, cache)
            print(
                f"scan {total} packages ({len(OTHER) + 1} ecosystems) against DB {label}: "
                f"{r['seconds']:.2f} s, {r['packages'] / r['seconds']:.0f} packages/s, "
                f"{r['findings']} findings, {r['errors']} errors, peak RSS {r['rss_mb']:.0f} MB"
            )
        peers(lock)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"bench driver peak RSS {own:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.pop("CITYWATCH_CACHE_DIR", None)
    sys.exit(main())
