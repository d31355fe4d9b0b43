"""Load a Gitleaks `.gitleaks.toml`: rules, allowlists and `[extend]`, as Gitleaks documents them.

- a config's `[[rules]]` replace the built-in set unless `[extend] useDefault = true` (then the
  built-in rules are the base) or `[extend] path = "other.toml"` (that file is the base);
- a rule whose id is already in the base and that has no `regex`/`path` of its own extends the
  base rule (its keywords, allowlists, entropy are added); one with a regex replaces it;
- `[extend] disabledRules` removes base rules by id;
- `[allowlist]` (old single form) and `[[allowlists]]` (with optional `targetRules`) are global;
  `[rules.allowlist]` and `[[rules.allowlists]]` belong to one rule; each allowlist has
  `condition` (OR/AND), `commits`, `paths`, `regexes`, `regexTarget` (secret/match/line) and
  `stopwords`.
`severity` is accepted on a rule as a citywatch extension (default HIGH).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from citywatch.model import Severity
from citywatch.secrets.rule import Allowlist, Rule

CONFIG_NAMES = (".gitleaks.toml",)
MAX_EXTEND_DEPTH = 2


class SecretConfigError(ValueError):
    """A config that cannot be used; the message names the file and the problem."""


@dataclass(slots=True)
class SecretConfig:
    rules: list[Rule]
    allowlists: list[Allowlist] = field(default_factory=list)
    source: str = "builtin"


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SecretConfigError(f"{where} must be a list of strings")
    return tuple(value)


def _allowlist(data: Any, where: str, global_: bool) -> Allowlist:
    if not isinstance(data, dict):
        raise SecretConfigError(f"{where} must be a table")
    condition = str(data.get("condition", "OR")).upper()
    if condition not in ("OR", "AND"):
        raise SecretConfigError(f"{where}.condition must be OR or AND, not {condition!r}")
    target = str(data.get("regexTarget", "secret") or "secret")
    if target not in ("secret", "match", "line"):
        raise SecretConfigError(f"{where}.regexTarget must be secret, match or line")
    al = Allowlist(
        description=str(data.get("description", "")),
        condition=condition,
        commits=_strs(data.get("commits"), f"{where}.commits"),
        paths=_strs(data.get("paths"), f"{where}.paths"),
        regexes=_strs(data.get("regexes"), f"{where}.regexes"),
        regex_target=target,
        stopwords=_strs(data.get("stopwords"), f"{where}.stopwords"),
        target_rules=_strs(data.get("targetRules"), f"{where}.targetRules") if global_ else (),
    )
    if al.is_empty():
        raise SecretConfigError(f"{where} must contain at least one check")
    _check_regexes(al.paths, f"{where}.paths")
    _check_regexes(al.regexes, f"{where}.regexes")
    return al


def _check_regexes(patterns: tuple[str, ...], where: str) -> None:
    """A bad allowlist regex is a config error naming its place, not a crash later."""
    from citywatch.secrets.quiet_re2 import RegexError, compile_quiet

    for i, pattern in enumerate(patterns):
        try:
            compile_quiet(pattern)
        except RegexError as exc:
            raise SecretConfigError(f"{where}[{i}]: invalid regex: {exc}") from None


def _allowlists(table: dict[str, Any], where: str, global_: bool) -> list[Allowlist]:
    old, new = table.get("allowlist"), table.get("allowlists")
    if old is not None and new is not None:
        raise SecretConfigError(f"{where}: use either allowlist or allowlists, not both")
    if old is not None:
        return [_allowlist(old, f"{where}allowlist", global_)]
    if new is None:
        return []
    if not isinstance(new, list):
        raise SecretConfigError(f"{where}allowlists must be an array of tables")
    return [_allowlist(a, f"{where}allowlists[{i}]", global_) for i, a in enumerate(new)]


def _rule(data: Any, index: int, source: str) -> tuple[Rule, bool]:
    """The rule and whether it defines its own regex/path (False: it only extends a base rule)."""
    where = f"rules[{index}]"
    if not isinstance(data, dict):
        raise SecretConfigError(f"{where} must be a table")
    rid = data.get("id")
    if not isinstance(rid, str) or not rid:
        raise SecretConfigError(f"{where} has no id")
    regex = data.get("regex")
    path = data.get("path")
    if regex is not None and not isinstance(regex, str):
        raise SecretConfigError(f"rule {rid}: regex must be a string")
    if path is not None and not isinstance(path, str):
        raise SecretConfigError(f"rule {rid}: path must be a string")
    entropy = data.get("entropy")
    if entropy is not None and not isinstance(entropy, int | float):
        raise SecretConfigError(f"rule {rid}: entropy must be a number")
    group = data.get("secretGroup", 0)
    if not isinstance(group, int) or group < 0:
        raise SecretConfigError(f"rule {rid}: secretGroup must be a non-negative integer")
    try:
        severity = Severity.parse(str(data.get("severity", "HIGH")))
    except ValueError as exc:
        raise SecretConfigError(f"rule {rid}: {exc}") from None
    rule = Rule(
        id=rid,
        description=str(data.get("description", rid)),
        regex=regex or "",
        keywords=tuple(k.lower() for k in _strs(data.get("keywords"), f"rule {rid}.keywords")),
        severity=severity,
        secret_group=group,
        entropy=float(entropy) if entropy is not None else None,
        path=path or None,
        allowlists=tuple(_allowlists(data, f"rule {rid}.", False)),
        tags=_strs(data.get("tags"), f"rule {rid}.tags"),
        source=source,
    )
    return rule, bool(regex or path)


def _with_default_group(rule: Rule) -> Rule:
    """Gitleaks: with no secretGroup the secret is the first group if the regex has one."""
    if rule.secret_group or not rule.regex:
        return rule
    from citywatch.secrets.quiet_re2 import RegexError, compile_quiet

    try:
        groups = compile_quiet(rule.regex).groups
    except RegexError as exc:
        raise SecretConfigError(f"rule {rule.id}: invalid regex: {exc}") from None
    return replace(rule, secret_group=1 if groups >= 1 else 0)


def _merge(base: Rule, over: Rule) -> Rule:
    return replace(
        base,
        keywords=tuple(dict.fromkeys(base.keywords + over.keywords)),
        allowlists=base.allowlists + over.allowlists,
        entropy=over.entropy if over.entropy is not None else base.entropy,
        description=over.description if over.description != over.id else base.description,
    )


def _load(path: Path, depth: int, builtin: list[Rule]) -> SecretConfig:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SecretConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SecretConfigError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SecretConfigError(f"{path} is not valid TOML: {exc}") from None
    source = str(path)
    extend = doc.get("extend") or {}
    if not isinstance(extend, dict):
        raise SecretConfigError("[extend] must be a table")
    base = SecretConfig(rules=[], allowlists=[], source=source)
    if extend.get("useDefault") and extend.get("path"):
        raise SecretConfigError("[extend] useDefault and path cannot be used together")
    if extend.get("useDefault"):
        base = SecretConfig(rules=list(builtin), allowlists=[], source=source)
    elif extend.get("path"):
        if depth >= MAX_EXTEND_DEPTH:
            raise SecretConfigError(f"[extend] chains deeper than {MAX_EXTEND_DEPTH} at {path}")
        target = Path(str(extend["path"]))
        if not target.is_absolute() and not target.exists():
            target = path.parent / target
        base = _load(target, depth + 1, builtin)
    disabled = set(_strs(extend.get("disabledRules"), "[extend].disabledRules"))
    rules: dict[str, Rule] = {r.id: r for r in base.rules if r.id not in disabled}
    raw_rules = doc.get("rules") or []
    if not isinstance(raw_rules, list):
        raise SecretConfigError("rules must be an array of tables ([[rules]])")
    for i, data in enumerate(raw_rules):
        rule, complete = _rule(data, i, source)
        if not complete:
            if rule.id not in rules:
                raise SecretConfigError(f"rule {rule.id}: needs a regex or a path")
            rules[rule.id] = _merge(rules[rule.id], rule)
        else:
            rules[rule.id] = _with_default_group(rule)
    allowlists = base.allowlists + _allowlists(doc, "", True)
    return SecretConfig(rules=list(rules.values()), allowlists=allowlists, source=source)


def load_config(path: Path, builtin: list[Rule]) -> SecretConfig:
    """Parse `path` on top of `builtin` (used when it says `[extend] useDefault = true`)."""
    return _load(path, 0, builtin)


def find_config(roots: list[Path]) -> Path | None:
    """A `.gitleaks.toml` at the root of the first directory target that has one."""
    for root in roots:
        if root.is_dir():
            for name in CONFIG_NAMES:
                candidate = root / name
                if candidate.is_file():
                    return candidate
    return None
