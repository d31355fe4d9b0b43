"""Cloud Storage buckets: public access, uniform access, versioning, logging, keys, retention."""

from __future__ import annotations

from citywatch.checks.base import (
    CheckContext,
    CheckResult,
    Failure,
    UnknownValue,
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
from citywatch.model import UNKNOWN, Resource

BUCKET = "google_storage_bucket"
BUCKET_DOC = tf_doc(BUCKET)
BUCKET_IAM = iam_types("google_storage_bucket")

UBLA = define(
    "CW-GCP-GCS-001",
    "Bucket does not use uniform bucket-level access",
    "MEDIUM",
    description="With fine-grained ACLs, individual objects can be shared (even publicly) in ways "
    "that bucket IAM does not show.",
    remediation="Set `uniform_bucket_level_access = true`.",
    references=[BUCKET_DOC, GCLOUD + "storage/docs/uniform-bucket-level-access"],
    compliance=compliance(["AC-3", "AC-6"], ["A.5.15", "A.8.3"], ["CC6.1"], ["5.2"]),
)


@implements(UBLA, "terraform", BUCKET)
def _ubla(res: Resource, ctx: CheckContext) -> CheckResult:
    enabled = attr(res, "uniform_bucket_level_access")
    if enabled is None:
        return Failure("Uniform bucket-level access is not enabled")
    if str(enabled).lower() != "true":
        return Failure("Uniform bucket-level access is disabled", "uniform_bucket_level_access")
    return None


PUBLIC = define(
    "CW-GCP-GCS-002",
    "Bucket is publicly accessible",
    "CRITICAL",
    description="An IAM grant or ACL gives allUsers or allAuthenticatedUsers access: anyone "
    "(with any Google account, for the latter) can read or write the bucket's objects.",
    remediation="Remove allUsers / allAuthenticatedUsers grants and ACL entries; set "
    '`public_access_prevention = "enforced"` on the bucket.',
    references=[
        tf_doc("google_storage_bucket_iam"),
        tf_doc("google_storage_bucket_acl"),
        GCLOUD + "storage/docs/access-control/making-data-public",
    ],
    compliance=compliance(["AC-3", "AC-21"], ["A.5.15", "A.8.3"], ["CC6.1"], ["5.1"]),
)


@implements(PUBLIC, "terraform", *BUCKET_IAM)
def _public_iam(res: Resource, ctx: CheckContext) -> CheckResult:
    role = attr(res, "role", "")
    return [
        Failure(f"{member} is granted {role}", path, key=member)
        for path, member in iam_members(res)
        if is_public_member(member)
    ]


PUBLIC_ACLS = {"publicread", "publicreadwrite", "authenticatedread"}


@implements(PUBLIC, "terraform", "google_storage_bucket_acl", "google_storage_default_object_acl")
def _public_acl(res: Resource, ctx: CheckContext) -> CheckResult:
    predefined = attr(res, "predefined_acl")
    if predefined is not None and str(predefined).lower() in PUBLIC_ACLS:
        return Failure(f"Predefined ACL {predefined} makes objects public", "predefined_acl")
    out = []
    for entry in known(attr(res, "role_entity") or []):
        _role, _, entity = str(known(entry)).partition(":")
        if is_public_member(entity):
            out.append(Failure(f"ACL entry {entry} is public", "role_entity", key=str(entry)))
    return out


@implements(
    PUBLIC,
    "terraform",
    "google_storage_bucket_access_control",
    "google_storage_default_object_access_control",
)
def _public_access_control(res: Resource, ctx: CheckContext) -> CheckResult:
    entity = str(attr(res, "entity", ""))
    if is_public_member(entity):
        return Failure(f"Access control grants {entity} {attr(res, 'role', '')}", "entity")
    return None


VERSIONING = define(
    "CW-GCP-GCS-003",
    "Bucket versioning is not enabled",
    "LOW",
    description="Without versioning, overwritten or deleted objects cannot be recovered after a "
    "mistake or a ransomware-style attack.",
    remediation="Add `versioning { enabled = true }`.",
    references=[BUCKET_DOC, GCLOUD + "storage/docs/object-versioning"],
    compliance=compliance(["CP-9", "SI-12"], ["A.8.13"], ["A1.2"]),
)


@implements(VERSIONING, "terraform", BUCKET)
def _versioning(res: Resource, ctx: CheckContext) -> CheckResult:
    enabled = attr(res, "versioning.enabled")
    if enabled is None:
        return Failure("Object versioning is not configured")
    if str(enabled).lower() != "true":
        return Failure("Object versioning is disabled", "versioning.0.enabled")
    return None


LOGGING = define(
    "CW-GCP-GCS-004",
    "Bucket access logging is not enabled",
    "LOW",
    description="Usage logs record every request to the bucket; without them (or Data Access "
    "audit logs) reads of sensitive objects go unrecorded.",
    remediation='Add `logging { log_bucket = "<logs bucket>" }` (or enable Data Access audit '
    "logs for Cloud Storage).",
    references=[BUCKET_DOC, GCLOUD + "storage/docs/access-logs"],
    compliance=compliance(["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"]),
)


@implements(LOGGING, "terraform", BUCKET)
def _logging(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "logging.log_bucket") or _is_log_target(res, ctx):
        return None
    return Failure("Bucket has no access logging")


def _is_log_target(res: Resource, ctx: CheckContext) -> bool:
    """Whether another bucket writes its usage logs here.

    A log bucket logging to itself would log its own log writes; CIS and Google's guide exempt it.
    The other bucket names it by reference (`log_bucket = google_storage_bucket.logs.name`) or by
    its literal name.
    """
    try:
        name = attr(res, "name")
    except UnknownValue:
        name = None  # a computed name: only a reference can connect it
    for other in ctx.of_type(BUCKET):
        if other is res:
            continue
        try:
            target = attr(other, "logging.log_bucket")
        except UnknownValue:
            target = None
        if target is None and not blocks(other, "logging"):
            continue
        if res.name in other.references and (target is None or target is UNKNOWN):
            return True
        if isinstance(name, str) and target == name:
            return True
    return False


CMEK = define(
    "CW-GCP-GCS-005",
    "Bucket is not encrypted with a customer-managed key",
    "LOW",
    description="Objects are encrypted with Google-managed keys only; a Cloud KMS key lets you "
    "rotate, disable and audit the key.",
    remediation='Add `encryption { default_kms_key_name = "<crypto key id>" }` and grant the '
    "Cloud Storage service agent access to the key.",
    references=[BUCKET_DOC, GCLOUD + "storage/docs/encryption/customer-managed-keys"],
    compliance=compliance(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"]),
)


@implements(CMEK, "terraform", BUCKET)
def _cmek(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "encryption.default_kms_key_name"):
        return None
    return Failure("Bucket uses Google-managed encryption keys only")


RETENTION = define(
    "CW-GCP-GCS-006",
    "Bucket has no retention policy",
    "LOW",
    description="A retention policy prevents objects (such as exported logs) from being deleted "
    "or overwritten before they reach a minimum age; locking it makes that permanent.",
    remediation="Add `retention_policy { retention_period = <seconds>, is_locked = true }` to "
    "buckets holding logs or records.",
    references=[BUCKET_DOC, GCLOUD + "storage/docs/bucket-lock"],
    compliance=compliance(["AU-9", "AU-11"], ["A.8.15", "A.5.33"], ["CC7.2"]),
)


@implements(RETENTION, "terraform", BUCKET)
def _retention(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "retention_policy.retention_period"):
        return None
    return Failure("Bucket has no retention policy")


PREVENTION = define(
    "CW-GCP-GCS-007",
    "Bucket does not enforce public access prevention",
    "MEDIUM",
    description="Public access prevention blocks every allUsers / allAuthenticatedUsers grant, "
    "now and in the future, so one IAM or ACL mistake cannot publish the bucket.",
    remediation='Set `public_access_prevention = "enforced"`.',
    references=[BUCKET_DOC, GCLOUD + "storage/docs/public-access-prevention"],
    compliance=compliance(["AC-3", "AC-21"], ["A.5.15", "A.8.3"], ["CC6.1"], ["5.1"]),
)


@implements(PREVENTION, "terraform", BUCKET)
def _prevention(res: Resource, ctx: CheckContext) -> CheckResult:
    setting = attr(res, "public_access_prevention")
    if setting is not None and str(setting).lower() == "enforced":
        return None
    public = [
        grant.name
        for kind in BUCKET_IAM
        for grant in ctx.referencing(res, kind, match_attrs=[("bucket", "name")])
        if any(is_public_member(m) for _p, m in iam_members(grant))
    ]
    path = "public_access_prevention" if setting is not None else None
    if public:
        return Failure(
            f"Public access prevention is not enforced and {', '.join(public)} "
            "grants public access",
            path,
        )
    return Failure("Public access prevention is not enforced", path)
