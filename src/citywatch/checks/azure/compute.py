"""Azure managed disks and virtual machines: disk encryption, SSH passwords, extensions."""

from __future__ import annotations

from citywatch.checks.azure._helpers import LEARN, compliance, flag, present, tf_doc
from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.model import Resource

LINUX_VM = "azurerm_linux_virtual_machine"
WINDOWS_VM = "azurerm_windows_virtual_machine"
LINUX_VMSS = "azurerm_linux_virtual_machine_scale_set"
WINDOWS_VMSS = "azurerm_windows_virtual_machine_scale_set"
MODERN_VMS = (LINUX_VM, WINDOWS_VM, LINUX_VMSS, WINDOWS_VMSS)

DISK_CMK = define(
    "CW-AZURE-COMPUTE-001",
    "Managed disk is not encrypted with a customer-managed key",
    "LOW",
    description="The disk uses platform-managed keys only; a disk encryption set (or Azure Disk "
    "Encryption) puts the key under your control so it can be rotated and revoked.",
    remediation="Set `disk_encryption_set_id` to an `azurerm_disk_encryption_set` backed by a "
    "Key Vault key, or enable `encryption_settings`.",
    references=[tf_doc("azurerm_managed_disk"), LEARN + "virtual-machines/disk-encryption"],
    compliance=compliance(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"], ["7.3", "7.4"]),
)


@implements(DISK_CMK, "terraform", "azurerm_managed_disk")
def _disk_cmk(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "disk_encryption_set_id") or present(res, "secure_vm_disk_encryption_set_id"):
        return None
    if attr(res, "encryption_settings") is not None:
        _path, enabled = flag(res, "encryption_settings.enabled", default=True)
        if enabled:
            return None
        return Failure(
            "Managed disk encryption settings are disabled", "encryption_settings.0.enabled"
        )
    return Failure("Managed disk has no disk encryption set (platform-managed keys only)")


@implements(DISK_CMK, "terraform", *MODERN_VMS)
def _os_disk_cmk(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "os_disk.disk_encryption_set_id") or present(
        res, "os_disk.secure_vm_disk_encryption_set_id"
    ):
        return None
    return Failure("OS disk has no disk encryption set (platform-managed keys only)", "os_disk.0")


PASSWORD_AUTH = define(
    "CW-AZURE-COMPUTE-002",
    "Linux virtual machine allows SSH password authentication",
    "HIGH",
    description="Password logins over SSH can be brute-forced and phished; key-based "
    "authentication is not.",
    remediation="Set `disable_password_authentication = true` and provide an `admin_ssh_key`.",
    references=[tf_doc(LINUX_VM), LEARN + "virtual-machines/linux/create-ssh-keys-detailed"],
    compliance=compliance(["IA-2", "IA-5"], ["A.8.5", "A.5.17"], ["CC6.1"]),
)


@implements(PASSWORD_AUTH, "terraform", LINUX_VM, LINUX_VMSS)
def _password_auth(res: Resource, ctx: CheckContext) -> CheckResult:
    path, disabled = flag(res, "disable_password_authentication", default=True)
    if not disabled:
        return Failure("SSH password authentication is enabled", path)
    return None


@implements(PASSWORD_AUTH, "terraform", "azurerm_virtual_machine")
def _legacy_password_auth(res: Resource, ctx: CheckContext) -> CheckResult:
    if attr(res, "os_profile_linux_config") is None:
        return None
    path = "os_profile_linux_config.disable_password_authentication"
    _p, disabled = flag(res, path, default=True)
    if not disabled:
        return Failure(
            "SSH password authentication is enabled",
            "os_profile_linux_config.0.disable_password_authentication",
        )
    return None


ENCRYPTION_AT_HOST = define(
    "CW-AZURE-COMPUTE-003",
    "Virtual machine does not use encryption at host",
    "MEDIUM",
    description="Without encryption at host, temporary disks and disk caches on the VM host are "
    "not encrypted, and data flows unencrypted between host and storage.",
    remediation="Set `encryption_at_host_enabled = true` (register the EncryptionAtHost feature "
    "on the subscription first).",
    references=[
        tf_doc(LINUX_VM),
        LEARN + "virtual-machines/disk-encryption#encryption-at-host"
        "---end-to-end-encryption-for-your-vm-data",
    ],
    compliance=compliance(["SC-28"], ["A.8.24"], ["CC6.1"]),
)


@implements(ENCRYPTION_AT_HOST, "terraform", *MODERN_VMS)
def _encryption_at_host(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "encryption_at_host_enabled", default=False)
    if not enabled:
        return Failure("Encryption at host is not enabled", path)
    return None


EXTENSIONS = define(
    "CW-AZURE-COMPUTE-004",
    "Virtual machine allows extension operations",
    "LOW",
    description="Extensions run arbitrary code as root/SYSTEM inside the VM; anyone with "
    "extension write permission can use them to take over the machine. Disable them where the VM "
    "does not need any.",
    remediation="Set `allow_extension_operations = false` (or `extension_operations_enabled` on "
    "azurerm >= 4) when no VM extensions are needed.",
    references=[tf_doc(LINUX_VM), LEARN + "virtual-machines/extensions/overview"],
    compliance=compliance(["CM-7", "CM-11"], ["A.8.19", "A.8.9"], ["CC6.8"], ["7.5"]),
)


@implements(EXTENSIONS, "terraform", LINUX_VM, WINDOWS_VM)
def _extensions(res: Resource, ctx: CheckContext) -> CheckResult:
    path, allowed = flag(
        res, "allow_extension_operations", "extension_operations_enabled", default=True
    )
    if allowed:
        return Failure("VM extension operations are allowed", path)
    return None


MANAGED_DISKS = define(
    "CW-AZURE-COMPUTE-005",
    "Virtual machine uses unmanaged (VHD blob) disks",
    "MEDIUM",
    description="Unmanaged disks live as page blobs in a storage account you must secure "
    "yourself; managed disks are encrypted and access-controlled by the platform.",
    remediation="Use `storage_os_disk { managed_disk_type = ... }` without `vhd_uri`, or move to "
    "`azurerm_linux_virtual_machine` / `azurerm_windows_virtual_machine`.",
    references=[
        tf_doc("azurerm_virtual_machine"),
        LEARN + "virtual-machines/managed-disks-overview",
    ],
    compliance=compliance(["SC-28", "CM-6"], ["A.8.24", "A.8.9"], ["CC6.1"], ["7.2"]),
)


@implements(MANAGED_DISKS, "terraform", "azurerm_virtual_machine")
def _managed_disks(res: Resource, ctx: CheckContext) -> CheckResult:
    for i, _disk in enumerate(attr(res, "storage_os_disk") or []):
        if present(res, f"storage_os_disk.{i}.vhd_uri"):
            return Failure("OS disk is an unmanaged VHD", f"storage_os_disk.{i}.vhd_uri")
    for i, _disk in enumerate(attr(res, "storage_data_disk") or []):
        if present(res, f"storage_data_disk.{i}.vhd_uri"):
            return Failure("Data disk is an unmanaged VHD", f"storage_data_disk.{i}.vhd_uri")
    return None
