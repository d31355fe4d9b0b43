"""EC2 and EBS: disk encryption, instance metadata (IMDSv2), public IPs, secrets in user data."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    at_rest,
    comp,
    implements,
    is_false,
    network_exposure,
    present,
    require,
    secrets_exposure,
    secrets_in_text,
)
from citywatch.checks.base import (
    CheckContext,
    Failure,
    UnknownValue,
    attr,
    blocks,
    define,
    truthy,
)
from citywatch.model import Resource

EC2_DOCS = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide"
EBS_DOCS = "https://docs.aws.amazon.com/ebs/latest/userguide"

ebs_volume = define(
    "CW-AWS-EC2-001",
    "EBS volume is not encrypted",
    "HIGH",
    description="Unencrypted EBS volumes and their snapshots expose data to anyone who can read "
    "the snapshot or the underlying storage.",
    remediation="Set encrypted = true (Encrypted: true), ideally with a customer-managed KMS key.",
    references=[f"{EBS_DOCS}/ebs-encryption.html"],
    compliance=at_rest(["2.2.1"]),
)
require(ebs_volume, TF, "aws_ebs_volume", "encrypted", "EBS volume is not encrypted")
require(ebs_volume, CFN, "AWS::EC2::Volume", "Encrypted", "EBS volume is not encrypted")

ebs_default = define(
    "CW-AWS-EC2-002",
    "EBS encryption by default is disabled",
    "MEDIUM",
    description="With encryption by default every new volume and snapshot copy in the region is "
    "encrypted, whatever the code that creates it says.",
    remediation="Set enabled = true on aws_ebs_encryption_by_default.",
    references=[f"{EBS_DOCS}/encryption-by-default.html"],
    compliance=at_rest(["2.2.1"]),
)
require(
    ebs_default,
    TF,
    "aws_ebs_encryption_by_default",
    "enabled",
    "EBS encryption by default is disabled",
    default=True,
)

imdsv2 = define(
    "CW-AWS-EC2-003",
    "EC2 instance metadata service does not require IMDSv2 tokens",
    "HIGH",
    description="IMDSv1 answers unauthenticated GET requests, so an SSRF in any application on "
    "the instance leaks its IAM role credentials.",
    remediation='Set metadata_options { http_tokens = "required" } (MetadataOptions.HttpTokens: '
    "required), or disable the endpoint.",
    references=[f"{EC2_DOCS}/configuring-instance-metadata-service.html"],
    compliance=comp(["AC-3", "SC-7", "CM-6"], ["A.8.9", "A.8.20"], ["CC6.1", "CC6.6"], ["5.6"]),
)


def _imds_failure(options: Any, tokens: str, endpoint: str, path: str) -> Failure | None:
    if isinstance(options, list):
        options = options[0] if options else None
    if not isinstance(options, dict):
        return Failure("metadata options not set: IMDSv1 is allowed", path)
    ep = attr(options, endpoint, "enabled")
    if isinstance(ep, str) and ep.lower() == "disabled":
        return None
    value = attr(options, tokens, "optional")
    if isinstance(value, str) and value.lower() == "required":
        return None
    return Failure(f"{tokens} is {value}, not required", f"{path}.{tokens}")


@implements(imdsv2, TF, "aws_instance", "aws_launch_template", "aws_launch_configuration")
def _tf_imdsv2(res: Resource, ctx: CheckContext) -> Failure | None:
    return _imds_failure(
        attr(res, "metadata_options"), "http_tokens", "http_endpoint", "metadata_options"
    )


@implements(imdsv2, CFN, "AWS::EC2::LaunchTemplate")
def _cfn_imdsv2(res: Resource, ctx: CheckContext) -> Failure | None:
    return _imds_failure(
        attr(res, "LaunchTemplateData.MetadataOptions"),
        "HttpTokens",
        "HttpEndpoint",
        "LaunchTemplateData.MetadataOptions",
    )


@implements(imdsv2, CFN, "AWS::EC2::Instance")
def _cfn_instance_imdsv2(res: Resource, ctx: CheckContext) -> Failure | None:
    """An instance's metadata options can only be set through a launch template."""
    if not present(res, "LaunchTemplate"):
        return Failure(
            "no LaunchTemplate sets MetadataOptions.HttpTokens: required, so IMDSv1 is allowed"
        )
    return None  # the referenced AWS::EC2::LaunchTemplate is checked on its own


public_ip = define(
    "CW-AWS-EC2-004",
    "EC2 instance is given a public IP address",
    "MEDIUM",
    description="A public address puts the instance directly on the internet, one security-group "
    "mistake away from exposure.",
    remediation="Place instances in private subnets behind a load balancer or NAT and set "
    "associate_public_ip_address = false.",
    references=[f"{EC2_DOCS}/using-instance-addressing.html"],
    compliance=network_exposure(),
)


@implements(public_ip, TF, "aws_instance")
def _tf_public_ip(res: Resource, ctx: CheckContext) -> Failure | None:
    if truthy(attr(res, "associate_public_ip_address", False)):
        return Failure("associate_public_ip_address is true", "associate_public_ip_address")
    return None


@implements(public_ip, TF, "aws_launch_template")
def _tf_lt_public_ip(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for i, nic in enumerate(blocks(res, "network_interfaces")):
        if truthy(attr(nic, "associate_public_ip_address", False)):
            path = f"network_interfaces.{i}.associate_public_ip_address"
            yield Failure("network interface gets a public IP", path, key=str(i))


@implements(public_ip, CFN, "AWS::EC2::Instance")
def _cfn_public_ip(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for i, nic in enumerate(blocks(res, "NetworkInterfaces")):
        if truthy(attr(nic, "AssociatePublicIpAddress", False)):
            path = f"NetworkInterfaces.{i}.AssociatePublicIpAddress"
            yield Failure("network interface gets a public IP", path, key=str(i))


user_data = define(
    "CW-AWS-EC2-005",
    "EC2 user data contains credentials",
    "HIGH",
    description="User data is readable by anyone who can describe the instance and by every "
    "process on it through the metadata service; credentials in it are exposed.",
    remediation="Fetch secrets at boot from Secrets Manager or SSM Parameter Store using the "
    "instance role instead of writing them into user data.",
    references=[f"{EC2_DOCS}/user-data.html"],
    compliance=secrets_exposure(),
)


def _decoded(text: Any) -> Any:
    if isinstance(text, str) and text and " " not in text.strip() and "\n" not in text.strip():
        try:
            return base64.b64decode(text, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return text
    return text


@implements(user_data, TF, "aws_instance", "aws_launch_template", "aws_launch_configuration")
def _tf_user_data(res: Resource, ctx: CheckContext) -> Failure | None:
    for key in ("user_data", "user_data_base64"):
        if secrets_in_text(_decoded(attr(res, key))):
            return Failure(f"{key} contains what looks like a credential", key)
    return None


@implements(user_data, CFN, "AWS::EC2::Instance", "AWS::EC2::LaunchTemplate")
def _cfn_user_data(res: Resource, ctx: CheckContext) -> Failure | None:
    path = "UserData" if res.kind == "AWS::EC2::Instance" else "LaunchTemplateData.UserData"
    if secrets_in_text(_decoded(attr(res, path))):
        return Failure("UserData contains what looks like a credential", path)
    return None


instance_disks = define(
    "CW-AWS-EC2-006",
    "EC2 instance block device is not encrypted",
    "MEDIUM",
    description="Root and data volumes of the instance are created unencrypted unless "
    "encryption by default is on for the account; a root volume that is not declared at all "
    "is created from the AMI's snapshot, unencrypted (Terraform: unless the scan also enables "
    "aws_ebs_encryption_by_default).",
    remediation="Set encrypted = true in root_block_device / ebs_block_device "
    "(BlockDeviceMappings[].Ebs.Encrypted: true).",
    references=[f"{EBS_DOCS}/ebs-encryption.html"],
    compliance=at_rest(["2.2.1"]),
)


def _account_encrypts_by_default(ctx: CheckContext) -> bool:
    """The scan turns on EBS encryption by default, so undeclared root volumes are encrypted."""
    for res in ctx.of_type("aws_ebs_encryption_by_default"):
        try:
            if truthy(attr(res, "enabled", True)):
                return True
        except UnknownValue:
            continue
    return False


@implements(instance_disks, TF, "aws_instance")
def _tf_instance_disks(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    if (
        not blocks(res, "root_block_device")
        and not blocks(res, "launch_template")
        and not _account_encrypts_by_default(ctx)
    ):
        # the root volume is still created: from the AMI snapshot, unencrypted by default
        yield Failure("root volume is not declared, so it is not encrypted", None, key="root")
    for block in ("root_block_device", "ebs_block_device"):
        for i, disk in enumerate(blocks(res, block)):
            if attr(disk, "snapshot_id"):
                continue
            if not truthy(attr(disk, "encrypted", False)):
                yield Failure(
                    f"{block} is not encrypted", f"{block}.{i}.encrypted", key=block + str(i)
                )


@implements(instance_disks, CFN, "AWS::EC2::Instance")
def _cfn_instance_disks(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    if not blocks(res, "BlockDeviceMappings") and not blocks(res, "LaunchTemplate"):
        yield Failure("BlockDeviceMappings is not set, so the root volume is not encrypted", None)
    for i, mapping in enumerate(blocks(res, "BlockDeviceMappings")):
        ebs = attr(mapping, "Ebs")
        if not isinstance(ebs, dict) or attr(ebs, "SnapshotId"):
            continue
        if not truthy(attr(ebs, "Encrypted", False)):
            path = f"BlockDeviceMappings.{i}.Ebs.Encrypted"
            yield Failure(
                f"{attr(mapping, 'DeviceName', 'volume')} is not encrypted", path, key=str(i)
            )


subnet_public = define(
    "CW-AWS-EC2-007",
    "Subnet assigns public IP addresses on launch",
    "LOW",
    description="Every instance launched into the subnet gets a public address unless it opts "
    "out, which makes accidental exposure the default.",
    remediation="Set map_public_ip_on_launch = false (MapPublicIpOnLaunch: false) and give public "
    "addresses explicitly where needed.",
    references=["https://docs.aws.amazon.com/vpc/latest/userguide/modify-subnets.html"],
    compliance=network_exposure(),
)
require(
    subnet_public,
    TF,
    "aws_subnet",
    "map_public_ip_on_launch",
    "map_public_ip_on_launch is true",
    ok=is_false,
    default=False,
)
require(
    subnet_public,
    CFN,
    "AWS::EC2::Subnet",
    "MapPublicIpOnLaunch",
    "MapPublicIpOnLaunch is true",
    ok=is_false,
    default=False,
)
