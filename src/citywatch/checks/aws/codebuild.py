"""CodeBuild: credentials in plaintext project environment variables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.aws._common import CFN, TF, implements, mask, secret_value, secrets_exposure
from citywatch.checks.base import CheckContext, Failure, attr, blocks, define
from citywatch.model import Resource

plaintext_env = define(
    "CW-AWS-CODEBUILD-001",
    "CodeBuild project has secrets in plaintext environment variables",
    "HIGH",
    description="PLAINTEXT environment variables are shown in the console and project "
    "definition to anyone with read access to the project.",
    remediation="Use type SECRETS_MANAGER or PARAMETER_STORE for credentials.",
    references=[
        "https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html"
    ],
    compliance=secrets_exposure(),
)


def _plaintext(
    variables: list[dict[str, Any]], path: str, keys: tuple[str, str, str]
) -> Iterator[Failure]:
    name_key, value_key, type_key = keys
    for i, var in enumerate(variables):
        if str(attr(var, type_key, "PLAINTEXT")).upper() != "PLAINTEXT":
            continue
        name, value = str(attr(var, name_key, "")), var.get(value_key)
        if secret_value(name, value):
            yield Failure(
                f"{name} holds a literal secret ({mask(str(value))})", f"{path}.{i}", key=name
            )


@implements(plaintext_env, TF, "aws_codebuild_project")
def _tf_env(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    variables = blocks(res, "environment.environment_variable")
    return _plaintext(variables, "environment.0.environment_variable", ("name", "value", "type"))


@implements(plaintext_env, CFN, "AWS::CodeBuild::Project")
def _cfn_env(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    variables = blocks(res, "Environment.EnvironmentVariables")
    return _plaintext(variables, "Environment.EnvironmentVariables", ("Name", "Value", "Type"))
