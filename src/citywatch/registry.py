"""Which parsers and engines exist, and which scanner each belongs to.

One line per component, imported lazily so a scan only pays for the scanners it runs. Order
matters for parsers: the first that claims a file gets it (CloudFormation before Kubernetes, both
before the generic lockfile parsers).
"""

from __future__ import annotations

import importlib
from typing import Any

from citywatch.pipeline import Engine, Parser

# (scanner, "module:Class")
PARSERS: list[tuple[str, str]] = [
    ("misconfig", "citywatch.parsers.terraform:TerraformParser"),
    ("misconfig", "citywatch.parsers.cloudformation:CloudFormationParser"),
    ("misconfig", "citywatch.parsers.kubernetes:KubernetesParser"),
    ("misconfig", "citywatch.parsers.dockerfile:DockerfileParser"),
    ("vuln", "citywatch.parsers.lockfiles:LockfileParser"),
]

ENGINES: list[tuple[str, str]] = [
    ("misconfig", "citywatch.engines.misconfig:MisconfigEngine"),
    ("misconfig", "citywatch.engines.k8s_posture:K8sPostureEngine"),
    ("misconfig", "citywatch.engines.policy:PolicyEngine"),
    ("secret", "citywatch.engines.secret:SecretEngine"),
    ("vuln", "citywatch.engines.vuln:VulnEngine"),
]


def _load(spec: str) -> Any:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()


def parsers_for(scanners: tuple[str, ...]) -> list[Parser]:
    seen: set[str] = set()
    out: list[Parser] = []
    for scanner, spec in PARSERS:
        if scanner in scanners and spec not in seen:
            seen.add(spec)
            out.append(_load(spec))
    return out


def engines_for(scanners: tuple[str, ...]) -> list[Engine]:
    return [_load(spec) for scanner, spec in ENGINES if scanner in scanners]
