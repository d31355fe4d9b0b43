"""npm family: package-lock.json / npm-shrinkwrap.json (v1-v3), yarn.lock (classic and berry),
pnpm-lock.yaml (v5-v9)."""

from __future__ import annotations

import json
import re
from typing import Any

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockfileError, LockInput
from citywatch.parsers.yamlsafe import load_documents

ECO = "npm"


def _json(src: LockInput) -> dict[str, Any]:
    try:
        data = json.loads(src.text)
    except json.JSONDecodeError as exc:
        raise LockfileError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise LockfileError("lockfile must be a JSON object")
    return data


def parse_package_lock(src: LockInput) -> list[Package]:
    data = _json(src)
    packages = data.get("packages")
    if isinstance(packages, dict) and packages:
        return _lock_v2(src, packages)
    deps = data.get("dependencies")
    if isinstance(deps, dict):
        return _lock_v1(src, deps)
    return []


def _lock_v2(src: LockInput, packages: dict[str, Any]) -> list[Package]:
    root = packages.get("") if isinstance(packages.get(""), dict) else {}
    assert isinstance(root, dict)
    direct: set[str] = set()
    for key in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
        if isinstance(root.get(key), dict):
            direct.update(root[key])
    out: list[Package] = []
    for path, info in packages.items():
        if not path or not isinstance(info, dict) or info.get("link"):
            continue
        if "node_modules/" not in path:
            continue  # a workspace folder, not an installed package
        name = info.get("name") or path.rsplit("node_modules/", 1)[1]
        version = info.get("version")
        if not isinstance(version, str) or not version:
            continue
        if version.startswith(("file:", "link:", "git", "http")):
            continue
        top_level = path == f"node_modules/{name}"
        line = src.find_line(json.dumps(path))
        deps = list((info.get("dependencies") or {}).keys())
        out.append(
            src.package(
                ECO,
                name,
                version,
                line,
                top_level and name in direct,
                deps,
                dev=bool(info.get("dev")),
            )
        )
    return out


def _lock_v1(
    src: LockInput, deps: dict[str, Any], depth: int = 0, cursor: list[int] | None = None
) -> list[Package]:
    """v1 `dependencies`, nested per parent. Keys are found in document order with one moving
    cursor (the walk is the text's own pre-order), so a nested copy gets its own line and any
    JSON spacing works."""
    out: list[Package] = []
    cursor = cursor if cursor is not None else [0]
    if depth > 64:
        return out
    for name, info in deps.items():
        if not isinstance(info, dict):
            continue
        found = re.compile(r'"' + re.escape(name) + r'"\s*:\s*\{').search(src.text, cursor[0])
        line = 0
        if found is not None:
            cursor[0] = found.end()
            line = src.line_of(found.start())
        version = info.get("version")
        if isinstance(version, str) and re.match(r"^\d", version):
            out.append(src.package(ECO, name, version, line, None, dev=bool(info.get("dev"))))
        nested = info.get("dependencies")
        if isinstance(nested, dict):
            out.extend(_lock_v1(src, nested, depth + 1, cursor))
    return out


def _spec_name(spec: str) -> str:
    spec = spec.strip().strip('"')
    at = spec.find("@", 1)
    return spec[:at] if at > 0 else spec


def parse_yarn_lock(src: LockInput) -> list[Package]:
    """Both yarn classic (`version "1.2.3"`) and berry (`version: 1.2.3`) share the shape:
    an unindented header listing specs, then indented fields."""
    out: list[Package] = []
    header: str | None = None
    header_line = 0
    for number, raw in enumerate(src.text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            header = raw.rstrip().rstrip(":")
            header_line = number
            continue
        if header is None:
            continue
        field = raw.strip()
        m = re.match(r'^version:?\s+"?([^"\s]+)"?$', field)
        if not m or raw.startswith("    "):
            continue
        first = header.split(",")[0]
        if "__metadata" in first or "@workspace:" in header or "@link:" in header:
            header = None
            continue
        name = _spec_name(first)
        if "@patch:" in header and not re.match(r"^\d", m.group(1)):
            header = None
            continue
        out.append(src.package(ECO, name, m.group(1), header_line))
        header = None
    return out


_PNPM_KEY = re.compile(r"^/?(?P<name>(?:@[^/@]+/)?[^/@(]+)[/@](?P<version>[^/(_]+)")


def parse_pnpm_lock(src: LockInput) -> list[Package]:
    loaded = load_documents(src.text, want_lines=False)  # alias bombs fail fast, located
    if loaded.errors:
        err = loaded.errors[0]
        raise LockfileError(f"invalid YAML: {err.reason}", err.line)
    data = loaded.docs[0].data if loaded.docs else None
    if not isinstance(data, dict):
        raise LockfileError("pnpm-lock.yaml must be a mapping")
    direct: set[str] = set()
    importers = data.get("importers") or {".": data}
    for imp in importers.values() if isinstance(importers, dict) else []:
        if not isinstance(imp, dict):
            continue
        for key in ("dependencies", "devDependencies", "optionalDependencies"):
            if isinstance(imp.get(key), dict):
                direct.update(imp[key])
    out: list[Package] = []
    pkgs = data.get("packages") or {}
    for key in pkgs if isinstance(pkgs, dict) else []:
        m = _PNPM_KEY.match(str(key))
        if not m:
            continue
        name, version = m.group("name"), m.group("version")
        if not re.match(r"^\d", version):
            continue
        line = src.find_line(f"{key}:") or src.find_line(f"'{key}':")
        out.append(src.package(ECO, name, version, line, name in direct))
    return out
