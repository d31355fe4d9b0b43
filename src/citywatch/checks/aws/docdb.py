"""DocumentDB and Neptune: cluster storage encryption and audit logs."""

from __future__ import annotations

from typing import Any

from citywatch.checks.aws._common import CFN, TF, at_rest, logging, require
from citywatch.checks.base import define, known

docdb = define(
    "CW-AWS-DOCDB-001",
    "DocumentDB cluster storage is not encrypted",
    "HIGH",
    description="Encryption of a DocumentDB cluster is chosen at creation; unencrypted clusters "
    "expose data, backups and snapshots.",
    remediation="Set storage_encrypted = true (StorageEncrypted: true).",
    references=[
        "https://docs.aws.amazon.com/documentdb/latest/developerguide/encryption-at-rest.html"
    ],
    compliance=at_rest(),
)
require(docdb, TF, "aws_docdb_cluster", "storage_encrypted", "storage is not encrypted")
require(docdb, CFN, "AWS::DocDB::DBCluster", "StorageEncrypted", "storage is not encrypted")

docdb_audit = define(
    "CW-AWS-DOCDB-002",
    "DocumentDB cluster does not export audit logs",
    "LOW",
    description="Without the audit log export, authentication and DDL events are not recorded "
    "in CloudWatch Logs.",
    remediation='Add "audit" to enabled_cloudwatch_logs_exports (EnableCloudwatchLogsExports) '
    "and enable audit_logs in the cluster parameter group.",
    references=["https://docs.aws.amazon.com/documentdb/latest/developerguide/event-auditing.html"],
    compliance=logging(),
)


def _has_audit(value: Any) -> bool:
    return isinstance(known(value), list) and "audit" in value


require(
    docdb_audit,
    TF,
    "aws_docdb_cluster",
    "enabled_cloudwatch_logs_exports",
    "audit logs are not exported",
    ok=_has_audit,
    default=[],
)
require(
    docdb_audit,
    CFN,
    "AWS::DocDB::DBCluster",
    "EnableCloudwatchLogsExports",
    "audit logs are not exported",
    ok=_has_audit,
    default=[],
)

neptune = define(
    "CW-AWS-NEPTUNE-001",
    "Neptune cluster storage is not encrypted",
    "HIGH",
    description="Encryption of a Neptune cluster is chosen at creation; unencrypted clusters "
    "expose data, backups and snapshots.",
    remediation="Set storage_encrypted = true (StorageEncrypted: true).",
    references=["https://docs.aws.amazon.com/neptune/latest/userguide/encrypt.html"],
    compliance=at_rest(),
)
require(neptune, TF, "aws_neptune_cluster", "storage_encrypted", "storage is not encrypted")
require(neptune, CFN, "AWS::Neptune::DBCluster", "StorageEncrypted", "storage is not encrypted")
