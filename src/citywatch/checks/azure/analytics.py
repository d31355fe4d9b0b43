"""Azure Data Factory and Synapse workspaces: public network exposure."""

from __future__ import annotations

from citywatch.checks.azure._helpers import LEARN, compliance, flag, tf_doc
from citywatch.checks.base import CheckContext, CheckResult, Failure, define, implements
from citywatch.model import Resource

DATA_FACTORY = "azurerm_data_factory"
SYNAPSE = "azurerm_synapse_workspace"

ADF_PUBLIC = define(
    "CW-AZURE-DATAFACTORY-001",
    "Data Factory allows public network access",
    "MEDIUM",
    description="The factory's endpoints accept connections from the internet; its linked "
    "services hold credentials to every data store it moves data between.",
    remediation="Set `public_network_enabled = false` and use private endpoints with a "
    "managed virtual network.",
    references=[tf_doc(DATA_FACTORY), LEARN + "data-factory/data-factory-private-link"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(ADF_PUBLIC, "terraform", DATA_FACTORY)
def _adf_public(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "public_network_enabled", default=True)
    if enabled:
        return Failure("Data Factory public network access is enabled", path)
    return None


SYNAPSE_PUBLIC = define(
    "CW-AZURE-SYNAPSE-001",
    "Synapse workspace allows public network access",
    "MEDIUM",
    description="The workspace's SQL and development endpoints accept connections from the "
    "internet, protected only by firewall rules.",
    remediation="Set `public_network_access_enabled = false` and use managed private endpoints.",
    references=[tf_doc(SYNAPSE), LEARN + "synapse-analytics/security/connectivity-settings"],
    compliance=compliance(["SC-7", "AC-3"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(SYNAPSE_PUBLIC, "terraform", SYNAPSE)
def _synapse_public(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "public_network_access_enabled", default=True)
    if enabled:
        return Failure("Synapse workspace public network access is enabled", path)
    return None


SYNAPSE_EXFILTRATION = define(
    "CW-AZURE-SYNAPSE-002",
    "Synapse workspace has no data exfiltration protection",
    "LOW",
    description="Without a managed virtual network and data exfiltration protection, "
    "workspace code can send data to any destination.",
    remediation="Set `managed_virtual_network_enabled = true` and "
    "`data_exfiltration_protection_enabled = true` (only at creation).",
    references=[
        tf_doc(SYNAPSE),
        LEARN + "synapse-analytics/security/workspace-data-exfiltration-protection",
    ],
    compliance=compliance(["SC-7", "AC-4"], ["A.8.12", "A.8.22"], ["CC6.7"]),
)


@implements(SYNAPSE_EXFILTRATION, "terraform", SYNAPSE)
def _synapse_exfiltration(res: Resource, ctx: CheckContext) -> CheckResult:
    path, enabled = flag(res, "data_exfiltration_protection_enabled", default=False)
    if not enabled:
        return Failure("Data exfiltration protection is off", path)
    return None
