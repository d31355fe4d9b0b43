"""CloudFront: HTTPS to viewers and origins, TLS versions, WAF, access logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    comp,
    implements,
    in_transit,
    logging,
    non_empty,
    require,
)
from citywatch.checks.base import CheckContext, Failure, attr, blocks, define, truthy
from citywatch.model import Resource

CF_DOCS = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide"
TF_DIST = "aws_cloudfront_distribution"
CFN_DIST = "AWS::CloudFront::Distribution"
DC = "DistributionConfig"

viewer_https = define(
    "CW-AWS-CLOUDFRONT-001",
    "CloudFront distribution allows plain-HTTP viewers",
    "HIGH",
    description="viewer_protocol_policy allow-all serves content and cookies over unencrypted "
    "HTTP.",
    remediation="Set viewer_protocol_policy (ViewerProtocolPolicy) to redirect-to-https or "
    "https-only on every cache behavior.",
    references=[f"{CF_DOCS}/using-https-viewers-to-cloudfront.html"],
    compliance=in_transit(),
)


def _allow_all(behaviors: list[tuple[str, dict[str, Any]]], key: str) -> Iterator[Failure]:
    for path, behavior in behaviors:
        if str(attr(behavior, key, "")).lower() == "allow-all":
            yield Failure("cache behavior allows HTTP", f"{path}.{key}", key=path)


@implements(viewer_https, TF, TF_DIST)
def _tf_viewer(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    behaviors = [
        (f"default_cache_behavior.{i}", b)
        for i, b in enumerate(blocks(res, "default_cache_behavior"))
    ]
    behaviors += [
        (f"ordered_cache_behavior.{i}", b)
        for i, b in enumerate(blocks(res, "ordered_cache_behavior"))
    ]
    return _allow_all(behaviors, "viewer_protocol_policy")


@implements(viewer_https, CFN, CFN_DIST)
def _cfn_viewer(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    behaviors = [
        (f"{DC}.DefaultCacheBehavior", b) for b in blocks(res, f"{DC}.DefaultCacheBehavior")
    ]
    behaviors += [
        (f"{DC}.CacheBehaviors.{i}", b) for i, b in enumerate(blocks(res, f"{DC}.CacheBehaviors"))
    ]
    return _allow_all(behaviors, "ViewerProtocolPolicy")


tls_version = define(
    "CW-AWS-CLOUDFRONT-002",
    "CloudFront distribution accepts TLS versions older than 1.2",
    "MEDIUM",
    description="A custom certificate with a minimum protocol version below TLSv1.2 lets "
    "viewers negotiate deprecated TLS 1.0/1.1; so does the default *.cloudfront.net "
    "certificate, whose security policy is always TLSv1.",
    remediation="Use a custom (ACM) certificate and set minimum_protocol_version "
    "(MinimumProtocolVersion) to TLSv1.2_2021.",
    references=[f"{CF_DOCS}/secure-connections-supported-viewer-protocols-ciphers.html"],
    compliance=in_transit(),
)


def _old_tls(cert: dict[str, Any] | None, default_key: str, version_key: str) -> str | None:
    if not cert:
        return None
    if truthy(attr(cert, default_key, False)):
        return "TLSv1 (the default CloudFront certificate cannot be raised)"
    version = str(attr(cert, version_key, "TLSv1"))
    if version.startswith(("TLSv1.2", "TLSv1.3")):
        return None
    return version


@implements(tls_version, TF, TF_DIST)
def _tf_tls(res: Resource, ctx: CheckContext) -> Failure | None:
    certs = blocks(res, "viewer_certificate")
    version = _old_tls(
        certs[0] if certs else None, "cloudfront_default_certificate", "minimum_protocol_version"
    )
    if version:
        return Failure(f"minimum protocol version is {version}", "viewer_certificate")
    return None


@implements(tls_version, CFN, CFN_DIST)
def _cfn_tls(res: Resource, ctx: CheckContext) -> Failure | None:
    certs = blocks(res, f"{DC}.ViewerCertificate")
    version = _old_tls(
        certs[0] if certs else None, "CloudFrontDefaultCertificate", "MinimumProtocolVersion"
    )
    if version:
        return Failure(f"minimum protocol version is {version}", f"{DC}.ViewerCertificate")
    return None


waf = define(
    "CW-AWS-CLOUDFRONT-003",
    "CloudFront distribution is not protected by AWS WAF",
    "LOW",
    description="Without a web ACL, common web exploits and bot traffic reach the origin "
    "unfiltered.",
    remediation="Associate a WAFv2 web ACL with web_acl_id (WebACLId).",
    references=[f"{CF_DOCS}/distribution-web-awswaf.html"],
    compliance=comp(["SC-7", "SI-4"], ["A.8.20", "A.8.16"], ["CC6.6"]),
)
require(
    waf, TF, TF_DIST, "web_acl_id", "no web ACL is associated", ok=non_empty, unknown_is_set=True
)
require(
    waf,
    CFN,
    CFN_DIST,
    f"{DC}.WebACLId",
    "no web ACL is associated",
    ok=non_empty,
    unknown_is_set=True,
)

access_logs = define(
    "CW-AWS-CLOUDFRONT-004",
    "CloudFront distribution access logging is disabled",
    "LOW",
    description="Standard logs record every viewer request for investigation of abuse.",
    remediation="Add logging_config { bucket = ... } (DistributionConfig.Logging).",
    references=[f"{CF_DOCS}/AccessLogs.html"],
    compliance=logging(),
)
require(
    access_logs,
    TF,
    TF_DIST,
    "logging_config",
    "access logging is off",
    ok=non_empty,
    unknown_is_set=True,
)
require(
    access_logs,
    CFN,
    CFN_DIST,
    f"{DC}.Logging",
    "access logging is off",
    ok=non_empty,
    unknown_is_set=True,
)

origin_https = define(
    "CW-AWS-CLOUDFRONT-005",
    "CloudFront fetches from a custom origin over plain HTTP",
    "MEDIUM",
    description="origin_protocol_policy http-only sends every request and response between "
    "CloudFront and the origin unencrypted across the internet.",
    remediation="Set origin_protocol_policy (OriginProtocolPolicy) to https-only with "
    "TLSv1.2 origin SSL protocols.",
    references=[f"{CF_DOCS}/using-https-cloudfront-to-custom-origin.html"],
    compliance=in_transit(),
)


@implements(origin_https, TF, TF_DIST)
def _tf_origin(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for i, origin in enumerate(blocks(res, "origin")):
        policy = attr(origin, "custom_origin_config.origin_protocol_policy")
        if str(policy).lower() == "http-only":
            yield Failure(
                f"origin {attr(origin, 'origin_id', i)} is http-only", f"origin.{i}", key=str(i)
            )


@implements(origin_https, CFN, CFN_DIST)
def _cfn_origin(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for i, origin in enumerate(blocks(res, f"{DC}.Origins")):
        policy = attr(origin, "CustomOriginConfig.OriginProtocolPolicy")
        if str(policy).lower() == "http-only":
            path = f"{DC}.Origins.{i}.CustomOriginConfig.OriginProtocolPolicy"
            yield Failure(f"origin {attr(origin, 'Id', i)} is http-only", path, key=str(i))
