"""Import a detect-secrets `.secrets.baseline` so secrets already audited there stay quiet.

detect-secrets records each known secret as the SHA-1 of its value per file. A leak is in the
baseline when its file matches (the baseline path, relative to where detect-secrets ran, is a
suffix of ours) and the SHA-1 of the secret we found equals one recorded for that file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

BASELINE_NAME = ".secrets.baseline"


class BaselineError(ValueError):
    """The file is not a usable detect-secrets baseline; the message says why."""


def is_detect_secrets_baseline(path: Path) -> bool:
    """True when `path` is JSON with detect-secrets' `results` and `plugins_used` keys."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return b'"results"' in head and (b'"plugins_used"' in head or b'"generated_at"' in head)


class DetectSecretsBaseline:
    """Known (file, secret hash) pairs from a baseline."""

    def __init__(self, path: Path) -> None:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BaselineError(f"cannot read {path}: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BaselineError(f"{path} is not a JSON baseline: {exc}") from None
        results = doc.get("results") if isinstance(doc, dict) else None
        if not isinstance(results, dict):
            raise BaselineError(f"{path} has no 'results' object")
        self.by_file: dict[str, set[str]] = {}
        for filename, entries in results.items():
            if not isinstance(entries, list):
                continue
            hashes = {
                str(e["hashed_secret"]).lower()
                for e in entries
                if isinstance(e, dict) and isinstance(e.get("hashed_secret"), str)
            }
            if hashes:
                self.by_file[str(filename).replace("\\", "/").removeprefix("./")] = hashes
        self.count = sum(len(v) for v in self.by_file.values())

    def contains(self, path: str, secret: str) -> bool:
        digest = hashlib.sha1(secret.encode("utf-8", "surrogateescape")).hexdigest()
        norm = path.replace("\\", "/")
        for filename, hashes in self.by_file.items():
            if digest in hashes and (norm == filename or norm.endswith("/" + filename)):
                return True
        return False
