"""Cloud SQL instances: network exposure, TLS, backups and the CIS database flags."""

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
from citywatch.checks.gcp._helpers import GCLOUD, compliance, present, tf_doc
from citywatch.model import Resource

SQL = "google_sql_database_instance"
SQL_DOC = tf_doc(SQL)
IP = "settings.ip_configuration"
BACKUP = "settings.backup_configuration"


def _engine(res: Resource) -> str:
    """POSTGRES, MYSQL or SQLSERVER (empty when the version is not known)."""
    version = str(attr(res, "database_version", "")).upper()
    return version.split("_", 1)[0]


def _flags(res: Resource) -> dict[str, tuple[int, str]]:
    """Database flags by name: (index, lower-cased value)."""
    out: dict[str, tuple[int, str]] = {}
    for i, flag in enumerate(blocks(res, "settings.database_flags")):
        name = str(known(flag.get("name", ""))).lower()
        out[name] = (i, str(known(flag.get("value", ""))).strip().lower())
    return out


def _is_replica(res: Resource) -> bool:
    """Read replicas are not backed up themselves; their primary is."""
    if str(attr(res, "instance_type", "")).upper() == "READ_REPLICA_INSTANCE":
        return True
    return present(res, "master_instance_name")


def _flag_path(index: int) -> str:
    return f"settings.0.database_flags.{index}.value"


AUTHORIZED_WORLD = define(
    "CW-GCP-SQL-001",
    "Cloud SQL instance is open to the whole internet",
    "CRITICAL",
    description="An authorized network of 0.0.0.0/0 lets any IPv4 address connect to the "
    "database's public IP.",
    remediation="Remove the 0.0.0.0/0 `authorized_networks` entry; list specific addresses or "
    "use private IP with the Cloud SQL Auth Proxy.",
    references=[SQL_DOC, GCLOUD + "sql/docs/mysql/authorize-networks"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"], ["6.5"]),
)


@implements(AUTHORIZED_WORLD, "terraform", SQL)
def _authorized_world(res: Resource, ctx: CheckContext) -> CheckResult:
    for i, network in enumerate(blocks(res, f"{IP}.authorized_networks")):
        value = str(known(network.get("value", ""))).strip()
        if value in ("0.0.0.0/0", "0.0.0.0", "::/0"):
            return Failure(
                f"Authorized network {value} allows every address",
                f"settings.0.ip_configuration.0.authorized_networks.{i}.value",
            )
    return None


PUBLIC_IP = define(
    "CW-GCP-SQL-002",
    "Cloud SQL instance has a public IP address",
    "MEDIUM",
    description="A public IPv4 address (the provider default) makes the instance reachable from "
    "the internet, protected only by authorized networks and credentials.",
    remediation="Set `settings { ip_configuration { ipv4_enabled = false, private_network = "
    "... } }`.",
    references=[SQL_DOC, GCLOUD + "sql/docs/mysql/configure-private-ip"],
    compliance=compliance(["SC-7"], ["A.8.20", "A.8.22"], ["CC6.6"], ["6.6"]),
)


@implements(PUBLIC_IP, "terraform", SQL)
def _public_ip(res: Resource, ctx: CheckContext) -> CheckResult:
    enabled = attr(res, f"{IP}.ipv4_enabled")
    if enabled is None:
        return Failure("Instance gets a public IP (ipv4_enabled defaults to true)")
    if truthy(enabled):
        return Failure("Instance has a public IP", "settings.0.ip_configuration.0.ipv4_enabled")
    return None


REQUIRE_SSL = define(
    "CW-GCP-SQL-003",
    "Cloud SQL instance accepts unencrypted connections",
    "HIGH",
    description="Without SSL enforcement clients may connect in clear text, exposing "
    "credentials and data on the network.",
    remediation='Set `ssl_mode = "ENCRYPTED_ONLY"` (or TRUSTED_CLIENT_CERTIFICATE_REQUIRED) in '
    "`ip_configuration` (`require_ssl = true` on older providers).",
    references=[SQL_DOC, GCLOUD + "sql/docs/postgres/configure-ssl-instance"],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"], ["6.4"]),
)


@implements(REQUIRE_SSL, "terraform", SQL)
def _require_ssl(res: Resource, ctx: CheckContext) -> CheckResult:
    mode = attr(res, f"{IP}.ssl_mode")
    if mode is not None:
        if str(mode).upper() in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"):
            return None
        return Failure(
            f"ssl_mode {mode} allows unencrypted connections",
            "settings.0.ip_configuration.0.ssl_mode",
        )
    required = attr(res, f"{IP}.require_ssl")
    if required is not None and truthy(required):
        return None
    path = "settings.0.ip_configuration.0.require_ssl" if required is not None else None
    return Failure("SSL is not required for connections", path)


BACKUPS = define(
    "CW-GCP-SQL-004",
    "Cloud SQL instance has automated backups disabled",
    "MEDIUM",
    description="Without automated backups a deleted table or corrupted instance cannot be "
    "restored.",
    remediation="Set `settings { backup_configuration { enabled = true } }`.",
    references=[SQL_DOC, GCLOUD + "sql/docs/mysql/backup-recovery/backups"],
    compliance=compliance(["CP-9"], ["A.8.13"], ["A1.2"], ["6.7"]),
)


@implements(BACKUPS, "terraform", SQL)
def _backups(res: Resource, ctx: CheckContext) -> CheckResult:
    if _is_replica(res):
        return None  # replicas are not backed up themselves
    enabled = attr(res, f"{BACKUP}.enabled")
    if enabled is None:
        return Failure("Automated backups are not configured")
    if not truthy(enabled):
        return Failure(
            "Automated backups are disabled", "settings.0.backup_configuration.0.enabled"
        )
    return None


PITR = define(
    "CW-GCP-SQL-005",
    "Cloud SQL instance has point-in-time recovery disabled",
    "LOW",
    description="Without point-in-time recovery (PostgreSQL) or binary logging (MySQL), a "
    "restore loses everything since the last daily backup.",
    remediation="Set `point_in_time_recovery_enabled = true` (PostgreSQL, SQL Server) or "
    "`binary_log_enabled = true` (MySQL) in `backup_configuration`.",
    references=[SQL_DOC, GCLOUD + "sql/docs/postgres/backup-recovery/pitr"],
    compliance=compliance(["CP-9", "CP-10"], ["A.8.13"], ["A1.2"]),
)


@implements(PITR, "terraform", SQL)
def _pitr(res: Resource, ctx: CheckContext) -> CheckResult:
    engine = _engine(res)
    if _is_replica(res):
        return None
    key = "binary_log_enabled" if engine == "MYSQL" else "point_in_time_recovery_enabled"
    if engine not in ("MYSQL", "POSTGRES", "SQLSERVER"):
        return None
    value = attr(res, f"{BACKUP}.{key}")
    if value is None or not truthy(value):
        path = f"settings.0.backup_configuration.0.{key}" if value is not None else None
        return Failure(f"{key} is not enabled", path)
    return None


_TRUE = frozenset({"on", "true", "yes", "1"})
_FALSE = frozenset({"off", "false", "no", "0"})


def _canonical(value: str) -> str:
    """A boolean flag as on/off: PostgreSQL and MySQL read `true`, `1`, `yes` as on too."""
    if value in _TRUE:
        return "on"
    if value in _FALSE:
        return "off"
    return value


def _flag_check(
    number: int,
    engine: str,
    flag: str,
    wanted: str,
    title: str,
    description: str,
    cis: str,
    *,
    required: bool,
    severity: str = "MEDIUM",
    mapping: tuple[list[str], list[str], list[str]] = (["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"]),
) -> None:
    """A check that a database flag has the value CIS asks for.

    `required`: the engine default is unsafe, so a missing flag fails too; otherwise only an
    explicit unsafe value fails.
    """
    label = {"POSTGRES": "PostgreSQL", "MYSQL": "MySQL", "SQLSERVER": "SQL Server"}[engine]
    check = define(
        f"CW-GCP-SQL-{number:03d}",
        title,
        severity,
        description=description,
        remediation=f'Add `database_flags {{ name = "{flag}", value = "{wanted}" }}` to the '
        f"{label} instance settings.",
        references=[SQL_DOC, GCLOUD + f"sql/docs/{engine.lower()}/flags"],
        compliance=compliance(*mapping, [cis]),
    )

    @implements(check, "terraform", SQL)
    def _fn(res: Resource, ctx: CheckContext) -> CheckResult:
        if _engine(res) != engine:
            return None
        flags = _flags(res)
        if flag not in flags:
            return Failure(f"Database flag {flag} is not set to {wanted}") if required else None
        index, value = flags[flag]
        if _canonical(value) != wanted:
            return Failure(f"Database flag {flag} is {value}", _flag_path(index))
        return None


_flag_check(
    6,
    "POSTGRES",
    "log_connections",
    "on",
    "Cloud SQL PostgreSQL does not log connections",
    "Without log_connections, successful and failed connection attempts are not recorded.",
    "6.2.2",
    required=True,
)
_flag_check(
    7,
    "POSTGRES",
    "log_disconnections",
    "on",
    "Cloud SQL PostgreSQL does not log disconnections",
    "Without log_disconnections, session ends and durations are not recorded.",
    "6.2.3",
    required=True,
)
_flag_check(
    8,
    "POSTGRES",
    "log_min_duration_statement",
    "-1",
    "Cloud SQL PostgreSQL logs full statement text by duration",
    "log_min_duration_statement logs complete SQL statements, which may contain sensitive data; "
    "CIS asks for it to stay disabled (-1).",
    "6.2.7",
    required=False,
    severity="LOW",
    mapping=(["AU-3", "SI-12"], ["A.8.11", "A.8.15"], ["CC6.1"]),
)
_flag_check(
    9,
    "MYSQL",
    "local_infile",
    "off",
    "Cloud SQL MySQL allows LOAD DATA LOCAL INFILE",
    "local_infile lets a client (or a malicious server it connects to) read local files through "
    "LOAD DATA LOCAL.",
    "6.1.3",
    required=False,
    severity="MEDIUM",
    mapping=(["CM-7", "AC-3"], ["A.8.9"], ["CC6.8"]),
)
_flag_check(
    10,
    "MYSQL",
    "skip_show_database",
    "on",
    "Cloud SQL MySQL lets every user list all databases",
    "Without skip_show_database any user can run SHOW DATABASES and learn every schema name.",
    "6.1.2",
    required=True,
    severity="LOW",
    mapping=(["AC-6", "CM-7"], ["A.8.3", "A.8.9"], ["CC6.3"]),
)
_flag_check(
    11,
    "SQLSERVER",
    "contained database authentication",
    "off",
    "Cloud SQL SQL Server allows contained database authentication",
    "Contained databases authenticate users themselves, so database owners can create logins "
    "that bypass server-level policy and auditing.",
    "6.3.7",
    required=False,
    severity="MEDIUM",
    mapping=(["AC-2", "IA-2"], ["A.5.16", "A.8.5"], ["CC6.1"]),
)
_flag_check(
    12,
    "SQLSERVER",
    "cross db ownership chaining",
    "off",
    "Cloud SQL SQL Server allows cross-database ownership chaining",
    "Ownership chaining across databases lets a member of one database reach objects in another "
    "without permission checks.",
    "6.3.2",
    required=False,
    severity="MEDIUM",
    mapping=(["AC-3", "AC-6"], ["A.5.15", "A.8.3"], ["CC6.3"]),
)
_flag_check(
    13,
    "SQLSERVER",
    "external scripts enabled",
    "off",
    "Cloud SQL SQL Server allows external scripts",
    "External scripts run R/Python code on the database server outside SQL Server's security "
    "boundary.",
    "6.3.1",
    required=False,
    severity="MEDIUM",
    mapping=(["CM-7"], ["A.8.9"], ["CC6.8"]),
)
_flag_check(
    14,
    "POSTGRES",
    "cloudsql.enable_pgaudit",
    "on",
    "Cloud SQL PostgreSQL has pgAudit disabled",
    "pgAudit records detailed session and object audit logs (who read or changed what) that the "
    "standard PostgreSQL logs do not.",
    "6.2.8",
    required=True,
)
_flag_check(
    15,
    "SQLSERVER",
    "remote access",
    "off",
    "Cloud SQL SQL Server allows remote access to stored procedures",
    "The `remote access` option lets stored procedures run on or from remote servers, which can "
    "be abused to move laterally or offload queries (a DoS vector).",
    "6.3.5",
    required=True,
    mapping=(["CM-7", "AC-17"], ["A.8.9"], ["CC6.8"]),
)
_flag_check(
    16,
    "SQLSERVER",
    "3625",
    "on",
    "Cloud SQL SQL Server error messages reveal too much",
    "Without trace flag 3625, error messages shown to non-sysadmin users include parameters and "
    "object details useful to an attacker.",
    "6.3.6",
    required=True,
    severity="LOW",
    mapping=(["SI-11"], ["A.8.9"], ["CC6.8"]),
)


LOG_STATEMENT = define(
    "CW-GCP-SQL-017",
    "Cloud SQL PostgreSQL does not log DDL statements",
    "LOW",
    description="With log_statement at its default `none`, schema changes (CREATE, ALTER, DROP) "
    "and grants leave no trace in the database logs.",
    remediation='Add `database_flags { name = "log_statement", value = "ddl" }` (or `mod`/`all` '
    "where the volume and the data in statements are acceptable).",
    references=[SQL_DOC, GCLOUD + "sql/docs/postgres/flags"],
    compliance=compliance(["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"], ["6.2.4"]),
)
LOGGED_STATEMENTS = frozenset({"ddl", "mod", "all"})


@implements(LOG_STATEMENT, "terraform", SQL)
def _log_statement(res: Resource, ctx: CheckContext) -> CheckResult:
    if _engine(res) != "POSTGRES":
        return None
    flags = _flags(res)
    if "log_statement" not in flags:
        return Failure("Database flag log_statement is not set (default none)")
    index, value = flags["log_statement"]
    if value not in LOGGED_STATEMENTS:
        return Failure(f"Database flag log_statement is {value}", _flag_path(index))
    return None
