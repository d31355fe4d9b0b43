"""S3: public buckets, block-public-access, encryption, versioning, logging, TLS-only policies.

A Terraform bucket counts as configured when either its inline (AWS provider v3) blocks or a
separate v4+ resource that points at it says so; CloudFormation buckets carry everything inline
except the bucket policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    at_rest,
    backup,
    comp,
    connected,
    data_exposure,
    equals,
    implements,
    logging,
    non_empty,
    policy_document,
    public_allow_statements,
    require,
    statements,
)
from citywatch.checks.base import (
    MISSING,
    CheckContext,
    Failure,
    UnknownValue,
    attr,
    blocks,
    define,
    truthy,
)
from citywatch.model import UNKNOWN, Resource

S3_DOCS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide"
BUCKET = "aws_s3_bucket"
CFN_BUCKET = "AWS::S3::Bucket"
_BY_NAME = [("bucket", "bucket")]

PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
CFN_PUBLIC_ACLS = {"publicread", "publicreadwrite", "authenticatedread"}


def _attached(ctx: CheckContext, res: Resource, kind: str) -> list[Resource]:
    return connected(ctx, res, kind, _BY_NAME)


public_acl = define(
    "CW-AWS-S3-001",
    "S3 bucket grants access to everyone through a canned ACL",
    "HIGH",
    description="A public-read, public-read-write or authenticated-read ACL lets anyone on the "
    "internet (or any AWS account) list or change the bucket's objects.",
    remediation="Use the private ACL (or disable ACLs with BucketOwnerEnforced object ownership) "
    "and grant access through a bucket policy scoped to known principals.",
    references=[f"{S3_DOCS}/acl-overview.html#canned-acl"],
    compliance=data_exposure(["2.1.4"]),
)


PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _public_grants(res: Resource) -> Iterator[str]:
    """Grant paths naming the AllUsers/AuthenticatedUsers groups (v3 inline or v4 ACL)."""
    for i, grant in enumerate(blocks(res, "grant")):
        if attr(grant, "uri") in PUBLIC_GROUPS:
            yield f"grant.{i}"
    for i, grant in enumerate(blocks(res, "access_control_policy.grant")):
        if attr(grant, "grantee.uri") in PUBLIC_GROUPS:
            yield f"access_control_policy.0.grant.{i}"


@implements(public_acl, TF, BUCKET, "aws_s3_bucket_acl")
def _tf_public_acl(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    acl = attr(res, "acl")
    if isinstance(acl, str) and acl.lower() in PUBLIC_ACLS:
        yield Failure(f"bucket ACL is {acl}", "acl", key="acl")
    for path in _public_grants(res):
        yield Failure("ACL grant to a public group (AllUsers/AuthenticatedUsers)", path, key=path)


@implements(public_acl, CFN, CFN_BUCKET)
def _cfn_public_acl(res: Resource, ctx: CheckContext) -> Failure | None:
    acl = attr(res, "AccessControl")
    if isinstance(acl, str) and acl.lower() in CFN_PUBLIC_ACLS:
        return Failure(f"bucket AccessControl is {acl}", "AccessControl")
    return None


BPA_TF = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
BPA_CFN = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")

bucket_bpa = define(
    "CW-AWS-S3-002",
    "S3 bucket does not block public access",
    "HIGH",
    description="Without all four Block Public Access settings a later ACL or policy change can "
    "make the bucket public. The bucket passes when an account-level block in the same "
    "configuration enables all four settings.",
    remediation="Add an aws_s3_bucket_public_access_block (or PublicAccessBlockConfiguration) "
    "with block_public_acls, block_public_policy, ignore_public_acls and "
    "restrict_public_buckets all true.",
    references=[f"{S3_DOCS}/access-control-block-public-access.html"],
    compliance=data_exposure(["2.1.4"]),
)


def _missing_flags(block: dict[str, Any] | Resource, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if not truthy(attr(block, n, False))]


def _account_blocks_all(ctx: CheckContext) -> bool:
    for acct in ctx.of_type("aws_s3_account_public_access_block"):
        if not _missing_flags(acct, BPA_TF):
            return True
    return False


@implements(bucket_bpa, TF, BUCKET)
def _tf_bucket_bpa(res: Resource, ctx: CheckContext) -> Failure | None:
    blocks_found = _attached(ctx, res, "aws_s3_bucket_public_access_block")
    if not blocks_found:
        if _account_blocks_all(ctx):
            return None
        return Failure("no aws_s3_bucket_public_access_block is attached to this bucket")
    for pab in blocks_found:
        missing = _missing_flags(pab, BPA_TF)
        if not missing:
            return None
    return Failure(f"{blocks_found[0].name} leaves {', '.join(missing)} disabled")


@implements(bucket_bpa, CFN, CFN_BUCKET)
def _cfn_bucket_bpa(res: Resource, ctx: CheckContext) -> Failure | None:
    config = attr(res, "PublicAccessBlockConfiguration")
    if not isinstance(config, dict):
        return Failure("PublicAccessBlockConfiguration is not set")
    missing = _missing_flags(config, BPA_CFN)
    if missing:
        return Failure(f"{', '.join(missing)} disabled", "PublicAccessBlockConfiguration")
    return None


account_bpa = define(
    "CW-AWS-S3-003",
    "Account-level S3 Block Public Access is not fully enabled",
    "HIGH",
    description="The account-wide public access block is the backstop for every bucket; a "
    "setting left false lets any bucket be made public.",
    remediation="Set all four arguments of aws_s3_account_public_access_block to true.",
    references=[f"{S3_DOCS}/configuring-block-public-access-account.html"],
    compliance=data_exposure(["2.1.4"]),
)


@implements(account_bpa, TF, "aws_s3_account_public_access_block")
def _tf_account_bpa(res: Resource, ctx: CheckContext) -> Failure | None:
    missing = _missing_flags(res, BPA_TF)
    if missing:
        return Failure(f"{', '.join(missing)} not enabled", missing[0])
    return None


encryption = define(
    "CW-AWS-S3-004",
    "S3 bucket has no default server-side encryption configured",
    "LOW",
    description="Since January 2023 S3 encrypts new objects with SSE-S3 when nothing is "
    "declared, so this is about intent, not exposure: declaring default encryption "
    "(preferably SSE-KMS with a customer key) makes the protection explicit, auditable in "
    "code and under your key policy.",
    remediation="Add aws_s3_bucket_server_side_encryption_configuration (or BucketEncryption) "
    "with an apply_server_side_encryption_by_default rule.",
    references=[f"{S3_DOCS}/default-bucket-encryption.html"],
    compliance=at_rest(),
)


def _sse_rules(source: Resource | dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r for r in blocks(source, "rule") if blocks(r, "apply_server_side_encryption_by_default")
    ]


@implements(encryption, TF, BUCKET)
def _tf_encryption(res: Resource, ctx: CheckContext) -> Failure | None:
    for inline in blocks(res, "server_side_encryption_configuration"):
        if _sse_rules(inline):
            return None
    for sse in _attached(ctx, res, "aws_s3_bucket_server_side_encryption_configuration"):
        if _sse_rules(sse):
            return None
    return Failure("no server-side encryption configuration for this bucket")


require(
    encryption,
    CFN,
    CFN_BUCKET,
    "BucketEncryption.ServerSideEncryptionConfiguration",
    "BucketEncryption is not set",
    ok=non_empty,
)


versioning = define(
    "CW-AWS-S3-005",
    "S3 bucket versioning is not enabled",
    "MEDIUM",
    description="Without versioning an overwrite or delete (accidental or ransomware) destroys "
    "the only copy of an object.",
    remediation='Enable versioning (aws_s3_bucket_versioning with status = "Enabled", or '
    "VersioningConfiguration.Status: Enabled).",
    references=[f"{S3_DOCS}/Versioning.html"],
    compliance=backup(),
)


def _tf_versioning_status(res: Resource, ctx: CheckContext) -> tuple[bool, bool, str | None]:
    """(enabled, mfa_delete, path) from inline versioning or an attached versioning resource."""
    for v in blocks(res, "versioning"):
        if truthy(attr(v, "enabled", False)):
            return True, truthy(attr(v, "mfa_delete", False)), "versioning.0.mfa_delete"
    for ver in _attached(ctx, res, "aws_s3_bucket_versioning"):
        status = attr(ver, "versioning_configuration.status", "")
        if isinstance(status, str) and status.lower() == "enabled":
            mfa = attr(ver, "versioning_configuration.mfa_delete", "")
            return True, isinstance(mfa, str) and mfa.lower() == "enabled", None
    return False, False, None


@implements(versioning, TF, BUCKET)
def _tf_versioning(res: Resource, ctx: CheckContext) -> Failure | None:
    enabled, _mfa, _path = _tf_versioning_status(res, ctx)
    return None if enabled else Failure("versioning is not enabled", "versioning")


require(
    versioning,
    CFN,
    CFN_BUCKET,
    "VersioningConfiguration.Status",
    "VersioningConfiguration.Status is {value}, not Enabled",
    ok=equals("Enabled"),
    default="Suspended (not set)",
)


access_logging = define(
    "CW-AWS-S3-006",
    "S3 bucket server access logging is disabled",
    "LOW",
    description="Server access logs record every request to the bucket and are needed to "
    "investigate data access.",
    remediation="Add aws_s3_bucket_logging (or LoggingConfiguration) with a target bucket.",
    references=[f"{S3_DOCS}/ServerLogs.html"],
    compliance=logging(),
)


@implements(access_logging, TF, BUCKET)
def _tf_logging(res: Resource, ctx: CheckContext) -> Failure | None:
    """Attached logging covers both ends: the logged bucket and its target (the chain's end)."""
    if blocks(res, "logging") or _attached(ctx, res, "aws_s3_bucket_logging"):
        return None
    return Failure("no access logging configured for this bucket")


def _cfn_log_target(res: Resource, ctx: CheckContext) -> bool:
    """Another bucket of the template delivers its access logs here (by `!Ref` or by name).

    Logging the log bucket into itself loops, and into a third bucket just moves the problem;
    AWS documents the target bucket as the end of the chain.
    """
    own_name = res.attributes.get("BucketName")
    for other in ctx.of_type(CFN_BUCKET):
        if other is res or other.location.path != res.location.path:
            continue
        try:
            dest = attr(other, "LoggingConfiguration.DestinationBucketName", MISSING)
        except UnknownValue:
            dest = UNKNOWN
        if dest is UNKNOWN and res.name in other.references:
            return True
        if isinstance(dest, str) and isinstance(own_name, str) and dest == own_name:
            return True
    return False


@implements(access_logging, CFN, CFN_BUCKET)
def _cfn_logging(res: Resource, ctx: CheckContext) -> Failure | None:
    if attr(res, "LoggingConfiguration", MISSING) is MISSING and not _cfn_log_target(res, ctx):
        return Failure("LoggingConfiguration is not set")
    return None


mfa_delete = define(
    "CW-AWS-S3-007",
    "S3 bucket versioning does not require MFA delete",
    "LOW",
    description="MFA delete requires a second factor to change versioning or permanently delete "
    "object versions, protecting backups from stolen credentials.",
    remediation="Enable versioning with mfa_delete (set by the root user with its MFA device).",
    references=[f"{S3_DOCS}/MultiFactorAuthenticationDelete.html"],
    compliance=comp(["IA-2", "CP-9"], ["A.8.5", "A.8.13"], ["CC6.1", "A1.2"], ["2.1.2"]),
)


@implements(mfa_delete, TF, BUCKET)
def _tf_mfa_delete(res: Resource, ctx: CheckContext) -> Failure | None:
    enabled, mfa, path = _tf_versioning_status(res, ctx)
    if enabled and mfa:
        return None
    return Failure("MFA delete is not enabled", path or "versioning")


public_policy = define(
    "CW-AWS-S3-008",
    "S3 bucket policy allows any principal",
    "CRITICAL",
    description='An Allow statement with Principal "*" and no Condition grants the listed '
    "actions to anyone on the internet.",
    remediation="Name the principals that need access, or restrict the statement with a "
    "Condition (aws:SourceVpce, aws:PrincipalOrgID, ...).",
    references=[f"{S3_DOCS}/access-policy-language-overview.html"],
    compliance=data_exposure(["2.1.4"]),
)


def _public_policy(value: Any, path: str) -> Iterator[Failure]:
    for i in public_allow_statements(policy_document(value)):
        yield Failure(f'statement {i} allows Principal "*"', path, key=str(i))


@implements(public_policy, TF, "aws_s3_bucket_policy", BUCKET)
def _tf_public_policy(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public_policy(attr(res, "policy"), "policy")


@implements(public_policy, CFN, "AWS::S3::BucketPolicy")
def _cfn_public_policy(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public_policy(attr(res, "PolicyDocument"), "PolicyDocument")


https_only = define(
    "CW-AWS-S3-009",
    "S3 bucket policy does not deny plain-HTTP requests",
    "MEDIUM",
    description="Without a Deny on aws:SecureTransport = false, clients can read and write "
    "objects over unencrypted HTTP.",
    remediation="Add a bucket policy statement that denies s3:* when "
    "Condition.Bool.aws:SecureTransport is false.",
    references=[f"{S3_DOCS}/security-best-practices.html"],
    compliance=comp(["SC-8", "AC-17"], ["A.8.24", "A.8.20"], ["CC6.7"], ["2.1.1"]),
)


def _denies_insecure_transport(doc: dict[str, Any] | None) -> bool:
    """True when a statement denies plain HTTP; unknown when only an unknown part could."""
    unsure = False
    for _i, stmt in statements(doc):
        effect, cond = stmt.get("Effect", ""), stmt.get("Condition")
        if effect is UNKNOWN:
            unsure = True
            continue
        if str(effect).lower() != "deny":
            continue
        if cond is UNKNOWN:
            unsure = True
            continue
        if not isinstance(cond, dict):
            continue
        for operator, tests in cond.items():
            if tests is UNKNOWN:
                unsure = True
                continue
            if not isinstance(tests, dict) or "bool" not in str(operator).lower():
                continue
            for key, value in tests.items():
                values = value if isinstance(value, list) else [value]
                if str(key).lower() != "aws:securetransport":
                    continue
                if any(str(v).lower() == "false" for v in values if v is not UNKNOWN):
                    return True
                unsure = unsure or value is UNKNOWN or UNKNOWN in values
    if unsure:
        raise UnknownValue("<policy>.Statement")
    return False


def _any_denies_insecure_transport(docs: list[Any]) -> bool:
    """Any of several policies denies plain HTTP; unknown only if none does and one might."""
    unsure: UnknownValue | None = None
    for doc in docs:
        try:
            if _denies_insecure_transport(policy_document(doc)):
                return True
        except UnknownValue as exc:
            unsure = exc
    if unsure is not None:
        raise unsure
    return False


@implements(https_only, TF, BUCKET)
def _tf_https_only(res: Resource, ctx: CheckContext) -> Failure | None:
    docs = [attr(res, "policy")] + [
        attr(p, "policy") for p in _attached(ctx, res, "aws_s3_bucket_policy")
    ]
    if _any_denies_insecure_transport(docs):
        return None
    return Failure("no bucket policy statement denies aws:SecureTransport = false")


@implements(https_only, CFN, CFN_BUCKET)
def _cfn_https_only(res: Resource, ctx: CheckContext) -> Failure | None:
    docs = [attr(pol, "PolicyDocument") for pol in connected(ctx, res, "AWS::S3::BucketPolicy")]
    if _any_denies_insecure_transport(docs):
        return None
    return Failure("no AWS::S3::BucketPolicy for this bucket denies aws:SecureTransport = false")
