"""CloudWatch Logs: log groups encrypted with KMS and kept long enough."""

from __future__ import annotations

from typing import Any

from citywatch.checks.aws._common import CFN, TF, comp, key_management, non_empty, require
from citywatch.checks.base import define, known

LOGS_DOCS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs"

encryption = define(
    "CW-AWS-LOGS-001",
    "CloudWatch log group is not encrypted with a KMS key",
    "LOW",
    description="Logs often carry tokens and personal data; a KMS key adds a key policy on who "
    "may read them.",
    remediation="Set kms_key_id (KmsKeyId) to a customer-managed KMS key.",
    references=[f"{LOGS_DOCS}/encrypt-log-data-kms.html"],
    compliance=key_management(),
)
require(
    encryption,
    TF,
    "aws_cloudwatch_log_group",
    "kms_key_id",
    "no KMS key",
    ok=non_empty,
    unknown_is_set=True,
)
require(
    encryption,
    CFN,
    "AWS::Logs::LogGroup",
    "KmsKeyId",
    "no KMS key",
    ok=non_empty,
    unknown_is_set=True,
)

retention = define(
    "CW-AWS-LOGS-002",
    "CloudWatch log group keeps logs for less than a year",
    "LOW",
    description="Investigations often start months after the fact; logs that expire within a "
    "year are gone by then.",
    remediation="Set retention_in_days (RetentionInDays) to 365 or more, or leave it unset to "
    "keep logs indefinitely.",
    references=[f"{LOGS_DOCS}/Working-with-log-groups-and-streams.html"],
    compliance=comp(["AU-11"], ["A.8.15", "A.5.33"], ["CC7.2"]),
)


def _one_year(value: Any) -> bool:
    days = int(known(value))
    return days == 0 or days >= 365


_MSG = "logs expire after {value} days"
require(
    retention, TF, "aws_cloudwatch_log_group", "retention_in_days", _MSG, ok=_one_year, default=0
)
require(retention, CFN, "AWS::Logs::LogGroup", "RetentionInDays", _MSG, ok=_one_year, default=0)
