"""What a Rego or CEL policy sees for each resource: one documented input model per framework.

- kubernetes: the object itself, exactly as written (apiVersion, kind, metadata, spec, ...), so
  Conftest and Gatekeeper-style policies work unchanged.
- terraform / cloudformation / dockerfile: an envelope shaped like a Terraform plan resource:

      {"framework": "terraform", "type": "aws_s3_bucket", "address": "aws_s3_bucket.logs",
       "file": "main.tf", "line": 12, "references": [...], "values": {...}}

  `values` is the evaluated configuration (Terraform: after variables, locals and modules, nested
  blocks are lists of objects; CloudFormation: the resource's evaluated attributes; Dockerfile:
  {"stages": [...], "instructions": [{"cmd", "value", "args", "flags", "line", "end_line",
  "original"}]}).

A value that cannot be known before apply is the string UNKNOWN_MARKER ("<unknown>"), never
omitted: omitting it would make `not input.values.encrypted` fire on every computed value.
Inside JSON text built with unknown leaves (Terraform `jsonencode` of an apply-time ARN) each
leaf reads as UNKNOWN_MARKER too, so `json.unmarshal` in a policy sees the same marker.
"""

from __future__ import annotations

import json
import math
from typing import Any

from citywatch.model import UNKNOWN, UNKNOWN_JSON_LEAF, Resource

UNKNOWN_MARKER = "<unknown>"
_LEAF_TOKEN = json.dumps(UNKNOWN_JSON_LEAF)
_MARKER_TOKEN = json.dumps(UNKNOWN_MARKER)
FRAMEWORKS = ("terraform", "cloudformation", "kubernetes", "dockerfile")


def plain(value: Any, depth: int = 0) -> Any:
    """JSON-ready copy: UNKNOWN -> marker, tuples/sets -> lists, keys -> str, NaN/inf -> str."""
    if value is UNKNOWN:
        return UNKNOWN_MARKER
    if isinstance(value, str):
        if value == UNKNOWN_JSON_LEAF:
            return UNKNOWN_MARKER
        return value.replace(_LEAF_TOKEN, _MARKER_TOKEN) if _LEAF_TOKEN in value else value
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth > 200:
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v, depth + 1) for v in value]
    return str(value)


def document_for(resource: Resource) -> Any:
    """The input document for one resource (see the module docstring)."""
    if resource.framework == "kubernetes":
        return plain(resource.attributes)
    return {
        "framework": resource.framework,
        "type": resource.kind,
        "address": resource.name,
        "file": resource.location.path,
        "line": resource.location.start_line,
        "references": list(resource.references),
        "values": plain(resource.attributes),
    }


def resource_summary(resource: Resource) -> dict[str, Any]:
    """Small description of the resource, bound as `resource` in CEL policies."""
    return {
        "kind": resource.kind,
        "name": resource.name,
        "framework": resource.framework,
        "file": resource.location.path,
        "line": resource.location.start_line,
    }


class InputCache:
    """Serialise each resource's input once per scan, however many policies read it."""

    def __init__(self) -> None:
        self._docs: dict[int, Any] = {}
        self._json: dict[int, str] = {}

    def document(self, resource: Resource) -> Any:
        key = id(resource)
        if key not in self._docs:
            self._docs[key] = document_for(resource)
        return self._docs[key]

    def json(self, resource: Resource) -> str:
        key = id(resource)
        if key not in self._json:
            self._json[key] = json.dumps(self.document(resource))
        return self._json[key]


def guess_framework(document: Any) -> str | None:
    """For raw documents (`policy eval`): kubernetes objects and our own envelopes are known."""
    if not isinstance(document, dict):
        return None
    if document.get("framework") in FRAMEWORKS:
        return str(document["framework"])
    if "apiVersion" in document and "kind" in document:
        return "kubernetes"
    return None
