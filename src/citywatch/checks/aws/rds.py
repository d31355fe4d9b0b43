"""RDS and Aurora: encryption, exposure, backups, deletion protection, IAM auth, upgrades."""

from __future__ import annotations

from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    at_least,
    at_rest,
    authentication,
    availability,
    backup,
    comp,
    data_exposure,
    implements,
    is_false,
    logging,
    mask,
    non_empty,
    present,
    require,
    secrets_exposure,
    vulnerability_mgmt,
)
from citywatch.checks.base import CheckContext, Failure, UnknownValue, attr, define
from citywatch.model import Resource

RDS_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide"
TF_INSTANCE = "aws_db_instance"
TF_CLUSTER = "aws_rds_cluster"
CFN_INSTANCE = "AWS::RDS::DBInstance"
CFN_CLUSTER = "AWS::RDS::DBCluster"


def _standalone(res: Resource) -> bool:
    """Aurora members take storage, backup and encryption settings from their cluster."""
    key = "cluster_identifier" if res.framework == TF else "DBClusterIdentifier"
    engine = attr(res, "engine" if res.framework == TF else "Engine", "")
    in_cluster = present(res, key)  # `!Ref DbCluster` is unknown but names a cluster
    return not in_cluster and not (isinstance(engine, str) and engine.startswith("aurora"))


_COPY_SOURCES = {
    TF: (
        "replicate_source_db",
        "snapshot_identifier",
        "restore_to_point_in_time",
        "replication_source_identifier",
    ),
    CFN: (
        "SourceDBInstanceIdentifier",
        "DBSnapshotIdentifier",
        "SnapshotIdentifier",
        "SourceDBClusterIdentifier",
        "ReplicationSourceIdentifier",
    ),
}


def _copy(res: Resource) -> bool:
    """A replica or a restore: storage encryption comes from the source."""
    return any(present(res, key) for key in _COPY_SOURCES[res.framework])


def _declares_encryption(res: Resource) -> bool:
    if _copy(res):
        return False
    return res.kind.endswith(("cluster", "DBCluster")) or _standalone(res)


def _keeps_backups(res: Resource) -> bool:
    replica = ("replicate_source_db",) if res.framework == TF else ("SourceDBInstanceIdentifier",)
    return _standalone(res) and not any(present(res, key) for key in replica)


def _iam_auth_applies(res: Resource) -> bool:
    engine = attr(res, "engine" if res.framework == TF else "Engine", "")
    if not isinstance(engine, str) or not engine:
        return True
    return any(e in engine.lower() for e in ("mysql", "postgres", "mariadb", "aurora"))


encryption = define(
    "CW-AWS-RDS-001",
    "RDS database storage is not encrypted",
    "HIGH",
    description="Unencrypted database storage exposes data, automated backups, read replicas and "
    "snapshots. Replicas and restores take their encryption from the source and are judged "
    "there.",
    remediation="Set storage_encrypted = true (StorageEncrypted: true) with a KMS key; existing "
    "databases must be restored from an encrypted snapshot copy.",
    references=[f"{RDS_DOCS}/Overview.Encryption.html"],
    compliance=at_rest(["2.3.1"]),
)
for _fw, _kinds, _path in (
    (TF, (TF_INSTANCE, TF_CLUSTER), "storage_encrypted"),
    (CFN, (CFN_INSTANCE, CFN_CLUSTER), "StorageEncrypted"),
):
    require(
        encryption,
        _fw,
        _kinds,
        _path,
        "storage is not encrypted",
        applies=_declares_encryption,
    )

public = define(
    "CW-AWS-RDS-002",
    "RDS database instance is publicly accessible",
    "CRITICAL",
    description="A publicly accessible instance gets an internet-resolvable address; only its "
    "security group stands between the database and the internet.",
    remediation="Set publicly_accessible = false (PubliclyAccessible: false) and reach the "
    "database from inside the VPC.",
    references=[f"{RDS_DOCS}/USER_VPC.WorkingWithRDSInstanceinaVPC.html"],
    compliance=data_exposure(["2.3.3"]),
)
require(
    public,
    TF,
    TF_INSTANCE,
    "publicly_accessible",
    "publicly_accessible is true",
    ok=is_false,
    default=False,
)
require(
    public,
    CFN,
    CFN_INSTANCE,
    "PubliclyAccessible",
    "PubliclyAccessible is true",
    ok=is_false,
    default=False,
)

retention = define(
    "CW-AWS-RDS-003",
    "RDS automated backups are kept for less than 7 days",
    "MEDIUM",
    description="A short (or zero) backup retention period leaves too little time to notice "
    "corruption or deletion and restore.",
    remediation="Set backup_retention_period (BackupRetentionPeriod) to 7 days or more.",
    references=[f"{RDS_DOCS}/USER_WorkingWithAutomatedBackups.html"],
    compliance=backup(),
)
_MSG = "backup retention is {value} day(s)"
require(
    retention,
    TF,
    TF_INSTANCE,
    "backup_retention_period",
    _MSG,
    ok=at_least(7),
    default=0,
    applies=_keeps_backups,
)
require(retention, TF, TF_CLUSTER, "backup_retention_period", _MSG, ok=at_least(7), default=1)
require(
    retention,
    CFN,
    CFN_INSTANCE,
    "BackupRetentionPeriod",
    _MSG,
    ok=at_least(7),
    default=1,
    applies=_keeps_backups,
)
require(retention, CFN, CFN_CLUSTER, "BackupRetentionPeriod", _MSG, ok=at_least(7), default=1)

deletion = define(
    "CW-AWS-RDS-004",
    "RDS deletion protection is disabled",
    "LOW",
    description="Without deletion protection one mistaken API call or plan destroys the database.",
    remediation="Set deletion_protection = true (DeletionProtection: true).",
    references=[f"{RDS_DOCS}/USER_DeleteInstance.html#USER_DeletionProtection"],
    compliance=comp(["CP-9", "CM-3"], ["A.8.13", "A.8.32"], ["A1.2", "CC8.1"]),
)
for _fw, _kinds, _path in (
    (TF, (TF_INSTANCE, TF_CLUSTER), "deletion_protection"),
    (CFN, (CFN_INSTANCE, CFN_CLUSTER), "DeletionProtection"),
):
    require(
        deletion,
        _fw,
        _kinds,
        _path,
        "deletion protection is disabled",
        # an Aurora member instance has no such setting: its cluster's protection applies
        applies=lambda r: r.kind.endswith(("cluster", "DBCluster")) or _standalone(r),
    )

iam_auth = define(
    "CW-AWS-RDS-005",
    "RDS IAM database authentication is disabled",
    "LOW",
    description="IAM authentication replaces long-lived database passwords with short-lived "
    "tokens tied to IAM identities (MySQL, MariaDB and PostgreSQL engines).",
    remediation="Set iam_database_authentication_enabled = true "
    "(EnableIAMDatabaseAuthentication: true).",
    references=[f"{RDS_DOCS}/UsingWithRDS.IAMDBAuth.html"],
    compliance=authentication(),
)
for _fw, _kinds, _path in (
    (TF, (TF_INSTANCE, TF_CLUSTER), "iam_database_authentication_enabled"),
    (CFN, (CFN_INSTANCE, CFN_CLUSTER), "EnableIAMDatabaseAuthentication"),
):
    require(
        iam_auth,
        _fw,
        _kinds,
        _path,
        "IAM database authentication is disabled",
        applies=lambda r: (
            _iam_auth_applies(r) and (r.kind.endswith(("cluster", "DBCluster")) or _standalone(r))
        ),
    )

multi_az = define(
    "CW-AWS-RDS-006",
    "RDS database instance is not Multi-AZ",
    "LOW",
    description="A single-AZ instance is unavailable during an availability-zone outage and "
    "during many maintenance operations.",
    remediation="Set multi_az = true (MultiAZ: true) for production databases.",
    references=[f"{RDS_DOCS}/Concepts.MultiAZ.html"],
    compliance=availability(),
)
require(multi_az, TF, TF_INSTANCE, "multi_az", "instance is single-AZ", applies=_standalone)
require(multi_az, CFN, CFN_INSTANCE, "MultiAZ", "instance is single-AZ", applies=_standalone)

minor_upgrade = define(
    "CW-AWS-RDS-007",
    "RDS automatic minor version upgrade is disabled",
    "LOW",
    description="Minor versions carry security fixes; turning automatic upgrades off leaves "
    "known vulnerabilities in place.",
    remediation="Set auto_minor_version_upgrade = true (AutoMinorVersionUpgrade: true), the "
    "default.",
    references=[f"{RDS_DOCS}/USER_UpgradeDBInstance.Upgrading.html"],
    compliance=vulnerability_mgmt(["2.3.2"]),
)
require(
    minor_upgrade,
    TF,
    TF_INSTANCE,
    "auto_minor_version_upgrade",
    "automatic minor version upgrade is disabled",
    default=True,
)
require(
    minor_upgrade,
    CFN,
    CFN_INSTANCE,
    "AutoMinorVersionUpgrade",
    "automatic minor version upgrade is disabled",
    default=True,
)

log_exports = define(
    "CW-AWS-RDS-008",
    "RDS database does not export logs to CloudWatch",
    "LOW",
    description="Without log exports, database error, audit and connection logs are not kept "
    "outside the instance for investigation.",
    remediation="Set enabled_cloudwatch_logs_exports (EnableCloudwatchLogsExports) to the "
    "engine's audit/error/general or postgresql logs.",
    references=[f"{RDS_DOCS}/USER_LogAccess.Procedural.UploadtoCloudWatch.html"],
    compliance=logging(),
)


def _has_any(value: Any) -> bool:
    return non_empty(value)


for _fw, _kinds, _path in (
    (TF, (TF_INSTANCE, TF_CLUSTER), "enabled_cloudwatch_logs_exports"),
    (CFN, (CFN_INSTANCE, CFN_CLUSTER), "EnableCloudwatchLogsExports"),
):
    require(
        log_exports,
        _fw,
        _kinds,
        _path,
        "no logs are exported to CloudWatch",
        ok=_has_any,
        default=[],
        applies=lambda r: r.kind.endswith(("cluster", "DBCluster")) or _standalone(r),
    )

static_password = define(
    "CW-AWS-RDS-009",
    "RDS master password is written in the configuration",
    "HIGH",
    description="A master password known when the configuration is read (a literal, a variable "
    "or parameter default) is stored in the repository, in every plan and in the state file, "
    "and is rarely rotated.",
    remediation="Set manage_master_user_password = true (ManageMasterUserPassword: true) so RDS "
    "keeps the password in Secrets Manager, or pass it from Secrets Manager / SSM "
    "(`{{resolve:secretsmanager:...}}`, a data source, or a NoEcho parameter without Default).",
    references=[
        f"{RDS_DOCS}/rds-secrets-manager.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
    ],
    compliance=secrets_exposure(),
)

_PASSWORD_ATTR = {
    TF_INSTANCE: "password",
    TF_CLUSTER: "master_password",
    CFN_INSTANCE: "MasterUserPassword",
    CFN_CLUSTER: "MasterUserPassword",
}


def _static_password(res: Resource, _ctx: CheckContext) -> Failure | None:
    path = _PASSWORD_ATTR[res.kind]
    try:
        value = attr(res, path)
    except UnknownValue:
        return None  # supplied at deploy time (a variable/parameter without a default)
    if not isinstance(value, str) or not value or value.startswith("{{resolve:"):
        return None
    return Failure(f"{path} is a value written in the configuration ({mask(value)})", path)


implements(static_password, TF, TF_INSTANCE, TF_CLUSTER)(_static_password)
implements(static_password, CFN, CFN_INSTANCE, CFN_CLUSTER)(_static_password)
