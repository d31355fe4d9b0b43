"""citywatch: one tool for IaC misconfiguration, secrets, vulnerabilities and Kubernetes posture.

Library first: `from citywatch import scan` runs the same pipeline as the `citywatch scan` command.
"""

from __future__ import annotations

from pathlib import Path

from citywatch.model import Finding, Location, Resource, ScanError, ScanResult, Severity
from citywatch.options import ScanOptions

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "Location",
    "Resource",
    "ScanError",
    "ScanOptions",
    "ScanResult",
    "Severity",
    "scan",
    "__version__",
]


def scan(*targets: str | Path, options: ScanOptions | None = None) -> ScanResult:
    """Scan files or directories and return findings and errors (nothing is printed)."""
    from citywatch.pipeline import run_scan

    opts = options or ScanOptions()
    if targets:
        opts.targets = [Path(t) for t in targets]
    if not opts.targets:
        opts.targets = [Path(".")]
    return run_scan(opts)
