"""Alpine (apk) ordering, following apk-tools' token walk.

Tokens: digits (after `.`, a run of leading zeros compares as a negative "fraction" marker),
one letter, `_suffix[N]` where alpha/beta/pre/rc sort before the release and cvs/svn/git/hg/p
after, and `-rN` revisions. When one version runs out first it is older, unless the other
continues with a pre-release suffix.
"""

from __future__ import annotations

DIGIT_OR_ZERO, DIGIT, LETTER, SUFFIX, SUFFIX_NO, REVISION_NO, END, DOT_LETTER, INVALID = range(9)
# DOT_LETTER (`1.2.beta`) and INVALID are malformed: when the walks diverge they sort lowest
_PRE = ("alpha", "beta", "pre", "rc")
_POST = ("cvs", "svn", "git", "hg", "p")


class _Cursor:
    __slots__ = ("s", "i", "kind", "bad_revision")

    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0
        self.kind = DIGIT
        self.bad_revision = False

    def _next_kind(self) -> None:
        s, i, kind = self.s, self.i, self.kind
        if i >= len(s):
            self.kind = END
        elif kind in (DIGIT, DIGIT_OR_ZERO, DOT_LETTER) and s[i].islower():
            self.kind = LETTER
        elif kind == LETTER and s[i].isdigit():
            self.kind = DIGIT
        elif kind == SUFFIX and s[i].isdigit():
            self.kind = SUFFIX_NO
        elif s[i] == "." and s[i + 1 : i + 2].islower():
            self.kind, self.i = DOT_LETTER, i + 1
        elif s[i] == ".":
            self.kind, self.i = DIGIT_OR_ZERO, i + 1
        elif s[i] == "_":
            self.kind, self.i = SUFFIX, i + 1
        elif s[i] == "-" and s[i + 1 : i + 2] == "r":
            self.kind, self.i = REVISION_NO, i + 2
        else:
            self.bad_revision = s[i] == "-" or kind == REVISION_NO
            self.kind = INVALID

    def token(self) -> int:
        s, i, kind = self.s, self.i, self.kind
        value = 0
        next_kind = INVALID
        if kind == DIGIT_OR_ZERO and i < len(s) and s[i] == "0":
            while i < len(s) and s[i] == "0":
                i += 1
            value = -(i - self.i)
            next_kind = DIGIT
        elif kind in (DIGIT_OR_ZERO, DIGIT, SUFFIX_NO, REVISION_NO):
            while i < len(s) and s[i].isdigit():
                value = value * 10 + ord(s[i]) - 48
                i += 1
        elif kind == DOT_LETTER:
            value = 0
        elif kind == LETTER:
            value = ord(s[i])
            i += 1
        elif kind == SUFFIX:
            rest = s[i:]
            pre = next((k for k, w in enumerate(_PRE) if rest.startswith(w)), None)
            if pre is not None:
                value = pre - len(_PRE)
                i += len(_PRE[pre])
            else:
                post = next((k for k, w in enumerate(_POST) if rest.startswith(w)), None)
                if post is None:
                    self.kind = INVALID
                    return -1
                value = post
                i += len(_POST[post])
        else:
            self.kind = INVALID
            return -1
        self.i = i
        if i >= len(s):
            self.kind = END
        elif next_kind != INVALID:
            self.kind = next_kind
        else:
            self._next_kind()
        return value


def _revision_ok(version: str) -> bool:
    """False for a malformed `-r` revision part, which makes the whole version sort lowest."""
    cur = _Cursor(version)
    while cur.kind not in (END, INVALID):
        cur.token()
    return not cur.bad_revision


def compare(a: str, b: str) -> int:
    a, b = a.strip(), b.strip()
    ca, cb = _Cursor(a), _Cursor(b)
    av = bv = 0
    while ca.kind == cb.kind and ca.kind not in (END, INVALID) and av == bv:
        av = ca.token()
        bv = cb.token()
    if av != bv:
        return -1 if av < bv else 1
    if ca.kind == cb.kind:
        return 0
    valid_a, valid_b = _revision_ok(a), _revision_ok(b)
    if valid_a != valid_b:
        return 1 if valid_a else -1
    if not valid_a:
        return 0
    if ca.kind == SUFFIX and ca.token() < 0:
        return -1
    if cb.kind == SUFFIX and cb.token() < 0:
        return 1
    if ca.kind > cb.kind:
        return -1
    if cb.kind > ca.kind:
        return 1
    return 0
