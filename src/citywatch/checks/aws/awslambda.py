"""Lambda (and SAM functions): secrets in environment, tracing, public invocation."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.aws._common import (
    CFN,
    TF,
    data_exposure,
    env_secret_failures,
    equals,
    implements,
    monitoring,
    present,
    require,
    secrets_exposure,
)
from citywatch.checks.base import CheckContext, Failure, attr, define
from citywatch.model import Resource

LAMBDA_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg"
SAM_FUNCTION = "AWS::Serverless::Function"

env_secrets = define(
    "CW-AWS-LAMBDA-001",
    "Lambda function has secrets in plain environment variables",
    "HIGH",
    description="Environment variables are shown in the console and returned by "
    "GetFunctionConfiguration to anyone with read access to the function.",
    remediation="Store the value in Secrets Manager or SSM Parameter Store and read it at run "
    "time (or use the Parameters and Secrets Lambda extension).",
    references=[f"{LAMBDA_DOCS}/configuration-envvars.html"],
    compliance=secrets_exposure(),
)


@implements(env_secrets, TF, "aws_lambda_function")
def _tf_env(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return env_secret_failures(
        attr(res, "environment.variables"), "environment.0.variables", "environment variable"
    )


@implements(env_secrets, CFN, "AWS::Lambda::Function", SAM_FUNCTION)
def _cfn_env(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return env_secret_failures(
        attr(res, "Environment.Variables"), "Environment.Variables", "environment variable"
    )


tracing = define(
    "CW-AWS-LAMBDA-002",
    "Lambda function does not have X-Ray active tracing",
    "LOW",
    description="Active tracing records each invocation's path through downstream services, "
    "which helps spot abuse and failures.",
    remediation='Set tracing_config { mode = "Active" } (TracingConfig.Mode: Active, or '
    "Tracing: Active for SAM).",
    references=[f"{LAMBDA_DOCS}/services-xray.html"],
    compliance=monitoring(),
)
_TRACE = "tracing mode is {value}"
require(
    tracing,
    TF,
    "aws_lambda_function",
    "tracing_config.mode",
    _TRACE,
    ok=equals("Active"),
    default="PassThrough",
)
require(
    tracing,
    CFN,
    "AWS::Lambda::Function",
    "TracingConfig.Mode",
    _TRACE,
    ok=equals("Active"),
    default="PassThrough",
)
require(tracing, CFN, SAM_FUNCTION, "Tracing", _TRACE, ok=equals("Active"), default="PassThrough")

public_invoke = define(
    "CW-AWS-LAMBDA-003",
    "Lambda function can be invoked by anyone",
    "HIGH",
    description='A permission for principal "*" without a source ARN, source account or '
    "organisation condition, or a function URL without authentication, lets anyone on the "
    "internet invoke the function.",
    remediation="Grant lambda:InvokeFunction to a specific principal with source_arn / "
    "source_account, and use AWS_IAM auth for function URLs.",
    references=[
        f"{LAMBDA_DOCS}/access-control-resource-based.html",
        f"{LAMBDA_DOCS}/urls-auth.html",
    ],
    compliance=data_exposure(),
)


@implements(public_invoke, TF, "aws_lambda_permission")
def _tf_permission(res: Resource, ctx: CheckContext) -> Failure | None:
    if attr(res, "principal") != "*":
        return None
    if any(present(res, k) for k in ("source_arn", "source_account", "principal_org_id")):
        return None
    return Failure('principal is "*" with no source condition', "principal")


@implements(public_invoke, TF, "aws_lambda_function_url")
def _tf_url(res: Resource, ctx: CheckContext) -> Failure | None:
    if str(attr(res, "authorization_type", "")).upper() == "NONE":
        return Failure("function URL has authorization_type NONE", "authorization_type")
    return None


@implements(public_invoke, CFN, "AWS::Lambda::Permission")
def _cfn_permission(res: Resource, ctx: CheckContext) -> Failure | None:
    if attr(res, "Principal") != "*":
        return None
    if any(present(res, k) for k in ("SourceArn", "SourceAccount", "PrincipalOrgID")):
        return None
    return Failure('Principal is "*" with no source condition', "Principal")


@implements(public_invoke, CFN, "AWS::Lambda::Url")
def _cfn_url(res: Resource, ctx: CheckContext) -> Failure | None:
    if str(attr(res, "AuthType", "")).upper() == "NONE":
        return Failure("function URL has AuthType NONE", "AuthType")
    return None


@implements(public_invoke, CFN, SAM_FUNCTION)
def _sam_url(res: Resource, ctx: CheckContext) -> Failure | None:
    if str(attr(res, "FunctionUrlConfig.AuthType", "")).upper() == "NONE":
        return Failure("function URL has AuthType NONE", "FunctionUrlConfig.AuthType")
    return None
