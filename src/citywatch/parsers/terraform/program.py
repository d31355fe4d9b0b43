"""Shared state of one root module's evaluation: guards, diagnostics, module calls, files.

Everything that must not hang or escape lives here: the lazy-evaluation depth guard, the cap on
count/for_each instances, module nesting depth, and the file reader that refuses paths outside
the scanned tree.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from citywatch.model import UNKNOWN
from citywatch.parsers.terraform.evaluate import (
    MAX_INSTANCES,
    MAX_LAZY_DEPTH,
    MAX_MODULE_DEPTH,
    MODULE_META,
    ModuleInstance,
    Thunk,
)
from citywatch.parsers.terraform.expressions import Expr, Scope
from citywatch.parsers.terraform.functions import call_function
from citywatch.parsers.terraform.hcl import HclSyntaxError, literal_value, parse_template
from citywatch.parsers.terraform.modules import Decl, classify_source
from citywatch.parsers.terraform.namespaces import ModuleCall, instance_suffix
from citywatch.parsers.terraform.values import EvalError, has_unknown, to_number, to_str

if TYPE_CHECKING:
    from citywatch.parsers.terraform.loader import ModuleLoader
    from citywatch.pipeline import ScanContext

T = TypeVar("T")
MAX_FILE_FUNCTION_BYTES = 1024 * 1024


class Diagnostics:
    """Evaluation problems, counted for one summary notice instead of thousands of lines."""

    def __init__(self) -> None:
        self.count = 0
        self.first: list[str] = []
        self.unsupported_functions: set[str] = set()

    def add(self, file: str, line: int, reason: str) -> None:
        self.count += 1
        if len(self.first) < 3:
            self.first.append(f"{file}:{line}: {reason}")


class Program:
    def __init__(
        self,
        ctx: ScanContext,
        loader: ModuleLoader,
        root_dir: Path,
        root_display: str,
        diagnostics: Diagnostics,
    ) -> None:
        self.ctx = ctx
        self.root_dir = root_dir
        self.loader = loader
        self.root_display = root_display
        self.diagnostics = diagnostics
        self.depth = 0
        self._notices: set[str] = set()

    # ---- diagnostics --------------------------------------------------------------------

    def error(self, file: str, reason: str, line: int | None = None) -> None:
        self.ctx.error(file, reason, line, scanner="misconfig")

    def notice(self, text: str) -> None:
        if text not in self._notices:
            self._notices.add(text)
            self.ctx.notices.append(text)

    def problem(self, file: str, line: int, reason: str) -> None:
        self.diagnostics.add(file, line, reason)

    # ---- guards -------------------------------------------------------------------------

    def guarded(self, fn: Callable[[], T]) -> T:
        return self.guarded_value(fn)

    def guarded_value(self, fn: Callable[[], T]) -> T:
        self.depth += 1
        try:
            if self.depth > MAX_LAZY_DEPTH:
                raise EvalError(f"references nested deeper than {MAX_LAZY_DEPTH} levels")
            return fn()
        finally:
            self.depth -= 1

    def safe(self, expr: Expr, scope: Scope, file: str, line: int) -> Any:
        try:
            return expr.ev(scope)
        except EvalError as exc:
            self.problem(file, expr.line or line, str(exc))
        except RecursionError:
            self.problem(file, line, "expression nested too deeply")
        return UNKNOWN

    # ---- count / for_each ---------------------------------------------------------------

    def count_keys(
        self, value: Any, what: str, file: str, line: int
    ) -> tuple[str, list[tuple[Any, Any]]]:
        if value is UNKNOWN:
            return "unknown", [(UNKNOWN, UNKNOWN)]
        try:
            n = int(to_number(value))
        except EvalError as exc:
            self.problem(file, line, f"{what}: invalid count: {exc}")
            return "unknown", [(UNKNOWN, UNKNOWN)]
        if n < 0:
            self.problem(file, line, f"{what}: count must not be negative")
            return "count", []
        if n > MAX_INSTANCES:
            self.notice(f"{what}: count = {n}; only the first {MAX_INSTANCES} instances evaluated")
            n = MAX_INSTANCES
        return "count", [(i, None) for i in range(n)]

    def for_each_keys(
        self, value: Any, what: str, file: str, line: int
    ) -> tuple[str, list[tuple[Any, Any]]]:
        if value is UNKNOWN:
            return "unknown", [(UNKNOWN, UNKNOWN)]
        items: list[tuple[Any, Any]]
        if isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, list):
            if has_unknown(value):
                return "unknown", [(UNKNOWN, UNKNOWN)]
            try:
                keys = sorted({to_str(v) for v in value})
            except EvalError as exc:
                self.problem(file, line, f"{what}: invalid for_each: {exc}")
                return "unknown", [(UNKNOWN, UNKNOWN)]
            items = [(k, k) for k in keys]
        elif value is None:
            self.problem(file, line, f"{what}: for_each is null")
            return "for_each", []
        else:
            self.problem(file, line, f"{what}: for_each must be a map or a set of strings")
            return "unknown", [(UNKNOWN, UNKNOWN)]
        if len(items) > MAX_INSTANCES:
            self.notice(
                f"{what}: for_each has {len(items)} elements; "
                f"only the first {MAX_INSTANCES} instances evaluated"
            )
            items = items[:MAX_INSTANCES]
        return "for_each", items

    # ---- modules ------------------------------------------------------------------------

    def expand_module_call(self, parent: ModuleInstance, decl: Decl) -> ModuleCall:
        address = f"{parent.prefix}module.{decl.name}"
        attrs = decl.block.body.attributes
        src_attr = attrs.get("source")
        source = literal_value(src_attr.expr) if src_attr is not None else None
        if not isinstance(source, str) or not source:
            self.error(
                decl.file, f"{address}: module source must be a literal string", decl.block.line
            )
            return ModuleCall("missing", [])
        if classify_source(source) != "local":
            local = self.loader.installed_module(self.root_dir, address)
            if local is None:
                self.notice(f"{address}: source {source!r} is remote; not followed")
                return ModuleCall("missing", [])
            directory = local
        else:
            directory = (parent.mdef.directory / source).resolve()
        if parent.depth + 1 > MAX_MODULE_DEPTH:
            self.error(
                decl.file,
                f"{address}: modules nested deeper than {MAX_MODULE_DEPTH}; not followed",
                decl.block.line,
            )
            return ModuleCall("missing", [])
        if directory in parent.ancestry:
            self.error(
                decl.file,
                f"{address}: module {source!r} calls itself (directly or through other "
                "modules); not followed",
                decl.block.line,
            )
            return ModuleCall("missing", [])
        mdef = self.loader.load(directory)
        if mdef is None:
            self.error(
                decl.file,
                f"{address}: local module directory {source!r} not found or has no .tf files",
                src_attr.line if src_attr is not None else decl.block.line,
            )
            return ModuleCall("missing", [])
        if mdef.cross_file_duplicates:
            self.loader.report_duplicates(mdef)
        if "count" in attrs:
            value, _ = parent.evaluate(attrs["count"].expr, decl.file, attrs["count"].line)
            kind, keys = self.count_keys(value, address, decl.file, attrs["count"].line)
        elif "for_each" in attrs:
            value, _ = parent.evaluate(attrs["for_each"].expr, decl.file, attrs["for_each"].line)
            kind, keys = self.for_each_keys(value, address, decl.file, attrs["for_each"].line)
        else:
            kind, keys = "single", [(None, None)]
        children: list[tuple[Any, ModuleInstance]] = []
        for key, each_value in keys:
            names: dict[str, Any] = {}
            if kind == "count":
                names["count"] = {"index": key}
            elif kind == "for_each":
                names["each"] = {"key": key, "value": each_value}
            elif kind == "unknown":
                names = {"count": {"index": UNKNOWN}, "each": {"key": UNKNOWN, "value": UNKNOWN}}
            inputs: dict[str, Thunk] = {}
            for name, attr in attrs.items():
                if name in MODULE_META:
                    continue
                inputs[name] = _input_thunk(parent, attr.expr, decl.file, attr.line, names)
            suffix = instance_suffix(key) if kind in ("count", "for_each") else ""
            prefix = f"{address}{suffix}."
            children.append(
                (
                    key,
                    ModuleInstance(
                        self, mdef, prefix, inputs, parent.depth + 1, decl.file, parent.ancestry
                    ),
                )
            )
        return ModuleCall(kind, children)

    # ---- files --------------------------------------------------------------------------

    def file_reader(self, directory: Path, mod: ModuleInstance) -> FileAccess:
        return FileAccess(directory, self.loader.allowed_roots, self)


def _input_thunk(
    parent: ModuleInstance, expr: Expr, file: str, line: int, names: dict[str, Any]
) -> Thunk:
    memo: list[tuple[Any, frozenset[str]]] = []

    def thunk() -> tuple[Any, frozenset[str]]:
        if not memo:
            memo.append(parent.evaluate(expr, file, line, names))
        return memo[0]

    return thunk


class _TemplateScope:
    """templatefile() templates see only their variables and the built-in functions."""

    def __init__(self, files: FileAccess) -> None:
        self.files = files

    def root(self, name: str, scope: Scope) -> Any:
        raise EvalError(f"template variable {name!r} is not defined")

    def call(self, name: str, args: list[Any], scope: Scope) -> Any:
        if name == "templatefile":
            raise EvalError("templatefile() cannot be called from inside a template")
        return call_function(name, args, self.files)


class FileAccess:
    """file()/templatefile() relative to a module, confined to the scanned tree."""

    def __init__(self, directory: Path, roots: list[Path], program: Program) -> None:
        self.directory = directory
        self.roots = roots
        self.program = program

    def _resolve(self, path: str) -> Path:
        if "\x00" in path:
            raise EvalError("invalid path")
        target = (
            self.directory / os.path.expanduser(path) if not os.path.isabs(path) else Path(path)
        )
        resolved = target.resolve()
        if not any(resolved == r or r in resolved.parents for r in self.roots):
            raise EvalError(f"{path!r} is outside the scanned tree; not read")
        return resolved

    def exists(self, path: str) -> bool:
        try:
            return self._resolve(path).is_file()
        except (EvalError, OSError):
            return False

    def read_text(self, path: str) -> str:
        from citywatch.parsers.yamlsafe import decode_text

        resolved = self._resolve(path)
        cached = self.program.loader.file_cache.get(resolved)
        if cached is not None:
            return cached
        try:
            if resolved.stat().st_size > MAX_FILE_FUNCTION_BYTES:
                raise EvalError(f"{path!r} is larger than {MAX_FILE_FUNCTION_BYTES} bytes")
            text = decode_text(resolved.read_bytes())
        except OSError as exc:
            raise EvalError(f"cannot read {path!r}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise EvalError(f"{path!r}: {exc}") from None
        self.program.loader.file_cache[resolved] = text
        return text

    def glob(self, base: str, pattern: str) -> list[str]:
        root = self._resolve(base)
        out: list[str] = []
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                if fnmatch.fnmatch(rel, pattern):
                    out.append(rel)
            if len(out) > 10_000:
                break
        return sorted(out)

    def template(self, text: str, variables: dict[str, Any]) -> Any:
        try:
            expr = parse_template(text)
        except HclSyntaxError as exc:
            raise EvalError(f"templatefile: {exc}") from None
        scope = Scope(_TemplateScope(self), dict(variables), None)
        result = expr.ev(scope)
        if result is not UNKNOWN and not isinstance(result, str):
            result = to_str(result)
        if isinstance(result, str) and len(result) > MAX_FILE_FUNCTION_BYTES:
            raise EvalError("templatefile: result larger than 1 MiB")
        return result
