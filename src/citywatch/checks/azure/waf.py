"""Web application firewalls in front of Azure Application Gateway and Front Door."""

from __future__ import annotations

from citywatch.checks.azure._helpers import LEARN, compliance, present, tf_doc
from citywatch.checks.base import (
    CheckContext,
    CheckResult,
    Failure,
    attr,
    blocks,
    define,
    implements,
    truthy,
)
from citywatch.model import Resource

APPGW = "azurerm_application_gateway"

APPGW_WAF = define(
    "CW-AZURE-APPGW-001",
    "Application Gateway has no web application firewall",
    "MEDIUM",
    description="Without a WAF (a WAF SKU with `waf_configuration` or a `firewall_policy_id`), "
    "the gateway forwards SQL injection, XSS and other OWASP Top 10 attacks to the backends.",
    remediation="Use a `WAF_v2` SKU and attach an `azurerm_web_application_firewall_policy` via "
    "`firewall_policy_id` (or an enabled `waf_configuration`).",
    references=[tf_doc(APPGW), LEARN + "web-application-firewall/ag/ag-overview"],
    compliance=compliance(["SC-7", "SI-4"], ["A.8.20", "A.8.26"], ["CC6.6"]),
)


@implements(APPGW_WAF, "terraform", APPGW)
def _appgw_waf(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "firewall_policy_id"):
        return None
    if attr(res, "waf_configuration") is not None:
        if truthy(attr(res, "waf_configuration.enabled", False)):
            return None
        return Failure("WAF configuration is disabled", "waf_configuration.0.enabled")
    tier = str(attr(res, "sku.tier", ""))
    return Failure(
        f"Application Gateway ({tier or 'no'} tier) has no WAF configuration or policy",
        "sku.0.tier",
    )


WAF_PREVENTION = define(
    "CW-AZURE-APPGW-002",
    "Web application firewall is in detection mode",
    "MEDIUM",
    description="In Detection mode the WAF only logs attacks and lets them through.",
    remediation='Set `mode = "Prevention"` (`policy_settings` of the WAF policy, or '
    "`firewall_mode` of an inline `waf_configuration`).",
    references=[
        tf_doc("azurerm_web_application_firewall_policy"),
        tf_doc("azurerm_frontdoor_firewall_policy"),
        LEARN + "web-application-firewall/ag/ag-overview#waf-modes",
    ],
    compliance=compliance(["SC-7", "SI-4"], ["A.8.20", "A.8.26"], ["CC6.6"]),
)


@implements(WAF_PREVENTION, "terraform", "azurerm_web_application_firewall_policy")
def _waf_policy_mode(res: Resource, ctx: CheckContext) -> CheckResult:
    if attr(res, "policy_settings") is None:
        return None  # provider default mode is Prevention
    if not truthy(attr(res, "policy_settings.enabled", True)):
        return Failure("WAF policy is disabled", "policy_settings.0.enabled")
    mode = str(attr(res, "policy_settings.mode", "Prevention"))
    if mode.lower() == "detection":
        return Failure("WAF policy runs in Detection mode", "policy_settings.0.mode")
    return None


@implements(
    WAF_PREVENTION,
    "terraform",
    "azurerm_cdn_frontdoor_firewall_policy",
    "azurerm_frontdoor_firewall_policy",
)
def _frontdoor_policy_mode(res: Resource, ctx: CheckContext) -> CheckResult:
    if not truthy(attr(res, "enabled", True)):
        return Failure("Front Door WAF policy is disabled", "enabled")
    mode = str(attr(res, "mode", "Prevention"))
    if mode.lower() == "detection":
        return Failure("Front Door WAF policy runs in Detection mode", "mode")
    return None


@implements(WAF_PREVENTION, "terraform", APPGW)
def _appgw_inline_mode(res: Resource, ctx: CheckContext) -> CheckResult:
    if attr(res, "waf_configuration") is None:
        return None
    if str(attr(res, "waf_configuration.firewall_mode", "")).lower() == "detection":
        return Failure(
            "Inline WAF configuration runs in Detection mode", "waf_configuration.0.firewall_mode"
        )
    return None


FRONTDOOR_WAF = define(
    "CW-AZURE-FRONTDOOR-001",
    "Front Door has no web application firewall policy",
    "MEDIUM",
    description="A Front Door endpoint without a WAF policy exposes the origins to OWASP Top 10 "
    "attacks and bots at the edge.",
    remediation="Link a WAF policy: `web_application_firewall_policy_link_id` on classic "
    "`frontend_endpoint` blocks, or an `azurerm_cdn_frontdoor_security_policy` for a Standard/"
    "Premium `azurerm_cdn_frontdoor_profile`.",
    references=[
        tf_doc("azurerm_cdn_frontdoor_security_policy"),
        tf_doc("azurerm_frontdoor"),
        LEARN + "web-application-firewall/afds/afds-overview",
    ],
    compliance=compliance(["SC-7", "SI-4"], ["A.8.20", "A.8.26"], ["CC6.6"]),
)


@implements(FRONTDOOR_WAF, "terraform", "azurerm_cdn_frontdoor_profile")
def _frontdoor_profile_waf(res: Resource, ctx: CheckContext) -> CheckResult:
    for policy in ctx.referencing(res, "azurerm_cdn_frontdoor_security_policy"):
        if present(policy, "security_policies.firewall.cdn_frontdoor_firewall_policy_id"):
            return None
    return Failure("No Front Door security policy attaches a WAF policy to this profile")


@implements(FRONTDOOR_WAF, "terraform", "azurerm_frontdoor")
def _frontdoor_classic_waf(res: Resource, ctx: CheckContext) -> CheckResult:
    out = []
    for i, endpoint in enumerate(blocks(res, "frontend_endpoint")):
        if not present(endpoint, "web_application_firewall_policy_link_id"):
            name = endpoint.get("name", str(i))
            out.append(
                Failure(
                    f"Frontend endpoint {name} has no WAF policy",
                    f"frontend_endpoint.{i}.name",
                    key=str(name),
                )
            )
    return out
