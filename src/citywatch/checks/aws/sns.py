"""SNS: topics encrypted with KMS, topic policies that do not open the topic to everyone."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.aws._common import (
    CFN,
    TF,
    at_rest,
    data_exposure,
    implements,
    non_empty,
    policy_document,
    public_allow_statements,
    require,
)
from citywatch.checks.base import CheckContext, Failure, attr, define
from citywatch.model import Resource

SNS_DOCS = "https://docs.aws.amazon.com/sns/latest/dg"

encryption = define(
    "CW-AWS-SNS-001",
    "SNS topic is not encrypted at rest",
    "MEDIUM",
    description="Messages published to an unencrypted topic are stored unencrypted until "
    "delivered.",
    remediation="Set kms_master_key_id (KmsMasterKeyId), for example alias/aws/sns or a "
    "customer-managed key.",
    references=[f"{SNS_DOCS}/sns-server-side-encryption.html"],
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

public_policy = define(
    "CW-AWS-SNS-002",
    "SNS topic policy allows any principal",
    "HIGH",
    description='An Allow statement for Principal "*" without a Condition lets anyone publish '
    "to the topic (spam, forged events to every subscriber) or subscribe to it and read "
    "every message.",
    remediation="Name the publishing principals (accounts, services) or restrict with "
    "aws:SourceArn / aws:SourceAccount / aws:PrincipalOrgID conditions.",
    references=[
        f"{SNS_DOCS}/sns-access-policy-use-cases.html",
        f"{SNS_DOCS}/sns-security-best-practices.html",
    ],
    compliance=data_exposure(),
)


def _public(value: object, path: str) -> Iterator[Failure]:
    for i in public_allow_statements(policy_document(value)):
        yield Failure(f'statement {i} allows Principal "*"', path, key=str(i))


@implements(public_policy, TF, "aws_sns_topic_policy", "aws_sns_topic")
def _tf_public(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public(attr(res, "policy"), "policy")


@implements(public_policy, CFN, "AWS::SNS::TopicPolicy")
def _cfn_public(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public(attr(res, "PolicyDocument"), "PolicyDocument")
