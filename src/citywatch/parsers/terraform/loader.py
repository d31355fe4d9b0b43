"""Read and parse module directories once per scan, and variable files.

Scanned files are parsed from the walk's list; a local module that lives outside what was
walked (scanning `envs/prod` that calls `../../modules/vpc`) is read from disk, as Terraform
would. Modules installed by `terraform init` under `.terraform/modules` are used for remote
sources when present, since that is exactly the code Terraform would run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citywatch.parsers.terraform.expressions import Scope
from citywatch.parsers.terraform.functions import call_function
from citywatch.parsers.terraform.hcl import HclFile, parse_hcl
from citywatch.parsers.terraform.modules import ModuleDef
from citywatch.parsers.terraform.tfjson import parse_tf_json
from citywatch.parsers.terraform.values import EvalError
from citywatch.parsers.yamlsafe import decode_text

if TYPE_CHECKING:
    from citywatch.pipeline import ScanContext, SourceFile

MAX_MODULE_FILES = 500
MAX_MODULE_FILE_BYTES = 10 * 1024 * 1024


def is_tf(name: str) -> bool:
    return name.endswith(".tf") or name.endswith(".tf.json")


def is_tfvars(name: str) -> bool:
    return name.endswith(".tfvars") or name.endswith(".tfvars.json")


class _NoRefs:
    """Variable files are constant: no references, functions allowed."""

    def root(self, name: str, scope: Scope) -> Any:
        raise EvalError(f"variables files cannot refer to {name!r}")

    def call(self, name: str, args: list[Any], scope: Scope) -> Any:
        return call_function(name, args, None)


class ModuleLoader:
    def __init__(self, ctx: ScanContext, scanned: dict[Path, list[SourceFile]]) -> None:
        self.ctx = ctx
        self.scanned = scanned
        self.cache: dict[Path, ModuleDef | None] = {}
        roots = {f.root.resolve() for files in scanned.values() for f in files}
        self.allowed_roots = sorted(roots)
        self._installed: dict[Path, dict[str, Path]] = {}
        # file()/templatefile() contents, shared so 1000 instances reading one file share it
        self.file_cache: dict[Path, str] = {}

    def error(self, display: str, reason: str, line: int | None = None) -> None:
        self.ctx.error(display, reason, line, scanner="misconfig")

    # ---- modules ------------------------------------------------------------------------

    def load(self, directory: Path) -> ModuleDef | None:
        if directory in self.cache:
            return self.cache[directory]
        self.cache[directory] = None  # a module that (indirectly) loads itself sees "missing"
        files = self.scanned.get(directory)
        entries: list[tuple[str, Path]]
        if files is not None:
            entries = [(f.display, f.path) for f in files if is_tf(f.path.name)]
        else:
            entries = self._disk_entries(directory)
        if not entries:
            return None
        mdef = ModuleDef(directory, _display_dir(entries[0][0]))
        # override files are merged after every normal file, as Terraform does
        entries.sort(key=lambda e: (_is_override_name(e[1].name), e[1].name))
        for display, path in entries:
            parsed = self.parse_file(display, path)
            if parsed is None:
                continue
            for line, reason in mdef.add_file(display, parsed):
                self.error(display, reason, line)
        self.cache[directory] = mdef
        return mdef

    def report_duplicates(self, mdef: ModuleDef) -> None:
        """Report blocks declared in two files (once), for a module Terraform would refuse."""
        for display, line, reason, _other in mdef.cross_file_duplicates:
            self.error(display, reason, line)
        mdef.cross_file_duplicates = []

    def split_by_file(self, mdef: ModuleDef) -> list[tuple[str, ModuleDef, set[str]]]:
        """A directory of snippets that redeclare each other, as one module per snippet.

        Files that conflict with no other file (variables.tf, shared locals) are part of
        every unit; their resources are emitted by the first unit only. Returns
        (label, module, files whose resources this unit emits).
        """
        conflicting: set[str] = set()
        for display, _line, _reason, other in mdef.cross_file_duplicates:
            conflicting.update((display, other))
        shared = [(d, p) for d, p in mdef.parsed if d not in conflicting]
        out: list[tuple[str, ModuleDef, set[str]]] = []
        for display, parsed in mdef.parsed:
            if display not in conflicting:
                continue
            unit = ModuleDef(mdef.directory, mdef.display)
            for shared_display, shared_parsed in shared:
                unit.add_file(shared_display, shared_parsed)
            unit.add_file(display, parsed)  # problems were reported when the dir was loaded
            emits = {display} | ({d for d, _ in shared} if not out else set())
            out.append((display, unit, emits))
        return out

    def _disk_entries(self, directory: Path) -> list[tuple[str, Path]]:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return []
        out: list[tuple[str, Path]] = []
        for name in names:
            path = directory / name
            if is_tf(name) and path.is_file():
                out.append((_display_path(path), path))
            if len(out) >= MAX_MODULE_FILES:
                break
        return out

    def parse_file(self, display: str, path: Path) -> HclFile | None:
        try:
            size = path.stat().st_size
            if size > MAX_MODULE_FILE_BYTES:
                self.error(display, f"file is {size} bytes; over the limit, not parsed")
                return None
            data = path.read_bytes()
        except OSError as exc:
            self.error(display, f"cannot read file: {exc.strerror or exc}")
            return None
        try:
            text = decode_text(data)
        except ValueError as exc:
            self.error(display, f"not a Terraform file: {exc}")
            return None
        if path.name.endswith(".json"):
            parsed = parse_tf_json(text)
        else:
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            parsed = parse_hcl(data)
        for line, reason in parsed.errors:
            self.error(display, reason, line)
        return parsed

    def installed_module(self, root_dir: Path, address: str) -> Path | None:
        """The directory `terraform init` installed a remote module into, if any."""
        table = self._installed.get(root_dir)
        if table is None:
            table = {}
            manifest = root_dir / ".terraform" / "modules" / "modules.json"
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
                for entry in data.get("Modules", []):
                    key, rel = entry.get("Key"), entry.get("Dir")
                    if isinstance(key, str) and key and isinstance(rel, str):
                        table[key] = (root_dir / rel).resolve()
            except (OSError, ValueError, AttributeError):
                pass
            self._installed[root_dir] = table
        key = ".".join(
            part.split("[", 1)[0] for part in address.split(".") if part != "module" and part
        )
        found = table.get(key)
        if found is None:
            return None
        if not any(found == r or r in found.parents for r in self.allowed_roots):
            return None
        return found

    # ---- variables files ----------------------------------------------------------------

    def read_vars(self, display: str, path: Path) -> dict[str, Any]:
        try:
            data = path.read_bytes()
            text = decode_text(data)
        except OSError as exc:
            self.error(display, f"cannot read variables file: {exc.strerror or exc}")
            return {}
        except ValueError as exc:
            self.error(display, f"not a variables file: {exc}")
            return {}
        if path.name.endswith(".json"):
            try:
                value = json.loads(text)
            except (ValueError, RecursionError) as exc:
                self.error(display, f"invalid JSON: {exc}", getattr(exc, "lineno", None))
                return {}
            if not isinstance(value, dict):
                self.error(display, "a .tfvars.json file must hold a JSON object")
                return {}
            return value
        parsed = parse_hcl(data)
        for line, reason in parsed.errors:
            self.error(display, reason, line)
        scope = Scope(_NoRefs())
        out: dict[str, Any] = {}
        for name, attr in parsed.body.attributes.items():
            try:
                out[name] = attr.expr.ev(scope)
            except (EvalError, RecursionError) as exc:
                self.error(display, f"variable {name}: {exc}", attr.line)
        return out


def _is_override_name(name: str) -> bool:
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _display_dir(display: str) -> str:
    head = os.path.dirname(display)
    return head or "."


def _display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("../../..") else rel
