"""Azure network security groups: inbound rules open to the internet, and NSG flow logs.

Rules arrive either inline (`security_rule` blocks of `azurerm_network_security_group`) or as
separate `azurerm_network_security_rule` resources; both are read the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.azure._helpers import (
    INTERNET_SOURCES,
    LEARN,
    compliance,
    first,
    port_ranges,
    tf_doc,
)
from citywatch.checks.base import (
    CheckContext,
    CheckResult,
    Failure,
    attr,
    blocks,
    define,
    implements,
    known,
)
from citywatch.model import Check, Resource

NSG = "azurerm_network_security_group"
NSG_RULE = "azurerm_network_security_rule"
NSG_DOCS = [
    tf_doc(NSG),
    tf_doc(NSG_RULE),
    LEARN + "virtual-network/network-security-groups-overview",
]
DB_PORTS = {
    1433: "SQL Server",
    1521: "Oracle",
    3306: "MySQL",
    5432: "PostgreSQL",
    6379: "Redis",
    27017: "MongoDB",
    9042: "Cassandra",
    9200: "Elasticsearch",
    5984: "CouchDB",
    7000: "Cassandra",
    11211: "Memcached",
}


def _rules(res: Resource) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path prefix, rule) for every rule a resource carries."""
    if res.kind == NSG_RULE:
        yield "", res.attributes
        return
    for i, rule in enumerate(blocks(res, "security_rule")):
        yield f"security_rule.{i}.", rule


def _inbound_allow(rule: dict[str, Any]) -> bool:
    if str(known(rule.get("direction", ""))).lower() != "inbound":
        return False
    return str(known(rule.get("access", ""))).lower() == "allow"


def _from_internet(rule: dict[str, Any]) -> bool:
    """Checked last, so an unknown source matters only for a rule that is otherwise a match."""
    _path, single = first(rule, "source_address_prefix")
    sources = (
        [single] if single is not None else list(known(rule.get("source_address_prefixes")) or [])
    )
    return any(str(known(s)).strip().lower() in INTERNET_SOURCES for s in sources)


def _protocol_matches(rule: dict[str, Any], protocols: tuple[str, ...]) -> bool:
    proto = str(known(rule.get("protocol", "*"))).lower()
    return proto in ("*", "any") or proto in protocols


def _ports(rule: dict[str, Any]) -> list[tuple[int, int]]:
    _path, single = first(rule, "destination_port_range")
    if single is not None:
        return port_ranges(single)
    return port_ranges(known(rule.get("destination_port_ranges")) or [])


def _port_path(prefix: str, rule: dict[str, Any]) -> str:
    if rule.get("destination_port_range") not in (None, ""):
        return prefix + "destination_port_range"
    return prefix + "destination_port_ranges"


def _open_port_check(check: Check, port: int, label: str, protocols: tuple[str, ...]) -> None:
    @implements(check, "terraform", NSG, NSG_RULE)
    def _fn(res: Resource, ctx: CheckContext) -> CheckResult:
        out = []
        for prefix, rule in _rules(res):
            if not _inbound_allow(rule) or not _protocol_matches(rule, protocols):
                continue
            if any(low <= port <= high for low, high in _ports(rule)) and _from_internet(rule):
                name = rule.get("name", "")
                out.append(
                    Failure(
                        f"Rule {name} allows {label} (port {port}) from the internet",
                        _port_path(prefix, rule),
                        key=f"{name}:{port}",
                    )
                )
        return out


SSH = define(
    "CW-AZURE-NETWORK-001",
    "Network security group allows SSH from the internet",
    "HIGH",
    description="An inbound Allow rule opens port 22 to any source, exposing SSH to brute force "
    "and exploitation from the whole internet.",
    remediation="Restrict `source_address_prefix` to known networks, or use Azure Bastion / "
    "just-in-time access instead of an open SSH port.",
    references=NSG_DOCS,
    compliance=compliance(["SC-7", "AC-17"], ["A.8.20", "A.8.22"], ["CC6.6"], ["6.2"]),
)
_open_port_check(SSH, 22, "SSH", ("tcp",))

RDP = define(
    "CW-AZURE-NETWORK-002",
    "Network security group allows RDP from the internet",
    "HIGH",
    description="An inbound Allow rule opens port 3389 to any source, exposing Remote Desktop "
    "to brute force and exploitation from the whole internet.",
    remediation="Restrict `source_address_prefix` to known networks, or use Azure Bastion / "
    "just-in-time access instead of an open RDP port.",
    references=NSG_DOCS,
    compliance=compliance(["SC-7", "AC-17"], ["A.8.20", "A.8.22"], ["CC6.6"], ["6.1"]),
)
_open_port_check(RDP, 3389, "RDP", ("tcp", "udp"))

DB = define(
    "CW-AZURE-NETWORK-003",
    "Network security group allows database ports from the internet",
    "HIGH",
    description="An inbound Allow rule opens a database port (SQL Server, MySQL, PostgreSQL, "
    "Oracle, Redis, MongoDB, Cassandra, Elasticsearch, ...) to any source.",
    remediation="Allow database ports only from application subnets or private endpoints.",
    references=NSG_DOCS,
    compliance=compliance(["SC-7", "AC-4"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(DB, "terraform", NSG, NSG_RULE)
def _db_ports(res: Resource, ctx: CheckContext) -> CheckResult:
    out = []
    for prefix, rule in _rules(res):
        if not _inbound_allow(rule) or not _protocol_matches(rule, ("tcp",)):
            continue
        ranges = _ports(rule)
        if any(low == 0 and high >= 65535 for low, high in ranges):
            continue  # every port: reported once by CW-AZURE-NETWORK-004
        exposed = [
            (port, label)
            for port, label in sorted(DB_PORTS.items())
            if any(low <= port <= high for low, high in ranges)
        ]
        if not exposed or not _from_internet(rule):
            continue
        name = rule.get("name", "")
        for port, label in exposed:
            out.append(
                Failure(
                    f"Rule {name} allows {label} (port {port}) from the internet",
                    _port_path(prefix, rule),
                    key=f"{name}:{port}",
                )
            )
    return out


ALL_PORTS = define(
    "CW-AZURE-NETWORK-004",
    "Network security group allows all ports from the internet",
    "CRITICAL",
    description="An inbound Allow rule opens every port to any source.",
    remediation="Replace the rule with rules for the specific ports and sources needed.",
    references=NSG_DOCS,
    compliance=compliance(["SC-7", "AC-4"], ["A.8.20", "A.8.22"], ["CC6.6"], ["6.1", "6.2", "6.3"]),
)


@implements(ALL_PORTS, "terraform", NSG, NSG_RULE)
def _all_ports(res: Resource, ctx: CheckContext) -> CheckResult:
    out = []
    for prefix, rule in _rules(res):
        if not _inbound_allow(rule):
            continue
        if any(low == 0 and high >= 65535 for low, high in _ports(rule)) and _from_internet(rule):
            name = rule.get("name", "")
            out.append(
                Failure(
                    f"Rule {name} allows every port from the internet",
                    _port_path(prefix, rule),
                    key=str(name),
                )
            )
    return out


UDP = define(
    "CW-AZURE-NETWORK-005",
    "Network security group allows UDP from the internet",
    "MEDIUM",
    description="Internet-facing UDP services (DNS, NTP, SSDP, CLDAP, ...) are abused for "
    "reflection and amplification attacks.",
    remediation="Restrict inbound UDP rules to known sources, or remove them.",
    references=NSG_DOCS,
    compliance=compliance(["SC-7", "SC-5"], ["A.8.20"], ["CC6.6"], ["6.3"]),
)


@implements(UDP, "terraform", NSG, NSG_RULE)
def _udp(res: Resource, ctx: CheckContext) -> CheckResult:
    out = []
    for prefix, rule in _rules(res):
        if not _inbound_allow(rule):
            continue
        if str(known(rule.get("protocol", ""))).lower() == "udp" and _from_internet(rule):
            name = rule.get("name", "")
            out.append(
                Failure(
                    f"Rule {name} allows UDP from the internet", prefix + "protocol", key=str(name)
                )
            )
    return out


FLOW_LOG_RETENTION = define(
    "CW-AZURE-NETWORK-006",
    "NSG flow logs are disabled or kept for less than 90 days",
    "MEDIUM",
    description="Flow logs are the record of who talked to what; short retention loses the "
    "evidence needed to investigate an incident.",
    remediation="Set `enabled = true` and `retention_policy { enabled = true, days = 90 }` "
    "(or more; 0 keeps logs forever).",
    references=[
        tf_doc("azurerm_network_watcher_flow_log"),
        LEARN + "network-watcher/nsg-flow-logs-overview",
    ],
    compliance=compliance(["AU-11", "AU-12"], ["A.8.15"], ["CC7.2"], ["6.5"]),
)


@implements(FLOW_LOG_RETENTION, "terraform", "azurerm_network_watcher_flow_log")
def _flow_log_retention(res: Resource, ctx: CheckContext) -> CheckResult:
    enabled = attr(res, "enabled", True)
    if enabled is False or str(enabled).lower() == "false":
        return Failure("Flow log is disabled", "enabled")
    if attr(res, "retention_policy") is None:
        return Failure("Flow log has no retention policy")
    if str(attr(res, "retention_policy.enabled", False)).lower() != "true":
        return Failure("Flow log retention policy is disabled", "retention_policy.0.enabled")
    days = int(attr(res, "retention_policy.days", 0))
    if 0 < days < 90:
        return Failure(f"Flow logs are kept for {days} days", "retention_policy.0.days")
    return None
