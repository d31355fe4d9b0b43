"""Static evaluation of CloudFormation intrinsic functions.

Resolves what a template alone decides (parameter defaults, mappings, conditions over them,
string building) and turns everything decided at deploy time into UNKNOWN. `AWS::NoValue`
removes the key or list item, as CloudFormation does. Logical ids met on the way are collected
so checks can follow connections between resources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from citywatch.model import UNKNOWN

MAX_DEPTH = 64
_REMOVE: Any = object()
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_LIST_PARAM = ("CommaDelimitedList", "List<")


@dataclass(slots=True)
class TemplateScope:
    """What intrinsic functions may look up: parameters, mappings, conditions, resource ids."""

    parameters: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    resources: set[str] = field(default_factory=set)
    _decided: dict[str, bool | None] = field(default_factory=dict)

    @classmethod
    def from_template(cls, template: dict[str, Any]) -> TemplateScope:
        scope = cls()
        params = template.get("Parameters")
        if isinstance(params, dict):
            for name, spec in params.items():
                scope.parameters[str(name)] = _parameter_value(spec)
        mappings = template.get("Mappings")
        if isinstance(mappings, dict):
            scope.mappings = mappings
        conditions = template.get("Conditions")
        if isinstance(conditions, dict):
            scope.conditions = conditions
        resources = template.get("Resources")
        if isinstance(resources, dict):
            scope.resources = {str(k) for k in resources}
        return scope

    def condition(self, name: str) -> bool | None:
        """True/False when decidable from defaults, None when it depends on deploy time."""
        if name in self._decided:
            return self._decided[name]
        self._decided[name] = None  # guards against cycles
        expr = self.conditions.get(name)
        result = Resolver(self).condition(expr) if expr is not None else None
        self._decided[name] = result
        return result


def _parameter_value(spec: Any) -> Any:
    if not isinstance(spec, dict) or "Default" not in spec:
        return UNKNOWN
    default = spec["Default"]
    ptype = str(spec.get("Type", ""))
    if isinstance(default, str) and ptype.startswith(_LIST_PARAM):
        return [part.strip() for part in default.split(",")]
    return default


@dataclass(slots=True)
class Resolver:
    scope: TemplateScope
    refs: set[str] = field(default_factory=set)

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return UNKNOWN
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, arg),) = value.items()
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._intrinsic(key, arg, depth + 1)
            out: dict[str, Any] = {}
            for k, v in value.items():
                r = self.resolve(v, depth + 1)
                if r is not _REMOVE:
                    out[k] = r
            return out
        if isinstance(value, list):
            items = [self.resolve(v, depth + 1) for v in value]
            return [v for v in items if v is not _REMOVE]
        return value

    def _intrinsic(self, key: str, arg: Any, depth: int) -> Any:
        handler = _HANDLERS.get(key)
        if handler is None:
            self._collect(arg, depth)
            return UNKNOWN
        return handler(self, arg, depth)

    def _collect(self, value: Any, depth: int) -> None:
        """Record references inside a value whose result cannot be known anyway."""
        self.resolve(value, depth)

    # --- handlers -------------------------------------------------------------------------

    def _ref(self, arg: Any, depth: int) -> Any:
        if not isinstance(arg, str):
            return UNKNOWN
        if arg == "AWS::NoValue":
            return _REMOVE
        if arg in self.scope.parameters:
            return self.scope.parameters[arg]
        if arg in self.scope.resources:
            self.refs.add(arg)
        return UNKNOWN

    def _get_att(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            self.refs.add(arg[0])
        return UNKNOWN

    def _sub(self, arg: Any, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            for name, val in arg[1].items():
                variables[str(name)] = self.resolve(val, depth)
            arg = arg[0]
        if not isinstance(arg, str):
            return UNKNOWN
        unknown = False

        def replace(match: re.Match[str]) -> str:
            nonlocal unknown
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                val = variables[name]
            elif name in self.scope.parameters:
                val = self.scope.parameters[name]
            else:
                head = name.split(".", 1)[0]
                if head in self.scope.resources:
                    self.refs.add(head)
                val = UNKNOWN
            if isinstance(val, (str, int, float)) and not isinstance(val, bool):
                return str(val)
            unknown = True
            return ""

        text = _SUB_VAR.sub(replace, arg)
        return UNKNOWN if unknown else text

    def _join(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            self._collect(arg, depth)
            return UNKNOWN
        items = self.resolve(arg[1], depth)
        if not isinstance(items, list) or any(
            not isinstance(i, (str, int, float)) or isinstance(i, bool) for i in items
        ):
            return UNKNOWN
        return arg[0].join(str(i) for i in items)

    def _select(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return UNKNOWN
        index = self.resolve(arg[0], depth)
        items = self.resolve(arg[1], depth)
        try:
            idx = int(index)
        except (TypeError, ValueError):
            return UNKNOWN
        if isinstance(items, list) and 0 <= idx < len(items):
            return items[idx]
        return UNKNOWN

    def _split(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            return UNKNOWN
        text = self.resolve(arg[1], depth)
        if isinstance(text, str) and arg[0]:
            return text.split(arg[0])
        return UNKNOWN

    def _find_in_map(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) >= 3):
            return UNKNOWN
        keys = [self.resolve(a, depth) for a in arg[:3]]
        cur: Any = self.scope.mappings
        for k in keys:
            if not isinstance(k, (str, int)) or isinstance(k, bool) or not isinstance(cur, dict):
                return UNKNOWN
            if k not in cur and str(k) not in cur:
                return UNKNOWN
            cur = cur.get(k, cur.get(str(k)))
        return self.resolve(cur, depth)

    def _if(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            return UNKNOWN
        decided = self.scope.condition(arg[0])
        if decided is None:
            self._collect(arg[1:], depth)
            return UNKNOWN
        return self.resolve(arg[1] if decided else arg[2], depth)

    def _base64(self, arg: Any, depth: int) -> Any:
        # kept as the plain text so checks can read user data; CloudFormation encodes it later
        return self.resolve(arg, depth)

    def _unknown(self, arg: Any, depth: int) -> Any:
        self._collect(arg, depth)
        return UNKNOWN

    # --- conditions -------------------------------------------------------------------------

    def condition(self, expr: Any, depth: int = 0) -> bool | None:
        if depth > MAX_DEPTH or not isinstance(expr, dict) or len(expr) != 1:
            return None
        ((key, arg),) = expr.items()
        if key == "Condition" and isinstance(arg, str):
            return self.scope.condition(arg)
        if not isinstance(arg, list):
            return None
        if key == "Fn::Equals" and len(arg) == 2:
            left, right = (self.resolve(a, depth + 1) for a in arg)
            if left is UNKNOWN or right is UNKNOWN or left is _REMOVE or right is _REMOVE:
                return None
            return bool(_cfn_str(left) == _cfn_str(right))
        if key == "Fn::Not" and len(arg) == 1:
            inner = self.condition(arg[0], depth + 1)
            return None if inner is None else not inner
        if key in ("Fn::And", "Fn::Or"):
            results = [self.condition(a, depth + 1) for a in arg]
            if key == "Fn::And":
                if False in results:
                    return False
                return None if None in results else True
            if True in results:
                return True
            return None if None in results else False
        return None


def _cfn_str(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


_HANDLERS: dict[str, Any] = {
    "Ref": Resolver._ref,
    "Fn::GetAtt": Resolver._get_att,
    "Fn::Sub": Resolver._sub,
    "Fn::Join": Resolver._join,
    "Fn::Select": Resolver._select,
    "Fn::Split": Resolver._split,
    "Fn::FindInMap": Resolver._find_in_map,
    "Fn::If": Resolver._if,
    "Fn::Base64": Resolver._base64,
    "Fn::GetAZs": Resolver._unknown,
    "Fn::ImportValue": Resolver._unknown,
    "Fn::Cidr": Resolver._unknown,
}
