"""MSK (managed Kafka): TLS between clients and brokers, at-rest keys, broker logs."""

from __future__ import annotations

from citywatch.checks.aws._common import (
    CFN,
    TF,
    implements,
    in_transit,
    key_management,
    logging,
    non_empty,
    require,
)
from citywatch.checks.base import CheckContext, Failure, attr, define, truthy
from citywatch.model import Resource

MSK_DOCS = "https://docs.aws.amazon.com/msk/latest/developerguide"

transit = define(
    "CW-AWS-MSK-001",
    "MSK cluster allows unencrypted traffic",
    "HIGH",
    description="PLAINTEXT or TLS_PLAINTEXT client-broker settings, or disabled in-cluster "
    "encryption, let Kafka records cross the network unencrypted.",
    remediation='Set encryption_in_transit { client_broker = "TLS", in_cluster = true } '
    "(EncryptionInfo.EncryptionInTransit).",
    references=[f"{MSK_DOCS}/msk-encryption.html"],
    compliance=in_transit(),
)


def _transit_failure(client_broker: object, in_cluster: object, path: str) -> Failure | None:
    if str(client_broker).upper() != "TLS":
        return Failure(f"client-broker encryption is {client_broker}", path)
    if not truthy(in_cluster):
        return Failure("in-cluster encryption is disabled", path)
    return None


@implements(transit, TF, "aws_msk_cluster")
def _tf_transit(res: Resource, ctx: CheckContext) -> Failure | None:
    base = "encryption_info.encryption_in_transit"
    return _transit_failure(
        attr(res, f"{base}.client_broker", "TLS"), attr(res, f"{base}.in_cluster", True), base
    )


@implements(transit, CFN, "AWS::MSK::Cluster")
def _cfn_transit(res: Resource, ctx: CheckContext) -> Failure | None:
    base = "EncryptionInfo.EncryptionInTransit"
    return _transit_failure(
        attr(res, f"{base}.ClientBroker", "TLS"), attr(res, f"{base}.InCluster", True), base
    )


at_rest_cmk = define(
    "CW-AWS-MSK-002",
    "MSK cluster data is not encrypted with a customer-managed key",
    "LOW",
    description="Broker volumes use an AWS-managed key unless a customer-managed key is given, "
    "leaving no key policy of your own over the data.",
    remediation="Set encryption_at_rest_kms_key_arn (EncryptionAtRest.DataVolumeKMSKeyId).",
    references=[f"{MSK_DOCS}/msk-encryption.html"],
    compliance=key_management(),
)
require(
    at_rest_cmk,
    TF,
    "aws_msk_cluster",
    "encryption_info.encryption_at_rest_kms_key_arn",
    "no customer-managed key",
    ok=non_empty,
    unknown_is_set=True,
)
require(
    at_rest_cmk,
    CFN,
    "AWS::MSK::Cluster",
    "EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId",
    "no customer-managed key",
    ok=non_empty,
    unknown_is_set=True,
)

broker_logs = define(
    "CW-AWS-MSK-003",
    "MSK broker logging is disabled",
    "LOW",
    description="Broker logs record authentication failures and errors needed to investigate "
    "incidents.",
    remediation="Enable one of logging_info.broker_logs cloudwatch_logs, firehose or s3 "
    "(LoggingInfo.BrokerLogs).",
    references=[f"{MSK_DOCS}/msk-logging.html"],
    compliance=logging(),
)


@implements(broker_logs, TF, "aws_msk_cluster")
def _tf_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    for sink in ("cloudwatch_logs", "firehose", "s3"):
        if truthy(attr(res, f"logging_info.broker_logs.{sink}.enabled", False)):
            return None
    return Failure("no broker log destination is enabled", "logging_info")


@implements(broker_logs, CFN, "AWS::MSK::Cluster")
def _cfn_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    for sink in ("CloudWatchLogs", "Firehose", "S3"):
        if truthy(attr(res, f"LoggingInfo.BrokerLogs.{sink}.Enabled", False)):
            return None
    return Failure("no broker log destination is enabled", "LoggingInfo")
