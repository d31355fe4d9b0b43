"""The secret detector: raw regex matches in, filtered and located leaks out.

Used the same way for working-tree files, git history patches and staged changes: give it
bytes and a path, get `Leak`s back. Everything that decides "this is not a leak" lives here:
entropy, the placeholder stop list, rule validators, allowlists and inline ignore comments.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from citywatch.secrets.allowlist import Candidate, CompiledAllowlist, is_placeholder
from citywatch.secrets.entropy import shannon
from citywatch.secrets.matcher import CompiledRule, Matcher, RawMatch
from citywatch.secrets.rule import Allowlist, Rule
from citywatch.secrets.validators import VALIDATORS, MatchContext

SUPPRESSED = object()


@dataclass(slots=True)
class Leak:
    """One secret found: which rule, where (1-based line), and the secret itself (never shown)."""

    rule_id: str
    secret: str
    line: int
    end_line: int
    path: str
    entropy: float
    commit: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _line_bounds(data: bytes, start: int, end: int) -> tuple[int, int]:
    ls = data.rfind(b"\n", 0, start) + 1
    le = data.find(b"\n", end)
    return ls, (len(data) if le < 0 else le)


def inline_ignored(line: bytes, rule_id: str) -> bool:
    """`gitleaks:allow`, `citywatch:ignore` or `citywatch:ignore:RULE-ID` on the line."""
    low = line.lower()
    if b"gitleaks:allow" in low:
        return True
    pos = low.find(b"citywatch:ignore")
    while pos >= 0:
        rest = line[pos + len(b"citywatch:ignore") :]
        if not rest.startswith(b":"):
            return True
        ids = rest[1:].split()[0] if rest[1:].split() else b""
        wanted = {i.strip().lower() for i in ids.decode("utf-8", "replace").split(",")}
        if rule_id.lower() in wanted:
            return True
        pos = low.find(b"citywatch:ignore", pos + 1)
    return False


class _Spans:
    """Disjoint spans already claimed by a leak, for O(log n) overlap checks."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        if i > 0 and self.ends[i - 1] > start:
            return True
        return i < len(self.starts) and self.starts[i] < end

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


class Detector:
    """Rules and allowlists compiled once, reused for every file, patch and process."""

    def __init__(
        self,
        rules: list[Rule],
        allowlists: list[Allowlist] | None = None,
        use_locator: bool = False,
    ) -> None:
        self.matcher = Matcher(rules, use_locator=use_locator)
        self.global_allowlists = [
            CompiledAllowlist(a) for a in allowlists or [] if not a.is_empty()
        ]
        self.rule_allowlists: dict[int, list[CompiledAllowlist]] = {
            cr.index: [CompiledAllowlist(a) for a in cr.rule.allowlists if not a.is_empty()]
            for cr in self.matcher.rules
        }

    @property
    def rules(self) -> list[CompiledRule]:
        return self.matcher.rules

    def path_allowed(self, path: str) -> bool:
        """A global path-only allowlist excludes the file before it is even read."""
        for al in self.global_allowlists:
            spec = al.spec
            only_paths = al.paths and not (spec.regexes or spec.stopwords or spec.commits)
            if only_paths and not al.target_rules and any(p.search(path) for p in al.paths):
                return True
        return False

    def scan(
        self,
        data: bytes,
        path: str,
        restricted: bool = False,
        commit: str | None = None,
    ) -> list[Leak]:
        """Every leak in `data`; of overlapping matches the first rule wins (specific first)."""
        raw = self.matcher.find(data, path, restricted)
        if not raw:
            return self._path_only(path, commit)
        raw.sort(key=lambda m: (self.matcher.rules[m.rule_index].rule.generic, m.rule_index))
        taken = _Spans()
        leaks: list[Leak] = []
        for m in raw:
            if taken.overlaps(m.start, m.end):
                continue
            leak = self._check(data, path, m, commit)
            if leak is SUPPRESSED:
                taken.add(m.start, m.end)  # the user cleared this text; no other rule reports it
                continue
            if not isinstance(leak, Leak):
                continue
            taken.add(m.start, m.end)
            leak.line = data.count(b"\n", 0, m.start) + 1
            leak.end_line = leak.line + data.count(b"\n", m.start, m.end)
            leaks.append(leak)
        leaks.extend(self._path_only(path, commit))
        leaks.sort(key=lambda lk: (lk.line, lk.rule_id))
        return leaks

    def _path_only(self, path: str, commit: str | None) -> list[Leak]:
        out: list[Leak] = []
        for cr in self.matcher.path_only_rules(path):
            cand = Candidate(cr.rule.id, "", "", "", path, commit)
            if self._allowed(cr, cand):
                continue
            out.append(Leak(cr.rule.id, path, 0, 0, path, 0.0, commit))
        return out

    def _check(
        self, data: bytes, path: str, m: RawMatch, commit: str | None
    ) -> Leak | object | None:
        """The leak, None when it is not a secret, SUPPRESSED when the user said so."""
        cr = self.matcher.rules[m.rule_index]
        rule = cr.rule
        secret = _decode(data[m.start : m.end])
        if is_placeholder(secret, rule.generic or rule.validator == "password"):
            return None
        ent = shannon(secret)
        if rule.entropy is not None and ent < rule.entropy:
            return None
        if rule.validator is not None:
            check = VALIDATORS.get(rule.validator)
            if check is not None and not check(secret, MatchContext(data, m.start, m.match_start)):
                return None
        ls, le = _line_bounds(data, m.match_start, m.match_end)
        line = data[ls:le]
        if inline_ignored(line, rule.id):
            return SUPPRESSED
        cand = Candidate(
            rule.id, secret, _decode(data[m.match_start : m.match_end]), _decode(line), path, commit
        )
        if self._allowed(cr, cand):
            return SUPPRESSED
        return Leak(rule.id, secret, 0, 0, path, round(ent, 2), commit)

    def _allowed(self, cr: CompiledRule, cand: Candidate) -> bool:
        for al in self.rule_allowlists.get(cr.index, ()):
            if al.allows(cand):
                return True
        return any(al.applies_to(cand.rule_id) and al.allows(cand) for al in self.global_allowlists)
