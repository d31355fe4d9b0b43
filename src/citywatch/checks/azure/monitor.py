"""Azure Monitor: subscription activity log export and legacy log profiles."""

from __future__ import annotations

import re

from citywatch.checks.azure._helpers import LEARN, compliance, flag, tf_doc
from citywatch.checks.base import (
    MISSING,
    CheckContext,
    CheckResult,
    Failure,
    attr,
    define,
    implements,
    known,
)
from citywatch.model import UNKNOWN, Resource

DIAG = "azurerm_monitor_diagnostic_setting"
LOG_PROFILE = "azurerm_monitor_log_profile"
SUBSCRIPTION_ID = re.compile(r"^/subscriptions/[^/]+/?$", re.IGNORECASE)
REQUIRED_CATEGORIES = ("Administrative", "Alert", "Policy", "Security")

ACTIVITY_CATEGORIES = define(
    "CW-AZURE-MONITOR-001",
    "Subscription activity log export misses security categories",
    "MEDIUM",
    description="A subscription-level diagnostic setting should export the Administrative, "
    "Alert, Policy and Security activity log categories; anything missing is lost after the "
    "90-day platform retention.",
    remediation="Add `enabled_log` blocks for Administrative, Alert, Policy and Security (or "
    '`category_group = "allLogs"`) to the subscription diagnostic setting.',
    references=[tf_doc(DIAG), LEARN + "azure-monitor/essentials/activity-log"],
    compliance=compliance(["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"], ["5.1.2"]),
)


# Categories that exist only in the subscription activity log.
ACTIVITY_LOG_ONLY = {
    "administrative",
    "security",
    "servicehealth",
    "alert",
    "recommendation",
    "policy",
    "autoscale",
    "resourcehealth",
}


def _logged_categories(res: Resource) -> set[str]:
    names: set[str] = set()
    for block in ("enabled_log", "log"):
        for entry in attr(res, block) or []:
            if isinstance(entry, dict) and isinstance(entry.get("category"), str):
                names.add(entry["category"].lower())
    return names


def _targets_subscription(res: Resource) -> bool:
    """Whether the setting exports a subscription's activity log.

    The target is often `data.azurerm_subscription.current.id`, unknown until apply; activity
    log categories (Administrative, Security, ...) then identify a subscription-level setting.
    """
    target = res.attributes.get("target_resource_id", MISSING)
    if isinstance(target, str):
        return bool(SUBSCRIPTION_ID.match(target.strip()))
    if target is UNKNOWN:
        if any("azurerm_subscription." in ref for ref in res.references):
            return True
        return bool(_logged_categories(res) & ACTIVITY_LOG_ONLY)
    return False


@implements(ACTIVITY_CATEGORIES, "terraform", DIAG)
def _activity_categories(res: Resource, ctx: CheckContext) -> CheckResult:
    if not _targets_subscription(res):
        return None
    captured: set[str] = set()
    for block in ("enabled_log", "log"):
        for entry in attr(res, block) or []:
            entry = known(entry)
            if not isinstance(entry, dict) or not flag(entry, "enabled", default=True)[1]:
                continue
            group = str(known(entry.get("category_group", ""))).lower()
            if group == "alllogs":
                return None
            captured.add(str(known(entry.get("category", ""))).lower())
    missing = [c for c in REQUIRED_CATEGORIES if c.lower() not in captured]
    if missing:
        return Failure(f"Activity log categories not exported: {', '.join(missing)}")
    return None


PROFILE_RETENTION = define(
    "CW-AZURE-MONITOR-002",
    "Activity log profile keeps logs for less than a year",
    "LOW",
    description="Activity logs exported by a log profile should be kept for at least 365 days "
    "to support investigations and audits.",
    remediation="Set `retention_policy { enabled = true, days = 365 }` (or `enabled = false` to "
    "keep logs indefinitely).",
    references=[tf_doc(LOG_PROFILE), LEARN + "azure-monitor/essentials/activity-log"],
    compliance=compliance(["AU-11"], ["A.8.15"], ["CC7.2"]),
)


@implements(PROFILE_RETENTION, "terraform", LOG_PROFILE)
def _profile_retention(res: Resource, ctx: CheckContext) -> CheckResult:
    if not flag(res, "retention_policy.enabled", default=False)[1]:
        return None  # retention disabled: logs are never deleted
    days = int(attr(res, "retention_policy.days", 0))
    if 0 < days < 365:
        return Failure(f"Activity logs are kept for {days} days", "retention_policy.0.days")
    return None


PROFILE_CATEGORIES = define(
    "CW-AZURE-MONITOR-003",
    "Activity log profile does not capture all operations",
    "LOW",
    description="A log profile should capture Write, Delete and Action operations; missing "
    "categories leave changes to the subscription unrecorded.",
    remediation='Set `categories = ["Action", "Delete", "Write"]`.',
    references=[tf_doc(LOG_PROFILE), LEARN + "azure-monitor/essentials/activity-log"],
    compliance=compliance(["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"]),
)


@implements(PROFILE_CATEGORIES, "terraform", LOG_PROFILE)
def _profile_categories(res: Resource, ctx: CheckContext) -> CheckResult:
    categories = {str(known(c)).lower() for c in known(attr(res, "categories", []) or [])}
    missing = [c for c in ("Action", "Delete", "Write") if c.lower() not in categories]
    if missing:
        return Failure(f"Log profile does not capture {', '.join(missing)}", "categories")
    return None
