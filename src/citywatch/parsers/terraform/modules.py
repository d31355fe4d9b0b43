"""A Terraform module directory: its declarations, gathered from every file in it.

Declarations keep the file they came from so resources can be located. Override files
(`override.tf`, `*_override.tf`) are merged into the blocks they override, as Terraform does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from citywatch.parsers.terraform.hcl import Attribute, Block, Body, HclFile

# remote module source prefixes Terraform understands (never fetched by a scanner)
REMOTE_PREFIXES = (
    "git::",
    "git@",
    "github.com/",
    "bitbucket.org/",
    "hg::",
    "s3::",
    "gcs::",
    "http://",
    "https://",
)


@dataclass(slots=True)
class Decl:
    """One top-level block (resource, data, module, variable, output) and where it is."""

    kind: str
    type: str
    name: str
    block: Block
    file: str


@dataclass(slots=True)
class LocalDecl:
    name: str
    attr: Attribute
    file: str


@dataclass(slots=True)
class ModuleDef:
    directory: Path
    display: str
    variables: dict[str, Decl] = field(default_factory=dict)
    locals: dict[str, LocalDecl] = field(default_factory=dict)
    resources: dict[str, dict[str, Decl]] = field(default_factory=dict)
    data: dict[str, dict[str, Decl]] = field(default_factory=dict)
    modules: dict[str, Decl] = field(default_factory=dict)
    outputs: dict[str, Decl] = field(default_factory=dict)
    providers: list[Decl] = field(default_factory=list)
    order: list[Decl] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    parsed: list[tuple[str, HclFile]] = field(default_factory=list)
    # the same block declared in two different files: (file, line, reason, other file)
    cross_file_duplicates: list[tuple[str, int, str, str]] = field(default_factory=list)

    def add_file(self, display: str, parsed: HclFile) -> list[tuple[int, str]]:
        """Add a file's declarations; returns (line, reason) problems within the file.

        A block already declared by another file is recorded in `cross_file_duplicates`
        instead: Terraform refuses such a directory, but it is usually a folder of
        alternative snippets, which the parser can still evaluate file by file.
        """
        problems: list[tuple[int, str]] = []
        self.files.append(display)
        self.parsed.append((display, parsed))
        override = _is_override(display)
        for block in parsed.body.blocks:
            problem = self._add_block(block, display, override)
            if problem is None:
                continue
            reason, other_file = problem
            if other_file != display:
                self.cross_file_duplicates.append((display, block.line, reason, other_file))
            else:
                problems.append((block.line, reason))
        return problems

    def _add_block(self, block: Block, display: str, override: bool) -> tuple[str, str] | None:
        t = block.type
        labels = block.labels
        if t in ("resource", "data"):
            if len(labels) != 2:
                return f"{t} block needs two labels", display
            table = self.resources if t == "resource" else self.data
            by_name = table.setdefault(labels[0], {})
            existing = by_name.get(labels[1])
            if override and existing is not None:
                merge_body(existing.block.body, block.body)
                return None
            if existing is not None:
                return f"duplicate {t} {labels[0]}.{labels[1]}", existing.file
            decl = Decl(t, labels[0], labels[1], block, display)
            by_name[labels[1]] = decl
            self.order.append(decl)
            return None
        if t in ("variable", "module", "output"):
            if len(labels) != 1:
                return f"{t} block needs one label", display
            table2 = {"variable": self.variables, "module": self.modules, "output": self.outputs}[t]
            existing = table2.get(labels[0])
            if override and existing is not None:
                merge_body(existing.block.body, block.body)
                return None
            if existing is not None:
                return f"duplicate {t} {labels[0]}", existing.file
            table2[labels[0]] = Decl(t, "", labels[0], block, display)
            return None
        if t == "locals":
            for name, attr in block.body.attributes.items():
                if name in self.locals and not override:
                    return f"duplicate local value {name}", self.locals[name].file
                self.locals[name] = LocalDecl(name, attr, display)
            return None
        if t == "provider":
            self.providers.append(Decl(t, labels[0] if labels else "", "", block, display))
        return None


def merge_body(base: Body, over: Body) -> None:
    """Terraform override semantics: attributes replace, nested block types replace wholesale."""
    base.attributes.update(over.attributes)
    replaced = {b.type for b in over.blocks}
    if replaced:
        base.blocks = [b for b in base.blocks if b.type not in replaced] + list(over.blocks)


def _is_override(display: str) -> bool:
    name = display.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def classify_source(source: str) -> str:
    """'local', 'remote' (registry, git, http, s3...) for a module `source` string."""
    if source.startswith(("./", "../", ".\\", "..\\")) or source in (".", ".."):
        return "local"
    return "remote"
