"""OS packages of a container root filesystem or an image layer tarball.

dpkg `status` (and distroless `status.d/`), apk `installed`, and the RPM SQLite database
(`rpmdb.sqlite`, whose rows are RPM header blobs decoded here). Distro advisories are keyed by
*source* package, so packages carry the source name (the binary name is kept in `meta`), and the
ecosystem carries the release read from `etc/os-release` (`Debian:12`, `Alpine:v3.19`).
"""

from __future__ import annotations

import io
import os
import sqlite3
import struct
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockfileError, LockInput

DPKG_STATUS = "var/lib/dpkg/status"
DPKG_STATUS_D = "var/lib/dpkg/status.d/"
APK_INSTALLED = "lib/apk/db/installed"
RPM_SQLITE = "var/lib/rpm/rpmdb.sqlite"
OS_RELEASE = ("etc/os-release", "usr/lib/os-release")
DB_PATHS = (DPKG_STATUS, APK_INSTALLED, RPM_SQLITE)
MAX_MEMBER_BYTES = 64 * 1024 * 1024
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")


def parse_os_release(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            out[key.strip()] = value.strip().strip("\"'")
    return out


def ecosystem_for(os_release: dict[str, str], family: str) -> str:
    """The OSV ecosystem (with release) for an os-release; `family` is the package manager."""
    ident = os_release.get("ID", "").lower()
    version = os_release.get("VERSION_ID", "")
    if family == "apk":
        parts = version.split(".")
        if ident in ("wolfi", "chainguard"):
            return "Wolfi" if ident == "wolfi" else "Chainguard"
        return f"Alpine:v{parts[0]}.{parts[1]}" if len(parts) >= 2 else "Alpine"
    if family == "dpkg":
        if ident == "ubuntu":
            return f"Ubuntu:{version}" if version else "Ubuntu"
        major = version.split(".")[0]
        return f"Debian:{major}" if ident == "debian" and major else "Debian"
    names = {
        "almalinux": "AlmaLinux",
        "rocky": "Rocky Linux",
        "rhel": "Red Hat",
        "sles": "SUSE",
        "opensuse-leap": "openSUSE",
        "opensuse-tumbleweed": "openSUSE",
        "mageia": "Mageia",
        "openeuler": "openEuler",
    }
    name = names.get(ident, "Red Hat")
    major = version.split(".")[0]
    if name in ("AlmaLinux", "Rocky Linux", "Mageia") and major:
        return f"{name}:{major}"
    return name


def _paragraphs(text: str) -> list[tuple[int, dict[str, str]]]:
    out: list[tuple[int, dict[str, str]]] = []
    fields: dict[str, str] = {}
    start = 0
    last = ""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                out.append((start, fields))
            fields, last = {}, ""
            continue
        if not fields:
            start = number
        if line[0] in " \t":
            if last:
                fields[last] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if sep:
            last = key.strip()
            fields[last] = value.strip()
    if fields:
        out.append((start, fields))
    return out


def parse_dpkg_status(src: LockInput, ecosystem: str) -> list[Package]:
    out: list[Package] = []
    for line, fields in _paragraphs(src.text):
        status = fields.get("Status", "install ok installed")
        if not status.endswith(" installed") or "Package" not in fields:
            continue
        binary, version = fields["Package"], fields.get("Version", "")
        source, source_version = binary, version
        if fields.get("Source"):
            parts = fields["Source"].split()
            source = parts[0]
            if len(parts) > 1 and parts[1].startswith("("):
                source_version = parts[1].strip("()")
        if version:
            out.append(
                src.package(
                    ecosystem,
                    source,
                    source_version,
                    line,
                    None,
                    binary=binary,
                    binary_version=version,
                )
            )
    return out


def parse_apk_installed(src: LockInput, ecosystem: str) -> list[Package]:
    out: list[Package] = []
    for line, fields in _apk_records(src.text):
        name, version = fields.get("P"), fields.get("V")
        if name and version:
            origin = fields.get("o") or name
            out.append(src.package(ecosystem, origin, version, line, None, binary=name))
    return out


def _apk_records(text: str) -> list[tuple[int, dict[str, str]]]:
    out: list[tuple[int, dict[str, str]]] = []
    fields: dict[str, str] = {}
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                out.append((start, fields))
            fields = {}
            continue
        if not fields:
            start = number
        if len(line) > 2 and line[1] == ":":
            fields.setdefault(line[0], line[2:])
    if fields:
        out.append((start, fields))
    return out


_RPM_TAGS = {1000: "name", 1001: "version", 1002: "release", 1003: "epoch", 1044: "sourcerpm"}


def rpm_header(blob: bytes) -> dict[str, str]:
    """Decode the few tags needed from an RPM header blob (big-endian index + data store)."""
    if len(blob) < 8:
        raise LockfileError("truncated RPM header")
    count, size = struct.unpack(">II", blob[:8])
    base = 8 + 16 * count
    if count > 100_000 or base + size > len(blob):
        raise LockfileError("malformed RPM header")
    out: dict[str, str] = {}
    for i in range(count):
        tag, typ, offset, _n = struct.unpack(">IIII", blob[8 + 16 * i : 24 + 16 * i])
        name = _RPM_TAGS.get(tag)
        if name is None or offset >= size:
            continue
        at = base + offset
        if typ == 4:  # INT32
            out[name] = str(struct.unpack(">I", blob[at : at + 4])[0])
        elif typ in (6, 8, 9):  # STRING, STRING_ARRAY, I18NSTRING: first string
            end = blob.find(b"\0", at, base + size)
            out[name] = blob[at : end if end >= 0 else base + size].decode("utf-8", "replace")
    return out


def parse_rpm_sqlite(db_file: Path, src: LockInput, ecosystem: str) -> list[Package]:
    try:
        conn = sqlite3.connect(f"file:{db_file}?mode=ro&immutable=1", uri=True)
        try:
            rows = conn.execute("SELECT blob FROM Packages").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise LockfileError(f"cannot read RPM database: {exc}") from None
    out: list[Package] = []
    for (blob,) in rows:
        try:
            hdr = rpm_header(bytes(blob))
        except LockfileError as exc:
            src.warn(str(exc))
            continue
        if not hdr.get("name") or hdr["name"] == "gpg-pubkey" or not hdr.get("version"):
            continue
        version = f"{hdr['version']}-{hdr.get('release', '')}".rstrip("-")
        if hdr.get("epoch") and hdr["epoch"] != "0":
            version = f"{hdr['epoch']}:{version}"
        out.append(src.package(ecosystem, hdr["name"], version, 0, None))
    return out


def rootfs_of(path: Path, db_suffix: str) -> Path:
    return Path(str(path)[: -len(db_suffix)] or ".")


def read_os_release(root: Path) -> dict[str, str]:
    for rel in OS_RELEASE:
        try:
            return parse_os_release((root / rel).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return {}


def parse_rootfs_db(src: LockInput) -> list[Package]:
    """A package database found in a directory tree: read os-release from the same root."""
    posix = src.path.as_posix()
    for suffix in DB_PATHS:
        if posix.endswith(suffix):
            release = read_os_release(rootfs_of(src.path, suffix))
            return _parse_db(suffix, src, release, src.path)
    if DPKG_STATUS_D in posix:
        release = read_os_release(Path(posix.split(DPKG_STATUS_D)[0] or "."))
        return parse_dpkg_status(src, ecosystem_for(release, "dpkg"))
    return []


def _parse_db(
    suffix: str, src: LockInput, release: dict[str, str], db_file: Path | None
) -> list[Package]:
    if suffix == DPKG_STATUS:
        return parse_dpkg_status(src, ecosystem_for(release, "dpkg"))
    if suffix == APK_INSTALLED:
        return parse_apk_installed(src, ecosystem_for(release, "apk"))
    if db_file is None:
        return []
    return parse_rpm_sqlite(db_file, src, ecosystem_for(release, "rpm"))


def _norm(name: str) -> str:
    return str(PurePosixPath("/" + name.lstrip("./")))[1:]


def _walk_tar(
    tar: tarfile.TarFile, found: dict[str, bytes], depth: int, warn: Callable[[str], None]
) -> None:
    for member in tar:
        if not member.isfile():
            continue
        name = _norm(member.name)
        wanted = name in DB_PATHS or name in OS_RELEASE or name.startswith(DPKG_STATUS_D)
        nested = depth == 0 and (name.endswith(TAR_SUFFIXES) or name.startswith("blobs/"))
        if not (wanted or nested):
            continue
        if member.size > MAX_MEMBER_BYTES:
            warn(f"{name}: larger than {MAX_MEMBER_BYTES} bytes, skipped")
            continue
        fh = tar.extractfile(member)
        if fh is None:
            continue
        data = fh.read()
        if wanted:
            found[name] = data
        else:
            try:
                with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as inner:
                    _walk_tar(inner, found, depth + 1, warn)
            except (tarfile.TarError, OSError, EOFError):
                continue  # an image config or manifest blob, not a layer


def parse_layer_tarball(src: LockInput) -> list[Package]:
    """An image layer (or `docker save` archive of layers): later layers win, never extracted."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(src.path, mode="r:*") as tar:
            _walk_tar(tar, found, 0, src.warn)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise LockfileError(f"unreadable tar archive: {exc}") from None
    release: dict[str, str] = {}
    for rel in OS_RELEASE:
        if rel in found:
            release = parse_os_release(found[rel].decode("utf-8", "replace"))
            break
    out: list[Package] = []
    for name, data in sorted(found.items()):
        display = f"{src.display}!{name}"
        inner = LockInput(src.path, display, data)
        if name in (DPKG_STATUS, APK_INSTALLED):
            out.extend(_parse_db(name, inner, release, None))
        elif name.startswith(DPKG_STATUS_D):
            out.extend(parse_dpkg_status(inner, ecosystem_for(release, "dpkg")))
        elif name == RPM_SQLITE:
            fd, tmp = tempfile.mkstemp(suffix=".sqlite")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                out.extend(parse_rpm_sqlite(Path(tmp), inner, ecosystem_for(release, "rpm")))
            finally:
                os.unlink(tmp)
        src.warnings.extend(inner.warnings)
    return out


def is_tar_head(head: bytes) -> bool:
    return head[:2] == b"\x1f\x8b" or head[257:262] == b"ustar"
