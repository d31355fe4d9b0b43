"""Directory walk: honours .gitignore and --skip-path, survives symlink loops and unreadable dirs.

Symlinked directories are followed only when they stay inside a scanned root (a loop or an escape
is reported, not followed), so scanning a checkout never wanders into the rest of the machine.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pathspec

from citywatch.options import ScanOptions

if TYPE_CHECKING:
    from citywatch.pipeline import ScanContext, SourceFile

_Spec = pathspec.PathSpec[Any]

ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".terraform", "__pycache__"})


def _display(path: Path, root: Path, single_file: bool) -> str:
    if single_file:
        return str(path)
    try:
        rel = path.relative_to(root)
    except ValueError:
        return str(path)
    base = str(root)
    return str(rel) if base in (".", "") else os.path.join(base, str(rel))


def skipped_by_glob(rel: str, globs: list[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    for glob in globs:
        g = glob.rstrip("/")
        if fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) or rel.startswith(g + "/"):
            return True
        if g.startswith("**/") and fnmatch.fnmatch(rel, g[3:]):
            return True
    return False


def _load_gitignore(directory: Path, rel_dir: str) -> _Spec | None:
    gi = directory / ".gitignore"
    try:
        text = gi.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        neg = line.startswith("!")
        body = line[1:] if neg else line
        anchored = body.startswith("/") or "/" in body.rstrip("/")
        body = body.lstrip("/")
        prefix = f"{rel_dir}/" if rel_dir else ""
        pattern = f"{prefix}{body}" if anchored else f"{prefix}**/{body}"
        lines.append(("!" if neg else "") + pattern)
    return pathspec.PathSpec.from_lines("gitignore", lines)


def walk_targets(targets: list[Path], options: ScanOptions, ctx: ScanContext) -> list[SourceFile]:
    """Enumerate regular files under every target, recording problems in `ctx.errors`."""
    from citywatch.pipeline import SourceFile

    out: list[SourceFile] = []
    seen_real: set[str] = set()
    for target in targets:
        try:
            st = target.stat()
        except FileNotFoundError:
            ctx.error(str(target), "target does not exist")
            continue
        except OSError as exc:
            ctx.error(str(target), f"cannot read target: {exc.strerror or exc}")
            continue
        if stat.S_ISREG(st.st_mode):
            if st.st_size > options.max_file_bytes:
                ctx.error(str(target), _too_big(st.st_size, options.max_file_bytes))
                continue
            out.append(SourceFile(target, str(target), st.st_size, target.parent))
            continue
        if not stat.S_ISDIR(st.st_mode):
            ctx.error(str(target), "not a regular file or directory")
            continue
        _walk_dir(target, options, ctx, out, seen_real, SourceFile)
    return out


def _too_big(size: int, limit: int) -> str:
    return f"file is {size} bytes, over the {limit}-byte limit; not scanned"


def _walk_dir(
    root: Path,
    options: ScanOptions,
    ctx: ScanContext,
    out: list[SourceFile],
    seen_real: set[str],
    source_file: type[SourceFile],
) -> None:
    root_real = os.path.realpath(root)
    seen_dirs: set[str] = {root_real}
    # stack of (absolute dir, path relative to root, active gitignore specs)
    stack: list[tuple[Path, str, list[_Spec]]] = [(root, "", [])]
    while stack:
        directory, rel_dir, specs = stack.pop()
        spec = _load_gitignore(directory, rel_dir)
        active = specs + [spec] if spec is not None else specs
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            ctx.error(
                _display(directory, root, False), f"cannot read directory: {exc.strerror or exc}"
            )
            continue
        subdirs: list[tuple[Path, str, list[_Spec]]] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            shown = _display(Path(entry.path), root, False)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    ctx.error(shown, "symlink loop; not followed")
                else:
                    ctx.error(shown, f"cannot stat: {exc.strerror or exc}")
                continue
            if is_dir and entry.name in ALWAYS_SKIPPED_DIRS:
                continue
            if _ignored(rel, is_dir, active) or skipped_by_glob(rel, options.skip_paths):
                continue
            if is_link:
                try:
                    real = os.path.realpath(entry.path, strict=True)
                except (OSError, RuntimeError):
                    ctx.error(shown, "broken symlink or symlink loop; not followed")
                    continue
                if real != root_real and not real.startswith(root_real + os.sep):
                    ctx.error(shown, "symlink points outside the scanned tree; not followed")
                    continue
                if is_dir:
                    if real in seen_dirs or root_real.startswith(real + os.sep):
                        ctx.error(shown, "symlink loop: directory already visited; not followed")
                        continue
                    seen_dirs.add(real)
            if is_dir:
                if not is_link:
                    seen_dirs.add(os.path.realpath(entry.path))
                subdirs.append((Path(entry.path), rel, active))
                continue
            try:
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:
                ctx.error(shown, f"cannot stat: {exc.strerror or exc}")
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            real_file = os.path.realpath(entry.path)
            if real_file in seen_real:
                continue
            seen_real.add(real_file)
            if st.st_size > options.max_file_bytes:
                ctx.error(shown, _too_big(st.st_size, options.max_file_bytes))
                continue
            if not os.access(entry.path, os.R_OK):
                ctx.error(shown, "permission denied: file is not readable")
                continue
            out.append(source_file(Path(entry.path), shown, st.st_size, root))
        stack.extend(reversed(subdirs))


def _ignored(rel: str, is_dir: bool, specs: list[_Spec]) -> bool:
    if not specs:
        return False
    probe = rel + "/" if is_dir else rel
    ignored = False
    for spec in specs:
        # later (deeper) .gitignore files override earlier ones, negations included
        for pattern in spec.patterns:
            include = getattr(pattern, "include", None)
            if include is None:
                continue
            if pattern.match_file(probe) is not None or (not is_dir and pattern.match_file(rel)):
                ignored = bool(include)
    return ignored
