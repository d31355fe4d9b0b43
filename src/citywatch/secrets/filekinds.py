"""Which files the secret scanner reads, and how hard it looks at them.

- binary files (a NUL byte in the first 8 KiB, or a known binary extension) are skipped:
  regexes over compressed or compiled bytes only produce noise;
- vendored dependency trees (node_modules, vendor, site-packages...) are skipped: the secrets
  there are not yours to rotate, and they dwarf the code that is;
- lock files and minified bundles are scanned with the specific rules only: integrity hashes
  and mangled identifiers look random enough to fool the generic entropy rules, while a real
  token format (an AWS key, a GitHub token, a URL with a password) is still reported.
"""

from __future__ import annotations

import enum

_BINARY_GROUPS = (
    "png jpg jpeg gif bmp ico webp tif tiff psd svgz heic avif",  # images
    "zip gz tgz bz2 xz zst 7z rar tar jar war ear whl egg apk ipa aar nupkg gem",  # archives
    "exe dll so dylib a o obj lib bin class pyc pyo pyd wasm node",  # compiled code
    "pdf doc docx xls xlsx ppt pptx odt ods odp",  # documents
    "mp3 mp4 m4a wav ogg flac avi mov mkv webm ttf otf woff woff2 eot",  # media, fonts
    "sqlite db mdb dat pack idx lockb",  # databases
)
BINARY_EXTENSIONS = frozenset(ext for group in _BINARY_GROUPS for ext in group.split())

VENDORED_DIRS = frozenset(
    {"node_modules", "bower_components", "vendor", "site-packages", ".venv", "venv", "Pods",
     "Carthage", ".tox", ".nox", ".yarn", "jspm_packages"}
)  # fmt: skip

LOCK_FILES = frozenset(
    {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
     "Pipfile.lock", "Cargo.lock", "go.sum", "composer.lock", "Gemfile.lock", "gradle.lockfile",
     "packages.lock.json", "mix.lock", "pubspec.lock", "flake.lock", "uv.lock", "pdm.lock",
     "conan.lock", "Package.resolved", "deno.lock", "bun.lock"}
)  # fmt: skip

MINIFIED_SUFFIXES = (".min.js", ".min.css", ".min.mjs", "-min.js", ".bundle.js", ".chunk.js")
LONG_LINE = 1000


# secret scanners' own configuration: rule regexes, stopwords and hashes of known secrets
SCANNER_FILES = frozenset({".gitleaks.toml", ".gitleaksignore", ".secrets.baseline"})


class Kind(enum.Enum):
    SKIP_BINARY = "binary"
    SKIP_VENDORED = "vendored"
    SKIP_SCANNER_CONFIG = "scanner-config"
    RESTRICTED = "restricted"  # lock file or minified: specific rules only
    FULL = "full"


def classify(display: str, head: bytes) -> Kind:
    """Decide from the path and the first bytes how the file is scanned."""
    parts = display.replace("\\", "/").split("/")
    name = parts[-1]
    if any(p in VENDORED_DIRS for p in parts[:-1]):
        return Kind.SKIP_VENDORED
    if name in SCANNER_FILES:
        return Kind.SKIP_SCANNER_CONFIG
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in BINARY_EXTENSIONS or b"\x00" in head[:8192]:
        return Kind.SKIP_BINARY
    if name in LOCK_FILES or name.endswith(".lock"):
        return Kind.RESTRICTED
    low = name.lower()
    if low.endswith(MINIFIED_SUFFIXES) or low.endswith(".map"):
        return Kind.RESTRICTED
    if ext in ("js", "mjs", "cjs", "css", "json") and _long_lines(head):
        return Kind.RESTRICTED
    return Kind.FULL


def _long_lines(head: bytes) -> bool:
    """Minified: the first line of the head runs on for more than LONG_LINE bytes."""
    first = head.split(b"\n", 1)[0]
    return len(first) > LONG_LINE and len(head) > LONG_LINE


SKIPPED = frozenset({Kind.SKIP_BINARY, Kind.SKIP_VENDORED, Kind.SKIP_SCANNER_CONFIG})
