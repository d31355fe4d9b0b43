"""Azure Event Hubs and Service Bus namespaces: TLS floor, SAS keys, public access."""

from __future__ import annotations

from citywatch.checks.azure._helpers import LEARN, compliance, first, flag, tf_doc, tls_below_1_2
from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.model import Resource

SERVICES = (
    ("EVENTHUB", "Event Hubs", "azurerm_eventhub_namespace", "event-hubs/"),
    ("SERVICEBUS", "Service Bus", "azurerm_servicebus_namespace", "service-bus-messaging/"),
)


def _min_tls(res: Resource, ctx: CheckContext) -> CheckResult:
    version = attr(res, "minimum_tls_version")
    if version is not None and tls_below_1_2(version):
        return Failure(f"Minimum TLS version is {version}", "minimum_tls_version")
    return None


def _local_auth(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "local_authentication_enabled", default=True)
    if enabled:
        return Failure("Shared access signature (SAS key) authentication is enabled", path)
    return None


def _public(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "public_network_access_enabled", default=True)
    if not enabled:
        return None
    _rules, action = first(
        res, "network_rulesets.default_action", "network_rule_set.default_action"
    )
    if action is not None and str(action).lower() == "deny":
        return None
    return Failure("Namespace is reachable from all networks", path)


for _service, _label, _type, _doc in SERVICES:
    implements(
        define(
            f"CW-AZURE-{_service}-001",
            f"{_label} namespace allows TLS older than 1.2",
            "MEDIUM",
            description="Clients may negotiate TLS 1.0 or 1.1, which have known weaknesses.",
            remediation='Set `minimum_tls_version = "1.2"`.',
            references=[
                tf_doc(_type),
                LEARN + _doc + "transport-layer-security-enforce-minimum-version",
            ],
            compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"]),
        ),
        "terraform",
        _type,
    )(_min_tls)
    implements(
        define(
            f"CW-AZURE-{_service}-002",
            f"{_label} namespace allows SAS key (local) authentication",
            "MEDIUM",
            description="Shared access keys are long-lived shared secrets with no "
            "per-identity audit trail; Entra ID authorization can replace them.",
            remediation="Set `local_authentication_enabled = false` and grant data roles "
            "to identities.",
            references=[tf_doc(_type), LEARN + _doc + "authenticate-application"],
            compliance=compliance(["IA-2", "IA-5"], ["A.5.16", "A.5.17"], ["CC6.1"]),
        ),
        "terraform",
        _type,
    )(_local_auth)
    implements(
        define(
            f"CW-AZURE-{_service}-003",
            f"{_label} namespace is reachable from all networks",
            "MEDIUM",
            description="Without network rules denying by default or disabled public access, the "
            "namespace accepts connections from the whole internet.",
            remediation="Set `public_network_access_enabled = false` (private endpoints) or "
            '`network_rulesets { default_action = "Deny" ... }`.',
            references=[tf_doc(_type), LEARN + _doc + "private-link-service"],
            compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
        ),
        "terraform",
        _type,
    )(_public)
