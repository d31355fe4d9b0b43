"""EKS: public API endpoint, envelope encryption of secrets, control-plane logging."""

from __future__ import annotations

from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    at_rest,
    implements,
    is_open_cidr,
    logging,
    network_exposure,
)
from citywatch.checks.base import CheckContext, Failure, attr, blocks, define, truthy
from citywatch.model import UNKNOWN, Resource

EKS_DOCS = "https://docs.aws.amazon.com/eks/latest/userguide"
REQUIRED_LOGS = ("api", "audit", "authenticator")

public_endpoint = define(
    "CW-AWS-EKS-001",
    "EKS cluster API endpoint is open to the internet",
    "HIGH",
    description="A public endpoint reachable from 0.0.0.0/0 exposes the Kubernetes API server "
    "to credential stuffing and to any future API-server vulnerability.",
    remediation="Set endpoint_public_access = false (EndpointPublicAccess: false) and use the "
    "private endpoint, or restrict public_access_cidrs (PublicAccessCidrs) to known ranges.",
    references=[f"{EKS_DOCS}/cluster-endpoint.html"],
    compliance=network_exposure(),
)


def _endpoint_failure(public: Any, cidrs: Any, path: str) -> Failure | None:
    if not truthy(True if public is None else public):
        return None
    ranges = ["0.0.0.0/0"] if cidrs is None else cidrs
    if ranges is UNKNOWN:
        return None
    items = ranges if isinstance(ranges, list) else [ranges]
    if any(is_open_cidr(c) for c in items):
        return Failure("public API endpoint is reachable from 0.0.0.0/0", path)
    return None


@implements(public_endpoint, TF, "aws_eks_cluster")
def _tf_public_endpoint(res: Resource, ctx: CheckContext) -> Failure | None:
    return _endpoint_failure(
        attr(res, "vpc_config.endpoint_public_access"),
        attr(res, "vpc_config.public_access_cidrs"),
        "vpc_config",
    )


@implements(public_endpoint, CFN, "AWS::EKS::Cluster")
def _cfn_public_endpoint(res: Resource, ctx: CheckContext) -> Failure | None:
    return _endpoint_failure(
        attr(res, "ResourcesVpcConfig.EndpointPublicAccess"),
        attr(res, "ResourcesVpcConfig.PublicAccessCidrs"),
        "ResourcesVpcConfig",
    )


secrets = define(
    "CW-AWS-EKS-002",
    "EKS cluster does not encrypt Kubernetes secrets with KMS",
    "MEDIUM",
    description="Envelope encryption with a KMS key protects Secret objects in etcd beyond the "
    "default disk encryption.",
    remediation='Add encryption_config { resources = ["secrets"] provider { key_arn = ... } } '
    "(EncryptionConfig with Resources: [secrets]).",
    references=[f"{EKS_DOCS}/enable-kms.html"],
    compliance=at_rest(),
)


def _encrypts_secrets(configs: list[dict[str, Any]], key: str) -> bool:
    return any("secrets" in (attr(c, key) or []) for c in configs)


@implements(secrets, TF, "aws_eks_cluster")
def _tf_secrets(res: Resource, ctx: CheckContext) -> Failure | None:
    if _encrypts_secrets(blocks(res, "encryption_config"), "resources"):
        return None
    return Failure("secrets are not envelope-encrypted", "encryption_config")


@implements(secrets, CFN, "AWS::EKS::Cluster")
def _cfn_secrets(res: Resource, ctx: CheckContext) -> Failure | None:
    if _encrypts_secrets(blocks(res, "EncryptionConfig"), "Resources"):
        return None
    return Failure("secrets are not envelope-encrypted", "EncryptionConfig")


control_plane_logs = define(
    "CW-AWS-EKS-003",
    "EKS control-plane logging is incomplete",
    "MEDIUM",
    description="Without api, audit and authenticator logs there is no record of who did what "
    "through the Kubernetes API.",
    remediation="Set enabled_cluster_log_types to include api, audit and authenticator "
    "(Logging.ClusterLogging.EnabledTypes).",
    references=[f"{EKS_DOCS}/control-plane-logs.html"],
    compliance=logging(),
)


def _missing_logs(enabled: list[Any]) -> list[str]:
    return [t for t in REQUIRED_LOGS if t not in enabled]


@implements(control_plane_logs, TF, "aws_eks_cluster")
def _tf_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    missing = _missing_logs(attr(res, "enabled_cluster_log_types", []) or [])
    if missing:
        return Failure(f"{', '.join(missing)} logs are not enabled", "enabled_cluster_log_types")
    return None


@implements(control_plane_logs, CFN, "AWS::EKS::Cluster")
def _cfn_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    types = [attr(t, "Type") for t in blocks(res, "Logging.ClusterLogging.EnabledTypes")]
    missing = _missing_logs(types)
    if missing:
        return Failure(f"{', '.join(missing)} logs are not enabled", "Logging")
    return None
