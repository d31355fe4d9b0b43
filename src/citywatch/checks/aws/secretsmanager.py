"""Secrets Manager: automatic rotation and customer-managed keys."""

from __future__ import annotations

import json
import re
from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    authentication,
    connected,
    implements,
    key_management,
    mask,
    non_empty,
    present,
    require,
    secret_value,
    secrets_exposure,
)
from citywatch.checks.base import CheckContext, Failure, UnknownValue, attr, define
from citywatch.model import UNKNOWN, Resource, restore_unknown_leaves

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
    if present(res, "rotation_lambda_arn"):
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


static_value = define(
    "CW-AWS-SECRETSMANAGER-003",
    "Secrets Manager secret value is written in the configuration",
    "HIGH",
    description="A secret value known when the configuration is read (a literal, or a variable "
    "or parameter default) sits in the repository, in every plan and in the state file, which "
    "defeats storing it in Secrets Manager. Placeholder values (`changeme`, `placeholder`) "
    "that are replaced out of band are not reported.",
    remediation="Let Secrets Manager generate the value (GenerateSecretString, "
    "random_password, manage_master_user_password) or set it outside the configuration; for "
    "a placeholder add lifecycle { ignore_changes = [secret_string] }.",
    references=[f"{SM_DOCS}/create_secret.html", f"{SM_DOCS}/security_iac.html"],
    compliance=secrets_exposure(),
)

_PLACEHOLDER = re.compile(
    r"(?i)^(|placeholder|change[_-]?me|changeit|dummy|todo|tbd|tbc|unset|none|null|empty"
    r"|replace[_-]?me|to[_-]?be[_-]?(set|replaced|changed)|set[_-]?me|x+|\*+|-+)$"
)


def _has_unknown_leaf(value: Any, depth: int = 0) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, list) and depth < 64:
        return any(_has_unknown_leaf(v, depth + 1) for v in value)
    return False


def _real_values(text: str) -> list[str]:
    """The parts of a secret string that are not placeholders (a JSON object is split)."""
    try:
        parsed = restore_unknown_leaves(json.loads(text))
    except (ValueError, RecursionError):
        parsed = text
    if not isinstance(parsed, dict) and _has_unknown_leaf(parsed):
        return []  # JSON built around apply-time values: nothing literal to judge as a whole
    if isinstance(parsed, dict):
        # a key whose value is only known at apply time (UNKNOWN) is not a literal secret
        # usernames, hosts and ports ride along with the password: judge secret-named keys
        named = [str(v) for k, v in parsed.items() if secret_value(str(k), v)]
        return [v for v in named if not _PLACEHOLDER.match(v.strip())]
    return [] if _PLACEHOLDER.match(str(parsed).strip()) else [str(parsed)]


def _static_secret(res: Resource, path: str) -> Failure | None:
    try:
        value = attr(res, path)
    except UnknownValue:
        return None  # generated or supplied at apply time
    if not isinstance(value, str) or value.startswith("{{resolve:"):
        return None
    real = _real_values(value)
    if not real:
        return None
    return Failure(f"{path} holds a value written in the configuration ({mask(real[0])})", path)


@implements(static_value, TF, "aws_secretsmanager_secret_version")
def _tf_static_value(res: Resource, ctx: CheckContext) -> Failure | None:
    return _static_secret(res, "secret_string")


@implements(static_value, CFN, "AWS::SecretsManager::Secret")
def _cfn_static_value(res: Resource, ctx: CheckContext) -> Failure | None:
    return _static_secret(res, "SecretString")
