"""SNS: topics encrypted with KMS."""

from __future__ import annotations

from citywatch.checks.aws._common import CFN, TF, at_rest, non_empty, require
from citywatch.checks.base import define

encryption = define(
    "CW-AWS-SNS-001",
    "SNS topic is not encrypted at rest",
    "MEDIUM",
    description="Messages published to an unencrypted topic are stored unencrypted until "
    "delivered.",
    remediation="Set kms_master_key_id (KmsMasterKeyId), for example alias/aws/sns or a "
    "customer-managed key.",
    references=["https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html"],
    compliance=at_rest(),
)
require(
    encryption,
    TF,
    "aws_sns_topic",
    "kms_master_key_id",
    "topic has no KMS key",
    ok=non_empty,
    unknown_is_set=True,
)
require(
    encryption,
    CFN,
    "AWS::SNS::Topic",
    "KmsMasterKeyId",
    "topic has no KMS key",
    ok=non_empty,
    unknown_is_set=True,
)
