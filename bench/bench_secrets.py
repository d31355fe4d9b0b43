"""Secret scanning throughput and memory, against Trivy and detect-secrets on the same input.

    python bench/bench_secrets.py                  # 75 MB and 300 MB corpora, 3000-commit repo
    python bench/bench_secrets.py --sizes 10,40 --commits 500   # a quick run

Generates a mixed corpus (source, configs, lock files, minified JS, and binaries that must be
skipped) with planted fake secrets, scans it with `citywatch scan --scanners secret` in a child
process (peak RSS measured per process tree), runs `trivy fs --scanners secret` on the same
directory and prints the ratio, runs detect-secrets on a small slice (it is ~100x slower), then
builds a real git repository with thousands of commits and times `--git-history`.
Not run by the test suite. Every figure printed is measured in this run.
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
from pathlib import Path

from citywatch.secrets.rules import builtin_rules
from citywatch.secrets.synth import expand

TRIVY = Path("/opt/peers/bin/trivy")
DETECT_SECRETS = Path("/opt/peers-ds/bin/detect-secrets")

_WORD_LINES = (
    "user account token value config request response handler client server session cache",
    "password secret key api auth id name data items result error status index count limit",
    "offset buffer stream reader writer parser builder factory manager service provider",
)
WORDS = [w for line in _WORD_LINES for w in line.split()]


def _code_lines(rng: random.Random, n: int) -> list[str]:
    """A pool of plausible source/config lines, many mentioning key/token/password words."""
    out: list[str] = []
    for _ in range(n):
        a, b, c = rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)
        shape = rng.randrange(10)
        if shape == 0:
            out.append(f"    {a}_{b} = self.{c}.get('{a}', {rng.randrange(1000)})")
        elif shape == 1:
            out.append(f"  {a}{b.title()}: {rng.choice(['true', 'false', '30s', 'info'])}")
        elif shape == 2:
            out.append(f"def {a}_{b}({c}: str, {a}: int = 0) -> dict[str, str]:")
        elif shape == 3:
            out.append(f'    "{a}_{b}": "{c}-{rng.randrange(99)}",')
        elif shape == 4:
            out.append(f"const {a}{b.title()} = await {c}.{a}({b}, {{ retries: 3 }});")
        elif shape == 5:
            out.append(f"# {a} {b} {c}: see docs/{a}.md for the {b} {c} lifecycle")
        elif shape == 6:
            out.append(f"        if {a} is None or len({b}) > {rng.randrange(64)}: return {c}")
        elif shape == 7:
            out.append(f'resource "aws_{a}" "{b}" {{ {c} = var.{a}_{b} }}')
        elif shape == 8:
            out.append(f"{a.upper()}_{b.upper()}=${{{c.upper()}_{a.upper()}}}")
        else:
            out.append(f"    log.debug('{a} %s %s', {b}, {c})  # {a} {b}")
    return out


def _lock_lines(rng: random.Random, n: int) -> list[str]:
    import base64

    out = []
    for i in range(n):
        digest = base64.b64encode(rng.randbytes(64)).decode()
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}"
        out.append(
            f'    "node_modules/{name}": {{"version": "1.{i % 50}.{i % 7}", "resolved": '
            f'"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz", '
            f'"integrity": "sha512-{digest}"}},'
        )
    return out


def generate_corpus(root: Path, megabytes: int, seed: int = 1) -> tuple[int, int, int]:
    """Write about `megabytes` MB under root; returns (bytes written, files, planted secrets)."""
    rng = random.Random(seed)
    code = _code_lines(rng, 4000)
    lock = _lock_lines(rng, 2000)
    rules = [r for r in builtin_rules() if r.tp and not r.path]
    target = megabytes * 1_000_000
    written = files = planted = 0
    i = 0
    while written < target:
        kind = i % 20
        d = root / f"pkg{i // 200}" / f"m{(i // 20) % 10}"
        d.mkdir(parents=True, exist_ok=True)
        if kind == 0:
            name, body = "package-lock.json", "\n".join(rng.choices(lock, k=1500))
        elif kind == 1:
            name = f"bundle{i}.min.js"
            body = ";".join(rng.choices(code, k=800)).replace("\n", "")
        elif kind == 2:
            blob = rng.randbytes(60_000)
            (d / f"asset{i}.bin").write_bytes(b"\x00" + blob)
            written += len(blob) + 1
            files += 1
            i += 1
            continue
        else:
            ext = ("py", "js", "yaml", "json", "tf", "go", "env", "properties")[kind % 8]
            name = f"file{i}.{ext}"
            lines = rng.choices(code, k=rng.randint(300, 900))
            if kind % 5 == 0:
                rule = rng.choice(rules)
                lines.insert(rng.randrange(len(lines)), expand(rng.choice(rule.tp), f"b{i}"))
                planted += 1
            body = "\n".join(lines)
        data = (body + "\n").encode()
        (d / name).write_bytes(data)
        written += len(data)
        files += 1
        i += 1
    return written, files, planted


def _tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def run_child(
    cmd: list[str], cwd: Path | None = None
) -> tuple[float, int, subprocess.CompletedProcess[str]]:
    """Run a command; return (seconds, peak RSS in KiB of its largest process, result)."""
    code = (
        "import resource, subprocess, sys, json, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "dt = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'s': dt, 'rss': rss, 'rc': p.returncode, 'err': p.stderr[-2000:]}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *cmd], capture_output=True, text=True, cwd=cwd, check=False
    )
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    done = subprocess.CompletedProcess(cmd, info["rc"], "", info["err"])
    return float(info["s"]), int(info["rss"]), done


def citywatch_scan(target: Path, report: Path, *extra: str) -> tuple[float, int, dict[str, object]]:
    cmd = ["citywatch", "scan", "--scanners", "secret", "-f", "json", "-o", str(report),
           "--fail-on", "NONE", *extra, str(target)]  # fmt: skip
    seconds, rss, done = run_child(cmd)
    if done.returncode != 0:
        raise SystemExit(f"citywatch failed: {done.stderr}")
    doc: dict[str, object] = json.loads(report.read_text())
    return seconds, rss, doc


def trivy_scan(target: Path, report: Path) -> tuple[float, int, int] | None:
    if not TRIVY.exists():
        print(f"  trivy: not installed at {TRIVY}; skipped")
        return None
    cache = report.parent / "trivy-cache"
    cmd = [str(TRIVY), "fs", "--scanners", "secret", "--skip-check-update", "--cache-dir",
           str(cache), "-f", "json", "-o", str(report), str(target)]  # fmt: skip
    seconds, rss, done = run_child(cmd)
    if done.returncode != 0:
        print(f"  trivy failed: {done.stderr[-500:]}")
        return None
    doc = json.loads(report.read_text())
    found = sum(len(r.get("Secrets") or []) for r in doc.get("Results") or [])
    return seconds, rss, found


def bench_tree(work: Path, megabytes: int, jobs_compare: bool) -> None:
    corpus = work / f"corpus{megabytes}"
    t = time.perf_counter()
    written, files, planted = generate_corpus(corpus, megabytes)
    mb = written / 1e6
    print(f"\n== corpus {mb:.0f} MB, {files} files ({planted} planted secrets), "
          f"generated in {time.perf_counter() - t:.1f}s")  # fmt: skip
    seconds, rss, doc = citywatch_scan(corpus, work / "cw.json")
    summary = doc["summary"]
    assert isinstance(summary, dict)
    print(f"  citywatch: {seconds:.2f}s  {mb / seconds:.1f} MB/s  peak RSS {rss / 1024:.0f} MiB  "
          f"findings {summary['findings']}  workers {summary.get('secret_workers')}")  # fmt: skip
    if jobs_compare:
        s1, rss1, _doc1 = citywatch_scan_single(corpus, work / "cw1.json")
        print(f"  citywatch one process: {s1:.2f}s  {mb / s1:.1f} MB/s  "
              f"peak RSS {rss1 / 1024:.0f} MiB")  # fmt: skip
    tv = trivy_scan(corpus, work / "trivy.json")
    if tv is not None:
        ts, trss, tfound = tv
        print(f"  trivy:     {ts:.2f}s  {mb / ts:.1f} MB/s  peak RSS {trss / 1024:.0f} MiB  "
              f"findings {tfound}")  # fmt: skip
        print(f"  ratio: citywatch is {ts / seconds:.2f}x Trivy's speed")
    shutil.rmtree(corpus)


def citywatch_scan_single(target: Path, report: Path) -> tuple[float, int, dict[str, object]]:
    """The same scan restricted to one process (library call with jobs=1, in a child)."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from citywatch.options import ScanOptions\n"
        "from citywatch.pipeline import run_scan\n"
        "r = run_scan(ScanOptions(targets=[Path(sys.argv[1])], scanners=('secret',), jobs=1))\n"
        "Path(sys.argv[2]).write_text(json.dumps(r.summary()))\n"
    )
    seconds, rss, done = run_child([sys.executable, "-c", code, str(target), str(report)])
    if done.returncode != 0:
        raise SystemExit(f"citywatch failed: {done.stderr}")
    return seconds, rss, json.loads(report.read_text())


def bench_detect_secrets(work: Path, megabytes: int) -> None:
    sl = work / "slice"
    written, files, _ = generate_corpus(sl, megabytes, seed=3)
    mb = _tree_size(sl) / 1e6
    print(f"\n== detect-secrets slice: {mb:.1f} MB, {files} files")
    seconds, rss, _doc = citywatch_scan(sl, work / "cw-slice.json")
    print(f"  citywatch:      {seconds:.2f}s  {mb / seconds:.2f} MB/s")
    if not DETECT_SECRETS.exists():
        print(f"  detect-secrets: not installed at {DETECT_SECRETS}; skipped")
        return
    ds, drss, done = run_child([str(DETECT_SECRETS), "scan", "--all-files", "."], cwd=sl)
    if done.returncode != 0:
        print(f"  detect-secrets failed: {done.stderr[-300:]}")
        return
    print(f"  detect-secrets: {ds:.2f}s  {mb / ds:.2f} MB/s  peak RSS {drss / 1024:.0f} MiB")
    print(f"  ratio: citywatch is {ds / seconds:.1f}x detect-secrets' speed")
    shutil.rmtree(sl)


def build_history(repo: Path, commits: int, seed: int = 5) -> tuple[int, int]:
    """A repository with `commits` commits on two branches via git fast-import."""
    rng = random.Random(seed)
    code = _code_lines(rng, 3000)
    rules = [r for r in builtin_rules() if r.tp and not r.path]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream: list[bytes] = []
    files: dict[str, list[str]] = {}
    planted: set[str] = set()  # distinct planted lines (one commit may draw the same twice)
    added = 0
    last: dict[str, int] = {}
    for n in range(1, commits + 1):
        branch = "main" if n % 10 else "feature"
        parent = last.get(branch, last.get("main"))
        last[branch] = n
        stream.append(f"commit refs/heads/{branch}\nmark :{n}\n".encode())
        stream.append(f"author Dev <dev@example.net> {1_600_000_000 + n * 60} +0000\n".encode())
        stream.append(f"committer Dev <dev@example.net> {1_600_000_000 + n * 60} +0000\n".encode())
        msg = f"change {n}\n".encode()
        stream.append(b"data %d\n" % len(msg) + msg)
        if parent is not None:
            stream.append(f"from :{parent}\n".encode())
        for _ in range(rng.randint(1, 4)):
            path = f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}.py"
            lines = files.setdefault(path, [])
            new = rng.choices(code, k=rng.randint(5, 60))
            if rng.random() < 0.03:
                rule = rng.choice(rules)
                secret_line = expand(rng.choice(rule.tp), f"h{n}")
                new.append(secret_line)
                planted.add(secret_line)
            lines[rng.randrange(len(lines) + 1) :] = new + lines[len(lines) // 2 :][:40]
            body = ("\n".join(lines) + "\n").encode()
            added += sum(len(x) + 1 for x in new)
            stream.append(f"M 100644 inline {path}\n".encode() + b"data %d\n" % len(body) + body)
        stream.append(b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream),
                   check=True)  # fmt: skip
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    return len(planted), added


def bench_history(work: Path, commits: int) -> None:
    repo = work / "history"
    t = time.perf_counter()
    planted, added = build_history(repo, commits)
    print(f"\n== git history: {commits} commits ({planted} distinct planted), built in "
          f"{time.perf_counter() - t:.1f}s")  # fmt: skip
    seconds, rss, doc = citywatch_scan(repo, work / "hist.json", "--git-history")
    summary = doc["summary"]
    assert isinstance(summary, dict)
    hb = int(summary.get("secret_history_bytes", 0)) / 1e6
    print(f"  citywatch --git-history: {seconds:.2f}s  {summary.get('secret_history_commits')} "
          f"commits with additions, {hb:.1f} MB of added lines "
          f"({hb / seconds:.1f} MB/s incl. git), peak RSS {rss / 1024:.0f} MiB, "
          f"findings {summary['findings']}")  # fmt: skip
    shutil.rmtree(repo)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="75,300", help="corpus sizes in MB (default 75,300)")
    ap.add_argument("--commits", type=int, default=3000)
    ap.add_argument("--slice", type=int, default=2, help="detect-secrets slice in MB")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="cw-bench-secrets-") as tmp:
        work = Path(tmp)
        for i, size in enumerate(sizes):
            bench_tree(work, size, jobs_compare=i == 0)
        bench_detect_secrets(work, args.slice)
        bench_history(work, args.commits)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\n(bench driver peak RSS {own / 1024:.0f} MiB; cpus {os.cpu_count()})")


if __name__ == "__main__":
    main()
