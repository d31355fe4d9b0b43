"""Microsoft Defender for Cloud: paid plans, security contacts and agent provisioning."""

from __future__ import annotations

from citywatch.checks.azure._helpers import LEARN, compliance, flag, tf_doc
from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.model import Resource

PRICING = "azurerm_security_center_subscription_pricing"
CONTACT = "azurerm_security_center_contact"

# CIS Azure 2.1 sections per Defender plan (resource_type of the pricing resource)
PLAN_SECTIONS = {
    "VirtualMachines": "2.1.1",
    "AppServices": "2.1.2",
    "SqlServers": "2.1.3",
    "SqlServerVirtualMachines": "2.1.4",
    "OpenSourceRelationalDatabases": "2.1.5",
    "CosmosDbs": "2.1.6",
    "StorageAccounts": "2.1.7",
    "Containers": "2.1.8",
    "KeyVaults": "2.1.9",
    "Dns": "2.1.10",
    "Arm": "2.1.11",
}

STANDARD_TIER = define(
    "CW-AZURE-DEFENDER-001",
    "Microsoft Defender plan is on the Free tier",
    "MEDIUM",
    description="On the Free tier, Defender for Cloud gives recommendations only: no threat "
    "detection, vulnerability assessment or alerts for the covered resource type.",
    remediation='Set `tier = "Standard"` for each `resource_type` you run.',
    references=[tf_doc(PRICING), LEARN + "defender-for-cloud/enable-enhanced-security"],
    compliance=compliance(
        ["SI-4", "RA-5"],
        ["A.8.16", "A.8.7"],
        ["CC7.2"],
        sorted(PLAN_SECTIONS.values(), key=lambda s: int(s.split(".")[-1])),
    ),
)


@implements(STANDARD_TIER, "terraform", PRICING)
def _standard_tier(res: Resource, ctx: CheckContext) -> CheckResult:
    tier = str(attr(res, "tier", ""))
    if tier.lower() != "standard":
        plan = attr(res, "resource_type", "VirtualMachines")
        return Failure(f"Defender plan {plan} is on the {tier or 'default'} tier", "tier")
    return None


ALERT_EMAILS = define(
    "CW-AZURE-DEFENDER-002",
    "Defender for Cloud does not email security alerts to the security contact",
    "MEDIUM",
    description="With alert notifications off, high-severity alerts are only visible to "
    "someone who happens to open the portal.",
    remediation="Set `alert_notifications = true` and a monitored `email` on the "
    "`azurerm_security_center_contact`.",
    references=[tf_doc(CONTACT), LEARN + "defender-for-cloud/configure-email-notifications"],
    compliance=compliance(["IR-6", "SI-4"], ["A.5.24", "A.6.8"], ["CC7.3"], ["2.1.18", "2.1.19"]),
)


@implements(ALERT_EMAILS, "terraform", CONTACT)
def _alert_emails(res: Resource, ctx: CheckContext) -> CheckResult:
    if not str(attr(res, "email", "")).strip():
        return Failure("Security contact has no email address", "email")
    path, enabled = flag(res, "alert_notifications", default=False)
    if not enabled:
        return Failure("Alert notifications are disabled", path)
    return None


ALERTS_TO_OWNERS = define(
    "CW-AZURE-DEFENDER-003",
    "Defender for Cloud does not notify subscription owners of alerts",
    "LOW",
    description="Subscription owners should receive security alerts so that an alert reaches "
    "someone with authority to act on it.",
    remediation="Set `alerts_to_admins = true` on the `azurerm_security_center_contact`.",
    references=[tf_doc(CONTACT), LEARN + "defender-for-cloud/configure-email-notifications"],
    compliance=compliance(["IR-6", "SI-4"], ["A.5.24", "A.6.8"], ["CC7.3"], ["2.1.17"]),
)


@implements(ALERTS_TO_OWNERS, "terraform", CONTACT)
def _alerts_to_owners(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "alerts_to_admins", default=False)
    if not enabled:
        return Failure("Alerts are not sent to subscription owners", path)
    return None


AUTO_PROVISIONING = define(
    "CW-AZURE-DEFENDER-004",
    "Defender for Cloud agent auto-provisioning is off",
    "LOW",
    description="Without auto-provisioning, new VMs run without the monitoring agent and are "
    "invisible to Defender's threat detection.",
    remediation='Set `auto_provision = "On"`.',
    references=[
        tf_doc("azurerm_security_center_auto_provisioning"),
        LEARN + "defender-for-cloud/monitoring-components",
    ],
    compliance=compliance(["SI-4", "CM-8"], ["A.8.16"], ["CC7.2"], ["2.1.14"]),
)


@implements(AUTO_PROVISIONING, "terraform", "azurerm_security_center_auto_provisioning")
def _auto_provisioning(res: Resource, ctx: CheckContext) -> CheckResult:
    if str(attr(res, "auto_provision", "")).lower() != "on":
        return Failure("Auto-provisioning is off", "auto_provision")
    return None
