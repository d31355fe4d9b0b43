"""Cloud KMS: key rotation and public access to keys and key rings."""

from __future__ import annotations

import re

from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.checks.gcp._helpers import (
    GCLOUD,
    compliance,
    iam_members,
    iam_types,
    is_public_member,
    tf_doc,
)
from citywatch.model import Resource

KEY = "google_kms_crypto_key"
NINETY_DAYS = 90 * 24 * 3600
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")

ROTATION = define(
    "CW-GCP-KMS-001",
    "KMS key is not rotated at least every 90 days",
    "MEDIUM",
    description="Without automatic rotation (or with a period over 90 days) one key version "
    "protects a growing amount of data for a long time.",
    remediation='Set `rotation_period = "7776000s"` (90 days) or shorter.',
    references=[tf_doc(KEY), GCLOUD + "kms/docs/key-rotation"],
    compliance=compliance(["SC-12"], ["A.8.24"], ["CC6.1"], ["1.10"]),
)


@implements(ROTATION, "terraform", KEY)
def _rotation(res: Resource, ctx: CheckContext) -> CheckResult:
    purpose = str(attr(res, "purpose", "ENCRYPT_DECRYPT")).upper()
    if purpose != "ENCRYPT_DECRYPT":
        return None  # asymmetric and MAC keys cannot rotate automatically
    period = attr(res, "rotation_period")
    if period is None:
        return Failure("Key has no automatic rotation period")
    match = DURATION.match(str(period))
    if match is None:
        return None
    seconds = float(match.group(1))
    if seconds > NINETY_DAYS:
        return Failure(f"Key rotates every {seconds / 86400:.0f} days", "rotation_period")
    return None


PUBLIC = define(
    "CW-GCP-KMS-002",
    "KMS key or key ring is publicly accessible",
    "CRITICAL",
    description="An IAM grant to allUsers or allAuthenticatedUsers lets anyone use or manage "
    "the keys, for example to decrypt data protected by them.",
    remediation="Remove allUsers and allAuthenticatedUsers from KMS IAM bindings.",
    references=[
        tf_doc("google_kms_crypto_key_iam"),
        tf_doc("google_kms_key_ring_iam"),
        GCLOUD + "kms/docs/iam",
    ],
    compliance=compliance(["AC-3", "SC-12"], ["A.5.15", "A.8.24"], ["CC6.1"], ["1.9"]),
)


@implements(
    PUBLIC, "terraform", *iam_types("google_kms_crypto_key"), *iam_types("google_kms_key_ring")
)
def _public(res: Resource, ctx: CheckContext) -> CheckResult:
    role = attr(res, "role", "")
    return [
        Failure(f"{member} is granted {role}", path, key=member)
        for path, member in iam_members(res)
        if is_public_member(member)
    ]
