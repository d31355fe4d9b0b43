"""Find raw rule matches in bytes: one keyword pass for every rule, then only the rules it woke.

The keyword pass is one scan for all keywords (Hyperscan, or an RE2 set: see `keywords`),
which is what keeps 200+ rules fast: most rules never run their own regex on a file that does
not mention their keyword, and token regexes start with their literal prefix so RE2 skips to
candidates with memchr.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citywatch.secrets.keywords import KeywordIndex, LineLocator
from citywatch.secrets.quiet_re2 import RegexError, compile_quiet, quiet_options
from citywatch.secrets.rule import Rule

# a file with more raw matches than this for one rule is hostile or generated: stop that rule
# there (and say so) rather than spend minutes validating a million look-alikes
MAX_MATCHES_PER_RULE = 5000

_OPTIONS = quiet_options(max_mem=64 << 20)


@dataclass(slots=True)
class RawMatch:
    rule_index: int
    start: int  # secret span in the scanned bytes
    end: int
    match_start: int  # whole-match span
    match_end: int


class CompiledRule:
    """A rule with its regexes compiled on first use.

    Built-in rules are compiled lazily: a pre-commit scan of a small change wakes a handful of
    rules, and compiling all of them would cost more than the scan. Rules from a user's config
    are compiled up front so a bad regex is reported before the scan starts.
    """

    __slots__ = ("rule", "index", "group", "head", "tail", "literals", "_compiled")

    def __init__(self, rule: Rule, index: int) -> None:
        self.rule = rule
        self.index = index
        self.group = rule.secret_group
        self.head = frozenset(rule.head_forbidden.encode())
        self.tail = frozenset(rule.tail_forbidden.encode())
        self.literals = tuple(lit.encode() for lit in rule.literals)
        self._compiled: tuple[Any, Any, Any] | None = None
        if rule.source != "builtin":
            self._compile()

    def _compile(self) -> tuple[Any, Any, Any]:
        if self._compiled is None:
            rule = self.rule
            try:
                regex = compile_quiet(rule.regex.encode(), _OPTIONS) if rule.regex else None
                path = compile_quiet(rule.path) if rule.path else None
                requires = compile_quiet(rule.requires.encode()) if rule.requires else None
            except RegexError as exc:
                raise ValueError(f"rule {rule.id}: invalid regex: {exc}") from None
            if regex is not None and self.group > regex.groups:
                raise ValueError(
                    f"rule {rule.id}: secretGroup {self.group} but the regex has {regex.groups}"
                )
            self._compiled = (regex, path, requires)
        return self._compiled

    @property
    def regex(self) -> Any:
        return self._compile()[0]

    @property
    def path(self) -> Any:
        return self._compile()[1]

    @property
    def requires(self) -> Any:
        return self._compile()[2]


def compile_rule(rule: Rule, index: int) -> CompiledRule:
    """Wrap one rule; raises `ValueError` naming the rule when a user rule's regex is bad."""
    return CompiledRule(rule, index)


class Matcher:
    """All rules compiled once; `find` returns every raw match in a file's bytes."""

    def __init__(
        self, rules: list[Rule], keyword_backend: str | None = None, use_locator: bool = False
    ) -> None:
        self.rules = [compile_rule(r, i) for i, r in enumerate(rules)]
        self.path_only = [cr for cr in self.rules if not cr.rule.regex and cr.rule.path]
        keywords: dict[str, int] = {}
        by_keyword: list[list[int]] = []
        self.always: list[int] = []
        for cr in self.rules:
            kws = [k.lower() for k in cr.rule.keywords if k]
            if not kws:
                self.always.append(cr.index)
                continue
            for kw in kws:
                if kw not in keywords:
                    keywords[kw] = len(by_keyword)
                    by_keyword.append([])
                by_keyword[keywords[kw]].append(cr.index)
        self.by_keyword = by_keyword
        self.keywords = list(keywords)
        self.keyword_index = keywords
        self.index = KeywordIndex(self.keywords, keyword_backend)
        self.truncated: list[str] = []  # rules that hit MAX_MATCHES_PER_RULE in the last find
        local = {
            cr.index: cr.rule.regex
            for cr in self.rules
            if cr.rule.line_local and cr.rule.regex and cr.rule.requires is None
        }
        self.locator = LineLocator(local)
        self.located: set[int] = set()
        if use_locator:
            self.enable_locator()

    def enable_locator(self) -> bool:
        """Locate single-line rules with Hyperscan from now on (compiles it: ~0.7 s)."""
        if self.locator.prepare():
            self.located = set(self.locator.ids)
        return bool(self.located)

    def candidates(
        self, data: bytes, path: str, restricted: bool, hits: set[int] | None = None
    ) -> list[CompiledRule]:
        """Rules whose keywords occur in `data` (case-insensitively) and whose path matches."""
        if hits is None:
            hits = self.index.hits(data)
        found: set[int] = set(self.always)
        for k in hits:
            found.update(self.by_keyword[k])
        out: list[CompiledRule] = []
        for i in sorted(found):
            cr = self.rules[i]
            if restricted and cr.rule.generic:
                continue
            if cr.rule.path is not None and not cr.path.search(path):
                continue
            if cr.literals and not all(lit in data for lit in cr.literals):
                continue
            out.append(cr)
        return out

    def find(self, data: bytes, path: str, restricted: bool = False) -> list[RawMatch]:
        """Every match of every candidate rule, in rule order then position."""
        hits = self.index.hits(data)
        self.truncated = []
        out: list[RawMatch] = []
        cands = self.candidates(data, path, restricted, hits)
        windows = self.locator.lines(data, {cr.index for cr in cands} & self.located)
        for cr in cands:
            if cr.regex is None:
                continue
            if cr.requires is not None and not cr.requires.search(data):
                continue
            if cr.index in self.located:
                matches = (
                    m
                    for ls, le in windows.get(cr.index, ())
                    for m in cr.regex.finditer(data, ls, le)
                )
            else:
                matches = cr.regex.finditer(data)
            count = 0
            for m in matches:
                count += 1
                if count > MAX_MATCHES_PER_RULE:
                    self.truncated.append(cr.rule.id)
                    break
                start, end = m.span(cr.group)
                if start < 0 or end <= start:
                    continue
                ms, me = m.span()
                if cr.head and ms > 0 and data[ms - 1] in cr.head:
                    continue  # the token does not start a word: part of a longer string
                if cr.tail and me < len(data) and data[me] in cr.tail:
                    continue  # the token runs on: it is part of a longer string
                out.append(RawMatch(cr.index, start, end, ms, me))
        return out

    def path_only_rules(self, path: str) -> list[CompiledRule]:
        """Gitleaks rules with a `path` and no `regex`: the file's presence is the finding."""
        return [cr for cr in self.path_only if cr.path.search(path)]
