"""Go: go.mod (with `replace` and `// indirect`), go.sum, and the build info Go embeds in binaries.

Binaries are read as bytes, never executed: Go 1.18+ writes `\\xff Go buildinf:` followed by the
toolchain version and the module list (`path`/`mod`/`dep`/`=>` lines) as length-prefixed strings.
Older binaries store pointers instead; those are reported as unsupported.
"""

from __future__ import annotations

import re

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockfileError, LockInput

ECO = "Go"
BUILDINFO_MAGIC = b"\xff Go buildinf:"
BINARY_MAGICS = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"MZ")
_REQUIRE = re.compile(r"^(?P<path>\S+)\s+(?P<version>v\S+)(?P<rest>.*)$")


def _strip_comment(line: str) -> tuple[str, str]:
    code, _, comment = line.partition("//")
    return code.strip(), comment.strip()


def parse_go_mod(src: LockInput) -> list[Package]:
    requires: list[tuple[str, str, int, bool]] = []
    replaces: dict[str, tuple[str, str]] = {}
    block: str | None = None
    for number, raw in enumerate(src.text.splitlines(), 1):
        code, comment = _strip_comment(raw)
        if not code:
            continue
        if block:
            if code == ")":
                block = None
                continue
            stmt = code
            kind = block
        else:
            kind, _, stmt = code.partition(" ")
            stmt = stmt.strip()
            if stmt == "(":
                block = kind
                continue
        if kind == "require":
            m = _REQUIRE.match(stmt)
            if m:
                indirect = "indirect" in comment
                requires.append((m.group("path"), m.group("version"), number, not indirect))
        elif kind == "replace":
            old, arrow, new = stmt.partition("=>")
            if not arrow:
                continue
            old_path = old.split()[0] if old.split() else ""
            parts = new.split()
            if len(parts) == 2:
                replaces[old_path] = (parts[0], parts[1])
            elif len(parts) == 1:
                replaces[old_path] = (parts[0], "")  # a local directory: nothing to match
    out: list[Package] = []
    for path, version, line, direct in requires:
        new_path, new_version = replaces.get(path, (path, version))
        if not new_version:
            continue
        out.append(src.package(ECO, new_path, new_version, line, direct))
    return out


def parse_go_sum(src: LockInput) -> list[Package]:
    seen: set[tuple[str, str]] = set()
    out: list[Package] = []
    for number, raw in enumerate(src.text.splitlines(), 1):
        parts = raw.split()
        if len(parts) != 3:
            continue
        path, version = parts[0], parts[1]
        if version.endswith("/go.mod") or (path, version) in seen:
            continue
        seen.add((path, version))
        out.append(src.package(ECO, path, version, number))
    return out


def is_binary_head(head: bytes) -> bool:
    return head.startswith(BINARY_MAGICS)


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
    raise LockfileError("truncated build info")


def read_build_info(data: bytes) -> tuple[str, str] | None:
    """(Go version, module info text) from a binary's bytes, None when there is none."""
    at = data.find(BUILDINFO_MAGIC)
    if at < 0:
        return None
    header = data[at : at + 32]
    if len(header) < 32:
        raise LockfileError("truncated Go build info header")
    flags = header[15]
    if not flags & 0x2:
        raise LockfileError("Go build info from before Go 1.18 (pointer format) is not supported")
    pos = at + 32
    size, pos = _uvarint(data, pos)
    version = data[pos : pos + size].decode("utf-8", "replace")
    pos += size
    size, pos = _uvarint(data, pos)
    modinfo = data[pos : pos + size]
    if len(modinfo) >= 33:
        modinfo = modinfo[16:-16]  # sentinel bytes around the module info
    return version, modinfo.decode("utf-8", "replace")


def parse_go_binary(src: LockInput) -> list[Package]:
    info = read_build_info(src.data)
    if info is None:
        return []
    go_version, modinfo = info
    out: list[Package] = []
    if go_version.startswith("go"):
        version = go_version[2:].split()[0].split("-")[0].split("+")[0]
        out.append(src.package(ECO, "stdlib", version, 0, None, binary=True))
    last: Package | None = None
    for line in modinfo.splitlines():
        parts = line.split("\t")
        if parts[0] in ("mod", "dep") and len(parts) >= 3:
            direct = True if parts[0] == "mod" else None
            if parts[2] == "(devel)":
                last = None
                continue
            last = src.package(ECO, parts[1], parts[2], 0, direct, binary=True)
            out.append(last)
        elif parts[0] == "=>" and len(parts) >= 3 and last is not None:
            out[-1] = src.package(ECO, parts[1], parts[2], 0, last.direct, binary=True)
    return out
