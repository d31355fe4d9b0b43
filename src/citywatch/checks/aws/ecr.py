"""ECR: image scanning, immutable tags, KMS encryption, public repository policies."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.aws._common import (
    CFN,
    TF,
    comp,
    data_exposure,
    equals,
    implements,
    key_management,
    policy_document,
    public_allow_statements,
    require,
    vulnerability_mgmt,
)
from citywatch.checks.base import CheckContext, Failure, attr, blocks, define, truthy
from citywatch.model import Resource

ECR_DOCS = "https://docs.aws.amazon.com/AmazonECR/latest/userguide"

scan_on_push = define(
    "CW-AWS-ECR-001",
    "ECR repository does not scan images on push",
    "MEDIUM",
    description="Without scanning, images with known vulnerabilities are pushed and deployed "
    "unnoticed.",
    remediation="Set image_scanning_configuration { scan_on_push = true } "
    "(ImageScanningConfiguration.ScanOnPush: true), or enable registry-level enhanced scanning.",
    references=[f"{ECR_DOCS}/image-scanning.html"],
    compliance=vulnerability_mgmt(),
)


def _registry_scans(ctx: CheckContext) -> bool:
    for reg in ctx.of_type("aws_ecr_registry_scanning_configuration"):
        if str(attr(reg, "scan_type", "")).upper() == "ENHANCED":
            return True
        for rule in blocks(reg, "rule"):
            if attr(rule, "scan_frequency") in ("SCAN_ON_PUSH", "CONTINUOUS_SCAN"):
                return True
    return False


@implements(scan_on_push, TF, "aws_ecr_repository")
def _tf_scan(res: Resource, ctx: CheckContext) -> Failure | None:
    if truthy(attr(res, "image_scanning_configuration.scan_on_push", False)):
        return None
    if _registry_scans(ctx):
        return None
    return Failure("images are not scanned on push", "image_scanning_configuration")


require(
    scan_on_push,
    CFN,
    "AWS::ECR::Repository",
    "ImageScanningConfiguration.ScanOnPush",
    "images are not scanned on push",
)

immutable = define(
    "CW-AWS-ECR-002",
    "ECR repository allows image tags to be overwritten",
    "MEDIUM",
    description="With mutable tags a pushed image can silently replace the one a deployment "
    "refers to by tag. IMMUTABLE_WITH_EXCLUSION (immutable except named tags such as "
    "`latest`) keeps release tags fixed and passes.",
    remediation='Set image_tag_mutability = "IMMUTABLE" (ImageTagMutability: IMMUTABLE).',
    references=[f"{ECR_DOCS}/image-tag-mutability.html"],
    compliance=comp(["CM-3", "SI-7"], ["A.8.9", "A.8.32"], ["CC8.1"]),
)
require(
    immutable,
    TF,
    "aws_ecr_repository",
    "image_tag_mutability",
    "tags are {value}",
    ok=equals("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"),
    default="MUTABLE",
)
require(
    immutable,
    CFN,
    "AWS::ECR::Repository",
    "ImageTagMutability",
    "tags are {value}",
    ok=equals("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"),
    default="MUTABLE",
)

kms = define(
    "CW-AWS-ECR-003",
    "ECR repository is not encrypted with KMS",
    "LOW",
    description="The default AES-256 encryption gives no control over who may decrypt image "
    "layers; a KMS key adds a key policy and an audit trail.",
    remediation='Set encryption_configuration { encryption_type = "KMS" } '
    "(EncryptionConfiguration.EncryptionType: KMS).",
    references=[f"{ECR_DOCS}/encryption-at-rest.html"],
    compliance=key_management(),
)
require(
    kms,
    TF,
    "aws_ecr_repository",
    "encryption_configuration.encryption_type",
    "encryption type is {value}",
    ok=equals("KMS"),
    default="AES256",
)
require(
    kms,
    CFN,
    "AWS::ECR::Repository",
    "EncryptionConfiguration.EncryptionType",
    "encryption type is {value}",
    ok=equals("KMS"),
    default="AES256",
)

public_repo = define(
    "CW-AWS-ECR-004",
    "ECR repository policy allows any principal",
    "HIGH",
    description='An Allow for Principal "*" without a Condition lets anyone pull (or push) images.',
    remediation="Name the accounts or roles that need access, or add an aws:PrincipalOrgID "
    "condition.",
    references=[f"{ECR_DOCS}/repository-policies.html"],
    compliance=data_exposure(),
)


def _public(value: object, path: str) -> Iterator[Failure]:
    for i in public_allow_statements(policy_document(value)):
        yield Failure(f'statement {i} allows Principal "*"', path, key=str(i))


@implements(public_repo, TF, "aws_ecr_repository_policy")
def _tf_public(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public(attr(res, "policy"), "policy")


@implements(public_repo, CFN, "AWS::ECR::Repository")
def _cfn_public(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public(attr(res, "RepositoryPolicyText"), "RepositoryPolicyText")
