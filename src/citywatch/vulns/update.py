"""`db update`: download OSV's per-ecosystem `all.zip` archives, then import them atomically.

The only module that touches the network, and only when the user runs `citywatch db update`.
A mirror (an internal HTTPS server or a `file://` folder laid out like OSV's bucket) can stand in.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from citywatch.vulns.db import ImportReport, cache_dir, import_paths

OSV_BASE = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = (
    "PyPI",
    "npm",
    "Go",
    "crates.io",
    "RubyGems",
    "Packagist",
    "Maven",
    "NuGet",
    "Hex",
    "Pub",
    "Debian",
    "Ubuntu",
    "Alpine",
)
MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024


def archive_url(ecosystem: str, base: str = OSV_BASE) -> str:
    return f"{base.rstrip('/')}/{urllib.parse.quote(ecosystem)}/all.zip"


def download(url: str, dest: Path, timeout: float = 60.0) -> int:
    """Stream `url` to `dest`; returns bytes written. Only http(s) and file URLs."""
    if urllib.parse.urlparse(url).scheme not in ("https", "http", "file"):
        raise ValueError(f"unsupported URL scheme in {url!r}")
    written = 0
    with urllib.request.urlopen(url, timeout=timeout) as resp, dest.open("wb") as out:  # noqa: S310
        while chunk := resp.read(1 << 20):
            written += len(chunk)
            if written > MAX_ARCHIVE_BYTES:
                raise ValueError(f"{url} is larger than {MAX_ARCHIVE_BYTES} bytes")
            out.write(chunk)
    return written


def update(
    ecosystems: list[str] | None = None,
    directory: Path | None = None,
    base: str = OSV_BASE,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Download each ecosystem's archive and import them together (one atomic swap)."""
    chosen = list(ecosystems or DEFAULT_ECOSYSTEMS)
    root = cache_dir(directory) / "vulndb"
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".download-", dir=root))
    try:
        archives: list[Path] = []
        for eco in chosen:
            dest = work / f"{eco.replace('/', '_')}.zip"
            size = download(archive_url(eco, base), dest)
            if progress:
                progress(f"downloaded {eco}: {size / 1e6:.1f} MB")
            archives.append(dest)
        return import_paths(archives, directory, source="osv")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if os.path.exists(work):
            raise OSError(f"could not remove {work}")
