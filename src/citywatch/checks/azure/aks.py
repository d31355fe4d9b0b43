"""Azure Kubernetes Service clusters: control-plane exposure, identity, policy and encryption."""

from __future__ import annotations

from citywatch.checks.azure._helpers import LEARN, compliance, first, flag, present, tf_doc
from citywatch.checks.base import (
    CheckContext,
    CheckResult,
    Failure,
    attr,
    define,
    implements,
    known,
)
from citywatch.model import Resource

AKS = "azurerm_kubernetes_cluster"
AKS_DOC = tf_doc(AKS)
OPEN_RANGES = {"0.0.0.0/0", "0.0.0.0", "*", "::/0"}

API_EXPOSED = define(
    "CW-AZURE-AKS-001",
    "AKS API server is reachable from the whole internet",
    "HIGH",
    description="The cluster is neither private nor restricted to authorized IP ranges, so the "
    "Kubernetes API accepts connections from anywhere.",
    remediation="Set `private_cluster_enabled = true`, or list trusted CIDRs in "
    "`api_server_access_profile { authorized_ip_ranges = [...] }`.",
    references=[
        AKS_DOC,
        LEARN + "aks/api-server-authorized-ip-ranges",
        LEARN + "aks/private-clusters",
    ],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(API_EXPOSED, "terraform", AKS)
def _api_exposed(res: Resource, ctx: CheckContext) -> CheckResult:
    if flag(res, "private_cluster_enabled", default=False)[1]:
        return None
    path, ranges = first(
        res, "api_server_access_profile.authorized_ip_ranges", "api_server_authorized_ip_ranges"
    )
    if not ranges:
        return Failure("Public API server without authorized IP ranges")
    values = {str(known(r)).strip() for r in known(ranges)}
    if values & OPEN_RANGES:
        line = (
            "api_server_access_profile.0.authorized_ip_ranges"
            if path and path.startswith("api_server_access_profile")
            else path
        )
        return Failure("Authorized IP ranges include 0.0.0.0/0", line)
    return None


RBAC = define(
    "CW-AZURE-AKS-002",
    "AKS Kubernetes RBAC is disabled",
    "HIGH",
    description="Without Kubernetes RBAC every authenticated identity has full access to the "
    "cluster.",
    remediation="Set `role_based_access_control_enabled = true` (the default; "
    "`role_based_access_control { enabled = true }` on azurerm 2).",
    references=[AKS_DOC, LEARN + "aks/concepts-identity"],
    compliance=compliance(["AC-3", "AC-6"], ["A.5.15", "A.8.2"], ["CC6.3"]),
)


@implements(RBAC, "terraform", AKS)
def _rbac(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(
        res,
        "role_based_access_control_enabled",
        "role_based_access_control.enabled",
        default=True,
    )
    if not enabled:
        if path and path.startswith("role_based_access_control."):
            path = "role_based_access_control.0.enabled"
        return Failure("Kubernetes RBAC is disabled", path)
    return None


AAD = define(
    "CW-AZURE-AKS-003",
    "AKS cluster is not integrated with Microsoft Entra ID",
    "MEDIUM",
    description="Without Entra ID integration users authenticate with cluster certificates that "
    "cannot be revoked individually and bypass conditional access and MFA.",
    remediation="Add `azure_active_directory_role_based_access_control { azure_rbac_enabled = "
    "true, admin_group_object_ids = [...] }`.",
    references=[AKS_DOC, LEARN + "aks/enable-authentication-microsoft-entra-id"],
    compliance=compliance(["IA-2", "AC-2"], ["A.5.16", "A.8.5"], ["CC6.1"]),
)


@implements(AAD, "terraform", AKS)
def _aad(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "azure_active_directory_role_based_access_control") or present(
        res, "role_based_access_control.azure_active_directory"
    ):
        return None
    return Failure("No Entra ID (Azure AD) integration is configured")


NETWORK_POLICY = define(
    "CW-AZURE-AKS-004",
    "AKS cluster has no network policy engine",
    "MEDIUM",
    description="Without a network policy engine (azure, calico or cilium) Kubernetes "
    "NetworkPolicies are ignored and every pod can reach every other pod.",
    remediation='Set `network_profile { network_policy = "azure" }` (or calico / cilium).',
    references=[AKS_DOC, LEARN + "aks/use-network-policies"],
    compliance=compliance(["SC-7", "AC-4"], ["A.8.22"], ["CC6.6"]),
)


@implements(NETWORK_POLICY, "terraform", AKS)
def _network_policy(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "network_profile.network_policy"):
        return None
    if attr(res, "network_profile") is not None:
        return Failure("network_profile sets no network_policy", "network_profile.0")
    return Failure("No network policy engine is configured")


LOCAL_ACCOUNTS = define(
    "CW-AZURE-AKS-005",
    "AKS local accounts are enabled",
    "MEDIUM",
    description="The local cluster-admin credential bypasses Entra ID, cannot be audited per "
    "user and stays valid until the cluster certificates are rotated.",
    remediation="Set `local_account_disabled = true` (requires Entra ID integration).",
    references=[AKS_DOC, LEARN + "aks/manage-local-accounts-managed-azure-ad"],
    compliance=compliance(["AC-2", "IA-2"], ["A.5.16", "A.8.5"], ["CC6.1"]),
)


@implements(LOCAL_ACCOUNTS, "terraform", AKS)
def _local_accounts(res: Resource, ctx: CheckContext) -> CheckResult:
    path, disabled = flag(res, "local_account_disabled", default=False)
    if not disabled:
        return Failure("Local accounts are enabled", path)
    return None


AZURE_POLICY = define(
    "CW-AZURE-AKS-006",
    "AKS Azure Policy add-on is not enabled",
    "LOW",
    description="The Azure Policy add-on enforces pod security and other guardrails at "
    "admission; without it, policy assignments are not applied inside the cluster.",
    remediation="Set `azure_policy_enabled = true` (`addon_profile { azure_policy { enabled = "
    "true } }` on azurerm 2).",
    references=[AKS_DOC, LEARN + "governance/policy/concepts/policy-for-kubernetes"],
    compliance=compliance(["CM-7", "CM-6"], ["A.8.9"], ["CC6.8"]),
)


@implements(AZURE_POLICY, "terraform", AKS)
def _azure_policy(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(
        res, "azure_policy_enabled", "addon_profile.azure_policy.enabled", default=False
    )
    if not enabled:
        return Failure("Azure Policy add-on is disabled", path)
    return None


DISK_ENCRYPTION = define(
    "CW-AZURE-AKS-007",
    "AKS node disks are not encrypted with a customer-managed key",
    "LOW",
    description="Node OS and data disks use platform-managed keys only.",
    remediation="Set `disk_encryption_set_id` to an `azurerm_disk_encryption_set`.",
    references=[AKS_DOC, LEARN + "aks/azure-disk-customer-managed-keys"],
    compliance=compliance(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"]),
)


@implements(DISK_ENCRYPTION, "terraform", AKS)
def _disk_encryption(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "disk_encryption_set_id"):
        return None
    return Failure("No disk encryption set is configured for node disks")


NODE_PUBLIC_IP = define(
    "CW-AZURE-AKS-008",
    "AKS nodes get public IP addresses",
    "MEDIUM",
    description="Nodes with their own public IPs are directly reachable from the internet.",
    remediation="Remove `node_public_ip_enabled = true` (`enable_node_public_ip` on "
    "azurerm < 4) from the node pools.",
    references=[
        AKS_DOC,
        tf_doc("azurerm_kubernetes_cluster_node_pool"),
        LEARN + "aks/use-node-public-ips",
    ],
    compliance=compliance(["SC-7"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(NODE_PUBLIC_IP, "terraform", AKS)
def _node_public_ip_cluster(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(
        res,
        "default_node_pool.node_public_ip_enabled",
        "default_node_pool.enable_node_public_ip",
        default=False,
    )
    if enabled and path:
        return Failure(
            "Default node pool assigns public IPs",
            path.replace("default_node_pool.", "default_node_pool.0."),
        )
    return None


@implements(NODE_PUBLIC_IP, "terraform", "azurerm_kubernetes_cluster_node_pool")
def _node_public_ip_pool(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "node_public_ip_enabled", "enable_node_public_ip", default=False)
    if enabled:
        return Failure("Node pool assigns public IPs", path)
    return None


MONITORING = define(
    "CW-AZURE-AKS-009",
    "AKS cluster does not send logs to Azure Monitor",
    "MEDIUM",
    description="Without Container Insights (the `oms_agent` add-on) node, pod and container "
    "logs are not collected centrally, leaving nothing to investigate an incident with.",
    remediation="Add `oms_agent { log_analytics_workspace_id = ... }` (and a diagnostic setting "
    "for the control-plane logs).",
    references=[AKS_DOC, LEARN + "azure-monitor/containers/container-insights-overview"],
    compliance=compliance(["AU-2", "AU-12", "SI-4"], ["A.8.15", "A.8.16"], ["CC7.2"]),
)


@implements(MONITORING, "terraform", AKS)
def _monitoring(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "oms_agent") or flag(res, "addon_profile.oms_agent.enabled", default=False)[1]:
        return None
    return Failure("Container Insights (oms_agent) is not enabled")


UPGRADE_CHANNEL = define(
    "CW-AZURE-AKS-010",
    "AKS cluster has no automatic upgrade channel",
    "LOW",
    description="Without an automatic upgrade channel the control plane and nodes get Kubernetes "
    "patch releases (including security fixes) only when someone upgrades by hand, and clusters "
    "drift out of support.",
    remediation='Set `automatic_channel_upgrade = "patch"` (azurerm 3.x; `automatic_upgrade_'
    'channel` in 4.x) or "stable", and a maintenance window for it.',
    references=[AKS_DOC, LEARN + "aks/auto-upgrade-cluster"],
    compliance=compliance(["SI-2", "CM-3"], ["A.8.8", "A.8.19"], ["CC7.1", "CC8.1"]),
)


@implements(UPGRADE_CHANNEL, "terraform", AKS)
def _upgrade_channel(res: Resource, ctx: CheckContext) -> CheckResult:
    for path in ("automatic_channel_upgrade", "automatic_upgrade_channel"):
        if present(res, path):
            value = attr(res, path)
            if str(known(value)).strip().lower() != "none":
                return None
            return Failure(f'{path} is "none": the cluster is never upgraded automatically', path)
    return Failure("No automatic upgrade channel is set")
