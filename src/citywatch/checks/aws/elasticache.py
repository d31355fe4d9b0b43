"""ElastiCache (Redis/Valkey): encryption at rest and in transit, AUTH."""

from __future__ import annotations

from citywatch.checks.aws._common import (
    CFN,
    TF,
    at_rest,
    authentication,
    implements,
    in_transit,
    present,
    require,
)
from citywatch.checks.base import CheckContext, Failure, define
from citywatch.model import Resource

EC_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg"
TF_KIND = "aws_elasticache_replication_group"
CFN_KIND = "AWS::ElastiCache::ReplicationGroup"

at_rest_check = define(
    "CW-AWS-ELASTICACHE-001",
    "ElastiCache replication group is not encrypted at rest",
    "MEDIUM",
    description="Cached data, backups and swap are written to disk unencrypted.",
    remediation="Set at_rest_encryption_enabled = true (AtRestEncryptionEnabled: true).",
    references=[f"{EC_DOCS}/at-rest-encryption.html"],
    compliance=at_rest(),
)
require(at_rest_check, TF, TF_KIND, "at_rest_encryption_enabled", "at-rest encryption is off")
require(at_rest_check, CFN, CFN_KIND, "AtRestEncryptionEnabled", "at-rest encryption is off")

transit = define(
    "CW-AWS-ELASTICACHE-002",
    "ElastiCache replication group is not encrypted in transit",
    "HIGH",
    description="Without TLS, commands and cached values (often session tokens) cross the "
    "network in plain text.",
    remediation="Set transit_encryption_enabled = true (TransitEncryptionEnabled: true).",
    references=[f"{EC_DOCS}/in-transit-encryption.html"],
    compliance=in_transit(),
)
require(transit, TF, TF_KIND, "transit_encryption_enabled", "in-transit encryption is off")
require(transit, CFN, CFN_KIND, "TransitEncryptionEnabled", "in-transit encryption is off")

auth = define(
    "CW-AWS-ELASTICACHE-003",
    "ElastiCache Redis replication group has no authentication",
    "HIGH",
    description="Without an AUTH token or RBAC user group, anyone who can reach the port can "
    "read and change every key.",
    remediation="Set auth_token (AuthToken, from a secret) or user_group_ids (UserGroupIds).",
    references=[f"{EC_DOCS}/auth.html"],
    compliance=authentication(),
)


@implements(auth, TF, TF_KIND)
def _tf_auth(res: Resource, ctx: CheckContext) -> Failure | None:
    if present(res, "auth_token") or present(res, "user_group_ids"):
        return None
    return Failure("neither auth_token nor user_group_ids is set")


@implements(auth, CFN, CFN_KIND)
def _cfn_auth(res: Resource, ctx: CheckContext) -> Failure | None:
    if present(res, "AuthToken") or present(res, "UserGroupIds"):
        return None
    return Failure("neither AuthToken nor UserGroupIds is set")
