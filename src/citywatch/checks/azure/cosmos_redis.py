"""Azure Cosmos DB accounts and Azure Cache for Redis: network exposure and authentication."""

from __future__ import annotations

from citywatch.checks.azure._helpers import (
    LEARN,
    compliance,
    flag,
    present,
    tf_doc,
    tls_below_1_2,
)
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

COSMOS = "azurerm_cosmosdb_account"
REDIS = "azurerm_redis_cache"

COSMOS_PUBLIC = define(
    "CW-AZURE-COSMOS-001",
    "Cosmos DB account accepts connections from all networks",
    "HIGH",
    description="With public network access on and neither an IP filter nor a virtual network "
    "filter, the account endpoint is reachable from the whole internet.",
    remediation="Set `public_network_access_enabled = false` (private endpoints), or restrict "
    "access with `ip_range_filter` / `is_virtual_network_filter_enabled` and "
    "`virtual_network_rule`.",
    references=[tf_doc(COSMOS), LEARN + "cosmos-db/how-to-configure-firewall"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"], ["4.5.1"]),
)


def _filter_values(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(known(v)).strip() for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


@implements(COSMOS_PUBLIC, "terraform", COSMOS)
def _cosmos_public(res: Resource, ctx: CheckContext) -> CheckResult:
    path, public = flag(res, "public_network_access_enabled", default=True)
    if not public:
        return None
    if flag(res, "is_virtual_network_filter_enabled", default=False)[1] and present(
        res, "virtual_network_rule"
    ):
        return None
    ip_filter = attr(res, "ip_range_filter")
    if ip_filter is not None:
        ranges = _filter_values(ip_filter)
        if ranges and not {"0.0.0.0", "0.0.0.0/0"} & set(ranges):
            return None
        if ranges:
            return Failure("IP range filter allows all addresses", "ip_range_filter")
    return Failure("Account is reachable from all networks", path)


COSMOS_METADATA = define(
    "CW-AZURE-COSMOS-002",
    "Cosmos DB account keys can change account metadata",
    "MEDIUM",
    description="With key-based metadata writes enabled, anyone holding an account key can "
    "create or delete databases and containers, bypassing Azure RBAC.",
    remediation="Set `access_key_metadata_writes_enabled = false` and manage databases and "
    "containers through Azure Resource Manager.",
    references=[tf_doc(COSMOS), LEARN + "cosmos-db/role-based-access-control#prevent-sdk-changes"],
    compliance=compliance(["AC-6", "AC-3"], ["A.8.2", "A.5.15"], ["CC6.3"]),
)


@implements(COSMOS_METADATA, "terraform", COSMOS)
def _cosmos_metadata(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "access_key_metadata_writes_enabled", default=True)
    if enabled:
        return Failure("Account keys may write account metadata", path)
    return None


COSMOS_LOCAL_AUTH = define(
    "CW-AZURE-COSMOS-003",
    "Cosmos DB account accepts key-based (local) authentication",
    "MEDIUM",
    description="Primary keys grant full data access with no per-identity audit trail; Entra "
    "ID with data-plane RBAC can replace them.",
    remediation="Set `local_authentication_disabled = true` and grant access with Cosmos DB "
    "data-plane role assignments.",
    references=[tf_doc(COSMOS), LEARN + "cosmos-db/how-to-setup-rbac#disable-local-auth"],
    compliance=compliance(["IA-2", "AC-2"], ["A.5.16", "A.8.5"], ["CC6.1"], ["4.5.3"]),
)


@implements(COSMOS_LOCAL_AUTH, "terraform", COSMOS)
def _cosmos_local_auth(res: Resource, ctx: CheckContext) -> CheckResult:
    path, disabled = flag(res, "local_authentication_disabled", default=False)
    if not disabled:
        return Failure("Key-based authentication is enabled", path)
    return None


REDIS_NON_SSL = define(
    "CW-AZURE-REDIS-001",
    "Redis cache enables the non-TLS port",
    "HIGH",
    description="Port 6379 carries the access key and all data in clear text.",
    remediation="Set `non_ssl_port_enabled = false` (`enable_non_ssl_port` on azurerm < 4).",
    references=[tf_doc(REDIS), LEARN + "azure-cache-for-redis/cache-configure#access-ports"],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"]),
)


@implements(REDIS_NON_SSL, "terraform", REDIS)
def _redis_non_ssl(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "non_ssl_port_enabled", "enable_non_ssl_port", default=False)
    if enabled:
        return Failure("The non-TLS port 6379 is enabled", path)
    return None


REDIS_TLS = define(
    "CW-AZURE-REDIS-002",
    "Redis cache allows TLS older than 1.2",
    "MEDIUM",
    description="Clients may negotiate TLS 1.0 or 1.1, which have known weaknesses (and which "
    "Azure Cache for Redis is retiring).",
    remediation='Set `minimum_tls_version = "1.2"`.',
    references=[tf_doc(REDIS), LEARN + "azure-cache-for-redis/cache-remove-tls-10-11"],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"]),
)


@implements(REDIS_TLS, "terraform", REDIS)
def _redis_tls(res: Resource, ctx: CheckContext) -> CheckResult:
    version = attr(res, "minimum_tls_version")
    if version is not None and tls_below_1_2(version):
        return Failure(f"Minimum TLS version is {version}", "minimum_tls_version")
    return None


REDIS_PUBLIC = define(
    "CW-AZURE-REDIS-003",
    "Redis cache allows public network access",
    "MEDIUM",
    description="The cache endpoint is reachable from the internet, protected by the access key "
    "and firewall rules only.",
    remediation="Set `public_network_access_enabled = false` and use a private endpoint (or "
    "deploy a Premium cache into a subnet with `subnet_id`).",
    references=[tf_doc(REDIS), LEARN + "azure-cache-for-redis/cache-private-link"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(REDIS_PUBLIC, "terraform", REDIS)
def _redis_public(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "subnet_id"):
        return None
    path, enabled = flag(res, "public_network_access_enabled", default=True)
    if enabled:
        return Failure("Redis cache public network access is enabled", path)
    return None
