"""Pub/Sub topics: customer-managed keys and public access."""

from __future__ import annotations

from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.checks.gcp._helpers import (
    GCLOUD,
    compliance,
    iam_members,
    iam_types,
    is_public_member,
    present,
    tf_doc,
)
from citywatch.model import Resource

TOPIC = "google_pubsub_topic"

CMEK = define(
    "CW-GCP-PUBSUB-001",
    "Pub/Sub topic is not encrypted with a customer-managed key",
    "LOW",
    description="Messages are encrypted with Google-managed keys only; a Cloud KMS key lets "
    "you rotate, disable and audit the key.",
    remediation="Set `kms_key_name` to a Cloud KMS crypto key (grant the Pub/Sub service agent "
    "Encrypter/Decrypter on it).",
    references=[tf_doc(TOPIC), GCLOUD + "pubsub/docs/encryption"],
    compliance=compliance(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"]),
)


@implements(CMEK, "terraform", TOPIC)
def _cmek(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "kms_key_name"):
        return None
    return Failure("Topic uses Google-managed encryption keys only")


PUBLIC = define(
    "CW-GCP-PUBSUB-002",
    "Pub/Sub topic or subscription is publicly accessible",
    "HIGH",
    description="An IAM grant to allUsers or allAuthenticatedUsers lets anyone publish to the "
    "topic or read its messages.",
    remediation="Remove allUsers and allAuthenticatedUsers from Pub/Sub IAM bindings.",
    references=[tf_doc("google_pubsub_topic_iam"), GCLOUD + "pubsub/docs/access-control"],
    compliance=compliance(["AC-3", "AC-21"], ["A.5.15", "A.8.3"], ["CC6.1"]),
)


@implements(
    PUBLIC, "terraform", *iam_types("google_pubsub_topic"), *iam_types("google_pubsub_subscription")
)
def _public(res: Resource, ctx: CheckContext) -> CheckResult:
    role = attr(res, "role", "")
    return [
        Failure(f"{member} is granted {role}", path, key=member)
        for path, member in iam_members(res)
        if is_public_member(member)
    ]
