"""HCL expression trees and their evaluation.

The syntax layer (`hcl.py`) builds these nodes once per file; evaluation walks them against a
`Scope`. Anything that depends on a value only known at apply time evaluates to UNKNOWN, and
UNKNOWN propagates through operators, templates and most functions instead of raising, which is
what keeps checks from failing on values the scanner cannot know.
"""

from __future__ import annotations

from typing import Any, Protocol

from citywatch.model import UNKNOWN
from citywatch.parsers.terraform.values import (
    EvalError,
    Lazy,
    ResObj,
    TfSet,
    equal,
    has_partial_json,
    materialize,
    norm_number,
    to_bool,
    to_number,
    to_str,
    type_name,
)


class Budget:
    """Work allowed for one root module: for-expressions and function results spend it.

    Keeps a hostile configuration (nested for-expressions over huge ranges, retried inside
    try()) from running for hours: once spent, further evaluation fails and becomes UNKNOWN.
    """

    remaining = 1_000_000

    @classmethod
    def reset(cls, amount: int = 1_000_000) -> None:
        cls.remaining = amount

    @classmethod
    def spend(cls, amount: int) -> None:
        cls.remaining -= amount
        if cls.remaining < 0:
            raise EvalError("evaluation budget exhausted (expressions too expensive)")


class Resolver(Protocol):
    """What a scope asks its module about: root names and function calls."""

    def root(self, name: str, scope: Scope) -> Any: ...

    def call(self, name: str, args: list[Any], scope: Scope) -> Any: ...


class Scope:
    """Names visible to an expression: iteration variables first, then the module's roots.

    `refs` collects the addresses of resources the evaluation touched (None: not collecting).
    """

    __slots__ = ("names", "resolver", "refs")

    def __init__(
        self, resolver: Resolver, names: dict[str, Any] | None = None, refs: set[str] | None = None
    ) -> None:
        self.resolver = resolver
        self.names = names or {}
        self.refs = refs

    def child(self, names: dict[str, Any]) -> Scope:
        merged = dict(self.names)
        merged.update(names)
        return Scope(self.resolver, merged, self.refs)

    def with_refs(self, refs: set[str] | None) -> Scope:
        return Scope(self.resolver, self.names, refs)

    def lookup(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        return self.resolver.root(name, self)

    def note_ref(self, address: str) -> None:
        if self.refs is not None:
            self.refs.add(address)


class Expr:
    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line

    def ev(self, s: Scope) -> Any:
        raise NotImplementedError

    def traversal_roots(self) -> list[str]:
        """Root names this expression reads (used for locals ordering diagnostics)."""
        return []


class Lit(Expr):
    __slots__ = ("value",)

    def __init__(self, line: int, value: Any) -> None:
        super().__init__(line)
        self.value = value

    def ev(self, s: Scope) -> Any:
        return self.value


class TupleExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, line: int, items: list[Expr]) -> None:
        super().__init__(line)
        self.items = items

    def ev(self, s: Scope) -> Any:
        return [item.ev(s) for item in self.items]


class ObjectExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, line: int, items: list[tuple[Expr, Expr]]) -> None:
        super().__init__(line)
        self.items = items

    def ev(self, s: Scope) -> Any:
        out: dict[str, Any] = {}
        for key_expr, val_expr in self.items:
            key = key_expr.ev(s)
            if key is UNKNOWN:
                return UNKNOWN
            out[to_str(key)] = val_expr.ev(s)
        return out


class Step:
    __slots__ = ()

    def apply(self, cur: Any, s: Scope) -> Any:
        raise NotImplementedError


def get_attr(cur: Any, name: str, s: Scope) -> Any:
    if cur is UNKNOWN:
        return UNKNOWN
    if isinstance(cur, Lazy):
        return cur.get(name, s)
    if isinstance(cur, ResObj):
        if s.refs is not None and cur.addresses:
            s.refs.update(cur.addresses)
        return cur.get(name, UNKNOWN)
    if isinstance(cur, dict):
        if name in cur:
            return cur[name]
        raise EvalError(f"object has no attribute {name!r}")
    if cur is None:
        raise EvalError(f"attempt to get attribute {name!r} of null")
    raise EvalError(f"cannot get attribute {name!r} of a {type_name(cur)}")


def get_index(cur: Any, key: Any, s: Scope) -> Any:
    if cur is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    if isinstance(cur, list):
        idx = to_number(key)
        if not isinstance(idx, int) and not float(idx).is_integer():
            raise EvalError("list index must be a whole number")
        i = int(idx)
        if i < 0 or i >= len(cur):
            raise EvalError(f"index {i} out of range for a list of {len(cur)}")
        return cur[i]
    if isinstance(cur, (dict, Lazy)):
        return get_attr(cur, to_str(key), s)
    if cur is None:
        raise EvalError("attempt to index null")
    raise EvalError(f"cannot index a {type_name(cur)}")


class GetAttr(Step):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def apply(self, cur: Any, s: Scope) -> Any:
        return get_attr(cur, self.name, s)


class Index(Step):
    __slots__ = ("key",)

    def __init__(self, key: Expr) -> None:
        self.key = key

    def apply(self, cur: Any, s: Scope) -> Any:
        return get_index(cur, self.key.ev(s), s)


class Splat(Step):
    """`[*]` / `.*`: apply the following steps to every element."""

    __slots__ = ("steps",)

    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps

    def apply(self, cur: Any, s: Scope) -> Any:
        if cur is UNKNOWN:
            return UNKNOWN
        if isinstance(cur, Lazy):
            cur = materialize(cur, s)
        if cur is None:
            return []
        items = cur if isinstance(cur, list) else [cur]
        Budget.spend(len(items))
        out = []
        for item in items:
            for step in self.steps:
                item = step.apply(item, s)
            out.append(item)
        return out


class ResourceNamespace(Protocol):
    def instance_address(self, name: str, key: Any) -> str | None: ...


class Traversal(Expr):
    """`root.a[0].b`: a variable, namespace or resource reference followed by steps."""

    __slots__ = ("root", "steps")

    def __init__(self, line: int, root: str, steps: list[Step]) -> None:
        super().__init__(line)
        self.root = root
        self.steps = steps

    def ev(self, s: Scope) -> Any:
        cur = s.lookup(self.root)
        steps = self.steps
        i = 0
        if isinstance(cur, Lazy) and hasattr(cur, "instance_address") and steps:
            first = steps[0]
            if isinstance(first, GetAttr):
                ns = cur
                cur = ns.get(first.name, s)
                i = 1
                if len(steps) > 1 and isinstance(steps[1], Index):
                    key = steps[1].key.ev(s)
                    addr = ns.instance_address(first.name, key)
                    if addr is not None:
                        s.note_ref(addr)
                    cur = get_index(cur, key, s)
                    i = 2
        for step in steps[i:] if i else steps:
            cur = step.apply(cur, s)
        if isinstance(cur, (Lazy, list, dict)):
            cur = materialize(cur, s)
        return cur

    def traversal_roots(self) -> list[str]:
        return [self.root]


class Postfix(Expr):
    """Steps applied to any expression: `(expr).a`, `f()[0]`, `[1, 2][*]`."""

    __slots__ = ("base", "steps")

    def __init__(self, line: int, base: Expr, steps: list[Step]) -> None:
        super().__init__(line)
        self.base = base
        self.steps = steps

    def ev(self, s: Scope) -> Any:
        cur = self.base.ev(s)
        for step in self.steps:
            cur = step.apply(cur, s)
        return materialize(cur, s) if isinstance(cur, Lazy) else cur


class Call(Expr):
    __slots__ = ("name", "args", "expand")

    def __init__(self, line: int, name: str, args: list[Expr], expand: bool) -> None:
        super().__init__(line)
        self.name = name
        self.args = args
        self.expand = expand

    def ev(self, s: Scope) -> Any:
        if self.name == "try":
            return self._try(s)
        if self.name == "can":
            return self._can(s)
        args = [arg.ev(s) for arg in self.args]
        if self.expand and args:
            last = args.pop()
            if last is UNKNOWN:
                return UNKNOWN
            if not isinstance(last, list):
                raise EvalError("the ... argument must be a list")
            args.extend(last)
        return s.resolver.call(self.name, args, s)

    def _try(self, s: Scope) -> Any:
        for arg in self.args:
            try:
                return arg.ev(s)
            except EvalError:
                continue
        raise EvalError("no argument of try() could be evaluated")

    def _can(self, s: Scope) -> Any:
        if len(self.args) != 1:
            raise EvalError("can() takes one argument")
        try:
            value = self.args[0].ev(s)
        except EvalError:
            return False
        return UNKNOWN if value is UNKNOWN else True


class Cond(Expr):
    __slots__ = ("cond", "then", "other")

    def __init__(self, line: int, cond: Expr, then: Expr, other: Expr) -> None:
        super().__init__(line)
        self.cond = cond
        self.then = then
        self.other = other

    def ev(self, s: Scope) -> Any:
        c = self.cond.ev(s)
        if c is UNKNOWN:
            a = self.then.ev(s)
            b = self.other.ev(s)
            return a if a is not UNKNOWN and equal(a, b) else UNKNOWN
        if c is None:
            raise EvalError("condition is null")
        return self.then.ev(s) if to_bool(c) else self.other.ev(s)


def _arith(op: str, a: Any, b: Any) -> Any:
    x = to_number(a)
    y = to_number(b)
    if op == "+":
        return norm_number(x + y)
    if op == "-":
        return norm_number(x - y)
    if op == "*":
        return norm_number(x * y)
    if op == "/":
        if y == 0:
            raise EvalError("division by zero")
        return norm_number(x / y)
    if y == 0:
        raise EvalError("modulo by zero")
    # Terraform's % keeps the sign of the dividend
    return norm_number(x - y * int(x / y))


class BinOp(Expr):
    __slots__ = ("op", "a", "b")

    def __init__(self, line: int, op: str, a: Expr, b: Expr) -> None:
        super().__init__(line)
        self.op = op
        self.a = a
        self.b = b

    def ev(self, s: Scope) -> Any:
        op = self.op
        a = self.a.ev(s)
        if op == "&&" or op == "||":
            decisive = op == "||"  # the operand value that decides the result on its own
            if a is not UNKNOWN and to_bool(a) is decisive:
                return decisive
            b = self.b.ev(s)
            if b is not UNKNOWN and to_bool(b) is decisive:
                return decisive
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return not decisive
        b = self.b.ev(s)
        if op == "==":
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return equal(a, b)
        if op == "!=":
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return not equal(a, b)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        if op in ("+", "-", "*", "/", "%"):
            return _arith(op, a, b)
        x = to_number(a)
        y = to_number(b)
        if op == "<":
            return x < y
        if op == ">":
            return x > y
        if op == "<=":
            return x <= y
        if op == ">=":
            return x >= y
        raise EvalError(f"unsupported operator {op}")


class Unary(Expr):
    __slots__ = ("op", "x")

    def __init__(self, line: int, op: str, x: Expr) -> None:
        super().__init__(line)
        self.op = op
        self.x = x

    def ev(self, s: Scope) -> Any:
        v = self.x.ev(s)
        if v is UNKNOWN:
            return UNKNOWN
        if self.op == "!":
            return not to_bool(v)
        return norm_number(-to_number(v))


def _iterate(coll: Any) -> list[tuple[Any, Any]]:
    if isinstance(coll, dict):
        return [(k, coll[k]) for k in sorted(coll)]
    if isinstance(coll, TfSet):
        return [(v, v) for v in coll]
    if isinstance(coll, list):
        return list(enumerate(coll))
    if coll is None:
        raise EvalError("cannot iterate over null")
    raise EvalError(f"cannot iterate over a {type_name(coll)}")


class ForExpr(Expr):
    __slots__ = ("kvar", "vvar", "coll", "key", "value", "cond", "group", "is_object")

    def __init__(
        self,
        line: int,
        kvar: str | None,
        vvar: str,
        coll: Expr,
        key: Expr | None,
        value: Expr,
        cond: Expr | None,
        group: bool,
    ) -> None:
        super().__init__(line)
        self.kvar = kvar
        self.vvar = vvar
        self.coll = coll
        self.key = key
        self.value = value
        self.cond = cond
        self.group = group
        self.is_object = key is not None

    def ev(self, s: Scope) -> Any:
        coll = self.coll.ev(s)
        if coll is UNKNOWN:
            return UNKNOWN
        out_list: list[Any] = []
        out_obj: dict[str, Any] = {}
        pairs = _iterate(coll)
        Budget.spend(len(pairs) + 1)
        for k, v in pairs:
            names = {self.vvar: v}
            if self.kvar is not None:
                names[self.kvar] = k
            inner = s.child(names)
            if self.cond is not None:
                c = self.cond.ev(inner)
                if c is UNKNOWN:
                    return UNKNOWN
                if not to_bool(c):
                    continue
            if self.key is None:
                out_list.append(self.value.ev(inner))
                continue
            key = self.key.ev(inner)
            if key is UNKNOWN:
                return UNKNOWN
            skey = to_str(key)
            val = self.value.ev(inner)
            if self.group:
                out_obj.setdefault(skey, []).append(val)
            elif skey in out_obj:
                raise EvalError(f"duplicate key {skey!r} in for expression (use ... to group)")
            else:
                out_obj[skey] = val
        return out_obj if self.is_object else out_list


class Template(Expr):
    """A string template: literal parts and interpolated expressions / directives."""

    __slots__ = ("parts",)

    def __init__(self, line: int, parts: list[str | Expr]) -> None:
        super().__init__(line)
        self.parts = parts

    def ev(self, s: Scope) -> Any:
        parts = self.parts
        if len(parts) == 1 and not isinstance(parts[0], str):
            # "${x}" alone yields x's value itself, not its string form
            return parts[0].ev(s)
        out: list[str] = []
        unknown = False
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = part.ev(s)
            if value is UNKNOWN or has_partial_json(value):
                # a string only partly known is UNKNOWN, JSON with unknown leaves included
                unknown = True
                continue
            if isinstance(part, (TemplateIf, TemplateFor)):
                out.append(value)
            else:
                out.append(to_str(value))
        return UNKNOWN if unknown else "".join(out)


class TemplateIf(Expr):
    __slots__ = ("cond", "then", "other")

    def __init__(self, line: int, cond: Expr, then: Template, other: Template | None) -> None:
        super().__init__(line)
        self.cond = cond
        self.then = then
        self.other = other

    def ev(self, s: Scope) -> Any:
        c = self.cond.ev(s)
        if c is UNKNOWN:
            return UNKNOWN
        if to_bool(c):
            return _as_text(self.then.ev(s))
        return _as_text(self.other.ev(s)) if self.other is not None else ""


class TemplateFor(Expr):
    __slots__ = ("kvar", "vvar", "coll", "body")

    def __init__(self, line: int, kvar: str | None, vvar: str, coll: Expr, body: Template) -> None:
        super().__init__(line)
        self.kvar = kvar
        self.vvar = vvar
        self.coll = coll
        self.body = body

    def ev(self, s: Scope) -> Any:
        coll = self.coll.ev(s)
        if coll is UNKNOWN:
            return UNKNOWN
        out: list[str] = []
        pairs = _iterate(coll)
        Budget.spend(len(pairs) + 1)
        for k, v in pairs:
            names = {self.vvar: v}
            if self.kvar is not None:
                names[self.kvar] = k
            text = _as_text(self.body.ev(s.child(names)))
            if text is UNKNOWN:
                return UNKNOWN
            out.append(text)
        return "".join(out)


def _as_text(value: Any) -> Any:
    return value if value is UNKNOWN else to_str(value)
