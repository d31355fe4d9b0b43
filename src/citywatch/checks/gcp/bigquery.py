"""BigQuery datasets and tables: public access and customer-managed encryption keys."""

from __future__ import annotations

from citywatch.checks.base import (
    CheckContext,
    CheckResult,
    Failure,
    attr,
    blocks,
    define,
    implements,
    known,
)
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

DATASET = "google_bigquery_dataset"
TABLE = "google_bigquery_table"

PUBLIC = define(
    "CW-GCP-BIGQUERY-001",
    "BigQuery dataset is publicly accessible",
    "CRITICAL",
    description="An access entry or IAM grant for allUsers or allAuthenticatedUsers exposes "
    "every table in the dataset to anyone.",
    remediation="Remove allUsers / allAuthenticatedUsers access entries and IAM members.",
    references=[
        tf_doc(DATASET),
        tf_doc("google_bigquery_dataset_iam"),
        GCLOUD + "bigquery/docs/control-access-to-resources-iam",
    ],
    compliance=compliance(["AC-3", "AC-21"], ["A.5.15", "A.8.3"], ["CC6.1"], ["7.1"]),
)


@implements(PUBLIC, "terraform", DATASET)
def _public_access_blocks(res: Resource, ctx: CheckContext) -> CheckResult:
    out = []
    for i, entry in enumerate(blocks(res, "access")):
        for field in ("special_group", "iam_member"):
            value = str(known(entry.get(field) or ""))
            if is_public_member(value):
                out.append(
                    Failure(
                        f"Access entry grants {value} {entry.get('role', '')}",
                        f"access.{i}.{field}",
                        key=value,
                    )
                )
    return out


@implements(
    PUBLIC, "terraform", *iam_types("google_bigquery_dataset"), *iam_types("google_bigquery_table")
)
def _public_iam(res: Resource, ctx: CheckContext) -> CheckResult:
    role = attr(res, "role", "")
    return [
        Failure(f"{member} is granted {role}", path, key=member)
        for path, member in iam_members(res)
        if is_public_member(member)
    ]


@implements(PUBLIC, "terraform", "google_bigquery_dataset_access")
def _public_access_resource(res: Resource, ctx: CheckContext) -> CheckResult:
    for field in ("special_group", "iam_member"):
        value = str(attr(res, field, "") or "")
        if is_public_member(value):
            return Failure(f"Dataset access grants {value}", field)
    return None


DATASET_CMEK = define(
    "CW-GCP-BIGQUERY-002",
    "BigQuery dataset has no default customer-managed key",
    "LOW",
    description="Without a default CMEK, new tables are encrypted with Google-managed keys you "
    "cannot rotate, disable or audit.",
    remediation="Add `default_encryption_configuration { kms_key_name = ... }`.",
    references=[tf_doc(DATASET), GCLOUD + "bigquery/docs/customer-managed-encryption"],
    compliance=compliance(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"], ["7.3"]),
)


@implements(DATASET_CMEK, "terraform", DATASET)
def _dataset_cmek(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "default_encryption_configuration.kms_key_name"):
        return None
    return Failure("Dataset has no default customer-managed encryption key")


TABLE_CMEK = define(
    "CW-GCP-BIGQUERY-003",
    "BigQuery table is not encrypted with a customer-managed key",
    "LOW",
    description="The table has no CMEK of its own and its dataset sets no default CMEK, so it "
    "is encrypted with Google-managed keys only.",
    remediation="Set `encryption_configuration { kms_key_name = ... }` on the table, or a "
    "`default_encryption_configuration` on its dataset.",
    references=[tf_doc(TABLE), GCLOUD + "bigquery/docs/customer-managed-encryption"],
    compliance=compliance(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"], ["7.2"]),
)


@implements(TABLE_CMEK, "terraform", TABLE)
def _table_cmek(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "encryption_configuration.kms_key_name"):
        return None
    dataset_id = res.attributes.get("dataset_id")  # may be unknown: then use the reference
    for dataset in ctx.of_type(DATASET):
        connected = dataset.name in res.references or (
            isinstance(dataset_id, str) and dataset.attributes.get("dataset_id") == dataset_id
        )
        if connected and present(dataset, "default_encryption_configuration.kms_key_name"):
            return None
    return Failure("Neither the table nor its dataset sets a customer-managed key")
