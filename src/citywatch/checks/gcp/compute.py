"""Compute Engine instances, templates, disks and project metadata.

Instances and instance templates share their security-relevant fields, so each check reads both.
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
    metadata_flag,
    present,
    tf_doc,
)
from citywatch.model import Resource

INSTANCE = "google_compute_instance"
TEMPLATE = "google_compute_instance_template"
VMS = (INSTANCE, TEMPLATE, "google_compute_region_instance_template")
VM_DOCS = [tf_doc(INSTANCE), tf_doc(TEMPLATE)]
CLOUD_PLATFORM = {"cloud-platform", "https://www.googleapis.com/auth/cloud-platform"}


def _default_sa(res: Resource) -> tuple[bool, list[str]] | None:
    """(uses the default compute SA, scopes) when a service account is attached."""
    accounts = blocks(res, "service_account")
    if not accounts:
        return None
    account = accounts[0]
    is_default = is_default_service_account(res, account.get("email"))
    scopes = [str(known(s)) for s in known(account.get("scopes") or [])]
    return is_default, scopes


DEFAULT_SA = define(
    "CW-GCP-COMPUTE-001",
    "Instance uses the default Compute Engine service account",
    "MEDIUM",
    description="The default service account has the Editor role on the project by default, so "
    "code on the instance can change almost anything in it.",
    remediation="Create a dedicated service account with only the roles the workload needs and "
    "set `service_account { email = ... }`.",
    references=[*VM_DOCS, GCLOUD + "compute/docs/access/service-accounts#default_service_account"],
    compliance=compliance(["AC-6", "AC-2"], ["A.8.2", "A.5.15"], ["CC6.3"], ["4.1"]),
)


@implements(DEFAULT_SA, "terraform", *VMS)
def _default_sa_check(res: Resource, ctx: CheckContext) -> CheckResult:
    found = _default_sa(res)
    if found is not None and found[0]:
        return Failure(
            "Instance runs as the default compute service account",
            "service_account.0.email"
            if present(res, "service_account.email")
            else "service_account.0.scopes",
        )
    return None


FULL_API_ACCESS = define(
    "CW-GCP-COMPUTE-002",
    "Instance uses the default service account with full access to all Cloud APIs",
    "HIGH",
    description="The default service account (Editor) combined with the cloud-platform scope "
    "lets anyone who compromises the instance act as a project editor.",
    remediation="Use a dedicated least-privilege service account, or at least drop the "
    "`cloud-platform` scope.",
    references=[*VM_DOCS, GCLOUD + "compute/docs/access/service-accounts#accesscopesiam"],
    compliance=compliance(["AC-6"], ["A.8.2"], ["CC6.3"], ["4.2"]),
)


@implements(FULL_API_ACCESS, "terraform", *VMS)
def _full_api_access(res: Resource, ctx: CheckContext) -> CheckResult:
    found = _default_sa(res)
    if found is not None and found[0] and CLOUD_PLATFORM & set(found[1]):
        return Failure(
            "Default service account with the cloud-platform scope", "service_account.0.scopes"
        )
    return None


PUBLIC_IP = define(
    "CW-GCP-COMPUTE-003",
    "Instance has a public IP address",
    "MEDIUM",
    description="An `access_config` block gives the instance an external IP, making it directly "
    "reachable from the internet subject only to firewall rules.",
    remediation="Remove `access_config` from `network_interface`; reach instances through IAP, "
    "a load balancer or Cloud NAT for egress.",
    references=[*VM_DOCS, GCLOUD + "compute/docs/ip-addresses/reserve-static-external-ip-address"],
    compliance=compliance(["SC-7"], ["A.8.20", "A.8.22"], ["CC6.6"], ["4.9"]),
)


@implements(PUBLIC_IP, "terraform", *VMS)
def _public_ip(res: Resource, ctx: CheckContext) -> CheckResult:
    for i, nic in enumerate(blocks(res, "network_interface")):
        if known(nic.get("access_config")) is not None and nic.get("access_config") != []:
            return Failure(
                "Network interface has an external IP (access_config)",
                f"network_interface.{i}.access_config.0",
            )
    return None


SERIAL_PORT = define(
    "CW-GCP-COMPUTE-004",
    "Instance allows interactive serial port access",
    "MEDIUM",
    description="The interactive serial console accepts connections from any IP address and is "
    "not governed by firewall rules.",
    remediation='Remove `serial-port-enable` from `metadata` or set it to "false".',
    references=[
        *VM_DOCS,
        GCLOUD + "compute/docs/troubleshooting/troubleshooting-using-serial-console",
    ],
    compliance=compliance(["AC-17", "CM-7"], ["A.8.20", "A.8.9"], ["CC6.6"], ["4.5"]),
)


@implements(SERIAL_PORT, "terraform", *VMS)
def _serial_port(res: Resource, ctx: CheckContext) -> CheckResult:
    if metadata_flag(res, "serial-port-enable"):
        return Failure("Interactive serial port access is enabled", "metadata")
    return None


@implements(SERIAL_PORT, "terraform", "google_compute_project_metadata_item")
def _serial_port_project(res: Resource, ctx: CheckContext) -> CheckResult:
    if str(attr(res, "key", "")) == "serial-port-enable" and truthy(attr(res, "value", "")):
        return Failure("Serial port access is enabled project-wide", "value")
    return None


OS_LOGIN = define(
    "CW-GCP-COMPUTE-005",
    "OS Login is disabled",
    "MEDIUM",
    description="Without OS Login, SSH access is governed by keys in metadata instead of IAM: no "
    "central revocation, no 2-step verification, no audit trail per user.",
    remediation='Set `enable-oslogin = "TRUE"` in project metadata and do not override it to '
    "FALSE on instances.",
    references=[
        tf_doc("google_compute_project_metadata"),
        *VM_DOCS,
        GCLOUD + "compute/docs/oslogin/set-up-oslogin",
    ],
    compliance=compliance(["AC-2", "IA-2"], ["A.5.16", "A.8.5"], ["CC6.1"], ["4.4"]),
)


@implements(OS_LOGIN, "terraform", *VMS)
def _os_login_instance(res: Resource, ctx: CheckContext) -> CheckResult:
    if metadata_flag(res, "enable-oslogin") is False:
        return Failure("Instance metadata disables OS Login", "metadata")
    return None


@implements(OS_LOGIN, "terraform", "google_compute_project_metadata")
def _os_login_project(res: Resource, ctx: CheckContext) -> CheckResult:
    if not metadata_flag(res, "enable-oslogin"):
        return Failure("Project metadata does not enable OS Login", "metadata")
    return None


@implements(OS_LOGIN, "terraform", "google_compute_project_metadata_item")
def _os_login_item(res: Resource, ctx: CheckContext) -> CheckResult:
    if str(attr(res, "key", "")) == "enable-oslogin" and not truthy(attr(res, "value", "")):
        return Failure("Project metadata disables OS Login", "value")
    return None


SHIELDED = define(
    "CW-GCP-COMPUTE-006",
    "Instance is not a Shielded VM",
    "MEDIUM",
    description="vTPM and integrity monitoring detect boot-level and kernel-level tampering "
    "(rootkits, bootkits); turning them off removes that protection.",
    remediation="Keep `shielded_instance_config { enable_vtpm = true, "
    "enable_integrity_monitoring = true }` (use a Shielded VM image).",
    references=[*VM_DOCS, GCLOUD + "compute/shielded-vm/docs/shielded-vm"],
    compliance=compliance(["SI-7"], ["A.8.9"], ["CC6.8"], ["4.8"]),
)


@implements(SHIELDED, "terraform", *VMS)
def _shielded(res: Resource, ctx: CheckContext) -> CheckResult:
    for key in ("enable_vtpm", "enable_integrity_monitoring"):
        value = attr(res, f"shielded_instance_config.{key}")
        if value is not None and not truthy(value):
            return Failure(f"Shielded VM {key} is false", f"shielded_instance_config.0.{key}")
    return None


IP_FORWARDING = define(
    "CW-GCP-COMPUTE-007",
    "Instance can forward IP packets",
    "MEDIUM",
    description="IP forwarding lets the instance send and receive packets for other addresses, "
    "bypassing source/destination checks and enabling traffic interception.",
    remediation="Set `can_ip_forward = false` unless the instance is a router or NAT appliance.",
    references=[*VM_DOCS, GCLOUD + "vpc/docs/using-routes#canipforward"],
    compliance=compliance(["SC-7", "AC-4"], ["A.8.20"], ["CC6.6"], ["4.6"]),
)


@implements(IP_FORWARDING, "terraform", *VMS)
def _ip_forwarding(res: Resource, ctx: CheckContext) -> CheckResult:
    if truthy(attr(res, "can_ip_forward", False)):
        return Failure("IP forwarding is enabled", "can_ip_forward")
    return None


PROJECT_SSH_KEYS = define(
    "CW-GCP-COMPUTE-008",
    "Instance accepts project-wide SSH keys",
    "MEDIUM",
    description="A key in project metadata opens SSH on every instance of the project; one "
    "leaked key compromises them all.",
    remediation='Set `metadata = { block-project-ssh-keys = "true" }` (or use OS Login).',
    references=[*VM_DOCS, GCLOUD + "compute/docs/connect/restrict-ssh-keys"],
    compliance=compliance(["AC-2", "IA-5"], ["A.5.16", "A.5.17"], ["CC6.1"], ["4.3"]),
)


@implements(PROJECT_SSH_KEYS, "terraform", *VMS)
def _project_ssh_keys(res: Resource, ctx: CheckContext) -> CheckResult:
    if metadata_flag(res, "enable-oslogin"):
        return None  # OS Login ignores metadata SSH keys
    blocked = metadata_flag(res, "block-project-ssh-keys")
    if blocked is None:
        return Failure("Project-wide SSH keys are not blocked")
    if not blocked:
        return Failure("Project-wide SSH keys are allowed", "metadata")
    return None


DISK_CMEK = define(
    "CW-GCP-COMPUTE-009",
    "Disk is not encrypted with a customer-managed or customer-supplied key",
    "LOW",
    description="The disk uses Google-managed keys only; a Cloud KMS key (CMEK) or "
    "customer-supplied key (CSEK) puts the key under your control.",
    remediation="Set `disk_encryption_key { kms_key_self_link = ... }` on disks, or "
    "`boot_disk { kms_key_self_link = ... }` on instances.",
    references=[
        tf_doc("google_compute_disk"),
        tf_doc(INSTANCE),
        GCLOUD + "compute/docs/disks/customer-managed-encryption",
    ],
    compliance=compliance(["SC-12", "SC-28"], ["A.8.24"], ["CC6.1"]),
)

KEY_FIELDS = ("kms_key_self_link", "raw_key", "rsa_encrypted_key", "kms_key_name")


@implements(DISK_CMEK, "terraform", "google_compute_disk", "google_compute_region_disk")
def _disk_cmek(res: Resource, ctx: CheckContext) -> CheckResult:
    if any(present(res, f"disk_encryption_key.{f}") for f in KEY_FIELDS):
        return None
    return Failure("Disk uses Google-managed encryption keys only")


@implements(DISK_CMEK, "terraform", INSTANCE)
def _boot_disk_cmek(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "boot_disk.kms_key_self_link") or present(
        res, "boot_disk.disk_encryption_key_raw"
    ):
        return None
    if attr(res, "boot_disk.source") is not None:
        return None  # an attached existing disk: judged on its google_compute_disk resource
    return Failure("Boot disk uses Google-managed encryption keys only", "boot_disk.0")


SECURE_BOOT = define(
    "CW-GCP-COMPUTE-010",
    "Instance does not use Secure Boot",
    "LOW",
    description="Secure Boot refuses to load unsigned boot components and kernel drivers, "
    "blocking bootkits and rootkits.",
    remediation="Set `shielded_instance_config { enable_secure_boot = true }`.",
    references=[*VM_DOCS, GCLOUD + "compute/shielded-vm/docs/shielded-vm#secure-boot"],
    compliance=compliance(["SI-7"], ["A.8.9"], ["CC6.8"], ["4.8"]),
)


@implements(SECURE_BOOT, "terraform", *VMS)
def _secure_boot(res: Resource, ctx: CheckContext) -> CheckResult:
    value = attr(res, "shielded_instance_config.enable_secure_boot")
    if value is None:
        return Failure("Secure Boot is not enabled")
    if not truthy(value):
        return Failure("Secure Boot is disabled", "shielded_instance_config.0.enable_secure_boot")
    return None
