"""Evaluate a Terraform module tree the way `terraform plan` would, without providers.

One `ModuleInstance` per module instance (the root, and each `module` call instance). Every
name is evaluated lazily and memoised: a local, variable, output or resource instance is computed
the first time anything reads it, so evaluation order follows dependencies, cycles are detected
(and reported) instead of hanging, and nothing is evaluated twice. Each lazily computed value
remembers which resources it was built from, so a reference through a local or a module output
still connects a resource to the bucket it protects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citywatch.model import UNKNOWN, Location, Resource
from citywatch.parsers.terraform.expressions import (
    Budget,
    Expr,
    ObjectExpr,
    Scope,
    Traversal,
    TupleExpr,
)
from citywatch.parsers.terraform.functions import call_function, is_supported
from citywatch.parsers.terraform.hcl import Block, Body, literal_value
from citywatch.parsers.terraform.modules import Decl, ModuleDef
from citywatch.parsers.terraform.namespaces import (
    DataNS,
    LocalNS,
    ModuleCall,
    ModuleCallNS,
    ResourceTypeNS,
    VarNS,
    instance_suffix,
)
from citywatch.parsers.terraform.policydoc import render_policy_document
from citywatch.parsers.terraform.typeconv import convert_type
from citywatch.parsers.terraform.values import (
    EvalError,
    Lazy,
    ResObj,
    TfSet,
    materialize,
)

if TYPE_CHECKING:
    from citywatch.parsers.terraform.program import Program

FRAMEWORK = "terraform"
MAX_INSTANCES = 1000
MAX_LAZY_DEPTH = 80
MAX_MODULE_DEPTH = 16

META_ATTRS = frozenset(["count", "for_each", "depends_on", "provider", "lifecycle"])
META_BLOCKS = frozenset(["lifecycle", "provisioner", "connection"])
MODULE_META = frozenset(["source", "version", "count", "for_each", "providers", "depends_on"])

Thunk = Callable[[], tuple[Any, frozenset[str]]]


@dataclass(slots=True)
class Instance:
    key: Any
    each_value: Any
    attrs: ResObj
    line_map: dict[str, int]
    refs: set[str]


@dataclass(slots=True)
class ResourceState:
    decl: Decl
    mode: str
    keyed: bool = False  # has count or for_each
    expanded: bool = False
    keys: list[tuple[Any, Any]] = field(default_factory=list)  # (key, each.value)
    meta_refs: set[str] = field(default_factory=set)
    instances: list[Instance] | None = None
    busy: bool = False
    kind: str = "single"  # single | count | for_each | unknown


class ModuleInstance:
    """One instance of a module: its scope roots, memoised values and resources."""

    def __init__(
        self,
        program: Program,
        mdef: ModuleDef,
        prefix: str,
        inputs: dict[str, Thunk],
        depth: int,
        call_file: str = "",
        ancestry: frozenset[Path] = frozenset(),
    ) -> None:
        self.program = program
        self.mdef = mdef
        # module directories on the call path to here (a module calling itself is a cycle)
        self.ancestry = ancestry | {mdef.directory}
        self.prefix = prefix
        self.inputs = inputs
        self.depth = depth
        self.call_file = call_file
        self.var_ns = VarNS(self)
        self.local_ns = LocalNS(self)
        self.module_ns = ModuleCallNS(self)
        self.data_ns = DataNS(self)
        self.type_ns: dict[str, ResourceTypeNS] = {}
        self.states: dict[tuple[str, str, str], ResourceState] = {}
        self.calls: dict[str, ModuleCall] = {}
        self.emit_only: set[str] | None = None  # files whose resources emit() yields
        self.path_obj = {
            "module": mdef.display,
            "root": program.root_display,
            "cwd": ".",
        }
        self.files = program.file_reader(mdef.directory, self)

    # ---- scope --------------------------------------------------------------------------

    def root(self, name: str, scope: Scope) -> Any:
        if name == "var":
            return self.var_ns
        if name == "local":
            return self.local_ns
        if name == "module":
            return self.module_ns
        if name == "data":
            return self.data_ns
        if name == "path":
            return self.path_obj
        if name == "terraform":
            return {"workspace": "default"}
        if name in ("count", "each", "self"):
            raise EvalError(f"{name} is not available here")
        ns = self.type_ns.get(name)
        if ns is None:
            if name not in self.mdef.resources:
                raise EvalError(f"reference to undeclared resource type or name {name!r}")
            ns = ResourceTypeNS(self, name, "managed")
            self.type_ns[name] = ns
        return ns

    def call(self, name: str, args: list[Any], scope: Scope) -> Any:
        args = [materialize(a, scope) if isinstance(a, (Lazy, list, dict)) else a for a in args]
        Budget.spend(1)
        if not is_supported(name):
            self.program.diagnostics.unsupported_functions.add(name)
        result = call_function(name, args, self.files)
        if isinstance(result, (list, str)):
            Budget.spend(len(result) // 64 if isinstance(result, str) else len(result))
        return result

    def evaluate(
        self, expr: Expr, file: str, line: int, names: dict[str, Any] | None = None
    ) -> tuple[Any, frozenset[str]]:
        refs: set[str] = set()
        scope = Scope(self, names, refs)
        return self.program.safe(expr, scope, file, line), frozenset(refs)

    # ---- variables ----------------------------------------------------------------------

    def variable_value(self, name: str) -> tuple[Any, frozenset[str]]:
        decl = self.mdef.variables.get(name)
        if decl is None:
            raise EvalError(f"undeclared input variable {name!r}")
        body = decl.block.body
        type_attr = body.attributes.get("type")
        thunk = self.inputs.get(name)
        refs: frozenset[str] = frozenset()
        if thunk is not None:
            value, refs = thunk()
        else:
            value = UNKNOWN
        nullable = body.attributes.get("nullable")
        use_default = thunk is None or (
            value is None and nullable is not None and literal_value(nullable.expr) is False
        )
        if use_default:
            default = body.attributes.get("default")
            if default is not None:
                value, _ = self.evaluate(default.expr, decl.file, default.line)
        if type_attr is not None and value is not UNKNOWN:
            value = convert_type(value, type_attr.expr, self)
        return value, refs

    # ---- resources ----------------------------------------------------------------------

    def resource_state(self, mode: str, rtype: str, name: str) -> ResourceState | None:
        key = (mode, rtype, name)
        state = self.states.get(key)
        if state is None:
            table = self.mdef.resources if mode == "managed" else self.mdef.data
            decl = table.get(rtype, {}).get(name)
            if decl is None:
                return None
            state = ResourceState(decl, mode)
            attrs = decl.block.body.attributes
            state.keyed = "count" in attrs or "for_each" in attrs
            self.states[key] = state
        return state

    def _expand(self, state: ResourceState) -> None:
        if state.expanded:
            return
        state.expanded = True
        decl = state.decl
        attrs = decl.block.body.attributes
        what = f"{self.prefix}{'data.' if state.mode == 'data' else ''}{decl.type}.{decl.name}"
        if "count" in attrs:
            value, _refs = self.evaluate(attrs["count"].expr, decl.file, attrs["count"].line)
            state.kind, state.keys = self.program.count_keys(
                value, what, decl.file, attrs["count"].line
            )
        elif "for_each" in attrs:
            fe = attrs["for_each"]
            # not recorded as references: `for_each = aws_s3_bucket.b` reads every bucket, but
            # each instance is connected only to what its own expressions (each.value.id) read
            value, _refs = self.evaluate(fe.expr, decl.file, fe.line)
            state.kind, state.keys = self.program.for_each_keys(value, what, decl.file, fe.line)
        else:
            state.kind, state.keys = "single", [(None, None)]
        dep = attrs.get("depends_on")
        if dep is not None and state.mode == "managed":
            state.meta_refs |= self._depends_on(dep.expr)

    def _depends_on(self, expr: Expr) -> set[str]:
        out: set[str] = set()
        if not isinstance(expr, TupleExpr):
            return out
        for item in expr.items:
            if not isinstance(item, Traversal) or not item.steps:
                continue
            first = item.steps[0]
            name = getattr(first, "name", None)
            if item.root in self.mdef.resources and name in self.mdef.resources[item.root]:
                out.add(f"{self.prefix}{item.root}.{name}")
        return out

    def instances(self, state: ResourceState) -> list[Instance]:
        if state.instances is not None:
            return state.instances
        self._expand(state)
        if state.busy:
            return []
        state.busy = True
        try:
            out: list[Instance] = []
            for key, each_value in state.keys:
                out.append(
                    self.program.guarded_value(partial(self._instance, state, key, each_value))
                )
            state.instances = out
        finally:
            state.busy = False
        return out

    def _instance(self, state: ResourceState, key: Any, each_value: Any) -> Instance:
        decl = state.decl
        names: dict[str, Any] = {}
        if state.kind == "count":
            names["count"] = {"index": key}
        elif state.kind == "for_each":
            names["each"] = {"key": key, "value": each_value}
        elif state.kind == "unknown":
            names["count"] = {"index": UNKNOWN}
            names["each"] = {"key": UNKNOWN, "value": UNKNOWN}
        refs: set[str] = set(state.meta_refs)
        if isinstance(each_value, ResObj) and each_value.addresses:
            # one instance per resource (`for_each = aws_s3_bucket.b`): it belongs to that one
            refs.update(each_value.addresses)
        scope = Scope(self, names, refs)
        line_map: dict[str, int] = {}
        attrs = ResObj(self.eval_body(decl.block.body, scope, "", line_map, decl.file, top=True))
        if state.mode == "data" and decl.type == "aws_iam_policy_document":
            attrs["json"] = render_policy_document(attrs)
            attrs.setdefault("minified_json", attrs["json"])
        own = f"{self.prefix}{decl.type}.{decl.name}"
        if state.mode == "managed":
            if state.kind in ("count", "for_each"):
                attrs.addresses = (own, own + instance_suffix(key))
            else:
                attrs.addresses = (own,)
        refs.discard(own)
        return Instance(key, each_value, attrs, line_map, refs)

    def resource_value(self, mode: str, rtype: str, name: str) -> Any:
        state = self.resource_state(mode, rtype, name)
        if state is None:
            raise EvalError(f"no resource {rtype}.{name}")
        self._expand(state)
        if state.busy:
            return UNKNOWN
        insts = self.instances(state)
        if state.kind == "single":
            return insts[0].attrs if insts else ResObj()
        if state.kind == "count":
            return [i.attrs for i in insts]
        if state.kind == "for_each":
            return {str(i.key): i.attrs for i in insts}
        return UNKNOWN

    # ---- bodies -------------------------------------------------------------------------

    def eval_body(
        self,
        body: Body,
        scope: Scope,
        prefix: str,
        line_map: dict[str, int],
        file: str,
        top: bool = False,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        safe = self.program.safe
        for name, attr in body.attributes.items():
            if top and name in META_ATTRS:
                continue
            out[name] = safe(attr.expr, scope, file, attr.line)
            path = prefix + name
            line_map[path] = attr.line
            if isinstance(attr.expr, (ObjectExpr, TupleExpr)):
                _literal_lines(attr.expr, path, line_map)
        for block in body.blocks:
            btype = block.type
            if top and btype in META_BLOCKS:
                continue
            if btype == "dynamic":
                self._dynamic(block, scope, out, prefix, line_map, file)
                continue
            lst = out.get(btype)
            if not isinstance(lst, list):
                lst = []
                out[btype] = lst
            path = f"{prefix}{btype}.{len(lst)}"
            line_map.setdefault(prefix + btype, block.line)
            line_map[path] = block.line
            lst.append(self.eval_body(block.body, scope, path + ".", line_map, file))
        return out

    def _dynamic(
        self,
        block: Block,
        scope: Scope,
        out: dict[str, Any],
        prefix: str,
        line_map: dict[str, int],
        file: str,
    ) -> None:
        if not block.labels:
            return
        label = block.labels[0]
        attrs = block.body.attributes
        iterator = label
        if "iterator" in attrs:
            it = attrs["iterator"].expr
            if isinstance(it, Traversal) and not it.steps:
                iterator = it.root
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        lst = out.get(label)
        if not isinstance(lst, list):
            lst = []
            out[label] = lst
        line_map.setdefault(prefix + label, block.line)
        if content is None or "for_each" not in attrs:
            return
        fe = attrs["for_each"]
        coll = self.program.safe(fe.expr, scope, file, fe.line)
        items: list[tuple[Any, Any]]
        if coll is None:
            items = []
        elif coll is UNKNOWN:
            items = [(UNKNOWN, UNKNOWN)]
        elif isinstance(coll, dict):
            items = [(k, coll[k]) for k in sorted(coll)]
        elif isinstance(coll, TfSet):
            items = [(v, v) for v in coll]
        elif isinstance(coll, list):
            items = list(enumerate(coll))
        else:
            self.program.problem(file, fe.line, "dynamic block for_each is not a collection")
            items = [(UNKNOWN, UNKNOWN)]
        if len(items) > MAX_INSTANCES:
            self.program.notice(
                f"{file}:{block.line}: dynamic {label!r} has {len(items)} elements; "
                f"only the first {MAX_INSTANCES} evaluated"
            )
            items = items[:MAX_INSTANCES]
        try:
            Budget.spend(len(items))
        except EvalError as exc:
            self.program.problem(file, block.line, str(exc))
            lst.append({})
            return
        for key, value in items:
            inner = scope.child({iterator: {"key": key, "value": value}})
            path = f"{prefix}{label}.{len(lst)}"
            line_map[path] = content.line
            lst.append(self.eval_body(content.body, inner, path + ".", line_map, file))

    # ---- module calls -------------------------------------------------------------------

    def module_call(self, name: str) -> ModuleCall:
        call = self.calls.get(name)
        if call is None:
            # placeholder first: a module whose inputs read its own outputs must not recurse
            self.calls[name] = ModuleCall("unknown", [])
            call = self.program.expand_module_call(self, self.mdef.modules[name])
            self.calls[name] = call
        return call

    # ---- emission -----------------------------------------------------------------------

    def emit(self) -> Iterator[Resource]:
        only = self.emit_only
        for decl in self.mdef.order:
            if decl.kind != "resource" or (only is not None and decl.file not in only):
                continue
            state = self.resource_state("managed", decl.type, decl.name)
            if state is None:
                continue
            try:
                instances = self.instances(state)
            except Exception as exc:  # contain a failure to this resource
                self.program.error(
                    decl.file,
                    f"{self.prefix}{decl.type}.{decl.name}: could not be evaluated "
                    f"({type(exc).__name__}: {exc})",
                    decl.block.line,
                )
                continue
            for inst in instances:
                yield self._resource(decl, state, inst)
        for name in sorted(self.mdef.modules):
            if only is not None and self.mdef.modules[name].file not in only:
                continue
            call = self.module_call(name)
            for _key, child in call.children:
                yield from child.emit()

    def _resource(self, decl: Decl, state: ResourceState, inst: Instance) -> Resource:
        base = f"{self.prefix}{decl.type}.{decl.name}"
        address = base + instance_suffix(inst.key) if state.kind in ("count", "for_each") else base
        block = decl.block
        meta: dict[str, Any] = {
            "module": self.prefix[:-1] if self.prefix else "",
            "provider": _provider(decl),
            "source": "config",
        }
        alias = _provider_alias(decl)
        if alias:
            meta["provider_alias"] = alias
        if state.kind in ("count", "for_each"):
            meta["instance_key"] = inst.key
        elif state.kind == "unknown":
            meta["instance_key"] = "unknown"
        return Resource(
            kind=decl.type,
            name=address,
            framework=FRAMEWORK,
            attributes=dict(inst.attrs),
            location=Location(decl.file, block.line, block.end_line),
            references=sorted(inst.refs),
            line_map=inst.line_map,
            meta=meta,
        )


def _provider(decl: Decl) -> str:
    attr = decl.block.body.attributes.get("provider")
    if attr is not None and isinstance(attr.expr, Traversal):
        return attr.expr.root
    return decl.type.split("_", 1)[0]


def _provider_alias(decl: Decl) -> str:
    attr = decl.block.body.attributes.get("provider")
    if attr is not None and isinstance(attr.expr, Traversal) and attr.expr.steps:
        return str(getattr(attr.expr.steps[0], "name", ""))
    return ""


def _literal_lines(expr: Expr, path: str, line_map: dict[str, int], depth: int = 0) -> None:
    """Lines of the elements of object/tuple constructors (`tags.Name`, `cidr_blocks.0`)."""
    if depth > 6:
        return
    if isinstance(expr, ObjectExpr):
        for key_expr, val_expr in expr.items:
            key = literal_value(key_expr)
            if isinstance(key, str):
                sub = f"{path}.{key}"
                line_map.setdefault(sub, val_expr.line)
                _literal_lines(val_expr, sub, line_map, depth + 1)
    elif isinstance(expr, TupleExpr):
        for i, item in enumerate(expr.items):
            sub = f"{path}.{i}"
            line_map.setdefault(sub, item.line)
            _literal_lines(item, sub, line_map, depth + 1)
