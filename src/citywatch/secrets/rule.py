"""One secret rule: the regex that finds a credential plus what keeps it quiet on look-alikes.

Rules are plain data so the built-in set, a user's `.gitleaks.toml` and tests all speak the same
shape. `tp`/`fp` hold example *templates* (see `citywatch.secrets.synth`), never literal secrets,
so this repository does not trip secret scanners, ours included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from citywatch.model import Severity


@dataclass(frozen=True, slots=True)
class Allowlist:
    """Gitleaks-style allowlist: a finding matching it (any field, or all with AND) is dropped."""

    description: str = ""
    condition: str = "OR"
    commits: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    regex_target: str = "secret"
    stopwords: tuple[str, ...] = ()
    target_rules: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.commits or self.paths or self.regexes or self.stopwords)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    regex: str
    keywords: tuple[str, ...]
    severity: Severity = Severity.HIGH
    secret_group: int = 1
    entropy: float | None = None
    # generic rules are loose by nature: skipped in lock and minified files, lowest priority
    generic: bool = False
    # a path regex the file must match (gitleaks `path`); a rule with no regex reports the file
    path: str | None = None
    # a regex that must also match somewhere in the same file (e.g. `kind: Secret`)
    requires: str | None = None
    # name of an extra check in `citywatch.secrets.validators`
    validator: str | None = None
    allowlists: tuple[Allowlist, ...] = ()
    tp: tuple[str, ...] = ()
    fp: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)
    # characters that may not directly follow the match (a zero-width "token ends here" check,
    # which RE2 cannot express without consuming the next character)
    tail_forbidden: str = ""
    # characters that may not directly precede the match: a token must start a word. Checked
    # after the match so the regex can start with its literal prefix, which RE2 finds with
    # memchr at gigabytes per second (a leading character class would cost 20x that)
    head_forbidden: str = ""
    # no match can span a newline: matches may be located line by line (see keywords.LineLocator)
    line_local: bool = False
    # case-sensitive substrings that every match contains: a file lacking one is skipped
    literals: tuple[str, ...] = ()
    # the path examples are scanned under (matters for rules with a `path`)
    example_path: str = "example.txt"
    source: str = "builtin"
