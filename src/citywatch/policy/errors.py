"""Located policy errors: a broken policy is reported with its file and line, never skipped."""

from __future__ import annotations


class PolicyError(Exception):
    """A problem with a policy (not with the scanned input), located in the policy file."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line


class PolicyLoadError(PolicyError):
    """Syntax errors, bad metadata, unknown formats: the policy cannot be used at all."""


class PolicyEvalError(PolicyError):
    """A policy failed while evaluating one resource; reported for that resource and policy."""
