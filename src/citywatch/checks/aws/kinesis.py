"""Kinesis Data Streams and Firehose: server-side encryption."""

from __future__ import annotations

from citywatch.checks.aws._common import CFN, TF, at_rest, equals, implements, present, require
from citywatch.checks.base import CheckContext, Failure, attr, define, truthy
from citywatch.model import Resource

streams = define(
    "CW-AWS-KINESIS-001",
    "Kinesis data stream is not encrypted",
    "MEDIUM",
    description="Records in an unencrypted stream are stored in plain text for the retention "
    "period.",
    remediation='Set encryption_type = "KMS" with kms_key_id (StreamEncryption with '
    "EncryptionType: KMS).",
    references=["https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html"],
    compliance=at_rest(),
)
require(
    streams,
    TF,
    "aws_kinesis_stream",
    "encryption_type",
    "encryption_type is {value}",
    ok=equals("KMS"),
    default="NONE",
)
require(
    streams,
    CFN,
    "AWS::Kinesis::Stream",
    "StreamEncryption.EncryptionType",
    "stream encryption is {value}",
    ok=equals("KMS"),
    default="NONE",
)

firehose = define(
    "CW-AWS-KINESIS-002",
    "Kinesis Firehose delivery stream is not encrypted",
    "MEDIUM",
    description="Without server-side encryption, records buffered by Firehose are stored "
    "unencrypted.",
    remediation="Enable server_side_encryption { enabled = true } "
    "(DeliveryStreamEncryptionConfigurationInput).",
    references=["https://docs.aws.amazon.com/firehose/latest/dev/encryption.html"],
    compliance=at_rest(),
)


@implements(firehose, TF, "aws_kinesis_firehose_delivery_stream")
def _tf_firehose(res: Resource, ctx: CheckContext) -> Failure | None:
    if present(res, "kinesis_source_configuration"):
        return None  # encryption is inherited from the source stream
    if truthy(attr(res, "server_side_encryption.enabled", False)):
        return None
    return Failure("server-side encryption is disabled", "server_side_encryption")


@implements(firehose, CFN, "AWS::KinesisFirehose::DeliveryStream")
def _cfn_firehose(res: Resource, ctx: CheckContext) -> Failure | None:
    if present(res, "KinesisStreamSourceConfiguration"):
        return None
    if attr(res, "DeliveryStreamEncryptionConfigurationInput.KeyType"):
        return None
    return Failure("DeliveryStreamEncryptionConfigurationInput is not set")
