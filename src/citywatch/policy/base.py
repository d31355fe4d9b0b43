"""The one interface every policy format implements, and what a policy returns.

Rego packages, Gatekeeper constraints, ValidatingAdmissionPolicy bindings and CEL policies all
become `Policy` objects; the engine loops resources x policies and never knows which is which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from citywatch.model import Check, Resource
from citywatch.policy.inputs import InputCache
from citywatch.policy.k8smatch import Inventory


@dataclass(slots=True)
class Violation:
    """One failed policy for one resource.

    `path` optionally names the offending attribute (dotted, as in `Resource.line_map`) so the
    finding points at its line; `details` is whatever structured data the policy returned.
    """

    check: Check
    message: str
    path: str | None = None
    details: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class EvalContext:
    """What policies may read besides the resource: every scanned Kubernetes object.

    `shared` caches per-resource values that several policies of one kind reuse (for example
    the CEL activation of a resource), keyed by (purpose, id(resource)); one entry is kept.
    """

    inventory: Inventory = field(default_factory=Inventory)
    inputs: InputCache = field(default_factory=InputCache)
    shared: dict[tuple[str, int], Any] = field(default_factory=dict)

    def cached(self, purpose: str, resource: Resource, build: Callable[[], Any]) -> Any:
        key = (purpose, id(resource))
        if key not in self.shared:
            self.shared = {k: v for k, v in self.shared.items() if k[0] != purpose}
            self.shared[key] = build()
        return self.shared[key]


class Policy(Protocol):
    """A compiled policy. `evaluate` raises PolicyEvalError; it never turns an error into a pass."""

    name: str
    display: str

    @property
    def checks(self) -> list[Check]: ...

    def prepare(self, ctx: EvalContext) -> None: ...

    def applies(self, resource: Resource, ctx: EvalContext) -> bool: ...

    def evaluate(self, resource: Resource, ctx: EvalContext) -> list[Violation]: ...

    def decision(self, document: Any, ctx: EvalContext) -> Any: ...
