"""Secrets Manager: automatic rotation and customer-managed keys."""

from __future__ import annotations

from citywatch.checks.aws._common import (
    CFN,
    TF,
    authentication,
    connected,
    implements,
    key_management,
    non_empty,
    require,
)
from citywatch.checks.base import CheckContext, Failure, attr, define
from citywatch.model import Resource

SM_DOCS = "https://docs.aws.amazon.com/secretsmanager/latest/userguide"

rotation = define(
    "CW-AWS-SECRETSMANAGER-001",
    "Secrets Manager secret is not rotated automatically",
    "MEDIUM",
    description="A secret that never rotates stays valid forever once leaked.",
    remediation="Add aws_secretsmanager_secret_rotation (AWS::SecretsManager::RotationSchedule) "
    "with a rotation Lambda or managed rotation.",
    references=[f"{SM_DOCS}/rotating-secrets.html"],
    compliance=authentication(),
)


@implements(rotation, TF, "aws_secretsmanager_secret")
def _tf_rotation(res: Resource, ctx: CheckContext) -> Failure | None:
    if attr(res, "rotation_lambda_arn"):
        return None  # provider v3 inline rotation
    if connected(ctx, res, "aws_secretsmanager_secret_rotation", [("secret_id", "name")]):
        return None
    return Failure("no aws_secretsmanager_secret_rotation for this secret")


@implements(rotation, CFN, "AWS::SecretsManager::Secret")
def _cfn_rotation(res: Resource, ctx: CheckContext) -> Failure | None:
    if connected(ctx, res, "AWS::SecretsManager::RotationSchedule"):
        return None
    return Failure("no AWS::SecretsManager::RotationSchedule for this secret")


cmk = define(
    "CW-AWS-SECRETSMANAGER-002",
    "Secrets Manager secret uses the default AWS-managed key",
    "LOW",
    description="With the aws/secretsmanager key, anyone allowed to read the secret in the "
    "account can decrypt it; a customer-managed key adds an independent key policy and is "
    "required for cross-account access.",
    remediation="Set kms_key_id (KmsKeyId) to a customer-managed KMS key.",
    references=[f"{SM_DOCS}/security-encryption.html"],
    compliance=key_management(),
)
require(
    cmk,
    TF,
    "aws_secretsmanager_secret",
    "kms_key_id",
    "no customer KMS key",
    ok=non_empty,
    unknown_is_set=True,
)
require(
    cmk,
    CFN,
    "AWS::SecretsManager::Secret",
    "KmsKeyId",
    "no customer KMS key",
    ok=non_empty,
    unknown_is_set=True,
)
