"""CloudTrail: multi-region, log file validation, KMS, CloudWatch delivery, S3 data events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    comp,
    connected,
    implements,
    key_management,
    logging,
    monitoring,
    non_empty,
    require,
)
from citywatch.checks.base import (
    CheckContext,
    Failure,
    UnknownValue,
    attr,
    blocks,
    define,
    truthy,
)
from citywatch.model import Resource

CT_DOCS = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide"
TF_TRAIL = "aws_cloudtrail"
CFN_TRAIL = "AWS::CloudTrail::Trail"

multi_region = define(
    "CW-AWS-CLOUDTRAIL-001",
    "CloudTrail trail is not multi-region",
    "MEDIUM",
    description="A single-region trail misses API activity in every other region, where an "
    "attacker can work unobserved. A single-region trail next to a multi-region trail of the "
    "same scan (e.g. a data-events trail) is not reported.",
    remediation="Set is_multi_region_trail = true (IsMultiRegionTrail: true).",
    references=[f"{CT_DOCS}/receive-cloudtrail-log-files-from-multiple-regions.html"],
    compliance=logging(["3.1"]),
)


def _another_trail(res: Resource, ctx: CheckContext, covers: Callable[[Resource], bool]) -> bool:
    """Coverage is per account: a second, narrower trail next to a covering one is fine."""
    for other in ctx.of_type(res.kind):
        if other is res:
            continue
        try:
            if covers(other):
                return True
        except UnknownValue:
            continue
    return False


def _multi_region(res: Resource) -> bool:
    key = "is_multi_region_trail" if res.framework == TF else "IsMultiRegionTrail"
    return truthy(attr(res, key, False))


@implements(multi_region, TF, TF_TRAIL)
@implements(multi_region, CFN, CFN_TRAIL)
def _multi_region_rule(res: Resource, ctx: CheckContext) -> Failure | None:
    if _multi_region(res) or _another_trail(res, ctx, _multi_region):
        return None
    key = "is_multi_region_trail" if res.framework == TF else "IsMultiRegionTrail"
    return Failure("trail covers one region only and no other trail covers every region", key)


validation = define(
    "CW-AWS-CLOUDTRAIL-002",
    "CloudTrail log file validation is disabled",
    "MEDIUM",
    description="Without digest files nobody can prove that delivered logs were not modified "
    "or deleted.",
    remediation="Set enable_log_file_validation = true (EnableLogFileValidation: true).",
    references=[f"{CT_DOCS}/cloudtrail-log-file-validation-intro.html"],
    compliance=comp(["AU-9", "SI-7"], ["A.8.15", "A.5.33"], ["CC7.2"], ["3.2"]),
)
require(validation, TF, TF_TRAIL, "enable_log_file_validation", "log file validation is off")
require(validation, CFN, CFN_TRAIL, "EnableLogFileValidation", "log file validation is off")

kms = define(
    "CW-AWS-CLOUDTRAIL-003",
    "CloudTrail logs are not encrypted with a KMS key",
    "MEDIUM",
    description="SSE-KMS adds a key policy as a second gate on who can read the audit trail.",
    remediation="Set kms_key_id (KMSKeyId) to a customer-managed KMS key.",
    references=[f"{CT_DOCS}/encrypting-cloudtrail-log-files-with-aws-kms.html"],
    compliance=key_management(["3.5"]),
)
require(kms, TF, TF_TRAIL, "kms_key_id", "no KMS key", ok=non_empty, unknown_is_set=True)
require(kms, CFN, CFN_TRAIL, "KMSKeyId", "no KMS key", ok=non_empty, unknown_is_set=True)

cloudwatch = define(
    "CW-AWS-CLOUDTRAIL-004",
    "CloudTrail trail does not deliver to CloudWatch Logs",
    "LOW",
    description="Delivering to CloudWatch Logs is what makes real-time metric filters and "
    "alarms on API activity possible.",
    remediation="Set cloud_watch_logs_group_arn and cloud_watch_logs_role_arn "
    "(CloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn).",
    references=[f"{CT_DOCS}/send-cloudtrail-events-to-cloudwatch-logs.html"],
    compliance=monitoring(),
)
require(
    cloudwatch,
    TF,
    TF_TRAIL,
    "cloud_watch_logs_group_arn",
    "no log group",
    ok=non_empty,
    unknown_is_set=True,
)
require(
    cloudwatch,
    CFN,
    CFN_TRAIL,
    "CloudWatchLogsLogGroupArn",
    "no log group",
    ok=non_empty,
    unknown_is_set=True,
)

is_logging = define(
    "CW-AWS-CLOUDTRAIL-005",
    "CloudTrail trail has logging turned off",
    "HIGH",
    description="A trail with logging stopped records nothing.",
    remediation="Set enable_logging = true (IsLogging: true).",
    references=[f"{CT_DOCS}/cloudtrail-turning-off-logging.html"],
    compliance=logging(["3.1"]),
)
require(is_logging, TF, TF_TRAIL, "enable_logging", "logging is stopped", default=True)
require(is_logging, CFN, CFN_TRAIL, "IsLogging", "logging is stopped")

data_events = define(
    "CW-AWS-CLOUDTRAIL-006",
    "CloudTrail trail does not record S3 object-level data events",
    "LOW",
    description="Management events do not show who read or wrote which object; data events do. "
    "A trail is not reported when another trail of the scan records them.",
    remediation='Add an event_selector with data_resource type "AWS::S3::Object" (or an '
    "advanced event selector on resources.type) with read and write events.",
    references=[f"{CT_DOCS}/logging-data-events-with-cloudtrail.html"],
    compliance=logging(["3.8", "3.9"]),
)


def _selects_s3(selectors: list[dict[str, Any]], res_key: str, type_key: str) -> bool:
    return any(
        str(attr(dr, type_key, "")) == "AWS::S3::Object"
        for sel in selectors
        for dr in blocks(sel, res_key)
    )


def _advanced_s3(selectors: list[dict[str, Any]], fs_key: str, field: str, eq: str) -> bool:
    for sel in selectors:
        for fs in blocks(sel, fs_key):
            if attr(fs, field) == "resources.type" and "AWS::S3::Object" in (attr(fs, eq) or []):
                return True
    return False


def _records_s3_data(res: Resource) -> bool:
    if res.framework == TF:
        return _selects_s3(blocks(res, "event_selector"), "data_resource", "type") or _advanced_s3(
            blocks(res, "advanced_event_selector"), "field_selector", "field", "equals"
        )
    return _selects_s3(blocks(res, "EventSelectors"), "DataResources", "Type") or _advanced_s3(
        blocks(res, "AdvancedEventSelectors"), "FieldSelectors", "Field", "Equals"
    )


@implements(data_events, TF, TF_TRAIL)
@implements(data_events, CFN, CFN_TRAIL)
def _data_events_rule(res: Resource, ctx: CheckContext) -> Failure | None:
    if _records_s3_data(res) or _another_trail(res, ctx, _records_s3_data):
        return None
    return Failure("no event selector of this or another trail records AWS::S3::Object events")


trail_bucket_logging = define(
    "CW-AWS-CLOUDTRAIL-007",
    "S3 bucket receiving CloudTrail logs has no access logging",
    "LOW",
    description="Server access logs on the trail's bucket show who read or tried to delete the "
    "audit trail itself.",
    remediation="Enable server access logging (aws_s3_bucket_logging / LoggingConfiguration) on "
    "the bucket named by the trail's s3_bucket_name (S3BucketName).",
    references=[f"{CT_DOCS}/cloudtrail-bucket-access-logging.html"],
    compliance=logging(["3.4"]),
)


def _trail_buckets(res: Resource, ctx: CheckContext, kind: str, name_attr: str) -> list[Resource]:
    """Buckets in the scan that the trail writes to (by reference or by literal name)."""
    # read directly: a reference is UNKNOWN until apply, yet names the bucket through `references`
    wanted = res.attributes.get("s3_bucket_name" if res.framework == TF else "S3BucketName")
    found = [
        b
        for ref in res.references
        if (b := ctx.get(ref)) is not None
        and b.kind == kind
        and (res.framework == TF or b.location.path == res.location.path)
    ]
    if isinstance(wanted, str):
        found += [
            b for b in ctx.of_type(kind) if b not in found and b.attributes.get(name_attr) == wanted
        ]
    return found


@implements(trail_bucket_logging, TF, TF_TRAIL)
def _tf_trail_bucket(res: Resource, ctx: CheckContext) -> Failure | None:
    for bucket in _trail_buckets(res, ctx, "aws_s3_bucket", "bucket"):
        logged = blocks(bucket, "logging") or connected(
            ctx, bucket, "aws_s3_bucket_logging", [("bucket", "bucket")]
        )
        if not logged:
            return Failure(f"{bucket.name} has no access logging", "s3_bucket_name")
    return None


@implements(trail_bucket_logging, CFN, CFN_TRAIL)
def _cfn_trail_bucket(res: Resource, ctx: CheckContext) -> Failure | None:
    for bucket in _trail_buckets(res, ctx, "AWS::S3::Bucket", "BucketName"):
        if attr(bucket, "LoggingConfiguration") is None:
            return Failure(f"{bucket.name} has no LoggingConfiguration", "S3BucketName")
    return None
