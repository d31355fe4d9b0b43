"""The embedded Rego engine (regorus, a Rust interpreter) behind one small typed wrapper.

Why regorus and not regopy (rego-cpp), measured on this machine (docs/policy.md has the table):
regopy 1.0-1.5.2 crashes the whole process (SIGSEGV/abort) on any `with` keyword, which
`opa test`-style unit tests need and real policies use; regorus handles v0 and v1 syntax per
module, reports errors with file:line:col, and evaluated 50 policies x 1,000 objects at ~60,000
evaluations/s against ~10,000-15,000 for regopy. Everything engine-specific lives here so the
wheel can be swapped for an upstream build without touching the rest of the package.
"""

from __future__ import annotations

import json
from typing import Any

import regorus

from citywatch.policy.errors import PolicyEvalError, PolicyLoadError
from citywatch.policy.regosource import RegoModule, quiet_stderr, split_error


class _Undefined:
    """A rule with no value for this input (distinct from `false`, `null` or an empty set)."""

    def __repr__(self) -> str:
        return "<undefined>"


UNDEFINED: Any = _Undefined()
_UNDEFINED_JSON = '"<undefined>"'


class RegoEngine:
    """Compiled modules plus base data; `evaluate` runs one rule for one input document."""

    def __init__(self) -> None:
        self._engine = regorus.Engine()
        # print() output is kept, not written to stderr: `policy test` shows it for failures
        self._engine.set_gather_prints(True)
        self._modules: dict[str, RegoModule] = {}
        self._input_key: object = None

    @property
    def modules(self) -> list[RegoModule]:
        return list(self._modules.values())

    def add_module(self, module: RegoModule) -> None:
        self._engine.set_rego_v0(module.version == "v0")
        try:
            with quiet_stderr():
                self._engine.add_policy(module.name, module.text)
        except RuntimeError as exc:  # parse_module already parsed it; kept for safety
            _, line, message = split_error(str(exc))
            raise PolicyLoadError(
                module.display, f"Rego: {message}", module.file_line(line) if line else None
            ) from None
        self._modules[module.name] = module

    def add_data(self, data: dict[str, Any]) -> None:
        self._engine.add_data_json(json.dumps(data, default=str))

    def set_data(self, data: dict[str, Any]) -> None:
        """Replace all base data (e.g. a new inventory for each gator test case)."""
        self._engine.clear_data()
        self.add_data(data)

    def clone(self) -> RegoEngine:
        twin = RegoEngine.__new__(RegoEngine)
        twin._engine = self._engine.clone()
        twin._modules = dict(self._modules)
        twin._input_key = None
        return twin

    def set_input_json(self, text: str) -> None:
        self._input_key = None
        self.take_prints()
        self._engine.set_input_json(text)

    def take_prints(self) -> list[str]:
        """Lines printed by policies since the last call (so they never pile up)."""
        return [str(p) for p in self._engine.take_prints()]

    def set_input_keyed(self, key: object, text: str) -> None:
        """Set the input unless the same document (by key) is already set: many packages
        share one engine, and parsing the input once per resource instead of once per package
        is most of the per-evaluation cost."""
        if key is not None and key == self._input_key:
            return
        self.take_prints()
        self._engine.set_input_json(text)
        self._input_key = key

    def set_input(self, document: Any) -> None:
        self.set_input_json(json.dumps(document, default=str))

    def evaluate(self, rule: str, where: RegoModule | None = None) -> Any:
        """The value of `rule` (e.g. `data.main.deny`) for the current input, or UNDEFINED.

        Sets come back as lists. Errors raise PolicyEvalError located in the policy file.
        """
        try:
            text = self._engine.eval_rule_as_json(rule)
        except RuntimeError as exc:
            raise self._located(str(exc), where) from None
        if text == _UNDEFINED_JSON:
            return UNDEFINED
        return json.loads(text)

    def query(self, query: str) -> list[dict[str, Any]]:
        """Raw query results (`opa eval` style): a list of {expressions, bindings}."""
        try:
            text = self._engine.eval_query_as_json(query)
        except RuntimeError as exc:
            raise self._located(str(exc), None) from None
        result = json.loads(text).get("result", [])
        return result if isinstance(result, list) else []

    def _located(self, text: str, where: RegoModule | None) -> PolicyEvalError:
        name, line, message = split_error(text)
        module = self._modules.get(name or "") or where
        if module is None:
            return PolicyEvalError(name or "<rego>", f"Rego: {message}", line)
        return PolicyEvalError(
            module.display,
            f"Rego: {message}",
            module.file_line(line) if line and name == module.name else None,
        )
