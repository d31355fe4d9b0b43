"""Azure SQL logical servers: auditing, TDE with a customer key, network exposure, Entra admin."""

from __future__ import annotations

from citywatch.checks.azure._helpers import (
    LEARN,
    compliance,
    flag,
    present,
    tf_doc,
    tls_below_1_2,
)
from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.model import Resource

SERVERS = ("azurerm_mssql_server", "azurerm_sql_server")
SQL_DOC = tf_doc("azurerm_mssql_server")

AUDITING = define(
    "CW-AZURE-SQL-001",
    "SQL server auditing is not enabled",
    "MEDIUM",
    description="Without server auditing there is no record of logins, schema changes and data "
    "access to investigate an incident with.",
    remediation="Add an `azurerm_mssql_server_extended_auditing_policy` for the server (or an "
    "`extended_auditing_policy` block on older providers).",
    references=[
        SQL_DOC,
        tf_doc("azurerm_mssql_server_extended_auditing_policy"),
        LEARN + "azure-sql/database/auditing-overview",
    ],
    compliance=compliance(["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"], ["4.1.1"]),
)

AUDIT_POLICIES = "azurerm_mssql_server_extended_auditing_policy"


def _audit_policies(res: Resource, ctx: CheckContext) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    if attr(res, "extended_auditing_policy") is not None:
        found.extend(
            p for p in (attr(res, "extended_auditing_policy") or []) if isinstance(p, dict)
        )
    found.extend(r.attributes for r in ctx.referencing(res, AUDIT_POLICIES))
    return found


@implements(AUDITING, "terraform", *SERVERS)
def _auditing(res: Resource, ctx: CheckContext) -> CheckResult:
    policies = _audit_policies(res, ctx)
    if not policies:
        return Failure("No extended auditing policy is configured for the server")
    if all(not flag(p, "enabled", default=True)[1] for p in policies):
        return Failure("Server auditing policy is disabled")
    return None


AUDIT_RETENTION = define(
    "CW-AZURE-SQL-002",
    "SQL server audit logs are kept for 90 days or less",
    "LOW",
    description="Short audit retention loses the evidence for incidents found late.",
    remediation="Set `retention_in_days` above 90 (0 keeps audit logs forever).",
    references=[tf_doc(AUDIT_POLICIES), LEARN + "azure-sql/database/auditing-overview"],
    compliance=compliance(["AU-11"], ["A.8.15"], ["CC7.2"], ["4.1.6"]),
)


@implements(AUDIT_RETENTION, "terraform", AUDIT_POLICIES)
def _audit_retention(res: Resource, ctx: CheckContext) -> CheckResult:
    days = int(attr(res, "retention_in_days", 0))
    if 0 < days <= 90:
        return Failure(f"Audit logs are kept for {days} days", "retention_in_days")
    return None


TDE_CMK = define(
    "CW-AZURE-SQL-003",
    "SQL server TDE protector is not a customer-managed key",
    "MEDIUM",
    description="Transparent data encryption uses a service-managed key, so you cannot rotate, "
    "revoke or audit the key that protects the databases.",
    remediation="Add an `azurerm_mssql_server_transparent_data_encryption` with "
    "`key_vault_key_id` (or set `transparent_data_encryption_key_vault_key_id` on the server).",
    references=[
        tf_doc("azurerm_mssql_server_transparent_data_encryption"),
        LEARN + "azure-sql/database/transparent-data-encryption-byok-overview",
    ],
    compliance=compliance(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"], ["4.1.3"]),
)


@implements(TDE_CMK, "terraform", *SERVERS)
def _tde_cmk(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "transparent_data_encryption_key_vault_key_id"):
        return None
    for tde in ctx.referencing(res, "azurerm_mssql_server_transparent_data_encryption"):
        if present(tde, "key_vault_key_id") or present(tde, "managed_hsm_key_id"):
            return None
    return Failure("TDE uses a service-managed key")


PUBLIC = define(
    "CW-AZURE-SQL-004",
    "SQL server allows public network access",
    "HIGH",
    description="The server accepts connections from public IP addresses (subject only to its "
    "firewall rules); the provider enables this by default.",
    remediation="Set `public_network_access_enabled = false` and connect through private "
    "endpoints.",
    references=[SQL_DOC, LEARN + "azure-sql/database/connectivity-settings"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(PUBLIC, "terraform", *SERVERS)
def _public(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "public_network_access_enabled", default=True)
    if enabled:
        return Failure("SQL server public network access is enabled", path)
    return None


AAD_ADMIN = define(
    "CW-AZURE-SQL-005",
    "SQL server has no Microsoft Entra ID administrator",
    "MEDIUM",
    description="Without an Entra ID admin, only SQL logins exist: no MFA, no central "
    "deprovisioning, passwords shared among administrators.",
    remediation="Add an `azuread_administrator` block (or an "
    "`azurerm_sql_active_directory_administrator` on older providers).",
    references=[SQL_DOC, LEARN + "azure-sql/database/authentication-aad-configure"],
    compliance=compliance(["IA-2", "AC-2"], ["A.5.16", "A.8.5"], ["CC6.1"], ["4.1.4"]),
)


@implements(AAD_ADMIN, "terraform", *SERVERS)
def _aad_admin(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "azuread_administrator"):
        return None
    if ctx.referencing(
        res, "azurerm_sql_active_directory_administrator", match_attrs=[("server_name", "name")]
    ):
        return None
    return Failure("No Entra ID administrator is configured")


OPEN_FIREWALL = define(
    "CW-AZURE-SQL-006",
    "SQL firewall rule allows the whole internet",
    "CRITICAL",
    description="A firewall rule from 0.0.0.0 to 255.255.255.255 accepts connections from any "
    "IPv4 address.",
    remediation="Restrict the rule to the addresses that need access, or use private endpoints.",
    references=[
        tf_doc("azurerm_mssql_firewall_rule"),
        LEARN + "azure-sql/database/firewall-configure",
    ],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"], ["4.1.2"]),
)


def _ip_value(text: object) -> int:
    parts = str(text).strip().split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return -1
    value = 0
    for p in parts:
        value = value * 256 + int(p)
    return value


FIREWALL_RULES = (
    "azurerm_mssql_firewall_rule",
    "azurerm_sql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
)


@implements(OPEN_FIREWALL, "terraform", *FIREWALL_RULES)
def _open_firewall(res: Resource, ctx: CheckContext) -> CheckResult:
    start = _ip_value(attr(res, "start_ip_address", ""))
    end = _ip_value(attr(res, "end_ip_address", ""))
    if start == 0 and end == _ip_value("255.255.255.255"):
        return Failure("Firewall rule allows 0.0.0.0 - 255.255.255.255", "end_ip_address")
    return None


MIN_TLS = define(
    "CW-AZURE-SQL-007",
    "SQL server allows TLS older than 1.2",
    "MEDIUM",
    description="Clients may connect with TLS 1.0 or 1.1, which have known weaknesses.",
    remediation='Set `minimum_tls_version = "1.2"`.',
    references=[SQL_DOC, LEARN + "azure-sql/database/connectivity-settings#minimal-tls-version"],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"]),
)


@implements(MIN_TLS, "terraform", "azurerm_mssql_server")
def _min_tls(res: Resource, ctx: CheckContext) -> CheckResult:
    version = attr(res, "minimum_tls_version")
    if version is not None and tls_below_1_2(version):
        return Failure(f"Minimum TLS version is {version}", "minimum_tls_version")
    return None
