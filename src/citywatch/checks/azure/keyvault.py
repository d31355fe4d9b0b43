"""Azure Key Vault: recoverability, network exposure, RBAC, logging, key and secret lifetimes."""

from __future__ import annotations

from citywatch.checks.azure._helpers import LEARN, compliance, flag, present, tf_doc
from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.model import Resource

KV = "azurerm_key_vault"
KV_DOC = tf_doc(KV)

PURGE = define(
    "CW-AZURE-KEYVAULT-001",
    "Key Vault purge protection is disabled",
    "MEDIUM",
    description="Without purge protection, a deleted vault and its keys can be purged before "
    "the retention period ends, permanently destroying data encrypted with them.",
    remediation="Set `purge_protection_enabled = true`.",
    references=[KV_DOC, LEARN + "key-vault/general/soft-delete-overview"],
    compliance=compliance(["CP-9", "SC-12"], ["A.8.13", "A.8.24"], ["A1.2"], ["8.5"]),
)


@implements(PURGE, "terraform", KV)
def _purge(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "purge_protection_enabled", default=False)
    if not enabled:
        return Failure("Purge protection is not enabled", path)
    return None


SOFT_DELETE = define(
    "CW-AZURE-KEYVAULT-002",
    "Key Vault soft delete is disabled or too short",
    "MEDIUM",
    description="Soft delete keeps deleted vaults, keys and secrets recoverable; disabling it "
    "(azurerm 2) or shortening retention to the 7-day minimum leaves little time to notice a "
    "destructive change.",
    remediation="Remove `soft_delete_enabled = false` and keep `soft_delete_retention_days` at "
    "the default 90.",
    references=[KV_DOC, LEARN + "key-vault/general/soft-delete-overview"],
    compliance=compliance(["CP-9"], ["A.8.13"], ["A1.2"], ["8.5"]),
)


@implements(SOFT_DELETE, "terraform", KV)
def _soft_delete(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "soft_delete_enabled", default=True)
    if not enabled:
        return Failure("Soft delete is disabled", path)
    days = attr(res, "soft_delete_retention_days")
    if days is not None and int(days) < 30:
        return Failure(f"Deleted items are kept for {days} days only", "soft_delete_retention_days")
    return None


NETWORK = define(
    "CW-AZURE-KEYVAULT-003",
    "Key Vault is reachable from all networks",
    "MEDIUM",
    description="Without network ACLs denying by default, the vault endpoint accepts "
    "requests from the whole internet, protected by Entra ID alone.",
    remediation='Add `network_acls { default_action = "Deny", bypass = "AzureServices" }` with '
    "the allowed networks, or set `public_network_access_enabled = false` and use private "
    "endpoints.",
    references=[KV_DOC, LEARN + "key-vault/general/network-security"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"], ["8.7"]),
)


@implements(NETWORK, "terraform", KV)
def _network(res: Resource, ctx: CheckContext) -> CheckResult:
    _path, public = flag(res, "public_network_access_enabled", default=True)
    if not public:
        return None
    action = attr(res, "network_acls.default_action")
    if action is None:
        return Failure("Key Vault has no network ACLs")
    if str(action).lower() != "deny":
        return Failure("Key Vault network ACLs allow by default", "network_acls.0.default_action")
    return None


RBAC = define(
    "CW-AZURE-KEYVAULT-004",
    "Key Vault uses access policies instead of Azure RBAC",
    "LOW",
    description="Vault access policies cannot be scoped below the vault, are invisible to "
    "Privileged Identity Management and let any vault contributor grant themselves data access.",
    remediation="Set `enable_rbac_authorization = true` (`rbac_authorization_enabled` on azurerm "
    ">= 4) and grant Key Vault data-plane roles.",
    references=[KV_DOC, LEARN + "key-vault/general/rbac-guide"],
    compliance=compliance(["AC-3", "AC-6"], ["A.5.15", "A.8.2"], ["CC6.3"], ["8.6"]),
)


@implements(RBAC, "terraform", KV)
def _rbac(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(
        res, "rbac_authorization_enabled", "enable_rbac_authorization", default=False
    )
    if not enabled:
        return Failure("Key Vault authorizes with access policies, not RBAC", path)
    return None


DIAGNOSTICS = define(
    "CW-AZURE-KEYVAULT-005",
    "Key Vault has no diagnostic logging",
    "MEDIUM",
    description="Without a diagnostic setting, reads of keys and secrets (AuditEvent logs) are "
    "not recorded anywhere.",
    remediation="Add an `azurerm_monitor_diagnostic_setting` with `target_resource_id` set to "
    'the vault and an `enabled_log { category_group = "audit" }` (or category `AuditEvent`).',
    references=[tf_doc("azurerm_monitor_diagnostic_setting"), LEARN + "key-vault/general/logging"],
    compliance=compliance(["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"], ["5.1.4"]),
)

AUDIT_CATEGORIES = {"auditevent", "audit", "alllogs"}


@implements(DIAGNOSTICS, "terraform", KV)
def _diagnostics(res: Resource, ctx: CheckContext) -> CheckResult:
    settings = ctx.referencing(res, "azurerm_monitor_diagnostic_setting")
    for setting in settings:
        for block in ("enabled_log", "log"):
            for entry in attr(setting, block) or []:
                if not isinstance(entry, dict):
                    continue
                if not flag(entry, "enabled", default=True)[1]:
                    continue
                names = {
                    str(entry.get("category", "")).lower(),
                    str(entry.get("category_group", "")).lower(),
                }
                if names & AUDIT_CATEGORIES:
                    return None
    if settings:
        return Failure(f"Diagnostic setting {settings[0].name} does not capture AuditEvent logs")
    return Failure("No diagnostic setting sends this vault's audit logs anywhere")


KEY_EXPIRY = define(
    "CW-AZURE-KEYVAULT-006",
    "Key Vault key has no expiration date",
    "MEDIUM",
    description="Keys without an expiry are used indefinitely, so a leaked or weak key stays "
    "valid forever.",
    remediation="Set `expiration_date` (RFC 3339), or a `rotation_policy` with `expire_after`.",
    references=[tf_doc("azurerm_key_vault_key"), LEARN + "key-vault/keys/about-keys"],
    compliance=compliance(["SC-12", "IA-5"], ["A.8.24", "A.5.17"], ["CC6.1"], ["8.1", "8.2"]),
)


@implements(KEY_EXPIRY, "terraform", "azurerm_key_vault_key")
def _key_expiry(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "expiration_date") or present(res, "rotation_policy.expire_after"):
        return None
    return Failure("Key has no expiration date")


SECRET_EXPIRY = define(
    "CW-AZURE-KEYVAULT-007",
    "Key Vault secret has no expiration date",
    "MEDIUM",
    description="Secrets without an expiry are never forced through rotation.",
    remediation="Set `expiration_date` (RFC 3339) and rotate the secret before it expires.",
    references=[tf_doc("azurerm_key_vault_secret"), LEARN + "key-vault/secrets/about-secrets"],
    compliance=compliance(["IA-5"], ["A.5.17"], ["CC6.1"], ["8.3", "8.4"]),
)


@implements(SECRET_EXPIRY, "terraform", "azurerm_key_vault_secret")
def _secret_expiry(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "expiration_date"):
        return None
    return Failure("Secret has no expiration date")


KEY_ROTATION = define(
    "CW-AZURE-KEYVAULT-008",
    "Key Vault key has no automatic rotation policy",
    "LOW",
    description="Without a rotation policy the key material never changes unless someone "
    "remembers to rotate it.",
    remediation='Add `rotation_policy { automatic { time_before_expiry = "P30D" } '
    'expire_after = "P90D" }`.',
    references=[
        tf_doc("azurerm_key_vault_key"),
        LEARN + "key-vault/keys/how-to-configure-key-rotation",
    ],
    compliance=compliance(["SC-12"], ["A.8.24"], ["CC6.1"], ["8.8"]),
)


@implements(KEY_ROTATION, "terraform", "azurerm_key_vault_key")
def _key_rotation(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "rotation_policy.automatic"):
        return None
    return Failure("Key has no automatic rotation policy")
