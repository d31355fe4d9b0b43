"""Small constructors that keep the rule tables short and their regexes uniform.

`token` rules have a distinctive prefix or shape and need no context; `assigned` rules are for
providers whose keys are plain hex/alnum, so the provider's name must appear in the variable
name the value is assigned to. All regexes are RE2 syntax (linear time, no look-around).
"""

from __future__ import annotations

import string

from citywatch.model import Severity
from citywatch.secrets.rule import Rule

# what may not follow a token: anything that could be part of it
END = string.ascii_letters + string.digits + "_-"
END64 = END + "+/="
# `name ... = value`, `name: value`, `"name": "value"`, `name := value`, `name => value`
ASSIGN = r"[\w.\-]{0,25}[ \t'\"\]]{0,3}(?:=|:|=>|:=|\?=|<-|,)[ \t'\"`]{0,5}"

SEV = {
    "C": Severity.CRITICAL,
    "H": Severity.HIGH,
    "M": Severity.MEDIUM,
    "L": Severity.LOW,
}


def token(
    id: str,
    description: str,
    body: str,
    keywords: list[str],
    sev: str,
    tp: list[str],
    fp: list[str] | None = None,
    entropy: float | None = None,
    end: str = END,
    validator: str | None = None,
) -> Rule:
    """A self-identifying token: `body` is the whole token regex, matched at a word start."""
    return Rule(
        id=id,
        description=description,
        regex=rf"({body})",
        head_forbidden=END,
        tail_forbidden=end,
        keywords=tuple(keywords),
        severity=SEV[sev],
        entropy=entropy,
        validator=validator,
        tp=tuple(tp),
        fp=tuple(fp or ()),
    )


def assigned(
    id: str,
    description: str,
    names: str,
    value: str,
    keywords: list[str],
    sev: str,
    tp: list[str],
    fp: list[str] | None = None,
    entropy: float | None = 3.0,
) -> Rule:
    """A value that only means something next to the provider's name (`DATADOG_API_KEY=...`)."""
    return Rule(
        id=id,
        description=description,
        regex=rf"(?i:{names}){ASSIGN}({value})(?:[^0-9A-Za-z_\-+/=.]|$)",
        line_local=True,
        keywords=tuple(keywords),
        severity=SEV[sev],
        entropy=entropy,
        tp=tuple(tp),
        fp=tuple(fp or ()),
    )


def raw(
    id: str,
    description: str,
    regex: str,
    keywords: list[str],
    sev: str,
    tp: list[str],
    fp: list[str] | None = None,
    entropy: float | None = None,
    group: int = 1,
    generic: bool = False,
    path: str | None = None,
    requires: str | None = None,
    validator: str | None = None,
    example_path: str = "example.txt",
    tail_forbidden: str = "",
    literals: tuple[str, ...] = (),
    line_local: bool = False,
) -> Rule:
    """Anything else: the regex is used as written; `group` is the secret's capture group."""
    return Rule(
        id=id,
        description=description,
        regex=regex,
        keywords=tuple(keywords),
        severity=SEV[sev],
        secret_group=group,
        entropy=entropy,
        generic=generic,
        path=path,
        requires=requires,
        validator=validator,
        example_path=example_path,
        tail_forbidden=tail_forbidden,
        literals=literals,
        line_local=line_local,
        tp=tuple(tp),
        fp=tuple(fp or ()),
    )


UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
UUID_T = "{h:8}-{h:4}-{h:4}-{h:4}-{h:12}"
