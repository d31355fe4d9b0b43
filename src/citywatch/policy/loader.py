"""Load policies from files, directories and OPA bundles into one compiled `PolicySet`.

What a path may hold:
- `*.rego` modules (any syntax version), compiled together into one engine so packages can
  import each other, as `opa` and Conftest do;
- `data.json` / `data.yaml` anywhere in a directory or bundle: base data mounted at the
  directory's path (`policies/k8s/data.json` -> `data.k8s`), as in an OPA bundle;
- OPA bundles (`.tar.gz`): the same, read in memory (`.manifest` and signatures ignored);
- YAML/JSON documents: Gatekeeper ConstraintTemplates and constraints, Kubernetes
  ValidatingAdmissionPolicies and bindings, citywatch `CELPolicy` documents, and the test
  documents `citywatch policy test` runs (`CELPolicyTest`, gator `Suite`).

A file named on the command line that holds no policy is an error; in a directory, YAML files
that are not policies (test inputs, examples) are skipped. Every problem is a located
PolicyLoadError collected in `PolicySet.errors`: one broken policy never hides the others.
"""

from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from citywatch.options import MAX_FILE_BYTES
from citywatch.parsers.yamlsafe import YamlDocument, decode_text, load_documents
from citywatch.policy.base import Policy
from citywatch.policy.celpolicy import CelPolicy, is_cel_policy
from citywatch.policy.conftest import RegoPackagePolicy, build_package_policies, is_decision_rule
from citywatch.policy.errors import PolicyError, PolicyLoadError
from citywatch.policy.gatekeeper import (
    ConstraintPolicy,
    Template,
    is_constraint,
    is_template,
    load_constraint,
    load_template,
)
from citywatch.policy.gator import is_suite
from citywatch.policy.rego import RegoEngine
from citywatch.policy.regosource import RegoModule, parse_module
from citywatch.policy.vap import (
    AdmissionPolicy,
    BoundAdmissionPolicy,
    is_binding,
    is_vap,
    load_binding,
    load_policy,
)

YAML_SUFFIXES = (".yaml", ".yml", ".json")
BUNDLE_SUFFIXES = (".tar.gz", ".tgz")
DATA_FILES = ("data.json", "data.yaml", "data.yml")
CEL_TEST_KIND = "CELPolicyTest"


@dataclass(slots=True)
class PolicySet:
    """Everything loaded for one run: compiled policies, test documents, located errors."""

    policies: list[Policy] = field(default_factory=list)
    errors: list[PolicyError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rego: RegoEngine = field(default_factory=RegoEngine)
    modules: list[RegoModule] = field(default_factory=list)
    cel_tests: list[tuple[str, YamlDocument]] = field(default_factory=list)
    suites: list[Path] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    admission_policies: dict[str, AdmissionPolicy] = field(default_factory=dict)


@dataclass(slots=True)
class _Collected:
    modules: list[RegoModule] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    docs: list[tuple[str, YamlDocument]] = field(default_factory=list)
    cel_tests: list[tuple[str, YamlDocument]] = field(default_factory=list)
    suites: list[Path] = field(default_factory=list)
    errors: list[PolicyError] = field(default_factory=list)


def _mount(data: dict[str, Any], prefix: tuple[str, ...], value: Any, display: str) -> None:
    if not prefix:
        if not isinstance(value, dict):
            raise PolicyLoadError(display, "top-level data must be an object")
        for key, sub in value.items():
            _mount(data, (str(key),), sub, display)
        return
    cur = data
    for part in prefix[:-1]:
        nxt = cur.setdefault(part, {})
        if not isinstance(nxt, dict):
            raise PolicyLoadError(display, f"data conflict at {'.'.join(prefix)}")
        cur = nxt
    last = prefix[-1]
    if isinstance(cur.get(last), dict) and isinstance(value, dict):
        for key, sub in value.items():
            _mount(cur[last], (str(key),), sub, display)
    else:
        cur[last] = value


def _decode(raw: bytes, display: str) -> str:
    try:
        return decode_text(raw)
    except ValueError as exc:
        raise PolicyLoadError(display, str(exc)) from None


def _add_file(
    out: _Collected,
    display: str,
    name: str,
    raw: bytes,
    data_prefix: tuple[str, ...],
    explicit: bool,
) -> None:
    lower = name.lower()
    if lower.endswith(".rego"):
        out.modules.append(parse_module(display, _decode(raw, display)))
        return
    if lower in DATA_FILES:
        text = _decode(raw, display)
        try:
            value = json.loads(text) if lower.endswith(".json") else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise PolicyLoadError(display, f"data file is not valid: {exc}") from None
        _mount(out.data, data_prefix, value if value is not None else {}, display)
        return
    if not lower.endswith(YAML_SUFFIXES):
        if explicit:
            raise PolicyLoadError(display, "not a policy file (.rego, .yaml, .yml, .json, bundle)")
        return
    loaded = load_documents(_decode(raw, display))
    if loaded.errors:
        # a broken YAML file among policies may be a broken policy: never skip it silently
        err = loaded.errors[0]
        raise PolicyLoadError(display, f"invalid YAML: {err.reason}", err.line)
    found = 0
    for doc in loaded.docs:
        data = doc.data
        if is_suite(data):
            found += 1
            out.suites.append(Path(display))
        elif isinstance(data, dict) and data.get("kind") == CEL_TEST_KIND:
            found += 1
            out.cel_tests.append((display, doc))
        elif (
            is_template(data)
            or is_constraint(data)
            or is_vap(data)
            or is_binding(data)
            or is_cel_policy(data)
        ):
            found += 1
            out.docs.append((display, doc))
    if explicit and not found:
        raise PolicyLoadError(display, "no policy documents in this file")


def _collect_bundle(out: _Collected, path: Path, max_bytes: int) -> None:
    with tarfile.open(path, "r:gz") as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if not member.isfile():
                continue
            rel = PurePosixPath(member.name.lstrip("./"))
            display = f"{path}!/{rel}"
            if member.size > max_bytes:
                out.errors.append(PolicyLoadError(display, f"larger than {max_bytes} bytes"))
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            with handle:
                raw = handle.read(max_bytes + 1)
            try:
                _add_file(out, display, rel.name, raw, tuple(rel.parent.parts), explicit=False)
            except PolicyError as exc:
                out.errors.append(exc)


def _collect(out: _Collected, path: Path, max_bytes: int) -> None:
    if not path.exists():
        out.errors.append(PolicyLoadError(str(path), "policy path does not exist"))
        return
    files: list[tuple[Path, tuple[str, ...], bool]] = []
    if path.is_file():
        files.append((path, (), True))
    else:
        for file in sorted(path.rglob("*")):
            rel = file.relative_to(path)
            if any(part.startswith(".") for part in rel.parts) or not file.is_file():
                continue
            files.append((file, tuple(rel.parent.parts), False))
    for file, prefix, explicit in files:
        display = str(file)
        try:
            if file.name.lower().endswith(BUNDLE_SUFFIXES):
                _collect_bundle(out, file, max_bytes)
                continue
            size = file.stat().st_size
            if size > max_bytes:
                raise PolicyLoadError(display, f"policy file larger than {max_bytes} bytes")
            _add_file(out, display, file.name, file.read_bytes(), prefix, explicit)
        except PolicyError as exc:
            out.errors.append(exc)
        except (OSError, tarfile.TarError) as exc:
            out.errors.append(PolicyLoadError(display, f"cannot read: {exc}"))


def builtin_checks_data() -> dict[str, Any]:
    """`data.citywatch.checks[id]`: metadata of every built-in check, so a policy can reuse
    their titles, severities and compliance mappings."""
    from citywatch.checks import load_all

    return {"citywatch": {"checks": {c.id: c.to_dict() for c in load_all().checks.values()}}}


def load_policies(
    paths: list[Path],
    namespaces: list[str] | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    builtin_checks: bool = True,
) -> PolicySet:
    """Load and compile every policy under `paths`; errors are collected, never raised."""
    out = _Collected()
    for path in paths:
        _collect(out, Path(path), max_bytes)
    if builtin_checks and out.modules:
        if "citywatch" in out.data:
            out.errors.append(
                PolicyLoadError(str(paths[0]), "data.citywatch is reserved for built-in checks")
            )
        else:
            try:
                out.data.update(builtin_checks_data())
            except Exception as exc:  # a broken check module must not disable all policies
                out.errors.append(
                    PolicyLoadError("<built-in checks>", f"not available as data: {exc}")
                )
    result = PolicySet(
        errors=list(out.errors),
        cel_tests=out.cel_tests,
        suites=out.suites,
        modules=[],
        data=out.data,
    )
    _build_rego(result, out, namespaces or [])
    _build_documents(result, out.docs)
    return result


def _build_rego(result: PolicySet, out: _Collected, namespaces: list[str]) -> None:
    for module in out.modules:
        try:
            result.rego.add_module(module)
            result.modules.append(module)
        except PolicyError as exc:
            result.errors.append(exc)
    if out.data:
        result.rego.add_data(out.data)
    policies, errors = build_package_policies(result.rego, result.modules, namespaces)
    result.policies.extend(policies)
    result.errors.extend(errors)
    if not namespaces:
        result.notices.extend(_unselected_packages(result.modules, policies, errors))


def _unselected_packages(
    modules: list[RegoModule], policies: list[RegoPackagePolicy], errors: list[PolicyError]
) -> list[str]:
    """Packages with deny/warn/violation rules that the default selection leaves out.

    Conftest silently evaluates only `main`; a policy that never runs must be said aloud.
    """
    running = {p.package for p in policies}
    broken = {e.path for e in errors}
    skipped = sorted(
        {
            m.package
            for m in modules
            if m.package not in running
            and m.display not in broken
            and any(is_decision_rule(r.name) for r in m.rules)
        }
    )
    return [
        f"Rego package {pkg} has deny/warn/violation rules but does not run: name it `main`, "
        "give it METADATA with custom.id, or select it with --policy-namespace"
        for pkg in skipped
    ]


def _build_documents(result: PolicySet, docs: list[tuple[str, YamlDocument]]) -> None:
    templates: dict[str, Template] = {}
    constraints = []
    vaps: dict[str, AdmissionPolicy] = {}
    bindings = []
    for display, doc in docs:
        data = doc.data
        try:
            if is_template(data):
                template = load_template(doc, display)
                templates[template.kind] = template
            elif is_constraint(data):
                constraints.append(load_constraint(doc, display))
            elif is_vap(data):
                vap = load_policy(doc, display)
                vaps[vap.name] = vap
            elif is_binding(data):
                bindings.append(load_binding(doc, display))
            elif is_cel_policy(data):
                result.policies.append(CelPolicy(doc, display))
        except PolicyError as exc:
            result.errors.append(exc)
    used: set[str] = set()
    for constraint in constraints:
        owner = templates.get(constraint.kind)
        if owner is None:
            result.errors.append(
                PolicyLoadError(
                    constraint.display,
                    f"no ConstraintTemplate defines kind {constraint.kind} "
                    f"(constraint {constraint.name!r}); pass the template with --policy",
                    constraint.line,
                )
            )
            continue
        used.add(owner.kind)
        try:
            result.policies.append(ConstraintPolicy(owner, constraint))
        except PolicyError as exc:
            result.errors.append(exc)
    for kind in sorted(set(templates) - used):
        result.notices.append(f"ConstraintTemplate {kind} has no constraint: nothing to enforce")
    result.admission_policies = vaps
    bound: set[str] = set()
    for binding in bindings:
        target = vaps.get(binding.policy_name)
        if target is None:
            result.errors.append(
                PolicyLoadError(
                    binding.display,
                    f"binding {binding.name!r} names unknown policy {binding.policy_name!r}",
                    binding.line,
                )
            )
            continue
        bound.add(target.name)
        try:
            result.policies.append(BoundAdmissionPolicy(target, binding))
        except PolicyError as exc:
            result.errors.append(exc)
    for name in sorted(set(vaps) - bound):
        result.notices.append(f"ValidatingAdmissionPolicy {name} has no binding: not enforced")


def read_documents(path: Path) -> list[Any]:
    """Input documents for `policy eval`/tests: every YAML/JSON document in a file."""
    text = _decode(path.read_bytes(), str(path))
    if path.suffix.lower() == ".json":
        try:
            return [json.loads(text)]
        except ValueError:
            pass
    loaded = load_documents(text)
    if loaded.errors:
        err = loaded.errors[0]
        raise PolicyLoadError(str(path), err.reason, err.line)
    return [d.data for d in loaded.docs]
