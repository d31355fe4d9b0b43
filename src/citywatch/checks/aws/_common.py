"""Shared vocabulary of the AWS checks: compliance presets, policy documents, CIDRs, secrets.

Terraform and CloudFormation describe the same AWS API with different spellings; the helpers
here work on either, so each check module reads like the rule it enforces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from citywatch.checks.base import (
    MISSING,
    CheckContext,
    CheckFn,
    CheckResult,
    Failure,
    UnknownValue,
    attr,
    known,
    truthy,
)
from citywatch.checks.base import implements as _register
from citywatch.model import UNKNOWN, Check, Resource, restore_unknown_leaves

TF = "terraform"
CFN = "cloudformation"


def comp(
    nist: list[str], iso: list[str], soc2: list[str], cis: list[str] | None = None
) -> dict[str, list[str]]:
    """Compliance mapping in the shape every report expects."""
    out = {"nist_800_53": nist, "iso27001": iso, "soc2": soc2}
    if cis:
        out["cis_aws"] = cis
    return out


def at_rest(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["SC-28", "SC-12"], ["A.8.24"], ["CC6.1"], cis)


def in_transit(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["SC-8", "SC-13"], ["A.8.24", "A.8.20"], ["CC6.7"], cis)


def network_exposure(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["SC-7", "AC-4"], ["A.8.20", "A.8.22"], ["CC6.6"], cis)


def data_exposure(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["AC-3", "AC-21", "SC-7"], ["A.5.15", "A.8.3", "A.8.12"], ["CC6.1", "CC6.6"], cis)


def logging(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["AU-2", "AU-3", "AU-12"], ["A.8.15"], ["CC7.2"], cis)


def monitoring(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["SI-4", "AU-6"], ["A.8.16"], ["CC7.2", "CC7.3"], cis)


def backup(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["CP-9", "CP-10"], ["A.8.13"], ["A1.2"], cis)


def availability() -> dict[str, list[str]]:
    return comp(["CP-10", "SC-5"], ["A.8.14"], ["A1.2"])


def least_privilege(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["AC-6", "AC-3"], ["A.5.15", "A.8.2"], ["CC6.1", "CC6.3"], cis)


def authentication(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["IA-2", "IA-5"], ["A.8.5", "A.5.17"], ["CC6.1"], cis)


def secrets_exposure() -> dict[str, list[str]]:
    return comp(["IA-5", "SC-28"], ["A.5.17", "A.8.12"], ["CC6.1"])


def vulnerability_mgmt(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["RA-5", "SI-2"], ["A.8.8"], ["CC7.1"], cis)


def configuration(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["CM-6", "CM-2"], ["A.8.9"], ["CC7.1", "CC8.1"], cis)


def key_management(cis: list[str] | None = None) -> dict[str, list[str]]:
    return comp(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"], cis)


def integrity() -> dict[str, list[str]]:
    return comp(["CP-9", "SI-12", "SI-7"], ["A.8.13", "A.5.33"], ["A1.2", "CC6.1"])


# --- registration with precise locations ----------------------------------------------------


def where(res: Resource, path: str | None) -> str | None:
    """The deepest dotted path of `path` that the parser has a line for.

    Checks speak in attribute paths (`versioning.enabled`); Terraform's line map indexes blocks
    (`versioning.0.enabled`). Walking the map lets a finding point at the offending line, or at
    the closest enclosing block when the attribute itself is absent.
    """
    if not path or not res.line_map or path in res.line_map:
        return path
    found: str | None = None
    cur = ""
    for part in path.split("."):
        nxt = f"{cur}.{part}" if cur else part
        if nxt not in res.line_map:
            break
        cur = nxt
        if f"{cur}.0" in res.line_map and not part.isdigit():
            cur = f"{cur}.0"
        found = cur
    return found or path


def _relocate(res: Resource, result: CheckResult) -> CheckResult:
    if result is None:
        return None
    if isinstance(result, Failure):
        result.path = where(res, result.path)
        return result
    return [_relocate(res, f) for f in result if isinstance(f, Failure)]  # type: ignore[misc]


def implements(check: Check, framework: str, *kinds: str) -> Callable[[CheckFn], CheckFn]:
    """`base.implements`, with failure paths mapped onto the lines the parser recorded."""

    def wrap(fn: CheckFn) -> CheckFn:
        def located(res: Resource, ctx: CheckContext) -> CheckResult:
            return _relocate(res, fn(res, ctx))

        located.__name__ = getattr(fn, "__name__", "check")
        _register(check, framework, *kinds)(located)
        return fn

    return wrap


# --- connections -------------------------------------------------------------------------------


def connected(
    ctx: CheckContext,
    res: Resource,
    kind: str,
    match_attrs: Iterable[tuple[str, str]] = (),
) -> list[Resource]:
    """Resources of `kind` attached to `res`; CloudFormation ids are unique only per template."""
    found = ctx.referencing(res, kind, match_attrs=match_attrs)
    if res.framework == CFN:
        found = [r for r in found if r.location.path == res.location.path]
    return found


# --- simple attribute rules ------------------------------------------------------------------


def require(
    check: Check,
    framework: str,
    kinds: str | tuple[str, ...],
    path: str,
    message: str,
    *,
    ok: Callable[[Any], bool] = truthy,
    default: Any = None,
    applies: Callable[[Resource], bool] | None = None,
    unknown_is_set: bool = False,
) -> None:
    """Register an implementation that fails when `ok(value)` is false for one attribute.

    A missing attribute takes `default` (the AWS/provider default); an unknown one makes the
    result "unknown", unless `unknown_is_set`: for "a key / destination is configured" rules,
    a reference resolved only at apply time (`aws_kms_key.k.arn`, `!GetAtt Key.Arn`) is set.
    """
    kind_tuple = (kinds,) if isinstance(kinds, str) else kinds

    def rule(res: Resource, _ctx: CheckContext) -> Failure | None:
        if applies is not None and not applies(res):
            return None
        if unknown_is_set and present(res, path):
            return None
        value = attr(res, path, MISSING)
        if value is MISSING or value is None:
            value = default
        if value is None or not ok(value):
            return Failure(message.format(name=res.name, value=value), path)
        return None

    implements(check, framework, *kind_tuple)(rule)


def present(source: Resource | dict[str, Any], path: str) -> bool:
    """Whether an attribute is configured; a value known only at apply time counts as set.

    References to other resources (`aws_kms_key.main.arn`, `!Ref Key`) are unknown to a static
    scan but are never empty, so "is a KMS key configured?" has a known answer: yes.
    """
    try:
        value = attr(source, path, MISSING)
    except UnknownValue:
        return True
    if value is MISSING or value is None:
        return False
    if isinstance(value, (list, dict, str)):
        return len(value) > 0
    return True


def equals(*allowed: str) -> Callable[[Any], bool]:
    wanted = {a.lower() for a in allowed}

    def ok(value: Any) -> bool:
        return isinstance(known(value), str) and value.lower() in wanted

    return ok


def not_equals(*forbidden: str) -> Callable[[Any], bool]:
    banned = {f.lower() for f in forbidden}

    def ok(value: Any) -> bool:
        return not (isinstance(known(value), str) and value.lower() in banned)

    return ok


def is_false(value: Any) -> bool:
    return not truthy(value)


def non_empty(value: Any) -> bool:
    known(value)
    if isinstance(value, (list, dict, str)):
        return len(value) > 0
    return value is not None


def at_least(minimum: int) -> Callable[[Any], bool]:
    def ok(value: Any) -> bool:
        try:
            return int(known(value)) >= minimum
        except (TypeError, ValueError):
            return False

    return ok


def as_list(value: Any) -> list[Any]:
    if value is None or value is MISSING:
        return []
    if value is UNKNOWN:
        raise UnknownValue("<value>")
    return value if isinstance(value, list) else [value]


# --- IAM-style policy documents --------------------------------------------------------------


def policy_document(value: Any) -> dict[str, Any] | None:
    """A policy as a dict, from a JSON string (Terraform) or a mapping (CloudFormation).

    Leaves Terraform could not know (an apply-time ARN) come back as UNKNOWN, so each field
    decides on its own: a `*` Principal fails even when the Resource is unknown.
    """
    if value is None or value is MISSING:
        return None
    known(value)
    if isinstance(value, str):
        try:
            value = restore_unknown_leaves(json.loads(value))
        except (ValueError, RecursionError):
            return None
    return value if isinstance(value, dict) else None


def _no_unknown(value: Any) -> Any:
    """Unknown parts of a statement field make the verdict unknown (not a failure)."""
    if value is UNKNOWN or (isinstance(value, list) and any(v is UNKNOWN for v in value)):
        raise UnknownValue("<policy>")
    if isinstance(value, dict):
        for v in value.values():
            _no_unknown(v)
    return value


def statements(doc: dict[str, Any] | None) -> Iterator[tuple[int, dict[str, Any]]]:
    if not doc:
        return
    raw = doc.get("Statement")
    if raw is UNKNOWN or (isinstance(raw, list) and UNKNOWN in raw):
        raise UnknownValue("<policy>.Statement")
    items = raw if isinstance(raw, list) else [raw]
    for i, stmt in enumerate(items):
        if isinstance(stmt, dict):
            yield i, stmt


def allows(stmt: dict[str, Any]) -> bool:
    return str(_no_unknown(stmt.get("Effect", ""))).lower() == "allow"


def _strings(value: Any) -> list[str]:
    _no_unknown(value)
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v is not None]


def actions(stmt: dict[str, Any]) -> list[str]:
    return _strings(stmt.get("Action"))


def resources_of(stmt: dict[str, Any]) -> list[str]:
    return _strings(stmt.get("Resource"))


def principal_is_public(stmt: dict[str, Any]) -> bool:
    """Principal `*` (or AWS `*`) with no Condition narrowing who that is.

    Only the parts that can hold `*` are read: an apply-time `Federated` or `Service` value
    (an OIDC provider ARN built with `!Sub`) does not make the verdict unknown.
    """
    condition = stmt.get("Condition")
    if condition and condition is not UNKNOWN:
        return False
    principal = stmt.get("Principal")
    if principal is UNKNOWN:
        raise UnknownValue("<policy>.Principal")
    public = False
    if principal == "*":
        public = True
    elif isinstance(principal, dict):
        for key in ("AWS", "CanonicalUser"):
            if "*" in _strings(principal.get(key)):
                public = True
    if public and condition is UNKNOWN:
        raise UnknownValue("<policy>.Condition")
    return public


def flagged_statements(
    doc: dict[str, Any] | None, test: Callable[[dict[str, Any]], str | None]
) -> list[tuple[int, str]]:
    """(index, detail) of each statement `test` flags.

    A statement whose verdict is unknown (an apply-time principal) does not hide another that
    fails on what is known; it only makes the result unknown when nothing is flagged.
    """
    hits: list[tuple[int, str]] = []
    unsure: UnknownValue | None = None
    for i, stmt in statements(doc):
        try:
            detail = test(stmt)
        except UnknownValue as exc:
            unsure = exc
            continue
        if detail is not None:
            hits.append((i, detail))
    if not hits and unsure is not None:
        raise unsure
    return hits


def public_allow_statements(doc: dict[str, Any] | None) -> list[int]:
    def public(stmt: dict[str, Any]) -> str | None:
        return "" if allows(stmt) and principal_is_public(stmt) else None

    return [i for i, _detail in flagged_statements(doc, public)]


# --- network -----------------------------------------------------------------------------------

OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


def is_open_cidr(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in OPEN_CIDRS


def port_range_covers(protocol: Any, from_port: Any, to_port: Any, port: int | None) -> bool:
    """Whether a rule's protocol/port range admits `port` (None: admits every port)."""
    proto = str(known(protocol)).lower()
    if proto in ("-1", "all"):
        return True
    if proto not in ("tcp", "6", "udp", "17"):
        return False
    try:
        low = int(known(from_port)) if from_port is not None else 0
        high = int(known(to_port)) if to_port is not None else 65535
    except (TypeError, ValueError):
        return False
    if port is None:
        return low <= 0 and high >= 65535 or (low == -1 and high == -1)
    return low <= port <= high or (low == -1 and high == -1)


# --- secrets -----------------------------------------------------------------------------------

SECRET_NAME = re.compile(
    r"(?i)(passw(or)?d|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
    r"|credential|auth[_-]?key|client[_-]?secret)"
)
SECRET_VALUE = re.compile(
    r"(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|xox[baprs]-[0-9A-Za-z-]{10,}"
    r"|gh[pousr]_[0-9A-Za-z]{30,}|(?i:aws_secret_access_key)\s*[=:]\s*\S{20,})"
)
_INDIRECT = ("{{resolve:", "arn:aws:secretsmanager", "arn:aws:ssm", "${", "/aws/reference/")
# names that say the value points at a secret or describes one, rather than being it:
# DB_PASSWORD_PARAM, DB_SECRET_NAME, TOKEN_TTL_SECONDS, SECRETS_EXTENSION_HTTP_PORT (AWS's own)
_POINTER_NAME = re.compile(
    r"(?i)[_.-](name|arn|id|param|parameter|parameter_name|path|file|ttl|seconds|timeout|port"
    r"|header|issuer|url|uri|endpoint|enabled|days|length|region|prefix|location|type|provider"
    r"|field|version|version_stage)$"
)
# values that are an address of a secret, not its content: an SSM parameter path, a file path,
# a URL without user info
_POINTER_VALUE = re.compile(r"^(/[\w./-]+|https?://[^@\s]+|file://\S+)$")


# DATABASE_URL=postgres://app:hunter2@db:5432/app carries the password whatever its name
_URL_WITH_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@$]{3,}@")


def secret_value(name: str, value: Any) -> bool:
    """A variable that carries a literal secret (by its name, or by what the value looks like)."""
    if not isinstance(value, str) or value is UNKNOWN:
        return False
    text = value.strip()
    if len(text) < 4 or any(marker in text for marker in _INDIRECT):
        return bool(SECRET_VALUE.search(text))
    if SECRET_VALUE.search(text) or _URL_WITH_PASSWORD.search(text):
        return True
    if _POINTER_NAME.search(name) or _POINTER_VALUE.match(text):
        return False
    return bool(SECRET_NAME.search(name)) and text.lower() not in ("true", "false", "none", "null")


def secrets_in_text(text: Any) -> bool:
    """Credentials written into a script (user data): assignments of secret-named variables."""
    if not isinstance(text, str):
        return False
    if SECRET_VALUE.search(text):
        return True
    for match in re.finditer(r"(?im)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)", text):
        name, value = match.group(1), match.group(2).strip("'\"")
        if SECRET_NAME.search(name) and len(value) >= 6 and not value.startswith("$"):
            return True
    return False


def mask(value: str) -> str:
    return value[:2] + "****" if len(value) > 6 else "****"


def env_secret_failures(variables: Any, path: str, what: str) -> Iterator[Failure]:
    """Failures for each secret-looking entry of a name -> value mapping."""
    if variables is None or variables is MISSING:
        return
    known(variables)
    if not isinstance(variables, dict):
        return
    for name, value in variables.items():
        if value is UNKNOWN:
            continue
        if secret_value(str(name), value):
            yield Failure(
                f"{what} {name} holds a literal secret ({mask(str(value))})",
                f"{path}.{name}",
                key=str(name),
            )
