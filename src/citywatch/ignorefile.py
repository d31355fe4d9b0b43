"""`.citywatchignore`: a YAML list of suppressions, each with a reason and an optional expiry.

    - id: CW-AWS-S3-001          # check id, glob or severity
      path: "legacy/**"          # optional glob on the reported path
      resource: aws_s3_bucket.x  # optional resource address (glob)
      reason: accepted risk, ticket SEC-12
      expires: 2027-01-31        # optional; after it the entry stops applying and says so

An entry that has expired is reported as a notice so that nobody relies on it silently.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citywatch.model import Finding
from citywatch.parsers.yamlsafe import decode_text, load_documents
from citywatch.selection import matches

IGNORE_FILE_NAME = ".citywatchignore"
_FIELDS = {"id", "path", "resource", "reason", "expires"}


@dataclass(slots=True)
class IgnoreRule:
    id: str
    reason: str
    path: str | None = None
    resource: str | None = None
    expires: dt.date | None = None
    line: int = 0

    def applies(self, finding: Finding) -> bool:
        if not matches(self.id, finding.check_id, finding.severity):
            return False
        if self.path is not None and not _path_match(finding.location.path, self.path):
            return False
        return not (
            self.resource is not None
            and not fnmatch.fnmatchcase(finding.resource or "", self.resource)
        )

    def describe(self) -> str:
        return f"ignore file: {self.reason}"


def _path_match(path: str, glob: str) -> bool:
    path = path.replace("\\", "/").removeprefix("./")
    glob = glob.removeprefix("./")
    if fnmatch.fnmatchcase(path, glob):
        return True
    if glob.endswith("/**") and (path + "/").startswith(glob[:-2]):
        return True
    return glob.startswith("**/") and fnmatch.fnmatchcase(path, glob[3:])


def find_ignore_file(targets: list[Path]) -> Path | None:
    for target in targets:
        base = target if target.is_dir() else target.parent
        candidate = base / IGNORE_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def load_ignore_file(
    path: Path, today: dt.date | None = None
) -> tuple[list[IgnoreRule], list[tuple[int | None, str]], list[str]]:
    """Rules that apply today, located errors, and notices for expired entries."""
    today = today or dt.date.today()
    errors: list[tuple[int | None, str]] = []
    notices: list[str] = []
    try:
        text = decode_text(path.read_bytes())
    except OSError as exc:
        return [], [(None, f"cannot read ignore file: {exc.strerror or exc}")], []
    except ValueError as exc:
        return [], [(None, f"ignore file: {exc}")], []
    loaded = load_documents(text)
    errors.extend((e.line, f"ignore file: {e.reason}") for e in loaded.errors)
    if not loaded.docs:
        return [], errors, notices
    doc = loaded.docs[0]
    entries: Any = doc.data
    if isinstance(entries, dict):
        entries = entries.get("ignores", entries.get("ignore"))
    if entries is None:
        return [], errors, notices
    if not isinstance(entries, list):
        return [], errors + [(doc.start_line, "ignore file must be a list of entries")], []
    rules: list[IgnoreRule] = []
    for i, entry in enumerate(entries):
        line = doc.line_map.get(str(i), doc.start_line)
        rule = _rule(entry, line, errors)
        if rule is None:
            continue
        if rule.expires is not None and rule.expires < today:
            notices.append(
                f"{path}:{line}: ignore for {rule.id} expired on "
                f"{rule.expires.isoformat()}; it no longer applies"
            )
            continue
        rules.append(rule)
    return rules, errors, notices


def _rule(entry: Any, line: int, errors: list[tuple[int | None, str]]) -> IgnoreRule | None:
    if not isinstance(entry, dict):
        errors.append((line, "ignore entry must be a mapping with id and reason"))
        return None
    unknown = sorted(str(k) for k in entry if k not in _FIELDS)
    if unknown:
        errors.append((line, f"ignore entry has unknown field(s): {', '.join(unknown)}"))
        return None
    if not entry.get("id") or not entry.get("reason"):
        errors.append((line, "ignore entry needs both 'id' and 'reason'"))
        return None
    expires: dt.date | None = None
    raw = entry.get("expires")
    if raw is not None:
        try:
            expires = dt.date.fromisoformat(str(raw))
        except ValueError:
            errors.append((line, f"ignore entry 'expires' is not a date (YYYY-MM-DD): {raw!r}"))
            return None
    return IgnoreRule(
        id=str(entry["id"]),
        reason=str(entry["reason"]),
        path=str(entry["path"]) if entry.get("path") is not None else None,
        resource=str(entry["resource"]) if entry.get("resource") is not None else None,
        expires=expires,
        line=line,
    )
