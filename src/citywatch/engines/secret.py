"""The secret scanner as a pipeline engine: raw bytes of every walked file, git history, index.

It scans `ctx.files` (not parsed resources), or with `--staged` only what git has staged, and
with `--git-history` also every line ever added on every branch. Secrets never leave this
module in clear: findings carry a redacted form and a hash-based fingerprint, unless the user
asked for `--show-secrets`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from citywatch.model import Check, Finding, Location, Severity
from citywatch.options import ScanOptions
from citywatch.pipeline import ScanContext, SourceFile
from citywatch.secrets.detect_secrets_baseline import (
    BASELINE_NAME,
    BaselineError,
    DetectSecretsBaseline,
    is_detect_secrets_baseline,
)
from citywatch.secrets.engine import Detector, Leak
from citywatch.secrets.filekinds import SKIPPED, Kind, classify
from citywatch.secrets.git_history import GitError, HistoryStats, repo_root, scan_history
from citywatch.secrets.gitleaks_config import (
    SecretConfig,
    SecretConfigError,
    find_config,
    load_config,
)
from citywatch.secrets.matcher import MAX_MATCHES_PER_RULE
from citywatch.secrets.redact import redact, secret_hash
from citywatch.secrets.rule import Rule
from citywatch.secrets.rules import builtin_rules
from citywatch.secrets.staged import scan_staged
from citywatch.selection import selected

SCANNER = "secret"
REMEDIATION = (
    "Revoke and rotate the credential now (assume it is compromised), remove it from the file "
    "and from git history, and load it at run time from a secret manager or the environment."
)
# below this many bytes one process is faster than starting workers
PARALLEL_MIN_BYTES = 32 << 20
BATCH_BYTES = 8 << 20
# from this many bytes on, compiling the Hyperscan line locator (~0.7 s) pays for itself
LOCATOR_MIN_BYTES = 16 << 20

_WORKER_DETECTOR: Detector | None = None


def load_rules(options: ScanOptions, ctx: ScanContext) -> SecretConfig:
    """Built-in rules, or a `.gitleaks.toml` (named, or at a scan root) on top of them."""
    builtin = builtin_rules()
    path = options.secret_config or find_config(options.targets)
    config = SecretConfig(rules=builtin)
    if path is not None:
        try:
            config = load_config(path, builtin)
        except SecretConfigError as exc:
            ctx.error(str(path), f"secret config not used: {exc}", scanner=SCANNER)
        else:
            ctx.notices.append(f"secret rules from {path} ({len(config.rules)} rules)")
    opts = options
    config.rules = [
        r for r in config.rules if selected(r.id, r.severity, opts.checks, opts.skip_checks)
    ]
    return config


def check_for(rule: Rule) -> Check:
    return Check(
        id=rule.id,
        title=rule.description,
        severity=rule.severity,
        description=f"{rule.description} found in plain text.",
        remediation=REMEDIATION,
        scanner=SCANNER,
        source=rule.source,
    )


def finding_for(leak: Leak, check: Check, show: bool) -> Finding:
    """A finding that names the secret only by prefix and length (in full with `show`)."""
    shown = redact(leak.secret)
    message = f"{check.title}: {leak.secret if show else shown}"
    extra: dict[str, object] = {"redacted": shown, "entropy": leak.entropy, **leak.extra}
    if show:
        extra["secret"] = leak.secret
    return Finding.from_check(
        check,
        message,
        Location(leak.path, leak.line, leak.end_line or leak.line),
        extra=extra,
        fingerprint_key=secret_hash(leak.secret),
    )


def _read_and_scan(detector: Detector, path: Path, display: str) -> tuple[str, list[Leak]]:
    """(kind or error, leaks) for one file; never raises on bad input."""
    try:
        with path.open("rb") as fh:
            data = fh.read()
    except OSError as exc:
        return f"error:cannot read: {exc.strerror or exc}", []
    kind = classify(display, data[:8192])
    if kind in SKIPPED:
        return kind.value, []
    if detector.path_allowed(display):
        return "allowlisted", []
    try:
        leaks = detector.scan(data, display, kind is Kind.RESTRICTED)
    except Exception as exc:  # a rule bug must not stop the scan; never echo file content
        return f"error:secret scan failed: {type(exc).__name__}", []
    if detector.matcher.truncated:
        rules = ", ".join(sorted(set(detector.matcher.truncated)))
        return (
            f"error:more than {MAX_MATCHES_PER_RULE} matches for {rules}; "
            "the rest of the file was not checked for them",
            leaks,
        )
    return kind.value, leaks


def _scan_batch(batch: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[Leak], int]:
    """Worker: scan a batch of (path, display); returns kinds per file, leaks, bytes read."""
    detector = _WORKER_DETECTOR
    assert detector is not None
    kinds: list[tuple[str, str]] = []
    leaks: list[Leak] = []
    total = 0
    for path, display in batch:
        kind, found = _read_and_scan(detector, Path(path), display)
        kinds.append((display, kind))
        leaks.extend(found)
        with contextlib.suppress(OSError):
            total += os.path.getsize(path)
    return kinds, leaks, total


def _batches(files: list[SourceFile]) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    size = 0
    for f in files:
        batch.append((str(f.path), f.display))
        size += f.size
        if size >= BATCH_BYTES or len(batch) >= 512:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _workers(options: ScanOptions, total: int) -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    want = options.jobs if options.jobs > 0 else (cpus or 1)
    if total < PARALLEL_MIN_BYTES or want <= 1:
        return 1
    return min(want, cpus or 1)


def scan_files(detector: Detector, files: list[SourceFile], ctx: ScanContext) -> list[Leak]:
    """Scan working-tree files, on several cores when the tree is large enough to pay off."""
    global _WORKER_DETECTOR
    kinds: Counter[str] = Counter()
    leaks: list[Leak] = []
    scanned = 0
    total = sum(f.size for f in files)
    workers = _workers(ctx.options, total)
    if total >= LOCATOR_MIN_BYTES:
        detector.matcher.enable_locator()  # before forking, so every worker shares it
    _WORKER_DETECTOR = detector
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.imap_unordered(_scan_batch, _batches(files))
                for batch_kinds, batch_leaks, nbytes in results:
                    _tally(batch_kinds, kinds, ctx)
                    leaks.extend(batch_leaks)
                    scanned += nbytes
        else:
            for batch in _batches(files):
                batch_kinds, batch_leaks, nbytes = _scan_batch(batch)
                _tally(batch_kinds, kinds, ctx)
                leaks.extend(batch_leaks)
                scanned += nbytes
    finally:
        _WORKER_DETECTOR = None
    ctx.stats["secret_files_scanned"] = kinds["full"] + kinds["restricted"]
    ctx.stats["secret_bytes_read"] = scanned
    ctx.stats["secret_workers"] = workers
    names = ("binary", "vendored", "scanner-config", "allowlisted")
    skipped = {k: kinds[k] for k in names if kinds[k]}
    if skipped:
        parts = ", ".join(f"{n} {k}" for k, n in skipped.items())
        ctx.notices.append(f"secret scanner skipped files: {parts}")
    if kinds["restricted"]:
        ctx.notices.append(
            f"secret scanner: {kinds['restricted']} lock/minified files scanned with "
            "specific rules only"
        )
    return leaks


def _tally(batch_kinds: list[tuple[str, str]], kinds: Counter[str], ctx: ScanContext) -> None:
    for display, kind in batch_kinds:
        if kind.startswith("error:"):
            ctx.error(display, kind[6:], scanner=SCANNER)
        else:
            kinds[kind] += 1


def _baselines(options: ScanOptions, ctx: ScanContext) -> list[DetectSecretsBaseline]:
    paths: list[Path] = []
    if options.baseline is not None and is_detect_secrets_baseline(options.baseline):
        paths.append(options.baseline)
    for target in options.targets:
        candidate = target / BASELINE_NAME
        if target.is_dir() and candidate.is_file() and candidate not in paths:
            paths.append(candidate)
    out: list[DetectSecretsBaseline] = []
    for p in paths:
        try:
            out.append(DetectSecretsBaseline(p))
        except BaselineError as exc:
            ctx.error(str(p), str(exc), scanner=SCANNER)
    return out


def _git_dirs(targets: list[Path], ctx: ScanContext) -> list[Path]:
    """Directory targets inside a git repository, one per repository."""
    seen: set[Path] = set()
    out: list[Path] = []
    for t in targets:
        try:
            root = repo_root(t)
        except GitError as exc:
            ctx.error(str(t), str(exc), scanner=SCANNER)
            continue
        if root not in seen:
            seen.add(root)
            out.append(t if t.is_dir() else t.parent)
    return out


class SecretEngine:
    scanner = SCANNER

    def run(self, ctx: ScanContext) -> list[Finding]:
        opts = ctx.options
        config = load_rules(opts, ctx)
        rules = config.rules
        try:
            detector = Detector(rules, config.allowlists)
        except ValueError as exc:
            ctx.error(config.source, f"secret rules not usable: {exc}", scanner=SCANNER)
            rules = load_rules_builtin_only(opts)
            detector = Detector(rules, [])
        checks = {r.id: check_for(r) for r in rules}
        leaks: list[Leak] = []
        baselines = _baselines(opts, ctx)

        def baselined(leak: Leak) -> bool:
            return any(b.contains(leak.path, leak.secret) for b in baselines)

        if opts.staged:
            for target in _git_dirs(opts.targets, ctx):
                try:
                    leaks.extend(scan_staged(detector, target, opts.max_file_bytes))
                except GitError as exc:
                    ctx.error(str(target), str(exc), scanner=SCANNER)
        else:
            history: list[Leak] = []
            if opts.git_history:
                detector.matcher.enable_locator()  # history is big enough to repay the compile
                stats = HistoryStats()
                for target in _git_dirs(opts.targets, ctx):
                    try:
                        history.extend(
                            scan_history(
                                detector,
                                target,
                                opts.since,
                                opts.max_file_bytes,
                                stats,
                                baselined if baselines else None,
                            )
                        )
                    except GitError as exc:
                        ctx.error(str(target), str(exc), scanner=SCANNER)
                ctx.stats["secret_history_commits"] = stats.commits
                ctx.stats["secret_history_bytes"] = stats.bytes
            known = {(lk.rule_id, secret_hash(lk.secret)) for lk in history}
            tree = scan_files(detector, ctx.files, ctx)
            leaks = history + [
                lk for lk in tree if (lk.rule_id, secret_hash(lk.secret)) not in known
            ]
        findings: list[Finding] = []
        in_baseline = 0
        for leak in leaks:
            if baselined(leak):
                in_baseline += 1
                continue
            check = checks.get(leak.rule_id)
            if check is not None:
                finding = finding_for(leak, check, opts.show_secrets)
                if opts.test_secrets_low and is_test_fixture_path(finding.location.path):
                    finding.severity = Severity.LOW
                    finding.extra["test_fixture"] = True
                findings.append(finding)
        if in_baseline:
            ctx.stats["secret_in_detect_secrets_baseline"] = in_baseline
        ctx.stats["secret_rules"] = len(rules)
        return findings


_TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "testdata",
        "test-data",
        "fixtures",
        "__tests__",
        "spec",
        "specs",
        "__fixtures__",
        "testing",
    }
)


def is_test_fixture_path(path: str) -> bool:
    """Paths that hold test fixtures by the usual conventions of most ecosystems."""
    parts = path.replace("\\", "/").split("/")
    if any(p.lower() in _TEST_DIRS for p in parts[:-1]):
        return True
    name = parts[-1].lower()
    stem = name.rsplit(".", 1)[0]
    return stem.startswith("test_") or stem.endswith(("_test", ".test", ".spec", "_spec"))


def load_rules_builtin_only(options: ScanOptions) -> list[Rule]:
    return [
        r
        for r in builtin_rules()
        if selected(r.id, r.severity, options.checks, options.skip_checks)
    ]
