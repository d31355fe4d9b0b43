"""Built-in check mechanism: metadata, implementations per framework, attribute access.

A check is one `Check` (metadata, id scheme `CW-<AREA>-<SERVICE>-<NNN>`, see docs/checks.md) with
one implementation per framework/resource type. Implementations are plain functions
`fn(resource, ctx) -> None | Failure | Iterable[Failure]`; returning nothing means pass.
Reading an attribute whose value is unknown raises `UnknownValue`, which the engine records as an
"unknown" result: a check never fails *because* a value could not be known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from citywatch.model import UNKNOWN, Check, Resource, Severity

MISSING: Any = object()


class UnknownValue(Exception):
    """Raised by `attr` when the path runs into a value unknown until apply time."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@dataclass(slots=True)
class Failure:
    message: str
    path: str | None = None  # dotted attribute path, used to point at the offending line
    key: str | None = None  # distinguishes several failures of one check on one resource


CheckResult = Failure | Iterable[Failure] | None
CheckFn = Callable[[Resource, "CheckContext"], CheckResult]


@dataclass(slots=True)
class Implementation:
    check: Check
    framework: str
    resource_types: tuple[str, ...]
    fn: CheckFn


@dataclass(slots=True)
class Registry:
    checks: dict[str, Check] = field(default_factory=dict)
    impls: list[Implementation] = field(default_factory=list)

    def by_type(self) -> dict[tuple[str, str], list[Implementation]]:
        out: dict[tuple[str, str], list[Implementation]] = {}
        for impl in self.impls:
            for rtype in impl.resource_types:
                out.setdefault((impl.framework, rtype), []).append(impl)
        return out


REGISTRY = Registry()


def define(
    id: str,
    title: str,
    severity: Severity | str,
    *,
    description: str = "",
    remediation: str,
    references: list[str] | None = None,
    compliance: dict[str, list[str]] | None = None,
) -> Check:
    """Declare a check's metadata once; attach implementations with `implements`."""
    if id in REGISTRY.checks:
        raise ValueError(f"check id {id} defined twice")
    sev = Severity.parse(severity) if isinstance(severity, str) else severity
    chk = Check(
        id=id,
        title=title,
        severity=sev,
        description=description or title,
        remediation=remediation,
        references=list(references or []),
        compliance={k: list(v) for k, v in (compliance or {}).items()},
    )
    REGISTRY.checks[id] = chk
    return chk


def implements(check: Check, framework: str, *resource_types: str) -> Callable[[CheckFn], CheckFn]:
    def wrap(fn: CheckFn) -> CheckFn:
        REGISTRY.impls.append(Implementation(check, framework, tuple(resource_types), fn))
        if framework not in check.frameworks:
            check.frameworks.append(framework)
        for rtype in resource_types:
            if rtype not in check.resource_types:
                check.resource_types.append(rtype)
        return fn

    return wrap


def _step(cur: Any, part: str) -> Any:
    if isinstance(cur, dict):
        return cur.get(part, MISSING)
    if isinstance(cur, list):
        if part.isdigit():
            idx = int(part)
            return cur[idx] if idx < len(cur) else MISSING
        # Terraform blocks are lists of one dict: let "versioning.enabled" reach inside
        if len(cur) == 1 and isinstance(cur[0], dict):
            return cur[0].get(part, MISSING)
        return MISSING
    return MISSING


def attr(source: Resource | dict[str, Any] | list[Any], path: str, default: Any = None) -> Any:
    """Read a dotted attribute path; raises UnknownValue if the path hits an unknown value."""
    cur: Any = source.attributes if isinstance(source, Resource) else source
    walked: list[str] = []
    for part in path.split("."):
        walked.append(part)
        if cur is UNKNOWN:
            raise UnknownValue(".".join(walked[:-1]))
        cur = _step(cur, part)
        if cur is MISSING:
            return default
    if cur is UNKNOWN:
        raise UnknownValue(path)
    return cur


def known(value: Any) -> Any:
    """Assert a value read some other way is known (raises UnknownValue otherwise)."""
    if value is UNKNOWN:
        raise UnknownValue("<value>")
    return value


def blocks(source: Resource | dict[str, Any], path: str) -> list[dict[str, Any]]:
    """A nested block (Terraform list-of-dicts or a plain dict) as a list of dicts."""
    value = attr(source, path)
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        out = []
        for item in value:
            if item is UNKNOWN:
                raise UnknownValue(path)
            if isinstance(item, dict):
                out.append(item)
        return out
    return []


def truthy(value: Any) -> bool:
    """Terraform/CloudFormation booleans arrive as bools or strings."""
    if value is UNKNOWN:
        raise UnknownValue("<value>")
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on", "enabled")
    return bool(value)


@dataclass(slots=True)
class CheckContext:
    """What an implementation may look at besides its own resource: the scan's other resources."""

    resources: list[Resource]
    _by_type: dict[str, list[Resource]] = field(default_factory=dict)
    _by_name: dict[str, Resource] = field(default_factory=dict)
    _referrers: dict[str, list[Resource]] = field(default_factory=dict)
    _value_index: dict[tuple[str, str], dict[Any, list[Resource]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for res in self.resources:
            self._by_type.setdefault(res.kind, []).append(res)
            self._by_name.setdefault(res.name, res)
            for ref in res.references:
                self._referrers.setdefault(ref, []).append(res)

    def of_type(self, kind: str) -> list[Resource]:
        return self._by_type.get(kind, [])

    def get(self, name: str) -> Resource | None:
        return self._by_name.get(name)

    def referencing(
        self, target: Resource, kind: str, *, match_attrs: Iterable[tuple[str, str]] = ()
    ) -> list[Resource]:
        """Resources of `kind` connected to `target`: by reference, or by equal literal values.

        `match_attrs` pairs (attribute on the other resource, attribute on target) let a
        `aws_s3_bucket_public_access_block { bucket = "logs" }` connect to the bucket named "logs"
        when no reference expression was used.
        """
        found = [r for r in self._referrers.get(target.name, []) if r.kind == kind]
        seen = {id(r) for r in found}
        for theirs, ours in match_attrs:
            wanted = _plain(target.attributes.get(ours))
            if wanted is None or wanted is UNKNOWN or not _hashable(wanted):
                continue
            for other in self._values(kind, theirs).get(wanted, ()):
                if id(other) not in seen:
                    seen.add(id(other))
                    found.append(other)
        return found

    def _values(self, kind: str, attribute: str) -> dict[Any, list[Resource]]:
        """Resources of `kind` by the literal value of one attribute, built once per pair."""
        key = (kind, attribute)
        index = self._value_index.get(key)
        if index is None:
            index = {}
            for res in self.of_type(kind):
                value = _plain(res.attributes.get(attribute))
                if value is not None and value is not UNKNOWN and _hashable(value):
                    index.setdefault(value, []).append(res)
            self._value_index[key] = index
        return index


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _plain(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value
