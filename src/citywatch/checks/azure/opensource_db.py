"""Azure Database for PostgreSQL and MySQL (single and flexible servers).

Server parameters are separate `*_configuration` resources; checks that need a parameter to be
on look for a configuration resource connected to the server.
"""

from __future__ import annotations

from citywatch.checks.azure._helpers import LEARN, compliance, flag, present, tf_doc
from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.model import Resource

PG_SINGLE = "azurerm_postgresql_server"
PG_FLEX = "azurerm_postgresql_flexible_server"
PG_CONFIGS = (
    "azurerm_postgresql_configuration",
    "azurerm_postgresql_flexible_server_configuration",
)
MY_SINGLE = "azurerm_mysql_server"
MY_FLEX = "azurerm_mysql_flexible_server"
MY_CONFIGS = ("azurerm_mysql_configuration", "azurerm_mysql_flexible_server_configuration")
MY_FLEX_CONFIG = "azurerm_mysql_flexible_server_configuration"


def _param(res: Resource) -> tuple[str, str]:
    return str(attr(res, "name", "")).lower(), str(attr(res, "value", "")).strip().lower()


def _public_flexible(res: Resource) -> CheckResult:
    if present(res, "delegated_subnet_id"):
        return None
    access = attr(res, "public_network_access")
    if access is not None:
        if str(access).lower() == "disabled":
            return None
        return Failure("Server accepts connections from public networks", "public_network_access")
    path, enabled = flag(res, "public_network_access_enabled", default=True)
    if enabled:
        return Failure("Server has no delegated subnet and allows public network access", path)
    return None


def _public_single(res: Resource) -> CheckResult:
    path, enabled = flag(res, "public_network_access_enabled", default=True)
    if enabled:
        return Failure("Server allows public network access", path)
    return None


def _geo_backup(res: Resource) -> CheckResult:
    path, enabled = flag(res, "geo_redundant_backup_enabled", default=False)
    if not enabled:
        return Failure("Backups are not geo-redundant", path)
    return None


PG_SSL = define(
    "CW-AZURE-POSTGRES-001",
    "PostgreSQL server does not enforce SSL connections",
    "HIGH",
    description="Clients may connect without TLS and send credentials and data in clear text.",
    remediation="Set `ssl_enforcement_enabled = true` on single servers; do not set the flexible "
    "server parameter `require_secure_transport` to `off`.",
    references=[
        tf_doc(PG_SINGLE),
        tf_doc(PG_CONFIGS[1]),
        LEARN + "postgresql/flexible-server/concepts-networking-ssl-tls",
    ],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"], ["4.3.1"]),
)


@implements(PG_SSL, "terraform", PG_SINGLE)
def _pg_ssl_single(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "ssl_enforcement_enabled", default=True)
    if not enabled:
        return Failure("SSL enforcement is disabled", path)
    return None


@implements(PG_SSL, "terraform", *PG_CONFIGS)
def _pg_ssl_param(res: Resource, ctx: CheckContext) -> CheckResult:
    name, value = _param(res)
    if name == "require_secure_transport" and value in ("off", "0", "false"):
        return Failure("Server parameter require_secure_transport is off", "value")
    return None


PG_PUBLIC = define(
    "CW-AZURE-POSTGRES-002",
    "PostgreSQL server is reachable from public networks",
    "HIGH",
    description="The server has a public endpoint (no VNet integration and public network "
    "access not disabled), protected only by its firewall rules.",
    remediation="Deploy flexible servers into a delegated subnet (`delegated_subnet_id`) or set "
    "`public_network_access_enabled = false` and use private endpoints.",
    references=[tf_doc(PG_FLEX), LEARN + "postgresql/flexible-server/concepts-networking"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(PG_PUBLIC, "terraform", PG_FLEX)
def _pg_public_flex(res: Resource, ctx: CheckContext) -> CheckResult:
    return _public_flexible(res)


@implements(PG_PUBLIC, "terraform", PG_SINGLE)
def _pg_public_single(res: Resource, ctx: CheckContext) -> CheckResult:
    return _public_single(res)


PG_GEO = define(
    "CW-AZURE-POSTGRES-003",
    "PostgreSQL server backups are not geo-redundant",
    "LOW",
    description="Locally redundant backups are lost with the region; geo-redundant backups allow "
    "restoring in the paired region.",
    remediation="Set `geo_redundant_backup_enabled = true` (only possible at creation).",
    references=[tf_doc(PG_FLEX), LEARN + "postgresql/flexible-server/concepts-backup-restore"],
    compliance=compliance(["CP-9", "CP-6"], ["A.8.13"], ["A1.2"]),
)


@implements(PG_GEO, "terraform", PG_FLEX, PG_SINGLE)
def _pg_geo(res: Resource, ctx: CheckContext) -> CheckResult:
    return _geo_backup(res)


PG_LOG_PARAMS = {
    "log_checkpoints": "4.3.2",
    "log_connections": "4.3.3",
    "log_disconnections": "4.3.4",
    "connection_throttling": "4.3.5",
    "connection_throttle.enable": "4.3.5",
}

PG_LOGGING = define(
    "CW-AZURE-POSTGRES-004",
    "PostgreSQL logging or connection throttling parameter is turned off",
    "MEDIUM",
    description="`log_checkpoints`, `log_connections`, `log_disconnections` and connection "
    "throttling record and slow down brute force and misuse; turning them off hides it.",
    remediation="Leave these server parameters `on` (remove the configuration resource that sets "
    "them to `off`).",
    references=[tf_doc(PG_CONFIGS[1]), LEARN + "postgresql/flexible-server/concepts-logging"],
    compliance=compliance(
        ["AU-2", "AU-12", "AC-7"], ["A.8.15"], ["CC7.2"], sorted(set(PG_LOG_PARAMS.values()))
    ),
)


@implements(PG_LOGGING, "terraform", *PG_CONFIGS)
def _pg_logging(res: Resource, ctx: CheckContext) -> CheckResult:
    name, value = _param(res)
    if name in PG_LOG_PARAMS and value in ("off", "0", "false"):
        return Failure(f"Server parameter {name} is off", "value")
    return None


MY_SSL = define(
    "CW-AZURE-MYSQL-001",
    "MySQL server does not enforce SSL connections",
    "HIGH",
    description="Clients may connect without TLS and send credentials and data in clear text.",
    remediation="Set `ssl_enforcement_enabled = true` on single servers; do not set the flexible "
    "server parameter `require_secure_transport` to `OFF`.",
    references=[
        tf_doc(MY_SINGLE),
        tf_doc(MY_FLEX_CONFIG),
        LEARN + "mysql/flexible-server/how-to-connect-tls-ssl",
    ],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"], ["4.4.1"]),
)


@implements(MY_SSL, "terraform", MY_SINGLE)
def _my_ssl_single(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "ssl_enforcement_enabled", default=True)
    if not enabled:
        return Failure("SSL enforcement is disabled", path)
    return None


@implements(MY_SSL, "terraform", *MY_CONFIGS)
def _my_ssl_param(res: Resource, ctx: CheckContext) -> CheckResult:
    name, value = _param(res)
    if name == "require_secure_transport" and value in ("off", "0", "false"):
        return Failure("Server parameter require_secure_transport is OFF", "value")
    return None


MY_TLS = define(
    "CW-AZURE-MYSQL-002",
    "MySQL server allows TLS older than 1.2",
    "MEDIUM",
    description="Clients may negotiate TLS 1.0 or 1.1, which have known weaknesses.",
    remediation='Set `ssl_minimal_tls_version_enforced = "TLS1_2"` (single server) or the '
    'flexible server parameter `tls_version = "TLSv1.2"`.',
    references=[
        tf_doc(MY_SINGLE),
        tf_doc(MY_FLEX_CONFIG),
        LEARN + "mysql/flexible-server/concepts-networking#tls-and-ssl",
    ],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"], ["4.4.2"]),
)


@implements(MY_TLS, "terraform", MY_SINGLE)
def _my_tls_single(res: Resource, ctx: CheckContext) -> CheckResult:
    version = str(attr(res, "ssl_minimal_tls_version_enforced", "TLS1_2"))
    if version.upper() in ("TLS1_0", "TLS1_1", "TLSENFORCEMENTDISABLED"):
        return Failure(f"Minimum TLS version is {version}", "ssl_minimal_tls_version_enforced")
    return None


@implements(MY_TLS, "terraform", MY_FLEX_CONFIG)
def _my_tls_param(res: Resource, ctx: CheckContext) -> CheckResult:
    name, value = _param(res)
    if name != "tls_version":
        return None
    allowed = {v.strip() for v in value.split(",")}
    old = sorted(allowed & {"tlsv1", "tlsv1.0", "tlsv1.1"})
    if old:
        return Failure(f"tls_version allows {', '.join(old)}", "value")
    return None


MY_PUBLIC = define(
    "CW-AZURE-MYSQL-003",
    "MySQL server is reachable from public networks",
    "HIGH",
    description="The server has a public endpoint (no VNet integration and public network "
    "access not disabled), protected only by its firewall rules.",
    remediation="Deploy flexible servers into a delegated subnet (`delegated_subnet_id`) or "
    "disable public network access and use private endpoints.",
    references=[tf_doc(MY_FLEX), LEARN + "mysql/flexible-server/concepts-networking"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(MY_PUBLIC, "terraform", MY_FLEX)
def _my_public_flex(res: Resource, ctx: CheckContext) -> CheckResult:
    return _public_flexible(res)


@implements(MY_PUBLIC, "terraform", MY_SINGLE)
def _my_public_single(res: Resource, ctx: CheckContext) -> CheckResult:
    return _public_single(res)


MY_GEO = define(
    "CW-AZURE-MYSQL-004",
    "MySQL server backups are not geo-redundant",
    "LOW",
    description="Locally redundant backups are lost with the region; geo-redundant backups allow "
    "restoring in the paired region.",
    remediation="Set `geo_redundant_backup_enabled = true` (only possible at creation).",
    references=[tf_doc(MY_FLEX), LEARN + "mysql/flexible-server/concepts-backup-restore"],
    compliance=compliance(["CP-9", "CP-6"], ["A.8.13"], ["A1.2"]),
)


@implements(MY_GEO, "terraform", MY_FLEX, MY_SINGLE)
def _my_geo(res: Resource, ctx: CheckContext) -> CheckResult:
    return _geo_backup(res)


MY_AUDIT = define(
    "CW-AZURE-MYSQL-005",
    "MySQL flexible server audit log is not enabled",
    "MEDIUM",
    description="The audit log (connections, DDL, DML) is off by default; without it access to "
    "the database cannot be reconstructed.",
    remediation="Add an `azurerm_mysql_flexible_server_configuration` with `name = "
    '"audit_log_enabled"` and `value = "ON"` for the server.',
    references=[tf_doc(MY_FLEX_CONFIG), LEARN + "mysql/flexible-server/concepts-audit-logs"],
    compliance=compliance(["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"], ["4.4.3"]),
)


@implements(MY_AUDIT, "terraform", MY_FLEX)
def _my_audit(res: Resource, ctx: CheckContext) -> CheckResult:
    configs = ctx.referencing(res, MY_FLEX_CONFIG, match_attrs=[("server_name", "name")])
    for config in configs:
        name, value = _param(config)
        if name == "audit_log_enabled":
            if value in ("on", "1", "true"):
                return None
            return Failure(f"audit_log_enabled is {value.upper()} in {config.name}")
    return Failure("No audit_log_enabled = ON server parameter is configured")
