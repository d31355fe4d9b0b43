"""A throwaway check registered only for the duration of a test (the library stays untouched)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citywatch.checks import load_all
from citywatch.checks.base import REGISTRY, Failure, attr, define, implements
from citywatch.model import Check

TEST_ID = "CW-TEST-PRIV-001"


@pytest.fixture()
def privileged_check() -> Iterator[Check]:
    """Fails Kubernetes Pods whose first container is privileged."""
    load_all()
    check = define(
        TEST_ID,
        "Privileged test container",
        "HIGH",
        remediation="set privileged: false",
        references=["https://example.test"],
        compliance={"nist_800_53": ["AC-6"], "iso27001": ["A.8.2"], "soc2": ["CC6.1"]},
    )
    before = len(REGISTRY.impls)

    @implements(check, "kubernetes", "Pod")
    def _impl(resource, ctx):  # type: ignore[no-untyped-def]
        path = "spec.containers.0.securityContext.privileged"
        if attr(resource, path) is True:
            return Failure("container 0 is privileged", path=path)
        return None

    yield check
    del REGISTRY.impls[before:]
    del REGISTRY.checks[TEST_ID]
