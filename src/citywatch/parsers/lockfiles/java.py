"""Java: pom.xml (properties, `${project.version}`, dependencyManagement) and gradle.lockfile.

A pom's parent and imported BOMs live elsewhere (a repository), so versions that only they
define stay unresolved and are reported as such rather than guessed.
"""

from __future__ import annotations

import re

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockfileError, LockInput

ECO = "Maven"
_PROP = re.compile(r"\$\{([^}]+)\}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(node: ElementTree.Element, name: str) -> str:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _children(node: ElementTree.Element | None, name: str) -> list[ElementTree.Element]:
    if node is None:
        return []
    return [c for c in node if _local(c.tag) == name]


def _resolve(value: str, props: dict[str, str]) -> str:
    for _ in range(10):  # properties may refer to properties; cycles stop here
        new = _PROP.sub(lambda m: props.get(m.group(1), m.group(0)), value)
        if new == value:
            break
        value = new
    return value


def parse_pom(src: LockInput) -> list[Package]:
    try:
        root = ElementTree.fromstring(src.data)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise LockfileError(f"invalid XML: {exc}") from None
    if _local(root.tag) != "project":
        return []
    props: dict[str, str] = {}
    parent = next(iter(_children(root, "parent")), None)
    version = _child_text(root, "version") or (
        _child_text(parent, "version") if parent is not None else ""
    )
    group = _child_text(root, "groupId") or (
        _child_text(parent, "groupId") if parent is not None else ""
    )
    props.update({"project.version": version, "version": version, "project.groupId": group})
    if parent is not None:
        props["project.parent.version"] = _child_text(parent, "version")
    for node in _children(root, "properties"):
        for prop in node:
            props[_local(prop.tag)] = (prop.text or "").strip()
    managed: dict[str, str] = {}
    for dm in _children(root, "dependencyManagement"):
        for deps in _children(dm, "dependencies"):
            for dep in _children(deps, "dependency"):
                key = f"{_resolve(_child_text(dep, 'groupId'), props)}:" + _resolve(
                    _child_text(dep, "artifactId"), props
                )
                managed[key] = _resolve(_child_text(dep, "version"), props)
    out: list[Package] = []
    pos = 0
    for deps in _children(root, "dependencies"):
        for dep in _children(deps, "dependency"):
            gid = _resolve(_child_text(dep, "groupId"), props)
            aid = _resolve(_child_text(dep, "artifactId"), props)
            name = f"{gid}:{aid}"
            ver = _resolve(_child_text(dep, "version"), props) or managed.get(name, "")
            at = src.text.find(f">{_child_text(dep, 'artifactId')}<", pos)
            line = src.line_of(at) if at >= 0 else 0
            pos = max(pos, at)
            if not ver or "${" in ver or ver.startswith(("[", "(")):
                src.warn(f"version of {name} is not resolvable from this pom alone", line or None)
                continue
            scope = _child_text(dep, "scope") or "compile"
            out.append(src.package(ECO, name, ver, line, True, scope=scope))
    return out


def parse_gradle_lockfile(src: LockInput) -> list[Package]:
    out: list[Package] = []
    for number, raw in enumerate(src.text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("empty="):
            continue
        coords = line.split("=", 1)[0]
        parts = coords.split(":")
        if len(parts) != 3:
            continue
        out.append(src.package(ECO, f"{parts[0]}:{parts[1]}", parts[2], number))
    return out
