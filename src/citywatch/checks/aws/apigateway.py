"""API Gateway: stage access logs, tracing, unauthenticated methods."""

from __future__ import annotations

from citywatch.checks.aws._common import (
    CFN,
    TF,
    comp,
    implements,
    logging,
    monitoring,
    non_empty,
    require,
)
from citywatch.checks.base import CheckContext, Failure, attr, define, truthy
from citywatch.model import Resource

APIGW_DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide"

access_logs = define(
    "CW-AWS-APIGW-001",
    "API Gateway stage has no access logging",
    "MEDIUM",
    description="Access logs record who called which route and with what result; without them "
    "abuse of the API cannot be investigated.",
    remediation="Configure access_log_settings with a CloudWatch Logs destination_arn "
    "(AccessLogSetting / AccessLogSettings.DestinationArn).",
    references=[f"{APIGW_DOCS}/set-up-logging.html"],
    compliance=logging(),
)
require(
    access_logs,
    TF,
    ("aws_api_gateway_stage", "aws_apigatewayv2_stage"),
    "access_log_settings.destination_arn",
    "access logging is not configured",
    ok=non_empty,
    unknown_is_set=True,
)
require(
    access_logs,
    CFN,
    ("AWS::ApiGateway::Stage", "AWS::Serverless::Api"),
    "AccessLogSetting.DestinationArn",
    "access logging is not configured",
    ok=non_empty,
    unknown_is_set=True,
)
require(
    access_logs,
    CFN,
    "AWS::ApiGatewayV2::Stage",
    "AccessLogSettings.DestinationArn",
    "access logging is not configured",
    ok=non_empty,
    unknown_is_set=True,
)

no_auth = define(
    "CW-AWS-APIGW-002",
    "API Gateway method has no authorization",
    "MEDIUM",
    description="A REST method with authorization NONE and no API key, or an HTTP/WebSocket "
    "API route with authorization type NONE, can be called by anyone who knows the URL.",
    remediation="Set authorization to AWS_IAM, COGNITO_USER_POOLS or CUSTOM (a Lambda "
    "authorizer); CORS preflight OPTIONS methods are exempt.",
    references=[f"{APIGW_DOCS}/apigateway-control-access-to-api.html"],
    compliance=comp(["AC-3", "IA-2"], ["A.5.15", "A.8.5"], ["CC6.1"]),
)


def _unauthenticated(method: object, auth: object, api_key: object) -> bool:
    if str(method).upper() == "OPTIONS":
        return False
    return str(auth).upper() == "NONE" and not truthy(api_key)


@implements(no_auth, TF, "aws_api_gateway_method")
def _tf_no_auth(res: Resource, ctx: CheckContext) -> Failure | None:
    method = attr(res, "http_method", "")
    auth = attr(res, "authorization", "NONE")
    if _unauthenticated(method, auth, attr(res, "api_key_required", False)):
        return Failure(f"{method} method has authorization NONE", "authorization")
    return None


@implements(no_auth, CFN, "AWS::ApiGateway::Method")
def _cfn_no_auth(res: Resource, ctx: CheckContext) -> Failure | None:
    method = attr(res, "HttpMethod", "")
    auth = attr(res, "AuthorizationType", "NONE")
    if _unauthenticated(method, auth, attr(res, "ApiKeyRequired", False)):
        return Failure(f"{method} method has AuthorizationType NONE", "AuthorizationType")
    return None


def _route_unauthenticated(route_key: object, auth: object) -> bool:
    """HTTP/WebSocket API routes; `OPTIONS /path` preflight routes are exempt."""
    if str(route_key).upper().startswith("OPTIONS "):
        return False
    return str(auth).upper() == "NONE"


@implements(no_auth, TF, "aws_apigatewayv2_route")
def _tf_route_no_auth(res: Resource, ctx: CheckContext) -> Failure | None:
    route = attr(res, "route_key", "")
    if _route_unauthenticated(route, attr(res, "authorization_type", "NONE")):
        return Failure(f"route {route} has authorization_type NONE", "authorization_type")
    return None


@implements(no_auth, CFN, "AWS::ApiGatewayV2::Route")
def _cfn_route_no_auth(res: Resource, ctx: CheckContext) -> Failure | None:
    route = attr(res, "RouteKey", "")
    if _route_unauthenticated(route, attr(res, "AuthorizationType", "NONE")):
        return Failure(f"route {route} has AuthorizationType NONE", "AuthorizationType")
    return None


tracing = define(
    "CW-AWS-APIGW-003",
    "API Gateway stage does not have X-Ray tracing enabled",
    "LOW",
    description="Tracing follows each request through the API and its integrations, which "
    "helps detect abuse and failures.",
    remediation="Set xray_tracing_enabled = true (TracingEnabled: true).",
    references=[f"{APIGW_DOCS}/apigateway-xray.html"],
    compliance=monitoring(),
)
require(tracing, TF, "aws_api_gateway_stage", "xray_tracing_enabled", "X-Ray tracing is off")
require(
    tracing,
    CFN,
    ("AWS::ApiGateway::Stage", "AWS::Serverless::Api"),
    "TracingEnabled",
    "X-Ray tracing is off",
)
