"""RE2 compilation that never repeats the pattern.

RE2's C++ logger prints a rejected pattern in full to stderr, and its error text quotes the
offending part (`unexpected ): ghp_abc...)`); a user's rule or allowlist regex may hold a live
credential, so both are kept out of every message.
"""

from __future__ import annotations

from typing import Any

import re2


class RegexError(ValueError):
    """An invalid regex; the message names what is wrong, never the pattern."""


def quiet_options(max_mem: int | None = None) -> Any:
    options = re2.Options()
    options.log_errors = False
    if max_mem is not None:
        options.max_mem = max_mem
    return options


QUIET = quiet_options()


def reason(exc: Exception) -> str:
    """RE2's error kind without the quoted pattern fragment (`missing ]`, `unexpected )`)."""
    text = exc.args[0] if exc.args else ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    kind = str(text).split(":", 1)[0].strip()
    return kind or "invalid regex"


def compile_quiet(pattern: str | bytes, options: Any = None) -> Any:
    """`re2.compile` without logging; raises `RegexError` that does not quote the pattern."""
    try:
        return re2.compile(pattern, options if options is not None else QUIET)
    except re2.error as exc:
        raise RegexError(reason(exc)) from None
