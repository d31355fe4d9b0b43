"""DynamoDB and DAX: customer-managed encryption keys, point-in-time recovery."""

from __future__ import annotations

from citywatch.checks.aws._common import (
    CFN,
    TF,
    at_rest,
    backup,
    implements,
    key_management,
    present,
    require,
)
from citywatch.checks.base import CheckContext, Failure, attr, define, truthy
from citywatch.model import Resource

DDB_DOCS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide"

cmk = define(
    "CW-AWS-DYNAMODB-001",
    "DynamoDB table is not encrypted with a customer-managed KMS key",
    "LOW",
    description="Tables are encrypted with an AWS-owned key by default; a customer-managed key "
    "lets you control, audit and revoke access to the data.",
    remediation="Enable server_side_encryption with kms_key_arn (SSESpecification with "
    "SSEEnabled: true, SSEType: KMS and KMSMasterKeyId).",
    references=[f"{DDB_DOCS}/EncryptionAtRest.html"],
    compliance=key_management(),
)


@implements(cmk, TF, "aws_dynamodb_table")
def _tf_cmk(res: Resource, ctx: CheckContext) -> Failure | None:
    if not truthy(attr(res, "server_side_encryption.enabled", False)):
        return Failure("server-side encryption uses the AWS-owned key", "server_side_encryption")
    if not present(res, "server_side_encryption.kms_key_arn"):
        return Failure("no customer-managed kms_key_arn", "server_side_encryption")
    return None


@implements(cmk, CFN, "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")
def _cfn_cmk(res: Resource, ctx: CheckContext) -> Failure | None:
    if not truthy(attr(res, "SSESpecification.SSEEnabled", False)):
        return Failure("SSESpecification.SSEEnabled is not true", "SSESpecification")
    if res.kind == "AWS::DynamoDB::Table" and not present(res, "SSESpecification.KMSMasterKeyId"):
        return Failure("no customer-managed KMSMasterKeyId", "SSESpecification")
    return None


pitr = define(
    "CW-AWS-DYNAMODB-002",
    "DynamoDB point-in-time recovery is disabled",
    "MEDIUM",
    description="Without point-in-time recovery a bad write or delete cannot be rolled back.",
    remediation="Enable point_in_time_recovery { enabled = true } "
    "(PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true).",
    references=[f"{DDB_DOCS}/PointInTimeRecovery.html"],
    compliance=backup(),
)
require(
    pitr,
    TF,
    "aws_dynamodb_table",
    "point_in_time_recovery.enabled",
    "point-in-time recovery is off",
)
require(
    pitr,
    CFN,
    "AWS::DynamoDB::Table",
    "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled",
    "point-in-time recovery is off",
)

dax = define(
    "CW-AWS-DYNAMODB-003",
    "DAX cluster is not encrypted at rest",
    "MEDIUM",
    description="DAX caches table items; without server-side encryption the cached data is "
    "stored unencrypted.",
    remediation="Enable server_side_encryption { enabled = true } (SSESpecification.SSEEnabled).",
    references=[f"{DDB_DOCS}/DAXEncryptionAtRest.html"],
    compliance=at_rest(),
)
require(dax, TF, "aws_dax_cluster", "server_side_encryption.enabled", "DAX encryption is off")
require(dax, CFN, "AWS::DAX::Cluster", "SSESpecification.SSEEnabled", "DAX encryption is off")
