"""Everything a user can say about one scan, typed, shared by the CLI and the library."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from citywatch.model import Severity

ALL_SCANNERS = ("misconfig", "secret", "vuln", "sast")
DEFAULT_SCANNERS = ("misconfig", "secret", "vuln")
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(slots=True)
class ScanOptions:
    targets: list[Path] = field(default_factory=list)
    scanners: tuple[str, ...] = DEFAULT_SCANNERS
    skip_paths: list[str] = field(default_factory=list)
    max_file_bytes: int = MAX_FILE_BYTES
    # Terraform evaluation
    var_files: list[Path] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    # check selection (ids, globs or severity names)
    checks: list[str] = field(default_factory=list)
    skip_checks: list[str] = field(default_factory=list)
    # triage
    severities: tuple[Severity, ...] = ()
    baseline: Path | None = None
    ignore_file: Path | None = None
    # policy as code
    policies: list[Path] = field(default_factory=list)
    policy_namespaces: list[str] = field(default_factory=list)
    # kubernetes posture
    pss_level: str | None = None
    pss_version: str | None = None
    # secrets
    secret_config: Path | None = None
    git_history: bool = False
    since: str | None = None
    staged: bool = False
    show_secrets: bool = False
    test_secrets_low: bool = False  # secrets under test/fixture paths reported as LOW
    # vulnerabilities
    cache_dir: Path | None = None
    ignore_unfixed: bool = False
    vex: list[Path] = field(default_factory=list)
    offline: bool = True
    jobs: int = 0
