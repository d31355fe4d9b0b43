"""SageMaker notebook instances: internet access, encryption, root access."""

from __future__ import annotations

from citywatch.checks.aws._common import (
    CFN,
    TF,
    equals,
    key_management,
    least_privilege,
    network_exposure,
    non_empty,
    require,
)
from citywatch.checks.base import define

SM_DOCS = "https://docs.aws.amazon.com/sagemaker/latest/dg"
TF_KIND = "aws_sagemaker_notebook_instance"
CFN_KIND = "AWS::SageMaker::NotebookInstance"

internet = define(
    "CW-AWS-SAGEMAKER-001",
    "SageMaker notebook instance has direct internet access",
    "MEDIUM",
    description="Direct internet access lets notebook code exfiltrate data and download "
    "anything, bypassing the VPC's controls.",
    remediation='Set direct_internet_access = "Disabled" (DirectInternetAccess: Disabled) and '
    "give the notebook a subnet with controlled egress.",
    references=[f"{SM_DOCS}/appendix-notebook-and-internet-access.html"],
    compliance=network_exposure(),
)
_MSG = "direct internet access is {value}"
require(
    internet, TF, TF_KIND, "direct_internet_access", _MSG, ok=equals("Disabled"), default="Enabled"
)
require(
    internet, CFN, CFN_KIND, "DirectInternetAccess", _MSG, ok=equals("Disabled"), default="Enabled"
)

encryption = define(
    "CW-AWS-SAGEMAKER-002",
    "SageMaker notebook instance storage is not encrypted with a KMS key",
    "MEDIUM",
    description="Without a customer KMS key the notebook's ML storage volume is encrypted only "
    "with an AWS-managed key outside your control.",
    remediation="Set kms_key_id (KmsKeyId).",
    references=[f"{SM_DOCS}/encryption-at-rest-nbi.html"],
    compliance=key_management(),
)
require(encryption, TF, TF_KIND, "kms_key_id", "no KMS key", ok=non_empty, unknown_is_set=True)
require(encryption, CFN, CFN_KIND, "KmsKeyId", "no KMS key", ok=non_empty, unknown_is_set=True)

root = define(
    "CW-AWS-SAGEMAKER-003",
    "SageMaker notebook users have root access",
    "LOW",
    description="Root access lets notebook users change the instance's software and security "
    "configuration.",
    remediation='Set root_access = "Disabled" (RootAccess: Disabled).',
    references=[f"{SM_DOCS}/nbi-root-access.html"],
    compliance=least_privilege(),
)
require(
    root,
    TF,
    TF_KIND,
    "root_access",
    "root access is {value}",
    ok=equals("Disabled"),
    default="Enabled",
)
require(
    root,
    CFN,
    CFN_KIND,
    "RootAccess",
    "root access is {value}",
    ok=equals("Disabled"),
    default="Enabled",
)
