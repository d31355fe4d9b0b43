"""OpenSearch / Elasticsearch Service: encryption at rest and between nodes, HTTPS, TLS."""

from __future__ import annotations

from citywatch.checks.aws._common import CFN, TF, at_rest, implements, in_transit, require
from citywatch.checks.base import CheckContext, Failure, attr, define
from citywatch.model import Resource

OS_DOCS = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide"
TF_KINDS = ("aws_opensearch_domain", "aws_elasticsearch_domain")
CFN_KINDS = ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain")

rest = define(
    "CW-AWS-OPENSEARCH-001",
    "OpenSearch domain is not encrypted at rest",
    "HIGH",
    description="Indices, logs, swap and snapshots of an unencrypted domain are stored in plain "
    "text.",
    remediation="Set encrypt_at_rest { enabled = true } (EncryptionAtRestOptions.Enabled).",
    references=[f"{OS_DOCS}/encryption-at-rest.html"],
    compliance=at_rest(),
)
require(rest, TF, TF_KINDS, "encrypt_at_rest.enabled", "encryption at rest is off")
require(rest, CFN, CFN_KINDS, "EncryptionAtRestOptions.Enabled", "encryption at rest is off")

node_to_node = define(
    "CW-AWS-OPENSEARCH-002",
    "OpenSearch node-to-node encryption is disabled",
    "MEDIUM",
    description="Without node-to-node encryption, traffic between cluster nodes is plain text "
    "inside the VPC.",
    remediation="Set node_to_node_encryption { enabled = true } "
    "(NodeToNodeEncryptionOptions.Enabled).",
    references=[f"{OS_DOCS}/ntn.html"],
    compliance=in_transit(),
)
require(node_to_node, TF, TF_KINDS, "node_to_node_encryption.enabled", "node-to-node TLS is off")
require(
    node_to_node, CFN, CFN_KINDS, "NodeToNodeEncryptionOptions.Enabled", "node-to-node TLS is off"
)

https = define(
    "CW-AWS-OPENSEARCH-003",
    "OpenSearch domain does not enforce HTTPS",
    "HIGH",
    description="Without enforced HTTPS, clients can send queries, documents and credentials "
    "over plain HTTP.",
    remediation="Set domain_endpoint_options { enforce_https = true } "
    "(DomainEndpointOptions.EnforceHTTPS: true).",
    references=[f"{OS_DOCS}/infrastructure-security.html"],
    compliance=in_transit(),
)
require(https, TF, TF_KINDS, "domain_endpoint_options.enforce_https", "HTTPS is not enforced")
require(https, CFN, CFN_KINDS, "DomainEndpointOptions.EnforceHTTPS", "HTTPS is not enforced")

tls = define(
    "CW-AWS-OPENSEARCH-004",
    "OpenSearch domain accepts TLS 1.0/1.1",
    "MEDIUM",
    description="The Policy-Min-TLS-1-0-2019-07 security policy lets clients negotiate "
    "deprecated TLS versions.",
    remediation="Set tls_security_policy (TLSSecurityPolicy) to Policy-Min-TLS-1-2-2019-07 or "
    "Policy-Min-TLS-1-2-PFS-2023-10.",
    references=[f"{OS_DOCS}/infrastructure-security.html"],
    compliance=in_transit(),
)


def _old_tls(policy: object) -> bool:
    return isinstance(policy, str) and "TLS-1-0" in policy


@implements(tls, TF, *TF_KINDS)
def _tf_tls(res: Resource, ctx: CheckContext) -> Failure | None:
    policy = attr(res, "domain_endpoint_options.tls_security_policy")
    if _old_tls(policy):
        return Failure(f"TLS policy is {policy}", "domain_endpoint_options")
    return None


@implements(tls, CFN, *CFN_KINDS)
def _cfn_tls(res: Resource, ctx: CheckContext) -> Failure | None:
    policy = attr(res, "DomainEndpointOptions.TLSSecurityPolicy")
    if _old_tls(policy):
        return Failure(f"TLS policy is {policy}", "DomainEndpointOptions.TLSSecurityPolicy")
    return None
