"""EFS: file systems encrypted at rest."""

from __future__ import annotations

from citywatch.checks.aws._common import CFN, TF, at_rest, require
from citywatch.checks.base import define

encrypted = define(
    "CW-AWS-EFS-001",
    "EFS file system is not encrypted at rest",
    "HIGH",
    description="Encryption of an EFS file system can only be chosen at creation; an "
    "unencrypted one must be recreated to fix it.",
    remediation="Set encrypted = true (Encrypted: true), optionally with kms_key_id.",
    references=["https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html"],
    compliance=at_rest(["2.4.1"]),
)
require(encrypted, TF, "aws_efs_file_system", "encrypted", "file system is not encrypted")
require(encrypted, CFN, "AWS::EFS::FileSystem", "Encrypted", "file system is not encrypted")
