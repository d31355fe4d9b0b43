"""ECS task definitions: privileged containers, secrets in environment, writable root FS."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    comp,
    implements,
    least_privilege,
    mask,
    secret_value,
    secrets_exposure,
)
from citywatch.checks.base import (
    CheckContext,
    Failure,
    UnknownValue,
    attr,
    blocks,
    define,
    known,
    truthy,
)
from citywatch.model import UNKNOWN, Check, Resource, restore_unknown_leaves

ECS_DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide"


def containers(res: Resource) -> Iterator[tuple[str, dict[str, Any], dict[str, str]]]:
    """(path, container, key names) for each container; Terraform keeps them as a JSON string."""
    if res.framework == TF:
        raw = known(attr(res, "container_definitions"))
        if isinstance(raw, str):
            try:
                raw = restore_unknown_leaves(json.loads(raw))
            except (ValueError, RecursionError):
                return
        names = {
            "privileged": "privileged",
            "environment": "environment",
            "name": "name",
            "value": "value",
            "readonly": "readonlyRootFilesystem",
        }
        path = "container_definitions"
        items = raw if isinstance(raw, list) else []
        for c in items:
            if isinstance(known(c), dict):
                yield path, c, names
        return
    names = {
        "privileged": "Privileged",
        "environment": "Environment",
        "name": "Name",
        "value": "Value",
        "readonly": "ReadonlyRootFilesystem",
    }
    for i, c in enumerate(blocks(res, "ContainerDefinitions")):
        yield f"ContainerDefinitions.{i}", c, names


def _container_check(check: Check, test: Callable[..., Iterator[Failure]]) -> None:
    def evaluate(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
        for path, container, names in containers(res):
            yield from test(path, container, names)

    implements(check, TF, "aws_ecs_task_definition")(evaluate)
    implements(check, CFN, "AWS::ECS::TaskDefinition")(evaluate)


def _label(container: dict[str, Any], names: dict[str, str]) -> str:
    return str(container.get(names["name"]) or "container")


privileged = define(
    "CW-AWS-ECS-001",
    "ECS container runs privileged",
    "HIGH",
    description="A privileged container has every capability and the host's devices: escaping "
    "to the host is trivial.",
    remediation="Remove privileged (Privileged) or set it to false; add only the Linux "
    "capabilities the container needs.",
    references=[f"{ECS_DOCS}/task_definition_parameters.html#container_definition_security"],
    compliance=least_privilege(),
)


def _privileged(path: str, c: dict[str, Any], names: dict[str, str]) -> Iterator[Failure]:
    if truthy(c.get(names["privileged"], False)):
        name = _label(c, names)
        yield Failure(f"container {name} is privileged", path, key=name)


_container_check(privileged, _privileged)

env_secrets = define(
    "CW-AWS-ECS-002",
    "ECS container has secrets in plain environment variables",
    "HIGH",
    description="Environment values in a task definition are visible to anyone who can "
    "describe it and are stored in every revision.",
    remediation="Move the value to Secrets Manager or SSM Parameter Store and reference it "
    "with secrets (valueFrom).",
    references=[f"{ECS_DOCS}/specifying-sensitive-data.html"],
    compliance=secrets_exposure(),
)


def _env_secrets(path: str, c: dict[str, Any], names: dict[str, str]) -> Iterator[Failure]:
    env = known(c.get(names["environment"]))
    for var in env if isinstance(env, list) else []:
        if not isinstance(known(var), dict):
            continue
        raw_name, value = var.get(names["name"], ""), var.get(names["value"])
        if raw_name is UNKNOWN and isinstance(value, str):
            raise UnknownValue(f"{path}.environment")  # a literal under a name we cannot read
        name = str(raw_name)
        if secret_value(name, value):
            label = _label(c, names)
            yield Failure(
                f"container {label} sets {name} to a literal secret ({mask(str(value))})",
                path,
                key=f"{label}:{name}",
            )


_container_check(env_secrets, _env_secrets)

readonly_root = define(
    "CW-AWS-ECS-003",
    "ECS container root filesystem is writable",
    "LOW",
    description="A writable root filesystem lets an intruder modify binaries and drop tools "
    "inside the container.",
    remediation="Set readonlyRootFilesystem (ReadonlyRootFilesystem) to true and mount volumes "
    "for the paths that must be written.",
    references=[f"{ECS_DOCS}/task_definition_parameters.html#container_definition_storage"],
    compliance=comp(["CM-7", "SI-7"], ["A.8.9"], ["CC6.8"]),
)


def _writable(path: str, c: dict[str, Any], names: dict[str, str]) -> Iterator[Failure]:
    if not truthy(c.get(names["readonly"], False)):
        name = _label(c, names)
        yield Failure(f"container {name} has a writable root filesystem", path, key=name)


_container_check(readonly_root, _writable)
