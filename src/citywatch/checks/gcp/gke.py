"""Google Kubernetes Engine clusters and node pools: control plane, identity, node hardening.

Node settings live in `node_config` of the cluster (default pool) or of separate
`google_container_node_pool` resources; node checks read both.
"""

from __future__ import annotations

from citywatch.checks.base import (
    CheckContext,
    CheckResult,
    Failure,
    attr,
    blocks,
    define,
    implements,
    known,
    truthy,
)
from citywatch.checks.gcp._helpers import (
    GCLOUD,
    compliance,
    is_default_service_account,
    present,
    tf_doc,
)
from citywatch.model import Check, Resource

GKE = "google_container_cluster"
POOL = "google_container_node_pool"
GKE_DOC = tf_doc(GKE)
HARDENING = GCLOUD + "kubernetes-engine/docs/how-to/hardening-your-cluster"


def _gke(
    number: int,
    title: str,
    severity: str,
    description: str,
    remediation: str,
    doc: str,
    mapping: dict[str, list[str]],
    *,
    pool_doc: bool = False,
) -> Check:
    refs = [GKE_DOC, *([tf_doc(POOL)] if pool_doc else []), GCLOUD + doc]
    return define(
        f"CW-GCP-GKE-{number:03d}",
        title,
        severity,
        description=description,
        remediation=remediation,
        references=refs,
        compliance=mapping,
    )


def _set_true(res: Resource, path: str) -> bool | None:
    value = attr(res, path)
    return None if value is None else truthy(value)


PRIVATE_NODES = _gke(
    1,
    "GKE nodes have public IP addresses",
    "MEDIUM",
    "Without private nodes every node gets an external IP and is reachable from the internet.",
    "Set `private_cluster_config { enable_private_nodes = true }`.",
    "kubernetes-engine/docs/how-to/private-clusters",
    compliance(["SC-7"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(PRIVATE_NODES, "terraform", GKE)
def _private_nodes(res: Resource, ctx: CheckContext) -> CheckResult:
    enabled = _set_true(res, "private_cluster_config.enable_private_nodes")
    if enabled is None:
        return Failure("Cluster nodes are not private")
    if not enabled:
        return Failure(
            "Private nodes are disabled", "private_cluster_config.0.enable_private_nodes"
        )
    return None


PRIVATE_ENDPOINT = _gke(
    2,
    "GKE control plane has a public endpoint",
    "MEDIUM",
    "The Kubernetes API is reachable on a public IP; with the private endpoint only, it is "
    "reachable from the VPC alone.",
    "Set `private_cluster_config { enable_private_endpoint = true }` (and reach the API from "
    "the VPC, a bastion or Connect Gateway).",
    "kubernetes-engine/docs/concepts/private-cluster-concept",
    compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(PRIVATE_ENDPOINT, "terraform", GKE)
def _private_endpoint(res: Resource, ctx: CheckContext) -> CheckResult:
    enabled = _set_true(res, "private_cluster_config.enable_private_endpoint")
    if not enabled:
        path = "private_cluster_config.0.enable_private_endpoint" if enabled is False else None
        return Failure("Control plane endpoint is public", path)
    return None


AUTHORIZED_NETWORKS = _gke(
    3,
    "GKE control plane is reachable from any address",
    "HIGH",
    "Without master authorized networks (or with 0.0.0.0/0 in them), anyone on the internet can "
    "reach the Kubernetes API server and try credentials or exploits against it.",
    'Add `master_authorized_networks_config { cidr_blocks { cidr_block = "<office or VPN '
    'range>" } }`.',
    "kubernetes-engine/docs/how-to/authorized-networks",
    compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(AUTHORIZED_NETWORKS, "terraform", GKE)
def _authorized_networks(res: Resource, ctx: CheckContext) -> CheckResult:
    if _set_true(res, "private_cluster_config.enable_private_endpoint"):
        return None
    if attr(res, "master_authorized_networks_config") is None:
        return Failure("No master authorized networks are configured")
    for i, block in enumerate(blocks(res, "master_authorized_networks_config.cidr_blocks")):
        cidr = str(known(block.get("cidr_block", ""))).strip()
        if cidr in ("0.0.0.0/0", "::/0"):
            return Failure(
                "Master authorized networks include 0.0.0.0/0",
                f"master_authorized_networks_config.0.cidr_blocks.{i}.cidr_block",
            )
    return None


LEGACY_ABAC = _gke(
    4,
    "GKE legacy ABAC authorization is enabled",
    "HIGH",
    "Legacy ABAC grants broad, static permissions that bypass Kubernetes RBAC.",
    "Set `enable_legacy_abac = false` (the default).",
    "kubernetes-engine/docs/how-to/hardening-your-cluster#leave_abac_disabled_default_for_110",
    compliance(["AC-3", "AC-6"], ["A.5.15", "A.8.2"], ["CC6.3"]),
)


@implements(LEGACY_ABAC, "terraform", GKE)
def _legacy_abac(res: Resource, ctx: CheckContext) -> CheckResult:
    if truthy(attr(res, "enable_legacy_abac", False)):
        return Failure("Legacy ABAC is enabled", "enable_legacy_abac")
    return None


LEGACY_AUTH = _gke(
    5,
    "GKE cluster uses basic authentication or client certificates",
    "HIGH",
    "Static passwords and long-lived client certificates authenticate to the API server without "
    "IAM, cannot be revoked individually and are easily leaked.",
    "Remove `master_auth.username/password` and set `client_certificate_config { "
    "issue_client_certificate = false }`.",
    "kubernetes-engine/docs/how-to/api-server-authentication",
    compliance(["IA-2", "IA-5"], ["A.5.17", "A.8.5"], ["CC6.1"]),
)


@implements(LEGACY_AUTH, "terraform", GKE)
def _legacy_auth(res: Resource, ctx: CheckContext) -> CheckResult:
    username = attr(res, "master_auth.username")
    if username not in (None, ""):
        return Failure("Basic authentication is configured", "master_auth.0.username")
    issue = attr(res, "master_auth.client_certificate_config.issue_client_certificate")
    if issue is not None and truthy(issue):
        return Failure(
            "A client certificate is issued",
            "master_auth.0.client_certificate_config.0.issue_client_certificate",
        )
    return None


NETWORK_POLICY = _gke(
    6,
    "GKE network policy enforcement is disabled",
    "MEDIUM",
    "Without a network policy provider (or Dataplane V2), Kubernetes NetworkPolicies are "
    "ignored and every pod can reach every other pod.",
    'Set `network_policy { enabled = true }` or `datapath_provider = "ADVANCED_DATAPATH"`.',
    "kubernetes-engine/docs/how-to/network-policy",
    compliance(["SC-7", "AC-4"], ["A.8.22"], ["CC6.6"]),
)


@implements(NETWORK_POLICY, "terraform", GKE)
def _network_policy(res: Resource, ctx: CheckContext) -> CheckResult:
    if str(attr(res, "datapath_provider", "")).upper() == "ADVANCED_DATAPATH":
        return None
    if truthy(attr(res, "enable_autopilot", False)):
        return None
    enabled = _set_true(res, "network_policy.enabled")
    if not enabled:
        path = "network_policy.0.enabled" if enabled is False else None
        return Failure("Network policy enforcement is disabled", path)
    return None


WORKLOAD_IDENTITY = _gke(
    7,
    "GKE Workload Identity is not enabled",
    "MEDIUM",
    "Without Workload Identity, pods use the node's service account, so every pod on a node "
    "has the same (usually broad) Google Cloud permissions.",
    'Set `workload_identity_config { workload_pool = "<project>.svc.id.goog" }`.',
    "kubernetes-engine/docs/how-to/workload-identity",
    compliance(["AC-6", "IA-2"], ["A.8.2", "A.5.15"], ["CC6.3"]),
)


@implements(WORKLOAD_IDENTITY, "terraform", GKE)
def _workload_identity(res: Resource, ctx: CheckContext) -> CheckResult:
    if truthy(attr(res, "enable_autopilot", False)):
        return None
    if present(res, "workload_identity_config.workload_pool") or present(
        res, "workload_identity_config.identity_namespace"
    ):
        return None
    return Failure("Workload Identity is not configured")


SHIELDED_NODES = _gke(
    8,
    "GKE shielded nodes are disabled",
    "MEDIUM",
    "Shielded GKE nodes give verifiable node identity and integrity; without them an attacker "
    "who steals a node's bootstrap credentials can impersonate a node.",
    "Set `enable_shielded_nodes = true` (the default).",
    "kubernetes-engine/docs/how-to/shielded-gke-nodes",
    compliance(["SI-7", "IA-3"], ["A.8.9"], ["CC6.8"]),
)


@implements(SHIELDED_NODES, "terraform", GKE)
def _shielded_nodes(res: Resource, ctx: CheckContext) -> CheckResult:
    if not truthy(attr(res, "enable_shielded_nodes", True)):
        return Failure("Shielded nodes are disabled", "enable_shielded_nodes")
    return None


def _node_configs(res: Resource) -> list[tuple[str, dict[str, object]]]:
    """(path prefix, node_config) for a cluster's default pool or a separate node pool."""
    if res.kind == GKE:
        if truthy(attr(res, "remove_default_node_pool", False)) or truthy(
            attr(res, "enable_autopilot", False)
        ):
            return []
        configs = blocks(res, "node_config")
        return [("node_config.0.", c) for c in configs] or [("", {})]
    configs = blocks(res, "node_config")
    return [("node_config.0.", c) for c in configs] or [("", {})]


SECURE_BOOT = _gke(
    9,
    "GKE nodes do not use Secure Boot",
    "MEDIUM",
    "Secure Boot on nodes refuses unsigned boot components and kernel modules, blocking "
    "rootkits on the node.",
    "Set `node_config { shielded_instance_config { enable_secure_boot = true } }`.",
    "kubernetes-engine/docs/how-to/shielded-gke-nodes#secure_boot",
    compliance(["SI-7"], ["A.8.9"], ["CC6.8"]),
    pool_doc=True,
)


@implements(SECURE_BOOT, "terraform", GKE, POOL)
def _secure_boot(res: Resource, ctx: CheckContext) -> CheckResult:
    for prefix, config in _node_configs(res):
        value = attr(config, "shielded_instance_config.enable_secure_boot")
        if value is None or not truthy(value):
            path = (
                prefix + "shielded_instance_config.0.enable_secure_boot"
                if value is not None
                else None
            )
            return Failure("Node Secure Boot is not enabled", path)
    return None


LEGACY_METADATA = _gke(
    10,
    "GKE nodes expose the legacy metadata endpoints",
    "HIGH",
    "The legacy v0.1/v1beta1 metadata endpoints do not require the Metadata-Flavor header, so "
    "SSRF bugs in pods can read node credentials and kube-env.",
    'Set `disable-legacy-endpoints = "true"` in `node_config.metadata` (default on GKE >= 1.12) '
    'and `workload_metadata_config { mode = "GKE_METADATA" }`.',
    "kubernetes-engine/docs/how-to/protecting-cluster-metadata",
    compliance(["AC-3", "SC-7"], ["A.8.9", "A.8.20"], ["CC6.6"]),
    pool_doc=True,
)


@implements(LEGACY_METADATA, "terraform", GKE, POOL)
def _legacy_metadata(res: Resource, ctx: CheckContext) -> CheckResult:
    for prefix, config in _node_configs(res):
        metadata = attr(config, "metadata")
        if not isinstance(metadata, dict) or "disable-legacy-endpoints" not in metadata:
            continue
        if not truthy(metadata["disable-legacy-endpoints"]):
            return Failure("Legacy metadata endpoints are enabled", prefix + "metadata")
    return None


RELEASE_CHANNEL = _gke(
    11,
    "GKE cluster is not enrolled in a release channel",
    "LOW",
    "Release channels keep the control plane and nodes on supported, patched versions "
    "automatically.",
    'Add `release_channel { channel = "REGULAR" }` (or RAPID / STABLE).',
    "kubernetes-engine/docs/concepts/release-channels",
    compliance(["SI-2"], ["A.8.8"], ["CC7.1"]),
)


@implements(RELEASE_CHANNEL, "terraform", GKE)
def _release_channel(res: Resource, ctx: CheckContext) -> CheckResult:
    channel = attr(res, "release_channel.channel")
    if channel is None:
        return Failure("No release channel is configured")
    if str(channel).upper() == "UNSPECIFIED":
        return Failure("Release channel is UNSPECIFIED", "release_channel.0.channel")
    return None


LOGGING = _gke(
    12,
    "GKE cluster logging or monitoring is disabled",
    "MEDIUM",
    "With Cloud Logging or Cloud Monitoring turned off, audit, system and workload logs and "
    "metrics needed for detection and investigation are lost.",
    'Remove `logging_service = "none"` / `monitoring_service = "none"` (defaults send to '
    "Cloud Logging and Monitoring).",
    "kubernetes-engine/docs/concepts/about-logs",
    compliance(["AU-2", "AU-12", "SI-4"], ["A.8.15", "A.8.16"], ["CC7.2"]),
)


@implements(LOGGING, "terraform", GKE)
def _logging(res: Resource, ctx: CheckContext) -> CheckResult:
    for key in ("logging_service", "monitoring_service"):
        if str(attr(res, key, "")).lower() == "none":
            return Failure(f"{key} is none", key)
    return None


BINARY_AUTHZ = _gke(
    13,
    "GKE Binary Authorization is not enforced",
    "LOW",
    "Binary Authorization admits only images signed by trusted attestors, stopping unvetted or "
    "tampered images from running.",
    'Set `binary_authorization { evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE" }`.',
    "binary-authorization/docs/overview",
    compliance(["CM-14", "SI-7"], ["A.8.19", "A.8.32"], ["CC6.8"]),
)


@implements(BINARY_AUTHZ, "terraform", GKE)
def _binary_authz(res: Resource, ctx: CheckContext) -> CheckResult:
    if truthy(attr(res, "enable_binary_authorization", False)):
        return None
    mode = attr(res, "binary_authorization.evaluation_mode")
    if mode is not None and str(mode).upper() == "PROJECT_SINGLETON_POLICY_ENFORCE":
        return None
    if truthy(attr(res, "binary_authorization.enabled", False)):
        return None
    path = "binary_authorization.0.evaluation_mode" if mode is not None else None
    return Failure("Binary Authorization is not enforced", path)


INTRANODE = _gke(
    14,
    "GKE intranode visibility is disabled",
    "LOW",
    "Without intranode visibility, pod-to-pod traffic on the same node bypasses VPC flow logs "
    "and firewall rules.",
    "Set `enable_intranode_visibility = true`.",
    "kubernetes-engine/docs/how-to/intranode-visibility",
    compliance(["AU-12", "SI-4"], ["A.8.16"], ["CC7.2"]),
)


@implements(INTRANODE, "terraform", GKE)
def _intranode(res: Resource, ctx: CheckContext) -> CheckResult:
    if truthy(attr(res, "enable_autopilot", False)):
        return None
    value = attr(res, "enable_intranode_visibility")
    if value is None or not truthy(value):
        return Failure(
            "Intranode visibility is disabled",
            "enable_intranode_visibility" if value is not None else None,
        )
    return None


NODE_SA = _gke(
    15,
    "GKE nodes use the default Compute Engine service account",
    "MEDIUM",
    "The default service account has the Editor role, which every pod on the node can use "
    "through the metadata server unless Workload Identity is on.",
    'Set `node_config { service_account = "<minimal node SA>" }` with the '
    "roles/container.defaultNodeServiceAccount role only.",
    "kubernetes-engine/docs/how-to/hardening-your-cluster#use_least_privilege_sa",
    compliance(["AC-6"], ["A.8.2"], ["CC6.3"]),
    pool_doc=True,
)


@implements(NODE_SA, "terraform", GKE, POOL)
def _node_sa(res: Resource, ctx: CheckContext) -> CheckResult:
    for prefix, config in _node_configs(res):
        account = config.get("service_account")
        if is_default_service_account(res, account):
            path = prefix + "service_account" if account not in (None, "") else None
            return Failure("Nodes run as the default compute service account", path)
    return None


METADATA_SERVER = _gke(
    16,
    "GKE nodes do not use the GKE metadata server",
    "MEDIUM",
    'Without `workload_metadata_config { mode = "GKE_METADATA" }` pods reach the Compute '
    "Engine metadata server directly and can read the node's credentials and instance attributes.",
    'Set `node_config { workload_metadata_config { mode = "GKE_METADATA" } }` (requires Workload '
    "Identity).",
    "kubernetes-engine/docs/how-to/protecting-cluster-metadata#metadata-server",
    compliance(["AC-3", "AC-6"], ["A.8.2", "A.8.9"], ["CC6.3"]),
    pool_doc=True,
)


@implements(METADATA_SERVER, "terraform", GKE, POOL)
def _metadata_server(res: Resource, ctx: CheckContext) -> CheckResult:
    for prefix, config in _node_configs(res):
        mode = attr(config, "workload_metadata_config.mode")
        legacy = attr(config, "workload_metadata_config.node_metadata")  # google provider < 4
        if mode is None and legacy is not None and str(legacy).upper() == "GKE_METADATA_SERVER":
            continue
        if mode is None:
            return Failure("Node pool does not set workload_metadata_config mode GKE_METADATA")
        if str(mode).upper() != "GKE_METADATA":
            return Failure(
                f"Workload metadata mode is {mode}", prefix + "workload_metadata_config.0.mode"
            )
    return None
