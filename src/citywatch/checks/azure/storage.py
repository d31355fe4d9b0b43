"""Azure Storage accounts and containers: transport, public access, network and encryption."""

from __future__ import annotations

from citywatch.checks.azure._helpers import (
    LEARN,
    compliance,
    first,
    flag,
    present,
    tf_doc,
    tls_below_1_2,
)
from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.model import Resource

SA = "azurerm_storage_account"
SA_DOC = tf_doc(SA)

HTTPS_ONLY = define(
    "CW-AZURE-STORAGE-001",
    "Storage account accepts plain HTTP",
    "HIGH",
    description="Secure transfer is disabled, so data and shared access signatures can travel "
    "in clear text over HTTP.",
    remediation="Remove `https_traffic_only_enabled = false` (or `enable_https_traffic_only` "
    "on azurerm < 4): the provider default requires HTTPS.",
    references=[SA_DOC, LEARN + "storage/common/storage-require-secure-transfer"],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24", "A.8.20"], ["CC6.7"], ["3.1"]),
)


@implements(HTTPS_ONLY, "terraform", SA)
def _https_only(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(
        res, "https_traffic_only_enabled", "enable_https_traffic_only", default=True
    )
    if not enabled:
        return Failure("Storage account allows HTTP (secure transfer is disabled)", path)
    return None


MIN_TLS = define(
    "CW-AZURE-STORAGE-002",
    "Storage account allows TLS older than 1.2",
    "HIGH",
    description="Clients may negotiate TLS 1.0 or 1.1, which have known weaknesses.",
    remediation='Set `min_tls_version = "TLS1_2"`.',
    references=[
        SA_DOC,
        LEARN + "storage/common/transport-layer-security-configure-minimum-version",
    ],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"], ["3.15"]),
)


@implements(MIN_TLS, "terraform", SA)
def _min_tls(res: Resource, ctx: CheckContext) -> CheckResult:
    version = attr(res, "min_tls_version")
    if version is not None and tls_below_1_2(version):
        return Failure(f"Storage account minimum TLS version is {version}", "min_tls_version")
    return None


PUBLIC_BLOBS = define(
    "CW-AZURE-STORAGE-003",
    "Storage account allows anonymous public access to blobs",
    "HIGH",
    description="With nested items allowed to be public, any container can be made readable by "
    "anyone on the internet without credentials. The azurerm provider (v3 and later) allows it "
    "unless told otherwise.",
    remediation="Set `allow_nested_items_to_be_public = false` (azurerm >= 3) or "
    "`allow_blob_public_access = false` (azurerm 2).",
    references=[SA_DOC, LEARN + "storage/blobs/anonymous-read-access-prevent"],
    compliance=compliance(["AC-3", "AC-21"], ["A.5.15", "A.8.3"], ["CC6.1"], ["3.17"]),
)


@implements(PUBLIC_BLOBS, "terraform", SA)
def _public_blobs(res: Resource, ctx: CheckContext) -> CheckResult:
    path, value = first(res, "allow_nested_items_to_be_public", "allow_blob_public_access")
    if path is None:
        return Failure(
            "Storage account does not disable public blob access (provider default allows it)"
        )
    path, allowed = flag(res, path, default=True)
    if allowed:
        return Failure("Storage account allows public access to blobs", path)
    return None


NETWORK_DENY = define(
    "CW-AZURE-STORAGE-004",
    "Storage account network access is not denied by default",
    "MEDIUM",
    description="The storage firewall's default action is Allow, so the account is reachable "
    "from every network, including the internet.",
    remediation='Set `network_rules { default_action = "Deny" }` (inline or in a separate '
    "`azurerm_storage_account_network_rules`) and allow only the networks that need access, or "
    "set `public_network_access_enabled = false`.",
    references=[
        SA_DOC,
        tf_doc("azurerm_storage_account_network_rules"),
        LEARN + "storage/common/storage-network-security",
    ],
    compliance=compliance(["SC-7", "AC-4"], ["A.8.20", "A.8.22"], ["CC6.6"], ["3.8"]),
)


@implements(NETWORK_DENY, "terraform", SA)
def _network_deny(res: Resource, ctx: CheckContext) -> CheckResult:
    _path, public = flag(res, "public_network_access_enabled", default=True)
    if not public:
        return None
    action = attr(res, "network_rules.default_action")
    if action is not None:
        if str(action).lower() == "deny":
            return None
        return Failure(
            "Storage account firewall default action is Allow", "network_rules.0.default_action"
        )
    separate = ctx.referencing(
        res,
        "azurerm_storage_account_network_rules",
        match_attrs=[("storage_account_name", "name")],
    )
    for rules in separate:
        if str(attr(rules, "default_action", "")).lower() == "deny":
            return None
    if separate:
        return Failure(f"Network rules in {separate[0].name} leave the default action at Allow")
    return Failure("Storage account has no network rules denying access by default")


INFRA_ENCRYPTION = define(
    "CW-AZURE-STORAGE-005",
    "Storage account infrastructure (double) encryption is disabled",
    "LOW",
    description="Without infrastructure encryption, data is encrypted once at the service "
    "level only; a second layer with a different algorithm protects against a flaw in one.",
    remediation="Set `infrastructure_encryption_enabled = true` (only possible at creation).",
    references=[SA_DOC, LEARN + "storage/common/infrastructure-encryption-enable"],
    compliance=compliance(["SC-28"], ["A.8.24"], ["CC6.1"], ["3.2"]),
)


@implements(INFRA_ENCRYPTION, "terraform", SA)
def _infra_encryption(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "infrastructure_encryption_enabled", default=False)
    if not enabled:
        return Failure("Storage account does not enable infrastructure encryption", path)
    return None


CMK = define(
    "CW-AZURE-STORAGE-006",
    "Storage account is not encrypted with a customer-managed key",
    "LOW",
    description="Data is encrypted with Microsoft-managed keys only; you cannot rotate, revoke "
    "or audit use of the key yourself.",
    remediation="Add a `customer_managed_key` block or a separate "
    "`azurerm_storage_account_customer_managed_key` pointing at a Key Vault key.",
    references=[
        SA_DOC,
        tf_doc("azurerm_storage_account_customer_managed_key"),
        LEARN + "storage/common/customer-managed-keys-overview",
    ],
    compliance=compliance(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"], ["3.12"]),
)


@implements(CMK, "terraform", SA)
def _cmk(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "customer_managed_key"):
        return None
    if ctx.referencing(res, "azurerm_storage_account_customer_managed_key"):
        return None
    return Failure("Storage account uses Microsoft-managed keys only")


SHARED_KEY = define(
    "CW-AZURE-STORAGE-007",
    "Storage account allows shared key authorization",
    "MEDIUM",
    description="Account access keys grant full control of the account, cannot be scoped and "
    "leave no per-identity audit trail; Entra ID authorization can replace them.",
    remediation="Set `shared_access_key_enabled = false` and use Entra ID (RBAC) authorization.",
    references=[SA_DOC, LEARN + "storage/common/shared-key-authorization-prevent"],
    compliance=compliance(["IA-2", "AC-2"], ["A.5.16", "A.8.5"], ["CC6.1"]),
)


@implements(SHARED_KEY, "terraform", SA)
def _shared_key(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "shared_access_key_enabled", default=True)
    if enabled:
        return Failure("Storage account accepts shared key (access key) authorization", path)
    return None


QUEUE_KINDS_WITHOUT_QUEUES = {"blobstorage", "blockblobstorage", "filestorage"}

QUEUE_LOGGING = define(
    "CW-AZURE-STORAGE-008",
    "Storage account queue service logging is incomplete",
    "MEDIUM",
    description="Storage Analytics logging for the queue service must record read, write and "
    "delete requests so that access to queues can be investigated.",
    remediation="Add `queue_properties { logging { read = true, write = true, delete = true, "
    'version = "1.0", retention_policy_days = 90 } }`.',
    references=[SA_DOC, LEARN + "storage/common/manage-storage-analytics-logs"],
    compliance=compliance(["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"], ["3.5"]),
)


@implements(QUEUE_LOGGING, "terraform", SA)
def _queue_logging(res: Resource, ctx: CheckContext) -> CheckResult:
    kind = attr(res, "account_kind", "StorageV2")
    if str(kind).lower() in QUEUE_KINDS_WITHOUT_QUEUES:
        return None
    sources: list[Resource | dict[str, object]] = []
    logging = attr(res, "queue_properties.logging")
    if logging is not None:
        sources.append(res)
    for separate in ctx.referencing(res, "azurerm_storage_account_queue_properties"):
        if attr(separate, "logging") is not None:
            sources.append(separate)
    if not sources:
        return Failure("Queue service logging is not configured")
    for src in sources:
        missing = [
            op
            for op in ("read", "write", "delete")
            if not flag(src, f"queue_properties.logging.{op}", f"logging.{op}", default=False)[1]
        ]
        if not missing:
            return None
    return Failure(
        f"Queue service logging does not record {', '.join(missing)} requests",
        "queue_properties.0.logging.0",
    )


CONTAINER_PUBLIC = define(
    "CW-AZURE-STORAGE-009",
    "Storage container is publicly readable",
    "HIGH",
    description="A container access type of `blob` or `container` lets anyone on the internet "
    "read its blobs (and list them, for `container`) without credentials.",
    remediation='Set `container_access_type = "private"` and share data with SAS tokens or RBAC.',
    references=[
        tf_doc("azurerm_storage_container"),
        LEARN + "storage/blobs/anonymous-read-access-configure",
    ],
    compliance=compliance(["AC-3", "AC-21"], ["A.5.15", "A.8.3"], ["CC6.1"], ["3.17"]),
)


@implements(CONTAINER_PUBLIC, "terraform", "azurerm_storage_container")
def _container_public(res: Resource, ctx: CheckContext) -> CheckResult:
    access = attr(res, "container_access_type", "private")
    if str(access).lower() in ("blob", "container"):
        return Failure(
            f"Container access type is {access}: anonymous reads are allowed",
            "container_access_type",
        )
    return None


SOFT_DELETE = define(
    "CW-AZURE-STORAGE-010",
    "Storage account blob soft delete is not enabled",
    "LOW",
    description="Without soft delete for blobs and containers, a deleted or overwritten blob "
    "(by mistake, or by an attacker holding a key) is gone immediately.",
    remediation="Add `blob_properties { delete_retention_policy { days = 7 } "
    "container_delete_retention_policy { days = 7 } }` (or longer).",
    references=[SA_DOC, LEARN + "storage/blobs/soft-delete-blob-overview"],
    compliance=compliance(["CP-9", "SI-12"], ["A.8.13"], ["A1.2"], ["3.11"]),
)

BLOB_KINDS = {"storagev2", "blobstorage", "blockblobstorage", "storage"}


@implements(SOFT_DELETE, "terraform", SA)
def _soft_delete(res: Resource, ctx: CheckContext) -> CheckResult:
    if str(attr(res, "account_kind", "StorageV2")).lower() not in BLOB_KINDS:
        return None
    if present(res, "blob_properties.delete_retention_policy"):
        return None
    if attr(res, "blob_properties") is not None:
        return Failure("blob_properties sets no delete_retention_policy", "blob_properties.0")
    return Failure("Blob soft delete is not configured")


CROSS_TENANT = define(
    "CW-AZURE-STORAGE-011",
    "Storage account allows cross-tenant object replication",
    "MEDIUM",
    description="Cross-tenant replication lets someone with rights on the account replicate its "
    "blobs to a storage account in another Entra ID tenant, outside your control.",
    remediation="Set `cross_tenant_replication_enabled = false`.",
    references=[SA_DOC, LEARN + "storage/blobs/object-replication-prevent-cross-tenant-policies"],
    compliance=compliance(["AC-4", "AC-21"], ["A.5.14", "A.8.12"], ["CC6.7"], ["3.16"]),
)


@implements(CROSS_TENANT, "terraform", SA)
def _cross_tenant(res: Resource, ctx: CheckContext) -> CheckResult:
    # azurerm 4 defaults to false; azurerm 3 defaulted to true, so judge explicit settings only
    value = attr(res, "cross_tenant_replication_enabled")
    if value is not None and flag(res, "cross_tenant_replication_enabled", default=False)[1]:
        return Failure("Cross-tenant replication is enabled", "cross_tenant_replication_enabled")
    return None


SAS_EXPIRY = define(
    "CW-AZURE-STORAGE-012",
    "Storage account has no SAS expiration policy",
    "LOW",
    description="While shared key authorization is on, anyone holding an account key can sign "
    "SAS tokens of any lifetime; a SAS expiration policy bounds how long a leaked or forgotten "
    "token stays usable (and logs or blocks longer ones).",
    remediation='Add `sas_policy { expiration_period = "01.00:00:00" }` (days.hours:minutes:'
    "seconds), or turn shared keys off with `shared_access_key_enabled = false`.",
    references=[SA_DOC, LEARN + "storage/common/sas-expiration-policy"],
    compliance=compliance(["AC-2", "IA-5"], ["A.5.17", "A.8.5"], ["CC6.1"]),
)


@implements(SAS_EXPIRY, "terraform", SA)
def _sas_expiry(res: Resource, ctx: CheckContext) -> CheckResult:
    if not flag(res, "shared_access_key_enabled", default=True)[1]:
        return None  # no account key, no account SAS
    if present(res, "sas_policy.expiration_period"):
        return None
    return Failure("Account keys can sign SAS tokens without an expiration limit")
