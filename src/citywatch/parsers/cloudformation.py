"""CloudFormation and SAM templates (YAML with short-form tags, or JSON) as located resources.

Each entry under `Resources` becomes one `Resource` whose attributes are its `Properties` with
every intrinsic function that can be decided statically already resolved (parameter defaults,
mappings, decidable conditions, `Fn::Sub`/`Join`/`Select`/`Split`); anything only known at
deploy time (`Fn::GetAtt`, pseudo parameters, imports) becomes UNKNOWN so checks report
"unknown" instead of guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from citywatch.model import Location, Resource
from citywatch.parsers.cfn_intrinsics import Resolver, TemplateScope
from citywatch.parsers.yamlsafe import YamlDocument, decode_text, load_documents
from citywatch.pipeline import ScanContext, SourceFile

FRAMEWORK = "cloudformation"
_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_FORMAT_VERSION = re.compile(rb'(^|\n|\{)\s*"?AWSTemplateFormatVersion"?\s*:')
_SAM_TRANSFORM = re.compile(rb'"?Transform"?\s*:\s*\[?\s*"?AWS::Serverless')
_RESOURCES = re.compile(rb'(^|\n|\{|,)\s*"?Resources"?\s*:')
_AWS_TYPE = re.compile(rb'"?Type"?\s*:\s*["\']?(AWS|Alexa|Custom)::')


def looks_like_cloudformation(head: bytes) -> bool:
    """Decide from the first bytes whether a YAML/JSON file is a CloudFormation template."""
    if _FORMAT_VERSION.search(head) or _SAM_TRANSFORM.search(head):
        return True
    return bool(_RESOURCES.search(head) and _AWS_TYPE.search(head))


class CloudFormationParser:
    name = "cloudformation"

    def claims(self, file: SourceFile) -> bool:
        if not file.path.name.lower().endswith(_SUFFIXES):
            return False
        return looks_like_cloudformation(file.head())

    def parse(self, files: list[SourceFile], ctx: ScanContext) -> None:
        for file in files:
            ctx.resources.extend(self.parse_file(file, ctx))

    def parse_file(self, file: SourceFile, ctx: ScanContext) -> list[Resource]:
        try:
            text = decode_text(file.read_bytes())
        except OSError as exc:
            ctx.error(file.display, f"cannot read: {exc.strerror or exc}", scanner="misconfig")
            return []
        except ValueError as exc:
            ctx.error(file.display, str(exc), scanner="misconfig")
            return []
        doc = _load_template(text, file, ctx)
        if doc is None:
            return []
        return list(resources_from_template(doc, file.display, text, ctx))


def _load_template(text: str, file: SourceFile, ctx: ScanContext) -> YamlDocument | None:
    loaded = load_documents(text, cfn_tags=True)
    if loaded.errors:
        if file.path.suffix.lower() == ".json":
            # JSON that YAML rejects (tabs, odd escapes) is still valid JSON: keep it, unlocated
            try:
                data = json.loads(text)
            except ValueError as exc:
                line = getattr(exc, "lineno", None)
                ctx.error(file.display, f"invalid JSON template: {exc}", line, "misconfig")
                return None
            return YamlDocument(data, 1, text.count("\n") + 1, _json_line_map(data, text))
        err = loaded.errors[0]
        ctx.error(file.display, f"CloudFormation template: {err.reason}", err.line, "misconfig")
        return None
    if not loaded.docs:
        return None
    if len(loaded.docs) > 1:
        ctx.error(
            file.display,
            "CloudFormation template has several YAML documents; only the first is scanned",
            loaded.docs[1].start_line,
            "misconfig",
        )
    return loaded.docs[0]


def _json_line_map(data: Any, text: str) -> dict[str, int]:
    """Best-effort lines for resources of a template only `json` could read."""
    out: dict[str, int] = {}
    resources = data.get("Resources") if isinstance(data, dict) else None
    if isinstance(resources, dict):
        for logical_id in resources:
            idx = text.find(f'"{logical_id}"')
            if idx >= 0:
                out[f"Resources.{logical_id}"] = text.count("\n", 0, idx) + 1
    return out


def resources_from_template(
    doc: YamlDocument, display: str, text: str, ctx: ScanContext
) -> Iterator[Resource]:
    template = doc.data
    if not isinstance(template, dict):
        ctx.error(display, "CloudFormation template is not a mapping", doc.start_line, "misconfig")
        return
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        if "Resources" in template:
            line = doc.line_map.get("Resources", doc.start_line)
            ctx.error(display, "Resources is not a mapping", line, "misconfig")
        return
    scope = TemplateScope.from_template(template)
    sam_globals = _sam_globals(template)
    lines = text.splitlines()
    per_resource = _lines_by_resource(doc.line_map)
    for logical_id, body in resources.items():
        prefix = f"Resources.{logical_id}"
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            line = doc.line_map.get(prefix, doc.start_line)
            ctx.error(display, f"resource {logical_id} has no Type", line, "misconfig")
            continue
        yield _resource(
            str(logical_id),
            body,
            scope,
            sam_globals,
            display,
            doc.line_map.get(prefix, 0),
            per_resource.get(str(logical_id), {}),
            lines,
        )


def _lines_by_resource(line_map: dict[str, int]) -> dict[str, dict[str, int]]:
    """Split the template's line map once into one map per logical id (paths below it)."""
    out: dict[str, dict[str, int]] = {}
    for path, line in line_map.items():
        if path.startswith("Resources."):
            logical_id, _, sub = path[10:].partition(".")
            if sub:
                out.setdefault(logical_id, {})[sub] = line
    return out


def _resource(
    logical_id: str,
    body: dict[str, Any],
    scope: TemplateScope,
    sam_globals: dict[str, dict[str, Any]],
    display: str,
    value_line: int,
    own_lines: dict[str, int],
    text_lines: list[str],
) -> Resource:
    kind = str(body["Type"])
    raw_props = body.get("Properties")
    props: dict[str, Any] = dict(raw_props) if isinstance(raw_props, dict) else {}
    section = SAM_GLOBAL_SECTIONS.get(kind)
    if section and section in sam_globals:
        props = merge_sam_globals(sam_globals[section], props)
    resolver = Resolver(scope)
    resolved = resolver.resolve(props)
    attributes = resolved if isinstance(resolved, dict) else {}
    depends = body.get("DependsOn")
    for dep in [depends] if isinstance(depends, str) else depends or []:
        if isinstance(dep, str):
            resolver.refs.add(dep)
    references = sorted(r for r in resolver.refs if r in scope.resources and r != logical_id)

    start = _key_line(text_lines, logical_id, value_line)
    end = max(own_lines.values(), default=start)
    line_map = {
        path[11:]: line for path, line in own_lines.items() if path.startswith("Properties.")
    }
    return Resource(
        kind=kind,
        name=logical_id,
        framework=FRAMEWORK,
        attributes=attributes,
        location=Location(display, start, max(start, end)),
        references=references,
        line_map=line_map,
        meta={
            "condition": body.get("Condition"),
            "metadata": body.get("Metadata") if isinstance(body.get("Metadata"), dict) else {},
        },
    )


def _key_line(text_lines: list[str], logical_id: str, value_line: int) -> int:
    """The line of `LogicalId:` itself (the loader records where the value starts).

    Matched as a key, not a substring: `Type: AWS::CloudFront::Distribution` contains the
    logical id `Distribution` but is the line after it.
    """
    if value_line <= 0:
        return 1
    key = re.compile(r"(^|[\s{,])([\"']?)" + re.escape(logical_id) + r"\2\s*:")
    for line_no in range(value_line, max(0, value_line - 4), -1):
        if line_no <= len(text_lines) and key.search(text_lines[line_no - 1]):
            return line_no
    return value_line


# Globals section -> the SAM resource type it applies to
SAM_GLOBAL_SECTIONS = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::SimpleTable": "SimpleTable",
    "AWS::Serverless::StateMachine": "StateMachine",
    "AWS::Serverless::LayerVersion": "LayerVersion",
}


def _sam_globals(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    section = template.get("Globals")
    if not isinstance(section, dict):
        return {}
    return {str(k): v for k, v in section.items() if isinstance(v, dict)}


def _is_plain_map(value: Any) -> bool:
    """A mapping that is not an intrinsic function call (`{"Fn::If": ...}`, `{"Ref": ...}`)."""
    if not isinstance(value, dict):
        return False
    return not (len(value) == 1 and str(next(iter(value))).startswith(("Fn::", "Ref")))


def merge_sam_globals(global_props: Any, own: Any) -> Any:
    """SAM's Globals rules: maps merge (the resource wins a key), lists add up, scalars override.

    A function's own `Environment.Variables` therefore keeps the global variables next to its
    own, the way SAM deploys it; a shallow default would hide a secret set only in Globals.
    """
    if _is_plain_map(global_props) and _is_plain_map(own):
        merged = dict(global_props)
        for key, value in own.items():
            merged[key] = merge_sam_globals(global_props[key], value) if key in merged else value
        return merged
    if isinstance(global_props, list) and isinstance(own, list):
        return [*global_props, *own]
    return own
