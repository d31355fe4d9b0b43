"""OPA Gatekeeper: ConstraintTemplate + constraint manifests evaluated like Gatekeeper/gator.

Each template's Rego (and its `libs`) is compiled once into its own engine (libraries in
different templates reuse package names such as `lib.exempt_container`). A constraint becomes
one policy with check id `<ConstraintKind>/<constraint name>`; its `match` block selects objects
(kinds, namespaces, excludedNamespaces, labelSelector, namespaceSelector, scope, name) and its
`parameters`, with the template schema's defaults applied, are `input.parameters`.

The object arrives as a gator-style admission review: `input.review.object`, `.kind`
({group, version, kind}), `.name`, `.namespace`, `.operation` ("CREATE"; an AdmissionReview
document supplies its own operation, oldObject and userInfo). Referential policies read
`data.inventory` built from every scanned Kubernetes object.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from citywatch.model import Check, Location, Resource, Severity
from citywatch.parsers.yamlsafe import YamlDocument
from citywatch.policy.base import EvalContext, Violation
from citywatch.policy.errors import PolicyEvalError, PolicyLoadError
from citywatch.policy.gatekeeper_cel import (
    CelTemplateCode,
    cel_violations,
    compile_cel_source,
    find_cel_source,
)
from citywatch.policy.inputs import plain
from citywatch.policy.k8smatch import (
    Inventory,
    group_version,
    is_cluster_scoped,
    labels,
    metadata,
    name_matches,
    namespace_of,
    selector_matches,
)
from citywatch.policy.rego import UNDEFINED, RegoEngine
from citywatch.policy.regosource import parse_module

TEMPLATE_GROUP = "templates.gatekeeper.sh"
CONSTRAINT_GROUP = "constraints.gatekeeper.sh"
SEVERITY_ANNOTATION = "citywatch.dev/severity"
ACTION_SEVERITY = {"deny": Severity.HIGH, "warn": Severity.LOW, "dryrun": Severity.INFO}


def is_template(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("kind") == "ConstraintTemplate"
        and str(doc.get("apiVersion", "")).startswith(TEMPLATE_GROUP)
    )


def is_constraint(doc: Any) -> bool:
    return isinstance(doc, dict) and str(doc.get("apiVersion", "")).startswith(CONSTRAINT_GROUP)


def _get(data: Any, *path: str | int) -> Any:
    cur = data
    for part in path:
        if isinstance(part, int):
            if not isinstance(cur, list) or part >= len(cur):
                return None
            cur = cur[part]
        else:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(part)
    return cur


def apply_defaults(schema: Any, value: Any) -> Any:
    """Fill `default`s from an openAPIV3Schema into parameters (as the API server does)."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        props = schema.get("properties")
        if isinstance(props, dict):
            for key, sub in props.items():
                if key not in value and isinstance(sub, dict) and "default" in sub:
                    value[key] = copy.deepcopy(sub["default"])
                if key in value:
                    value[key] = apply_defaults(sub, value[key])
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(schema["items"], v) for v in value]
    return value


@dataclass(slots=True)
class Template:
    kind: str
    name: str
    display: str
    line: int
    package: str
    engine: RegoEngine | None
    schema: Any
    title: str
    description: str
    cel: CelTemplateCode | None = None
    prepared_for: Inventory | None = None


@dataclass(slots=True)
class Constraint:
    kind: str
    name: str
    display: str
    line: int
    match: dict[str, Any]
    parameters: Any
    action: str
    annotations: dict[str, Any] = field(default_factory=dict)


def _rego_source(target: dict[str, Any], line_map: dict[str, int], prefix: str) -> Any:
    """(rego, libs, rego key path) from a target: `rego:`/`libs:` or `code: [{engine: Rego}]`."""
    if isinstance(target.get("rego"), str):
        return target["rego"], target.get("libs") or [], f"{prefix}.rego", f"{prefix}.libs"
    for i, code in enumerate(target.get("code") or []):
        if isinstance(code, dict) and code.get("engine") == "Rego":
            source = code.get("source") or {}
            if isinstance(source.get("rego"), str):
                base = f"{prefix}.code.{i}.source"
                return source["rego"], source.get("libs") or [], f"{base}.rego", f"{base}.libs"
    return None, [], "", ""


def load_template(doc: YamlDocument, display: str, prefer: str = "rego") -> Template:
    """Compile a template's Rego, or its CEL (K8sNativeValidation) when it has no Rego or
    `prefer="cel"`."""
    data = doc.data
    line_map = doc.line_map
    name = str(_get(data, "metadata", "name") or "")
    kind = _get(data, "spec", "crd", "spec", "names", "kind")
    line = doc.start_line
    if not isinstance(kind, str) or not kind:
        raise PolicyLoadError(display, f"ConstraintTemplate {name!r} has no crd names.kind", line)
    targets = _get(data, "spec", "targets") or []
    rego = None
    libs: list[Any] = []
    rego_key = libs_key = ""
    for i, target in enumerate(targets):
        if isinstance(target, dict):
            rego, libs, rego_key, libs_key = _rego_source(target, line_map, f"spec.targets.{i}")
            if rego is not None:
                break
    cel_source = find_cel_source(targets)
    engine: RegoEngine | None = None
    cel: CelTemplateCode | None = None
    package = ""
    if cel_source is not None and (rego is None or prefer == "cel"):
        cel = compile_cel_source(cel_source[0], cel_source[1], display, line_map, line)
    elif rego is None:
        raise PolicyLoadError(
            display, f"ConstraintTemplate {name!r} has neither Rego nor CEL code", line
        )
    else:
        engine = RegoEngine()
        for j, lib in enumerate(libs):
            if not isinstance(lib, str):
                raise PolicyLoadError(
                    display, f"ConstraintTemplate {name!r}: libs[{j}] is not text", line
                )
            base = line_map.get(f"{libs_key}.{j}", line)
            engine.add_module(
                parse_module(display, lib, name=f"{display}#{name}/lib{j}", line_base=base)
            )
        main = parse_module(
            display, rego, name=f"{display}#{name}", line_base=line_map.get(rego_key, line)
        )
        engine.add_module(main)
        package = main.package
        if not any(r.name == "violation" for r in main.rules):
            raise PolicyLoadError(
                display, f"ConstraintTemplate {name!r} defines no violation rule", line
            )
    annotations = _get(data, "metadata", "annotations") or {}
    schema = _get(data, "spec", "crd", "spec", "validation", "openAPIV3Schema")
    return Template(
        kind=kind,
        name=name,
        display=display,
        line=line,
        package=package,
        engine=engine,
        cel=cel,
        schema=schema,
        title=str(annotations.get("metadata.gatekeeper.sh/title") or kind),
        description=str(annotations.get("description") or ""),
    )


def load_constraint(doc: YamlDocument, display: str) -> Constraint:
    data = doc.data
    name = str(_get(data, "metadata", "name") or "")
    if not name:
        raise PolicyLoadError(display, f"{data.get('kind')} constraint has no name", doc.start_line)
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    match = spec.get("match") if isinstance(spec.get("match"), dict) else {}
    assert isinstance(match, dict)
    return Constraint(
        kind=str(data.get("kind")),
        name=name,
        display=display,
        line=doc.line_map.get("metadata.name", doc.start_line),
        match=match,
        parameters=copy.deepcopy(spec.get("parameters")) if "parameters" in spec else {},
        action=str(spec.get("enforcementAction") or "deny").lower(),
        annotations=_get(data, "metadata", "annotations") or {},
    )


def _kind_matches(match: dict[str, Any], obj: dict[str, Any]) -> bool:
    kinds = match.get("kinds")
    if not kinds:
        return True
    group, _ = group_version(obj)
    kind = str(obj.get("kind"))
    for entry in kinds:
        if not isinstance(entry, dict):
            continue
        groups = [str(g) for g in entry.get("apiGroups") or ["*"]]
        names = [str(k) for k in entry.get("kinds") or ["*"]]
        if ("*" in groups or group in groups) and ("*" in names or kind in names):
            return True
    return False


def constraint_matches(match: dict[str, Any], obj: dict[str, Any], inventory: Inventory) -> bool:
    """Gatekeeper's match semantics for one object."""
    if not _kind_matches(match, obj):
        return False
    cluster = is_cluster_scoped(obj)
    scope = str(match.get("scope") or "*")
    if scope == "Cluster" and not cluster:
        return False
    if scope == "Namespaced" and cluster:
        return False
    ns = namespace_of(obj)
    namespaces = [str(n) for n in match.get("namespaces") or []]
    if namespaces and (
        (cluster and obj.get("kind") != "Namespace")
        or not any(name_matches(p, ns) for p in namespaces)
    ):
        return False
    excluded = [str(n) for n in match.get("excludedNamespaces") or []]
    if excluded and ns and any(name_matches(p, ns) for p in excluded):
        return False
    if "labelSelector" in match and not selector_matches(match["labelSelector"], labels(obj)):
        return False
    if "namespaceSelector" in match:
        if obj.get("kind") == "Namespace":
            ns_labels: dict[str, str] | None = labels(obj)
        elif cluster:
            ns_labels = None
        else:
            ns_labels = inventory.namespace_labels(ns)
        if ns_labels is None or not selector_matches(match["namespaceSelector"], ns_labels):
            return False
    name_pattern = match.get("name")
    return not (
        isinstance(name_pattern, str)
        and not name_matches(name_pattern, str(metadata(obj).get("name") or ""))
    )


def review_for(obj: dict[str, Any]) -> dict[str, Any]:
    """A gator-style admission review; an AdmissionReview document supplies its own request."""
    if obj.get("kind") == "AdmissionReview" and isinstance(obj.get("request"), dict):
        request = dict(obj["request"])
        if "kind" not in request and isinstance(request.get("object"), dict):
            request["kind"] = _gvk(request["object"])
        return request
    meta = metadata(obj)
    review: dict[str, Any] = {
        "kind": _gvk(obj),
        "name": str(meta.get("name") or ""),
        "operation": "CREATE",
        "object": obj,
    }
    if meta.get("namespace"):
        review["namespace"] = str(meta["namespace"])
    return review


def review_object(obj: dict[str, Any]) -> dict[str, Any]:
    """The object the match block is applied to (the request's object for an AdmissionReview)."""
    if obj.get("kind") == "AdmissionReview" and isinstance(obj.get("request"), dict):
        inner = obj["request"].get("object") or obj["request"].get("oldObject")
        if isinstance(inner, dict):
            return inner
    return obj


def _gvk(obj: dict[str, Any]) -> dict[str, str]:
    group, version = group_version(obj)
    return {"group": group, "version": version, "kind": str(obj.get("kind") or "")}


class ConstraintPolicy:
    """One constraint bound to its compiled template."""

    def __init__(self, template: Template, constraint: Constraint) -> None:
        self.template = template
        self.constraint = constraint
        self.name = f"{constraint.kind}/{constraint.name}"
        self.display = constraint.display
        params = constraint.parameters if constraint.parameters is not None else {}
        self.parameters = apply_defaults(template.schema, copy.deepcopy(params))
        severity = ACTION_SEVERITY.get(constraint.action, Severity.HIGH)
        override = constraint.annotations.get(SEVERITY_ANNOTATION)
        if override:
            try:
                severity = Severity.parse(str(override))
            except ValueError as exc:
                raise PolicyLoadError(constraint.display, str(exc), constraint.line) from None
        self.check = Check(
            id=self.name,
            title=template.title,
            severity=severity,
            description=template.description,
            frameworks=["kubernetes"],
            source="gatekeeper",
            source_location=Location(constraint.display, constraint.line, constraint.line),
        )

    @property
    def checks(self) -> list[Check]:
        return [self.check]

    def prepare(self, ctx: EvalContext) -> None:
        """Give the template engine `data.inventory` (once per inventory, shared by constraints)."""
        engine = self.template.engine
        if engine is not None and self.template.prepared_for is not ctx.inventory:
            engine.set_data({"inventory": ctx.inventory.gatekeeper_data()})
            self.template.prepared_for = ctx.inventory

    def applies(self, resource: Resource, ctx: EvalContext) -> bool:
        if resource.framework != "kubernetes":
            return False
        obj = resource.attributes
        return isinstance(obj, dict) and constraint_matches(
            self.constraint.match, review_object(obj), ctx.inventory
        )

    def violations(self, obj: dict[str, Any]) -> list[dict[str, Any]]:
        """Raw `violation` results for one object."""
        engine = self.template.engine
        if engine is None:
            assert self.template.cel is not None
            return cel_violations(self.template.cel, review_for(obj), self.parameters)
        engine.set_input({"review": review_for(obj), "parameters": self.parameters})
        value = engine.evaluate(f"data.{self.template.package}.violation")
        if value is UNDEFINED:
            return []
        if not isinstance(value, list):
            raise PolicyEvalError(
                self.template.display, f"violation is not a set (got {type(value).__name__})"
            )
        return [v if isinstance(v, dict) else {"msg": str(v)} for v in value]

    def evaluate(self, resource: Resource, ctx: EvalContext) -> list[Violation]:
        obj = plain(resource.attributes)
        out = []
        for item in self.violations(obj):
            msg = item.get("msg")
            out.append(
                Violation(
                    self.check,
                    msg if isinstance(msg, str) else str(msg),
                    details=item.get("details"),
                    extra={
                        "template": self.template.name,
                        "enforcement_action": self.constraint.action,
                    },
                )
            )
        return out

    def decision(self, document: Any, ctx: EvalContext) -> Any:
        if not isinstance(document, dict):
            return {"matched": False, "violations": []}
        self.prepare(ctx)
        if not constraint_matches(self.constraint.match, review_object(document), ctx.inventory):
            return {"matched": False, "violations": []}
        return {"matched": True, "violations": self.violations(document)}
