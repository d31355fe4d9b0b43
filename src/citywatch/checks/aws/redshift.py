"""Redshift: encryption, public accessibility, audit logging."""

from __future__ import annotations

from citywatch.checks.aws._common import (
    CFN,
    TF,
    at_rest,
    connected,
    data_exposure,
    implements,
    is_false,
    logging,
    present,
    require,
)
from citywatch.checks.base import CheckContext, Failure, attr, define, truthy
from citywatch.model import Resource

RS_DOCS = "https://docs.aws.amazon.com/redshift/latest/mgmt"

encryption = define(
    "CW-AWS-REDSHIFT-001",
    "Redshift cluster is not encrypted",
    "HIGH",
    description="An unencrypted warehouse stores its data blocks and snapshots in plain text.",
    remediation="Set encrypted = true (Encrypted: true) with a KMS key.",
    references=[f"{RS_DOCS}/working-with-db-encryption.html"],
    compliance=at_rest(),
)
require(encryption, TF, "aws_redshift_cluster", "encrypted", "cluster is not encrypted")
require(encryption, CFN, "AWS::Redshift::Cluster", "Encrypted", "cluster is not encrypted")

public = define(
    "CW-AWS-REDSHIFT-002",
    "Redshift cluster is publicly accessible",
    "HIGH",
    description="A publicly accessible cluster gets a public endpoint reachable from the internet.",
    remediation="Set publicly_accessible = false (PubliclyAccessible: false).",
    references=[f"{RS_DOCS}/managing-clusters-vpc.html"],
    compliance=data_exposure(),
)
require(
    public,
    TF,
    "aws_redshift_cluster",
    "publicly_accessible",
    "publicly_accessible is true",
    ok=is_false,
    default=False,
)
require(
    public,
    CFN,
    "AWS::Redshift::Cluster",
    "PubliclyAccessible",
    "PubliclyAccessible is true",
    ok=is_false,
    default=False,
)

audit = define(
    "CW-AWS-REDSHIFT-003",
    "Redshift audit logging is disabled",
    "MEDIUM",
    description="Audit logs record connections, users and queries; without them access to the "
    "warehouse cannot be reconstructed.",
    remediation="Add aws_redshift_logging (or the logging block, LoggingProperties) for the "
    "cluster.",
    references=[f"{RS_DOCS}/db-auditing.html"],
    compliance=logging(),
)


@implements(audit, TF, "aws_redshift_cluster")
def _tf_audit(res: Resource, ctx: CheckContext) -> Failure | None:
    if truthy(attr(res, "logging.enable", False)):
        return None
    match = [("cluster_identifier", "cluster_identifier")]
    if connected(ctx, res, "aws_redshift_logging", match):
        return None
    return Failure("audit logging is not enabled")


@implements(audit, CFN, "AWS::Redshift::Cluster")
def _cfn_audit(res: Resource, ctx: CheckContext) -> Failure | None:
    if present(res, "LoggingProperties"):
        return None
    return Failure("LoggingProperties is not set")
