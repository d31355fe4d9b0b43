"""Azure Container Registry: shared admin credentials and public exposure."""

from __future__ import annotations

from citywatch.checks.azure._helpers import LEARN, compliance, flag, tf_doc
from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.model import Resource

ACR = "azurerm_container_registry"

ADMIN = define(
    "CW-AZURE-ACR-001",
    "Container registry admin user is enabled",
    "HIGH",
    description="The admin account is a single shared username/password with push and pull "
    "rights on every repository, with no per-user audit trail.",
    remediation="Set `admin_enabled = false`; use Entra ID identities or repository-scoped tokens.",
    references=[
        tf_doc(ACR),
        LEARN + "container-registry/container-registry-authentication#admin-account",
    ],
    compliance=compliance(["AC-2", "IA-2"], ["A.5.16", "A.8.5"], ["CC6.1"]),
)


@implements(ADMIN, "terraform", ACR)
def _admin(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "admin_enabled", default=False)
    if enabled:
        return Failure("Admin user is enabled", path)
    return None


PUBLIC = define(
    "CW-AZURE-ACR-002",
    "Container registry allows public network access",
    "MEDIUM",
    description="The registry accepts pulls and pushes from any network; stolen credentials "
    "work from anywhere.",
    remediation="Set `public_network_access_enabled = false` and use private endpoints (Premium "
    'SKU), or add `network_rule_set { default_action = "Deny" }`.',
    references=[tf_doc(ACR), LEARN + "container-registry/container-registry-private-link"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(PUBLIC, "terraform", ACR)
def _public(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "public_network_access_enabled", default=True)
    if not enabled:
        return None
    action = attr(res, "network_rule_set.default_action")
    if action is not None and str(action).lower() == "deny":
        return None
    return Failure("Registry is reachable from all networks", path)


ANONYMOUS = define(
    "CW-AZURE-ACR-003",
    "Container registry allows anonymous pull",
    "HIGH",
    description="Anyone on the internet can pull every image, including any secrets or "
    "internal code baked into them.",
    remediation="Set `anonymous_pull_enabled = false`.",
    references=[tf_doc(ACR), LEARN + "container-registry/anonymous-pull-access"],
    compliance=compliance(["AC-3", "AC-14"], ["A.5.15", "A.8.3"], ["CC6.1"]),
)


@implements(ANONYMOUS, "terraform", ACR)
def _anonymous(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "anonymous_pull_enabled", default=False)
    if enabled:
        return Failure("Anonymous (unauthenticated) pull is enabled", path)
    return None
