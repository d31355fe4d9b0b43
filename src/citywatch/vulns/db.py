"""The local OSV database: one SQLite file, indexed by (ecosystem, normalised package name).

Imports build a new file next to the old one and `os.replace` it into place, so an interrupted or
failed import leaves the previous database untouched and usable. Scans open the file read-only
and query one package name at a time: the database is never loaded into memory.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from citywatch.vulns.osv import Advisory, Affected, OsvError, affected_from_json, parse_advisory
from citywatch.vulns.versions import base_ecosystem, normalize_name

DB_NAME = "osv.sqlite3"
STALE_AFTER_DAYS = 7
MAX_ADVISORY_BYTES = 20 * 1024 * 1024
SCHEMA = """
CREATE TABLE IF NOT EXISTS advisory(
  id TEXT PRIMARY KEY, modified TEXT, withdrawn TEXT, aliases TEXT, meta TEXT, source TEXT);
CREATE TABLE IF NOT EXISTS affected(
  ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS affected_pkg ON affected(ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_adv ON affected(advisory_id);
CREATE TABLE IF NOT EXISTS source(name TEXT PRIMARY KEY, advisories INTEGER, imported_at TEXT);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
"""


class DatabaseMissing(RuntimeError):
    """No database yet: the user has to run `citywatch db import` or `citywatch db update`."""


class DatabaseUnusable(DatabaseMissing):
    """A file is there but is not a readable citywatch database (corrupt, truncated, foreign)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"{path} is not a usable vulnerability database ({reason}); rebuild it with "
            "`citywatch db import --replace PATH`, or delete it and run `citywatch db update`"
        )
        self.path = path


def _unusable(path: Path, exc: Exception) -> DatabaseUnusable:
    return DatabaseUnusable(path, str(exc))


def cache_dir(explicit: Path | None = None) -> Path:
    """--cache-dir, else $CITYWATCH_CACHE_DIR, else $XDG_CACHE_HOME/citywatch (~/.cache)."""
    if explicit is not None:
        return explicit
    env = os.environ.get("CITYWATCH_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "citywatch"


def db_path(directory: Path | None = None) -> Path:
    return cache_dir(directory) / "vulndb" / DB_NAME


@dataclass(slots=True)
class ImportReport:
    imported: int = 0
    skipped_withdrawn: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    path: Path | None = None


# ---------------------------------------------------------------- reading advisory sources


def _decode(name: str, data: bytes) -> object:
    if len(data) > MAX_ADVISORY_BYTES:
        raise OsvError(f"larger than {MAX_ADVISORY_BYTES} bytes")
    text = data.decode("utf-8")
    if name.endswith((".yaml", ".yml")):
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    return json.loads(text)


def _is_advisory_name(name: str) -> bool:
    return name.endswith((".json", ".yaml", ".yml")) and not name.rsplit("/", 1)[-1].startswith(".")


def iter_raw(path: Path) -> Iterator[tuple[str, object | Exception]]:
    """(where, decoded document or the error) for every advisory file under `path`."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and (_is_advisory_name(child.name) or child.suffix == ".zip"):
                yield from iter_raw(child)
        return
    if path.suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    where = f"{path}!{info.filename}"
                    if info.is_dir() or not _is_advisory_name(info.filename):
                        continue
                    if info.file_size > MAX_ADVISORY_BYTES:
                        yield where, OsvError("member too large")
                        continue
                    try:
                        yield where, _decode(info.filename, archive.read(info))
                    except Exception as exc:  # bad member: report it, keep the rest
                        yield where, exc
        except (zipfile.BadZipFile, OSError) as exc:
            yield str(path), exc
        return
    try:
        yield str(path), _decode(path.name, path.read_bytes())
    except Exception as exc:
        yield str(path), exc


def iter_advisories(path: Path) -> Iterator[tuple[str, Advisory | Exception]]:
    for where, raw in iter_raw(path):
        if isinstance(raw, Exception):
            yield where, raw
            continue
        docs = raw if isinstance(raw, list) else [raw]  # some mirrors ship arrays
        for doc in docs:
            try:
                yield where, parse_advisory(doc)
            except OsvError as exc:
                yield where, exc


# ---------------------------------------------------------------- writing


def _store(conn: sqlite3.Connection, adv: Advisory, source: str) -> None:
    conn.execute("DELETE FROM affected WHERE advisory_id = ?", (adv.id,))
    conn.execute(
        "INSERT OR REPLACE INTO advisory VALUES (?, ?, ?, ?, ?, ?)",
        (adv.id, adv.modified, adv.withdrawn, json.dumps(adv.aliases), adv.meta_json(), source),
    )
    rows = []
    for aff in adv.affected:
        if not aff.ecosystem or not aff.name:
            continue
        rows.append(
            (
                base_ecosystem(aff.ecosystem),
                normalize_name(aff.ecosystem, aff.name),
                adv.id,
                json.dumps(aff.to_json(), separators=(",", ":")),
            )
        )
    conn.executemany("INSERT INTO affected VALUES (?, ?, ?, ?)", rows)


def import_paths(
    paths: Iterable[Path],
    directory: Path | None = None,
    source: str = "import",
    replace: bool = False,
) -> ImportReport:
    """Import OSV files, folders or zip archives atomically into the database.

    With `replace` the new database holds only these sources (what `db update` does per run);
    otherwise the previous content is kept and advisories with the same id are replaced.
    """
    target = db_path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    report = ImportReport(path=target)
    try:
        if target.exists() and not replace:
            shutil.copyfile(target, tmp)
        else:
            tmp.unlink()
        conn = sqlite3.connect(tmp)
        try:
            try:
                conn.executescript(SCHEMA)
            except sqlite3.DatabaseError as exc:  # the previous file is damaged: keep it as is
                raise _unusable(target, exc) from None
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            for path in paths:
                count = 0
                for where, item in iter_advisories(path):
                    if isinstance(item, Exception):
                        report.errors.append((where, f"{type(item).__name__}: {item}"))
                        continue
                    _store(conn, item, source)
                    count += 1
                    if item.withdrawn:
                        report.skipped_withdrawn += 1
                report.imported += count
                conn.execute(
                    "INSERT OR REPLACE INTO source VALUES (?, "
                    "COALESCE((SELECT advisories FROM source WHERE name = ?), 0) + ?, ?)",
                    (f"{source}:{path}", f"{source}:{path}", count, _now()),
                )
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('built_at', ?)", (_now(),))
            conn.commit()
        finally:
            conn.close()
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return report


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- reading for scans


@dataclass(frozen=True, slots=True)
class AdvisoryInfo:
    id: str
    aliases: tuple[str, ...]
    withdrawn: str
    meta: dict[str, Any]


class VulnDB:
    """Read-only access, one indexed query per package name."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise DatabaseMissing(
                f"no vulnerability database at {path}: run `citywatch db import PATH` "
                "(offline, OSV files or zips) or `citywatch db update` (downloads OSV data)"
            )
        self.path = path
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._info: dict[str, AdvisoryInfo] = {}
        try:  # one cheap query per table a scan reads: a damaged file fails here, not mid-scan
            for table in ("meta", "advisory", "affected"):
                self._conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchall()  # noqa: S608
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise _unusable(path, exc) from None

    @classmethod
    def open(cls, directory: Path | None = None) -> VulnDB:
        return cls(db_path(directory))

    def close(self) -> None:
        self._conn.close()

    def lookup(self, ecosystem: str, name: str) -> list[tuple[str, Affected]]:
        """Every (advisory id, affected entry) for this package, any release of the ecosystem."""
        rows = self._conn.execute(
            "SELECT advisory_id, data FROM affected WHERE ecosystem = ? AND name = ?",
            (base_ecosystem(ecosystem), normalize_name(ecosystem, name)),
        ).fetchall()
        return [(adv_id, affected_from_json(json.loads(data))) for adv_id, data in rows]

    def info(self, advisory_id: str) -> AdvisoryInfo | None:
        cached = self._info.get(advisory_id)
        if cached is not None:
            return cached
        row = self._conn.execute(
            "SELECT id, aliases, withdrawn, meta FROM advisory WHERE id = ?", (advisory_id,)
        ).fetchone()
        if row is None:
            return None
        info = AdvisoryInfo(row[0], tuple(json.loads(row[1] or "[]")), row[2] or "", {})
        info.meta.update(json.loads(row[3] or "{}"))
        if len(self._info) < 50_000:
            self._info[advisory_id] = info
        return info

    def built_at(self) -> datetime | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'built_at'").fetchone()
        if not row:
            return None
        return datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

    def age_days(self) -> float | None:
        built = self.built_at()
        if built is None:
            return None
        return (datetime.now(UTC) - built).total_seconds() / 86400

    def status(self) -> dict[str, Any]:
        c = self._conn
        by_eco = c.execute(
            "SELECT ecosystem, COUNT(DISTINCT advisory_id) FROM affected GROUP BY ecosystem "
            "ORDER BY ecosystem"
        ).fetchall()
        sources = c.execute("SELECT name, advisories, imported_at FROM source ORDER BY name")
        built = self.built_at()
        age = self.age_days()
        return {
            "path": str(self.path),
            "size_bytes": self.path.stat().st_size,
            "advisories": c.execute("SELECT COUNT(*) FROM advisory").fetchone()[0],
            "withdrawn": c.execute(
                "SELECT COUNT(*) FROM advisory WHERE withdrawn != ''"
            ).fetchone()[0],
            "ecosystems": {eco: n for eco, n in by_eco},
            "sources": [{"name": n, "advisories": a, "imported_at": t} for n, a, t in sources],
            "built_at": built.strftime("%Y-%m-%dT%H:%M:%SZ") if built else None,
            "age_days": round(age, 2) if age is not None else None,
            "stale": age is not None and age > STALE_AFTER_DAYS,
        }
