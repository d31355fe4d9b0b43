"""Which of many keywords occur in a text, case-insensitively, in one pass.

Hyperscan (when installed) does this at several hundred MB/s; the fallback is an RE2 set over
the lower-cased text, about 3x slower here but with no native dependency beyond google-re2.
Both report the same set of keyword indices (a test checks they agree).
"""

from __future__ import annotations

from typing import Any

import re2

_hs: Any
try:  # optional accelerator: x86-64 wheels only
    import hyperscan as _hs
except ImportError:  # pragma: no cover - depends on the platform
    _hs = None

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 64 << 20


class KeywordIndex:
    """Compiled once per rule set; `hits(data)` returns the indices of keywords present."""

    def __init__(self, keywords: list[str], backend: str | None = None) -> None:
        self.keywords = [k.lower() for k in keywords]
        want = backend or ("hyperscan" if _hs is not None else "re2")
        self.backend = want if self.keywords else "none"
        self._set: Any = None
        self._db: Any = None
        self._scratch: Any = None
        if self.backend == "hyperscan":
            if _hs is None:
                raise ValueError("hyperscan is not installed")
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            flags = [_hs.HS_FLAG_CASELESS | _hs.HS_FLAG_SINGLEMATCH] * len(self.keywords)
            db.compile(
                expressions=[re2.escape(k.encode()) for k in self.keywords],
                ids=list(range(len(self.keywords))),
                elements=len(self.keywords),
                flags=flags,
            )
            self._db = db
        elif self.backend == "re2":
            s = re2.Set.SearchSet(_OPTIONS)
            for kw in self.keywords:
                s.Add(re2.escape(kw.encode()))
            s.Compile()
            self._set = s

    def hits(self, data: bytes, lower: bytes | None = None) -> set[int]:
        if self.backend == "hyperscan":
            if self._scratch is None:  # per process: scratch space is not shareable across forks
                self._scratch = _hs.Scratch(self._db)
            found: set[int] = set()

            def on_match(idx: int, start: int, end: int, flags: int, ctx: object) -> None:
                found.add(idx)

            self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
            return found
        if self.backend == "re2":
            return set(self._set.Match(data.lower() if lower is None else lower) or ())
        return set()

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("KeywordIndex is rebuilt per process, not pickled")


class LineLocator:
    """Lines where any of several single-line regexes may match, from one Hyperscan pass.

    Hyperscan reports match *ends* only (start offsets cost it 3x), which is enough to pick the
    lines on which RE2 then runs the real regex with its capture groups. Only for rules whose
    matches never span a newline. Compiling costs ~0.7 s here, so it happens on first use and
    only when the caller says the scan is big enough to repay it; if Hyperscan rejects the
    patterns, plain RE2 does all the work.
    """

    def __init__(self, patterns: dict[int, str]) -> None:
        self.ids: list[int] = list(patterns) if _hs is not None else []
        self._patterns = patterns
        self._db: Any = None
        self._scratch: Any = None
        self._failed = False

    def prepare(self) -> bool:
        """Compile now (before forking workers, so they share it); False when unavailable."""
        if self._db is None and not self._failed and self.ids:
            try:
                db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
                db.compile(
                    expressions=[self._patterns[i].encode() for i in self.ids],
                    ids=list(self.ids),
                    elements=len(self.ids),
                    flags=[_hs.HS_FLAG_MULTILINE] * len(self.ids),
                )
            except Exception:  # hyperscan.error: a construct it does not support
                self._failed = True
                self.ids = []
                return False
            self._db = db
        return self._db is not None

    def lines(self, data: bytes, wanted: set[int]) -> dict[int, list[tuple[int, int]]]:
        """For each wanted rule id: the (start, end) byte spans of lines holding a match end."""
        if not wanted or not self.prepare():
            return {}
        if self._scratch is None:
            self._scratch = _hs.Scratch(self._db)
        ends: dict[int, set[int]] = {}

        def on_match(idx: int, start: int, end: int, flags: int, ctx: object) -> None:
            if idx in wanted:
                ends.setdefault(idx, set()).add(end)

        self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
        out: dict[int, list[tuple[int, int]]] = {}
        n = len(data)
        for idx, positions in ends.items():
            spans: dict[int, int] = {}
            for end in positions:
                last = end - 1 if end > 0 and data[end - 1] == 0x0A else end
                ls = data.rfind(b"\n", 0, max(last, 0)) + 1
                le = data.find(b"\n", last)
                spans[ls] = n if le < 0 else le + 1  # keep the newline: it can end a match
            out[idx] = sorted(spans.items())
        return out

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("LineLocator is rebuilt per process, not pickled")
