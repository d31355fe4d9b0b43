"""Load balancers (ALB/NLB/classic): HTTPS, TLS policies, header hygiene, access logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.aws._common import CFN, TF, comp, implements, in_transit, logging
from citywatch.checks.base import CheckContext, Failure, attr, blocks, define, truthy
from citywatch.model import Resource

ELB_DOCS = "https://docs.aws.amazon.com/elasticloadbalancing/latest"
TF_LISTENERS = ("aws_lb_listener", "aws_alb_listener")
TF_LBS = ("aws_lb", "aws_alb")
CFN_LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
CFN_LB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
CFN_CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"

# policies that still accept TLS 1.0 or 1.1
OUTDATED_POLICY_MARKERS = (
    "TLS-1-0",
    "TLS-1-1",
    "TLS13-1-0",
    "TLS13-1-1",
    "FS-2018-06",
    "FS-1-1",
    "2016-08",
    "2015-05",
    "2015-03",
    "2015-02",
    "2014-10",
    "2014-01",
    "2011-08",
)

plain_http = define(
    "CW-AWS-ELB-001",
    "Load balancer listener serves plain HTTP",
    "HIGH",
    description="An HTTP listener that does not redirect to HTTPS sends credentials, cookies "
    "and data unencrypted.",
    remediation="Serve HTTPS; make the HTTP listener's default action a redirect to HTTPS "
    "(status HTTP_301).",
    references=[f"{ELB_DOCS}/application/listener-update-rules.html"],
    compliance=in_transit(),
)


def _redirects_to_https(actions: list[dict[str, Any]], kind: str, cfg: str, proto: str) -> bool:
    for action in actions:
        if str(attr(action, kind, "")).lower() == "redirect":
            target = str(attr(action, f"{cfg}.{proto}", "#{protocol}")).upper()
            if target == "HTTPS":
                return True
    return False


@implements(plain_http, TF, *TF_LISTENERS)
def _tf_http(res: Resource, ctx: CheckContext) -> Failure | None:
    if str(attr(res, "protocol", "")).upper() != "HTTP":
        return None
    if _redirects_to_https(blocks(res, "default_action"), "type", "redirect", "protocol"):
        return None
    return Failure("HTTP listener does not redirect to HTTPS", "protocol")


@implements(plain_http, CFN, CFN_LISTENER)
def _cfn_http(res: Resource, ctx: CheckContext) -> Failure | None:
    if str(attr(res, "Protocol", "")).upper() != "HTTP":
        return None
    actions = blocks(res, "DefaultActions")
    if _redirects_to_https(actions, "Type", "RedirectConfig", "Protocol"):
        return None
    return Failure("HTTP listener does not redirect to HTTPS", "Protocol")


@implements(plain_http, TF, "aws_elb")
def _tf_classic_http(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for i, listener in enumerate(blocks(res, "listener")):
        if str(attr(listener, "lb_protocol", "")).lower() == "http":
            yield Failure("classic ELB listener uses HTTP", f"listener.{i}", key=str(i))


@implements(plain_http, CFN, CFN_CLASSIC)
def _cfn_classic_http(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for i, listener in enumerate(blocks(res, "Listeners")):
        if str(attr(listener, "Protocol", "")).upper() == "HTTP":
            yield Failure("classic ELB listener uses HTTP", f"Listeners.{i}", key=str(i))


tls_policy = define(
    "CW-AWS-ELB-002",
    "Load balancer listener allows TLS versions older than 1.2",
    "MEDIUM",
    description="Security policies that accept TLS 1.0/1.1 allow downgrade to protocol versions "
    "with known weaknesses.",
    remediation="Use ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS 1.2+ policy) as "
    "ssl_policy (SslPolicy).",
    references=[f"{ELB_DOCS}/application/describe-ssl-policies.html"],
    compliance=in_transit(),
)


def _outdated(policy: Any) -> bool:
    return isinstance(policy, str) and any(m in policy for m in OUTDATED_POLICY_MARKERS)


@implements(tls_policy, TF, *TF_LISTENERS)
def _tf_tls(res: Resource, ctx: CheckContext) -> Failure | None:
    policy = attr(res, "ssl_policy")
    if _outdated(policy):
        return Failure(f"ssl_policy {policy} allows TLS below 1.2", "ssl_policy")
    return None


@implements(tls_policy, CFN, CFN_LISTENER)
def _cfn_tls(res: Resource, ctx: CheckContext) -> Failure | None:
    policy = attr(res, "SslPolicy")
    if _outdated(policy):
        return Failure(f"SslPolicy {policy} allows TLS below 1.2", "SslPolicy")
    return None


drop_headers = define(
    "CW-AWS-ELB-003",
    "Application load balancer does not drop invalid HTTP headers",
    "MEDIUM",
    description="Forwarding malformed headers enables HTTP request smuggling and desync "
    "attacks against the targets.",
    remediation="Set drop_invalid_header_fields = true (attribute "
    "routing.http.drop_invalid_header_fields.enabled = true).",
    references=[f"{ELB_DOCS}/application/application-load-balancers.html"],
    compliance=comp(["SC-7", "SI-10"], ["A.8.20", "A.8.26"], ["CC6.6"]),
)


def _lb_attributes(res: Resource) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in blocks(res, "LoadBalancerAttributes"):
        key, value = attr(item, "Key"), attr(item, "Value")
        if isinstance(key, str):
            out[key] = str(value).lower()
    return out


@implements(drop_headers, TF, *TF_LBS)
def _tf_drop(res: Resource, ctx: CheckContext) -> Failure | None:
    if str(attr(res, "load_balancer_type", "application")) != "application":
        return None
    if truthy(attr(res, "drop_invalid_header_fields", False)):
        return None
    return Failure("invalid header fields are forwarded", "drop_invalid_header_fields")


@implements(drop_headers, CFN, CFN_LB)
def _cfn_drop(res: Resource, ctx: CheckContext) -> Failure | None:
    if str(attr(res, "Type", "application")) != "application":
        return None
    if _lb_attributes(res).get("routing.http.drop_invalid_header_fields.enabled") == "true":
        return None
    return Failure("invalid header fields are forwarded", "LoadBalancerAttributes")


access_logs = define(
    "CW-AWS-ELB-004",
    "Load balancer access logging is disabled",
    "LOW",
    description="Access logs record every request (client, path, status) needed to investigate "
    "attacks on the application.",
    remediation="Enable access_logs { enabled = true, bucket = ... } (attribute "
    "access_logs.s3.enabled, or AccessLoggingPolicy for classic ELBs).",
    references=[f"{ELB_DOCS}/application/enable-access-logging.html"],
    compliance=logging(),
)


@implements(access_logs, TF, *TF_LBS)
def _tf_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    if truthy(attr(res, "access_logs.enabled", False)):
        return None
    return Failure("access logs are disabled", "access_logs")


@implements(access_logs, TF, "aws_elb")
def _tf_classic_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    if blocks(res, "access_logs") and truthy(attr(res, "access_logs.enabled", True)):
        return None
    return Failure("access logs are disabled", "access_logs")


@implements(access_logs, CFN, CFN_LB)
def _cfn_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    if _lb_attributes(res).get("access_logs.s3.enabled") == "true":
        return None
    return Failure("access logs are disabled", "LoadBalancerAttributes")


@implements(access_logs, CFN, CFN_CLASSIC)
def _cfn_classic_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    if truthy(attr(res, "AccessLoggingPolicy.Enabled", False)):
        return None
    return Failure("access logs are disabled", "AccessLoggingPolicy")
