"""The Terraform parser: claims .tf/.tf.json/.tfvars and plan JSON, evaluates root modules.

Files are grouped by directory (one directory = one module). A root module is a directory that
no other scanned module calls as a local module; each root is evaluated with its variables
(defaults < terraform.tfvars < terraform.tfvars.json < *.auto.tfvars in name order <
--var-file < --var, Terraform's precedence) and every resource instance it declares, through
its local modules, becomes one `Resource`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citywatch.model import Resource
from citywatch.parsers.terraform.evaluate import ModuleInstance, Thunk
from citywatch.parsers.terraform.expressions import Budget, Scope, Traversal
from citywatch.parsers.terraform.hcl import HclSyntaxError, literal_value, parse_expression
from citywatch.parsers.terraform.loader import ModuleLoader, _NoRefs, is_tf, is_tfvars
from citywatch.parsers.terraform.modules import ModuleDef, classify_source
from citywatch.parsers.terraform.plan import looks_like_plan, parse_plan
from citywatch.parsers.terraform.program import Diagnostics, Program
from citywatch.parsers.terraform.values import EvalError
from citywatch.pipeline import ScanContext, SourceFile


class TerraformParser:
    name = "terraform"

    def claims(self, file: SourceFile) -> bool:
        name = file.path.name
        if is_tf(name) or is_tfvars(name):
            return True
        if name.lower().endswith(".json"):
            return looks_like_plan(file.head())
        return False

    def parse(self, files: list[SourceFile], ctx: ScanContext) -> None:
        by_dir: dict[Path, list[SourceFile]] = {}
        for file in files:
            name = file.path.name
            if is_tf(name) or is_tfvars(name):
                by_dir.setdefault(file.path.parent.resolve(), []).append(file)
            else:
                parse_plan(file, ctx)
        if not by_dir:
            return
        loader = ModuleLoader(ctx, by_dir)
        modules: dict[Path, ModuleDef] = {}
        for directory, dir_files in by_dir.items():
            if any(is_tf(f.path.name) for f in dir_files):
                mdef = loader.load(directory)
                if mdef is not None:
                    modules[directory] = mdef
        called = _called_dirs(modules)
        roots = [d for d in sorted(modules) if d not in called]
        if modules and not roots:
            # every directory calls another one (a cycle): evaluate them all as roots
            roots = sorted(modules)
        option_vars = self._option_vars(loader, ctx)
        diagnostics = Diagnostics()
        per_root: list[tuple[str, list[Resource]]] = []
        for directory in roots:
            mdef = modules[directory]
            units: list[tuple[str, ModuleDef, set[str] | None]] = [(mdef.display, mdef, None)]
            if mdef.cross_file_duplicates:
                ctx.notices.append(
                    f"{mdef.display}: {len(mdef.cross_file_duplicates)} block(s) are declared "
                    "in more than one file, which Terraform would refuse; each file was "
                    "evaluated on its own"
                )
                units = [(lbl, m, emits) for lbl, m, emits in loader.split_by_file(mdef)]
            for label, unit, emits in units:
                program = Program(ctx, loader, directory, unit.display, diagnostics)
                inputs = self._root_inputs(
                    unit, by_dir.get(directory, []), loader, option_vars, ctx
                )
                root = ModuleInstance(program, unit, "", inputs, 0)
                root.emit_only = emits
                Budget.reset()
                emitted: list[Resource] = []
                try:
                    emitted.extend(root.emit())
                except RecursionError:
                    ctx.error(label, "Terraform evaluation nested too deeply; module skipped")
                except Exception as exc:  # one broken root must not lose every other root
                    ctx.error(
                        label,
                        f"Terraform evaluation failed: {type(exc).__name__}: {exc}",
                        scanner="misconfig",
                    )
                for res in emitted:
                    res.meta["root"] = unit.display
                per_root.append((label, emitted))
        for _root, emitted in qualify_colliding_addresses(per_root):
            ctx.resources.extend(emitted)
        if diagnostics.unsupported_functions:
            names = ", ".join(sorted(diagnostics.unsupported_functions)[:20])
            ctx.notices.append(
                f"terraform: function(s) not evaluated, results treated as unknown: {names}"
            )
        if diagnostics.count:
            ctx.notices.append(
                f"terraform: {diagnostics.count} expression(s) could not be evaluated and were "
                f"treated as unknown (first: {'; '.join(diagnostics.first)})"
            )

    def _option_vars(self, loader: ModuleLoader, ctx: ScanContext) -> list[dict[str, Any]]:
        layers: list[dict[str, Any]] = []
        for path in ctx.options.var_files:
            if not path.exists():
                ctx.error(str(path), "variables file not found", scanner="misconfig")
                continue
            layers.append(loader.read_vars(str(path), path))
        return layers

    def _root_inputs(
        self,
        mdef: ModuleDef,
        dir_files: list[SourceFile],
        loader: ModuleLoader,
        option_vars: list[dict[str, Any]],
        ctx: ScanContext,
    ) -> dict[str, Thunk]:
        values: dict[str, Any] = {}
        var_files = [f for f in dir_files if is_tfvars(f.path.name)]
        by_name = {f.path.name: f for f in var_files}
        ordered: list[SourceFile] = []
        for fixed in ("terraform.tfvars", "terraform.tfvars.json"):
            if fixed in by_name:
                ordered.append(by_name[fixed])
        ordered.extend(
            sorted(
                (
                    f
                    for f in var_files
                    if f.path.name.endswith((".auto.tfvars", ".auto.tfvars.json"))
                ),
                key=lambda f: f.path.name,
            )
        )
        for vf in ordered:
            values.update(loader.read_vars(vf.display, vf.path))
        for layer in option_vars:
            values.update(layer)
        for name, raw in ctx.options.variables.items():
            values[name] = _cli_value(mdef, name, raw)
        return {name: _constant(value) for name, value in values.items() if name in mdef.variables}


def _base(address: str) -> str:
    return address[: address.index("[")] if address.endswith("]") and "[" in address else address


def qualify_colliding_addresses(
    per_root: list[tuple[str, list[Resource]]],
) -> list[tuple[str, list[Resource]]]:
    """Keep names unique within the scan when several root modules declare the same address.

    Two environments (`envs/dev`, `envs/prod`) usually declare identical addresses; without a
    qualifier a public-access block in prod would be taken as protecting the bucket in dev.
    Only colliding addresses get the root directory as a prefix (`envs/dev:aws_s3_bucket.b`),
    in names and references alike, so single-root scans keep plain Terraform addresses.
    """
    if len(per_root) < 2:
        return per_root
    seen: dict[str, str] = {}
    colliding: set[str] = set()
    for root, emitted in per_root:
        keys = {r.name for r in emitted} | {_base(r.name) for r in emitted}
        for key in keys:
            other = seen.setdefault(key, root)
            if other != root:
                colliding.add(key)
    if not colliding:
        return per_root
    for root, emitted in per_root:
        for res in emitted:
            if res.name in colliding:
                res.name = f"{root}:{res.name}"
            if any(ref in colliding for ref in res.references):
                res.references = [f"{root}:{r}" if r in colliding else r for r in res.references]
    return per_root


def _constant(value: Any) -> Thunk:
    result = (value, frozenset[str]())
    return lambda: result


def _cli_value(mdef: ModuleDef, name: str, raw: str) -> Any:
    """`--var NAME=VALUE`: a string unless the variable declares a non-string type."""
    decl = mdef.variables.get(name)
    type_attr = decl.block.body.attributes.get("type") if decl is not None else None
    if type_attr is None:
        return raw
    texpr = type_attr.expr
    if isinstance(texpr, Traversal) and texpr.root == "string" and not texpr.steps:
        return raw
    try:
        return parse_expression(raw).ev(Scope(_NoRefs()))
    except (HclSyntaxError, EvalError):
        return raw


def _called_dirs(modules: dict[Path, ModuleDef]) -> set[Path]:
    called: set[Path] = set()
    for directory, mdef in modules.items():
        for decl in mdef.modules.values():
            attr = decl.block.body.attributes.get("source")
            source = literal_value(attr.expr) if attr is not None else None
            if isinstance(source, str) and classify_source(source) == "local":
                target = (directory / source).resolve()
                if target != directory:
                    called.add(target)
    return called
