"""KMS: automatic key rotation and key policies open to everyone."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.aws._common import (
    CFN,
    TF,
    data_exposure,
    implements,
    key_management,
    policy_document,
    present,
    public_allow_statements,
)
from citywatch.checks.base import CheckContext, Failure, attr, define, truthy
from citywatch.model import Resource

KMS_DOCS = "https://docs.aws.amazon.com/kms/latest/developerguide"

rotation = define(
    "CW-AWS-KMS-001",
    "KMS key rotation is disabled",
    "MEDIUM",
    description="Rotation limits how much data one key version protects; CIS asks for it on "
    "every symmetric customer-managed key. Asymmetric and HMAC keys, imported key material "
    "and custom key store keys cannot rotate automatically and are not reported.",
    remediation="Set enable_key_rotation = true (EnableKeyRotation: true).",
    references=[f"{KMS_DOCS}/rotate-keys.html"],
    compliance=key_management(["3.6"]),
)


def _symmetric(spec: object) -> bool:
    return spec is None or str(spec) == "SYMMETRIC_DEFAULT"


@implements(rotation, TF, "aws_kms_key")
def _tf_rotation(res: Resource, ctx: CheckContext) -> Failure | None:
    if not _symmetric(attr(res, "customer_master_key_spec")):
        return None
    if present(res, "custom_key_store_id") or present(res, "xks_key_id"):
        return None  # keys in a custom key store cannot rotate automatically
    if truthy(attr(res, "enable_key_rotation", False)):
        return None
    return Failure("key rotation is disabled", "enable_key_rotation")


@implements(rotation, CFN, "AWS::KMS::Key")
def _cfn_rotation(res: Resource, ctx: CheckContext) -> Failure | None:
    if not _symmetric(attr(res, "KeySpec")):
        return None
    if str(attr(res, "Origin", "AWS_KMS")).upper() == "EXTERNAL":
        return None  # imported key material is rotated by re-importing, not automatically
    if truthy(attr(res, "EnableKeyRotation", False)):
        return None
    return Failure("key rotation is disabled", "EnableKeyRotation")


public_key = define(
    "CW-AWS-KMS-002",
    "KMS key policy allows any principal",
    "CRITICAL",
    description='An Allow for Principal "*" without a Condition lets any AWS account use or '
    "manage the key.",
    remediation="Grant the key to the account root and named roles; restrict service access "
    "with kms:ViaService / kms:CallerAccount conditions.",
    references=[f"{KMS_DOCS}/key-policies.html"],
    compliance=data_exposure(),
)


def _public(value: object, path: str) -> Iterator[Failure]:
    for i in public_allow_statements(policy_document(value)):
        yield Failure(f'statement {i} allows Principal "*"', path, key=str(i))


@implements(public_key, TF, "aws_kms_key", "aws_kms_key_policy")
def _tf_public(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public(attr(res, "policy"), "policy")


@implements(public_key, CFN, "AWS::KMS::Key")
def _cfn_public(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public(attr(res, "KeyPolicy"), "KeyPolicy")
