"""SQS: queue encryption and queue policies open to everyone."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.aws._common import (
    CFN,
    TF,
    at_rest,
    data_exposure,
    implements,
    policy_document,
    present,
    public_allow_statements,
)
from citywatch.checks.base import CheckContext, Failure, attr, define, truthy
from citywatch.model import Resource

SQS_DOCS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide"

encryption = define(
    "CW-AWS-SQS-001",
    "SQS queue is not encrypted at rest",
    "MEDIUM",
    description="Messages in an unencrypted queue are stored in plain text.",
    remediation="Set kms_master_key_id (KmsMasterKeyId) or sqs_managed_sse_enabled = true "
    "(SqsManagedSseEnabled: true).",
    references=[f"{SQS_DOCS}/sqs-server-side-encryption.html"],
    compliance=at_rest(),
)


@implements(encryption, TF, "aws_sqs_queue")
def _tf_encryption(res: Resource, ctx: CheckContext) -> Failure | None:
    if present(res, "kms_master_key_id") or truthy(attr(res, "sqs_managed_sse_enabled", False)):
        return None
    return Failure("neither kms_master_key_id nor sqs_managed_sse_enabled is set")


@implements(encryption, CFN, "AWS::SQS::Queue")
def _cfn_encryption(res: Resource, ctx: CheckContext) -> Failure | None:
    if present(res, "KmsMasterKeyId") or truthy(attr(res, "SqsManagedSseEnabled", False)):
        return None
    return Failure("neither KmsMasterKeyId nor SqsManagedSseEnabled is set")


public_policy = define(
    "CW-AWS-SQS-002",
    "SQS queue policy allows any principal",
    "HIGH",
    description='An Allow statement for Principal "*" without a Condition lets anyone send, '
    "receive or delete messages.",
    remediation="Name the principals, or restrict with aws:SourceArn / aws:SourceAccount.",
    references=[f"{SQS_DOCS}/sqs-basic-examples-of-sqs-policies.html"],
    compliance=data_exposure(),
)


def _public(value: object, path: str) -> Iterator[Failure]:
    for i in public_allow_statements(policy_document(value)):
        yield Failure(f'statement {i} allows Principal "*"', path, key=str(i))


@implements(public_policy, TF, "aws_sqs_queue_policy", "aws_sqs_queue")
def _tf_public(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public(attr(res, "policy"), "policy")


@implements(public_policy, CFN, "AWS::SQS::QueuePolicy")
def _cfn_public(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public(attr(res, "PolicyDocument"), "PolicyDocument")
