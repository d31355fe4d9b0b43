"""What is never a secret: placeholders, and whatever the user's allowlists say.

Two layers: a built-in stop list of placeholder shapes (`example`, `changeme`, `xxxx`, `${VAR}`,
`<token>`) that applies to every rule, and Gitleaks-compatible allowlists (by path, regex,
stopword or commit, combined with OR or AND, targeting the secret, the match or the line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from citywatch.secrets.quiet_re2 import compile_quiet
from citywatch.secrets.rule import Allowlist

# substrings that mark a value as a placeholder, whatever rule matched it
PLACEHOLDER_WORDS: tuple[str, ...] = (
    "example",
    "xxxxxx",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "dummy",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "insert",
    "${",
    "{{",
    "$(",
    "%(",
    "<",
    ">",
    "****",
    "....",
)
# extra words for generic rules, where a word in the value is a strong placeholder signal
GENERIC_WORDS: tuple[str, ...] = (
    "test",
    "sample",
    "secret",
    "password",
    "token",
    "fake",
    "mock",
    "foobar",
    "lorem",
    "todo",
    "fixme",
)


# `{password}`, `{DB_PASS}`, `{p:18}`: a format-string field, filled in elsewhere
_FORMAT_FIELD = re.compile(r"\{[A-Za-z_][\w:.]*\}")


def is_placeholder(secret: str, generic: bool) -> bool:
    if _FORMAT_FIELD.search(secret):
        return True
    low = secret.lower()
    if low.count("x") * 3 >= len(low) > 3:  # AKIAXXXXXXXXXXXXXXXX, ghp_xxx..x
        return True
    if any(w in low for w in PLACEHOLDER_WORDS):
        return True
    return generic and any(w in low for w in GENERIC_WORDS)


@dataclass(slots=True)
class Candidate:
    """What an allowlist looks at for one match."""

    rule_id: str
    secret: str
    match: str
    line: str
    path: str
    commit: str | None


class CompiledAllowlist:
    """An `Allowlist` with its regexes compiled once (RE2, Go-compatible syntax)."""

    def __init__(self, spec: Allowlist) -> None:
        self.spec = spec
        self.paths = [compile_quiet(p) for p in spec.paths]
        self.regexes = [compile_quiet(r) for r in spec.regexes]
        self.stopwords = tuple(s.lower() for s in spec.stopwords)
        self.commits = frozenset(c.lower() for c in spec.commits)
        self.target_rules = frozenset(spec.target_rules)
        if spec.regex_target not in ("secret", "match", "line"):
            raise ValueError(
                f"regexTarget must be secret, match or line, not {spec.regex_target!r}"
            )

    def applies_to(self, rule_id: str) -> bool:
        return not self.target_rules or rule_id in self.target_rules

    def allows(self, c: Candidate) -> bool:
        """True when this allowlist says the candidate is not a leak."""
        checks: list[bool] = []
        if self.commits:
            checks.append(c.commit is not None and c.commit.lower() in self.commits)
        if self.paths:
            checks.append(any(p.search(c.path) for p in self.paths))
        if self.regexes:
            target = {"secret": c.secret, "match": c.match, "line": c.line}[self.spec.regex_target]
            checks.append(any(r.search(target) for r in self.regexes))
        if self.stopwords:
            low = c.secret.lower()
            checks.append(any(w in low for w in self.stopwords))
        if not checks:
            return False
        if self.spec.condition.upper() == "AND":
            return all(checks)
        return any(checks)
