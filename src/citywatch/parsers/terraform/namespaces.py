"""The lazy namespaces an expression sees: var, local, module outputs, resources and data.

Each member is evaluated on first access and memoised together with the resource addresses it
was built from, so reading `local.bucket_id` or `module.logs.id` connects the reader to the
resource behind the value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from citywatch.model import UNKNOWN
from citywatch.parsers.terraform.expressions import Scope
from citywatch.parsers.terraform.modules import Decl
from citywatch.parsers.terraform.values import EvalError, Lazy, ResObj, materialize

if TYPE_CHECKING:
    from citywatch.parsers.terraform.evaluate import ModuleInstance


def instance_suffix(key: Any) -> str:
    """`[0]` or `["key"]` for a count/for_each instance key; "" when there is none."""
    if key is None or key is UNKNOWN:
        return ""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    return f"[{json.dumps(str(key))}]"


class VarNS(Lazy):
    def __init__(self, mod: ModuleInstance) -> None:
        self.mod = mod
        self.memo: dict[str, tuple[Any, frozenset[str]]] = {}

    def keys(self) -> list[str]:
        return sorted(self.mod.mdef.variables)

    def get(self, key: str, scope: Scope) -> Any:
        hit = self.memo.get(key)
        if hit is None:
            hit = self.mod.program.guarded(lambda: self.mod.variable_value(key))
            self.memo[key] = hit
        if scope.refs is not None and hit[1]:
            scope.refs.update(hit[1])
        return hit[0]


class LocalNS(Lazy):
    def __init__(self, mod: ModuleInstance) -> None:
        self.mod = mod
        self.memo: dict[str, tuple[Any, frozenset[str]]] = {}
        self.busy: set[str] = set()

    def keys(self) -> list[str]:
        return sorted(self.mod.mdef.locals)

    def get(self, key: str, scope: Scope) -> Any:
        hit = self.memo.get(key)
        if hit is None:
            decl = self.mod.mdef.locals.get(key)
            if decl is None:
                raise EvalError(f"undeclared local value {key!r}")
            if key in self.busy:
                self.mod.program.error(
                    decl.file,
                    f"local.{key} refers to itself (cycle); treated as unknown",
                    decl.attr.line,
                )
                return UNKNOWN
            self.busy.add(key)
            try:
                hit = self.mod.program.guarded(
                    lambda: self.mod.evaluate(decl.attr.expr, decl.file, decl.attr.line)
                )
            finally:
                self.busy.discard(key)
            self.memo[key] = hit
        if scope.refs is not None and hit[1]:
            scope.refs.update(hit[1])
        return hit[0]


class OutputNS(Lazy):
    """A module instance's outputs, as seen from its caller (`module.x.name`)."""

    def __init__(self, mod: ModuleInstance) -> None:
        self.mod = mod
        self.memo: dict[str, tuple[Any, frozenset[str]]] = {}

    def keys(self) -> list[str]:
        return sorted(self.mod.mdef.outputs)

    def get(self, key: str, scope: Scope) -> Any:
        hit = self.memo.get(key)
        if hit is None:
            decl = self.mod.mdef.outputs.get(key)
            if decl is None:
                raise EvalError(f"module has no output {key!r}")
            attr = decl.block.body.attributes.get("value")
            if attr is None:
                hit = (None, frozenset())
            else:
                hit = self.mod.program.guarded(
                    lambda: self.mod.evaluate(attr.expr, decl.file, attr.line)
                )
            self.memo[key] = hit
        if scope.refs is not None and hit[1]:
            scope.refs.update(hit[1])
        return hit[0]

    def materialized(self, scope: Scope, depth: int) -> Any:
        """All outputs as an object that remembers the resources behind them.

        `for_each = module.buckets` then `each.value.id`: reading the object's attributes
        connects the reader to that module instance's resources, not to every instance's.
        """
        out = ResObj()
        own: set[str] = set()
        for key in self.keys():
            out[key] = materialize(self.get(key, scope.with_refs(own)), scope, depth + 1)
        if scope.refs is not None:
            scope.refs.update(own)
        out.addresses = tuple(sorted(own))
        return out


class ModuleCallNS(Lazy):
    def __init__(self, mod: ModuleInstance) -> None:
        self.mod = mod

    def keys(self) -> list[str]:
        return sorted(self.mod.mdef.modules)

    def get(self, key: str, scope: Scope) -> Any:
        if key not in self.mod.mdef.modules:
            raise EvalError(f"no module call named {key!r}")
        call = self.mod.module_call(key)
        return call.value()


class ResourceTypeNS(Lazy):
    """`aws_s3_bucket` (or `data.aws_iam_policy_document`): instances by name."""

    def __init__(self, mod: ModuleInstance, rtype: str, mode: str) -> None:
        self.mod = mod
        self.rtype = rtype
        self.mode = mode

    def _table(self) -> dict[str, Decl]:
        table = self.mod.mdef.resources if self.mode == "managed" else self.mod.mdef.data
        return table.get(self.rtype, {})

    def keys(self) -> list[str]:
        return sorted(self._table())

    def base_address(self, name: str) -> str:
        mid = "" if self.mode == "managed" else "data."
        return f"{self.mod.prefix}{mid}{self.rtype}.{name}"

    def instance_address(self, name: str, key: Any) -> str | None:
        if self.mode != "managed" or key is UNKNOWN or isinstance(key, (list, dict)):
            return None
        state = self.mod.resource_state(self.mode, self.rtype, name)
        if state is None or not state.keyed:
            return None
        return self.base_address(name) + instance_suffix(key)

    def get(self, key: str, scope: Scope) -> Any:
        decl = self._table().get(key)
        if decl is None:
            what = "resource" if self.mode == "managed" else "data source"
            raise EvalError(f"no {what} {self.rtype}.{key}")
        if self.mode == "managed":
            scope.note_ref(self.base_address(key))
        return self.mod.resource_value(self.mode, self.rtype, key)


class DataNS(Lazy):
    def __init__(self, mod: ModuleInstance) -> None:
        self.mod = mod
        self.types: dict[str, ResourceTypeNS] = {}

    def keys(self) -> list[str]:
        return sorted(self.mod.mdef.data)

    def get(self, key: str, scope: Scope) -> Any:
        ns = self.types.get(key)
        if ns is None:
            ns = ResourceTypeNS(self.mod, key, "data")
            self.types[key] = ns
        return ns


@dataclass(slots=True)
class ModuleCall:
    """One `module "x" {}` block in one module instance, expanded into child instances."""

    kind: str  # single | count | for_each | unknown | missing
    children: list[tuple[Any, ModuleInstance]]

    def value(self) -> Any:
        if self.kind in ("missing", "unknown"):
            return UNKNOWN
        if self.kind == "single":
            return OutputNS(self.children[0][1])
        if self.kind == "count":
            return [OutputNS(child) for _key, child in self.children]
        return {str(key): OutputNS(child) for key, child in self.children}
