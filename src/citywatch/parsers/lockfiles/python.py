"""Python: requirements files, poetry.lock, Pipfile.lock, uv.lock, pdm.lock, installed dist-info.

Only exact pins (`==`, `===`) become packages from requirements files: a range says nothing about
what is installed. `-r`/`--requirement` includes are followed inside the scanned tree, once each.
"""

from __future__ import annotations

import json
import re
import tomllib
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockfileError, LockInput

ECO = "PyPI"
_REQ = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*"
    r"(?P<spec>[^;#]*?)\s*(?:;[^#]*)?(?:\s+#.*)?$"
)
# an exact pin; `==2.19.*` is a prefix match (a range), not a version to look up
_PIN = re.compile(r"^===?\s*(?P<version>[^,\s*]+)$")
_INCLUDE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)(?:\s*=?\s*)(?P<path>\S+)")
MAX_INCLUDE_DEPTH = 10


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations, drop comments; keep the first physical line number."""
    out: list[tuple[int, str]] = []
    buf = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = number
        line = raw
        if line.lstrip().startswith("#"):
            line = ""
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        out.append((start, buf))
        buf = ""
    if buf:
        out.append((start, buf))
    return out


def parse_requirements(
    src: LockInput, root: Path | None = None, seen: set[Path] | None = None, depth: int = 0
) -> list[Package]:
    seen = seen if seen is not None else {src.path.resolve()}
    packages: list[Package] = []
    for number, line in _logical_lines(src.text):
        stripped = line.strip()
        if not stripped:
            continue
        inc = _INCLUDE.match(stripped)
        if inc:
            packages.extend(_include(src, inc.group("path"), number, root, seen, depth))
            continue
        if stripped.startswith("-") or "://" in stripped or stripped.startswith((".", "/")):
            continue  # options, editable installs, URLs and local paths pin no index version
        body = re.split(r"\s--hash[=\s]", stripped, maxsplit=1)[0]
        m = _REQ.match(body)
        if not m:
            src.warn(f"unrecognised requirement {stripped[:80]!r}", number)
            continue
        pin = _PIN.match(m.group("spec").strip())
        if pin is None:
            continue
        name = m.group("name")
        packages.append(
            src.package(ECO, canonicalize_name(name), pin.group("version"), number, True)
        )
    return packages


def _include(
    src: LockInput, rel: str, line: int, root: Path | None, seen: set[Path], depth: int
) -> list[Package]:
    target = (src.path.parent / rel).resolve()
    if depth >= MAX_INCLUDE_DEPTH:
        src.warn(f"-r include nested deeper than {MAX_INCLUDE_DEPTH}: {rel}", line)
        return []
    if root is not None and not target.is_relative_to(root.resolve()):
        src.warn(f"-r include outside the scanned tree not followed: {rel}", line)
        return []
    if target in seen:
        return []
    seen.add(target)
    try:
        data = target.read_bytes()
    except OSError as exc:
        src.warn(f"cannot read included requirements {rel}: {exc.strerror}", line)
        return []
    display = str(Path(src.display).parent / rel)
    child = LockInput(target, display, data)
    try:
        found = parse_requirements(child, root, seen, depth + 1)
    except LockfileError as exc:
        src.warn(f"{rel}: {exc}", line)
        return []
    for reason, child_line in child.warnings:
        src.warn(f"{display}:{child_line or 0}: {reason}", line)
    return found


def _toml(src: LockInput) -> dict[str, Any]:
    try:
        return tomllib.loads(src.text)
    except tomllib.TOMLDecodeError as exc:
        raise LockfileError(f"invalid TOML: {exc}") from None


def _direct_from_pyproject(path: Path) -> set[str] | None:
    try:
        data = tomllib.loads((path.parent / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    names: set[str] = set()
    project = data.get("project", {})
    specs = list(project.get("dependencies", []))
    for group in (project.get("optional-dependencies") or {}).values():
        specs.extend(group)
    for spec in specs:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", str(spec))
        if m:
            names.add(canonicalize_name(m.group(1)))
    poetry = data.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    tables += [g.get("dependencies", {}) for g in (poetry.get("group") or {}).values()]
    for table in tables:
        names.update(canonicalize_name(n) for n in table if n.lower() != "python")
    return names or None


_ENTRY_NAME = re.compile(r"^[ \t]*(name)[ \t]*=[ \t]*[\"']([^\"'\n]+)[\"']", re.M)


def _entry_name_offsets(text: str) -> dict[str, list[int]]:
    """Offsets of every `name = "..."` that starts a line, by name (in file order)."""
    out: dict[str, list[int]] = {}
    for m in _ENTRY_NAME.finditer(text):
        out.setdefault(m.group(2), []).append(m.start(1))
    return out


def _toml_packages(src: LockInput, direct: set[str] | None) -> list[Package]:
    data = _toml(src)
    out: list[Package] = []
    pos = 0
    name_lines = _entry_name_offsets(src.text)
    for entry in data.get("package", []):
        if not isinstance(entry, dict) or "name" not in entry or "version" not in entry:
            continue
        name = canonicalize_name(str(entry["name"]))
        # the entry's own `name = ...` starts a line; `{ name = "x" }` in another package's
        # dependency list (uv.lock) must not be taken for it
        at = next((p for p in name_lines.get(str(entry["name"]), ()) if p >= pos), -1)
        line = src.line_of(at) if at >= 0 else 0
        pos = max(pos, at)
        deps = [
            canonicalize_name(str(d.get("name", d)) if isinstance(d, dict) else str(d))
            for d in (entry.get("dependencies") or [])
        ]
        out.append(
            src.package(
                ECO,
                name,
                str(entry["version"]),
                line,
                None if direct is None else name in direct,
                deps,
            )
        )
    return out


def parse_poetry_or_pdm(src: LockInput) -> list[Package]:
    return _toml_packages(src, _direct_from_pyproject(src.path))


def parse_uv(src: LockInput) -> list[Package]:
    data = _toml(src)
    direct: set[str] = set()
    local: set[str] = set()
    for entry in data.get("package", []):
        source = entry.get("source") or {}
        if isinstance(source, dict) and ("editable" in source or "virtual" in source):
            local.add(canonicalize_name(str(entry.get("name", ""))))
            for dep in entry.get("dependencies", []) + [
                d for grp in (entry.get("dev-dependencies") or {}).values() for d in grp
            ]:
                if isinstance(dep, dict) and "name" in dep:
                    direct.add(canonicalize_name(dep["name"]))
    return [p for p in _toml_packages(src, direct if local else None) if p.name not in local]


def parse_pipfile_lock(src: LockInput) -> list[Package]:
    try:
        data = json.loads(src.text)
    except json.JSONDecodeError as exc:
        raise LockfileError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise LockfileError("Pipfile.lock must be a JSON object")
    out: list[Package] = []
    for section in ("default", "develop"):
        deps = data.get(section) or {}
        if not isinstance(deps, dict):
            continue
        start = src.text.find(f'"{section}"')
        for name, info in deps.items():
            if not isinstance(info, dict):
                continue
            pin = _PIN.match(str(info.get("version", "")).strip())
            if pin is None:
                continue
            line = src.find_line(f'"{name}"', max(start, 0))
            out.append(
                src.package(
                    ECO,
                    canonicalize_name(name),
                    pin.group("version"),
                    line,
                    None,
                    dev=section == "develop",
                )
            )
    return out


def parse_dist_info(src: LockInput) -> list[Package]:
    """METADATA / PKG-INFO of an installed distribution (site-packages in an image or venv)."""
    headers = HeaderParser().parsestr(src.text[:65536])
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        raise LockfileError("distribution metadata without Name and Version")
    return [src.package(ECO, canonicalize_name(name), version.strip(), 1, None, installed=True)]
