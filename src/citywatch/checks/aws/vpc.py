"""Network exposure: security groups, network ACLs, the default security group, flow logs.

Security-group rules are checked wherever they are written: inline in the group, or as separate
`aws_security_group_rule` / `aws_vpc_security_group_ingress_rule` / `AWS::EC2::SecurityGroupIngress`
resources; the finding points at the rule that opens the port.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    connected,
    implements,
    is_open_cidr,
    logging,
    network_exposure,
    port_range_covers,
)
from citywatch.checks.base import (
    CheckContext,
    Failure,
    UnknownValue,
    attr,
    blocks,
    define,
    known,
    truthy,
)
from citywatch.model import UNKNOWN, Check, Resource

SG_DOCS = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
NACL_DOCS = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"


@dataclass(slots=True)
class Rule:
    path: str
    protocol: Any
    from_port: Any
    to_port: Any
    sources: list[str]
    unknown_source: bool = False


def _open(values: Any) -> list[str]:
    items = values if isinstance(values, list) else [values]
    return [v for v in items if v is not UNKNOWN and is_open_cidr(v)]


def _has_unknown(*values: Any) -> bool:
    return any(v is UNKNOWN or (isinstance(v, list) and UNKNOWN in v) for v in values)


def _rule(
    path: str, src: dict[str, Any], keys: tuple[str, str, str], cidrs: tuple[str, ...]
) -> Rule:
    """One ingress rule read without raising: unknown parts are judged when the rule is."""
    values = [src.get(k) for k in cidrs]
    sources = [c for v in values for c in _open(v)]
    protocol, low, high = (src.get(k) for k in keys)
    return Rule(path, protocol, low, high, sources, _has_unknown(*values))


_TF_PORTS = ("protocol", "from_port", "to_port")


def tf_sg_rules(res: Resource) -> Iterator[Rule]:
    if res.kind == "aws_security_group":
        for i, rule in enumerate(blocks(res, "ingress")):
            yield _rule(f"ingress.{i}", rule, _TF_PORTS, ("cidr_blocks", "ipv6_cidr_blocks"))
    elif res.kind == "aws_security_group_rule":
        if str(attr(res, "type", "")).lower() != "ingress":
            return
        yield _rule("", res.attributes, _TF_PORTS, ("cidr_blocks", "ipv6_cidr_blocks"))
    elif res.kind == "aws_vpc_security_group_ingress_rule":
        keys = ("ip_protocol", "from_port", "to_port")
        yield _rule("", res.attributes, keys, ("cidr_ipv4", "cidr_ipv6"))


def cfn_sg_rules(res: Resource) -> Iterator[Rule]:
    if res.kind == "AWS::EC2::SecurityGroup":
        items = [
            (f"SecurityGroupIngress.{i}", r)
            for i, r in enumerate(blocks(res, "SecurityGroupIngress"))
        ]
    else:
        items = [("", res.attributes)]
    for path, rule in items:
        keys = ("IpProtocol", "FromPort", "ToPort")
        yield _rule(path, rule, keys, ("CidrIp", "CidrIpv6"))


TF_SG_KINDS = (
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
)
CFN_SG_KINDS = ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress")


def _port_check(check: Check, ports: dict[int, str] | None) -> None:
    """Register Terraform and CloudFormation implementations for one set of ports.

    A rule whose source is unknown until apply makes the verdict "unknown" when nothing else
    on the resource fails: it may or may not be 0.0.0.0/0.
    """

    def hits(rule: Rule) -> list[str]:
        if ports is None:
            covered = port_range_covers(rule.protocol, rule.from_port, rule.to_port, None)
            return ["all ports"] if covered else []
        return [
            f"{label} ({port})"
            for port, label in ports.items()
            if port_range_covers(rule.protocol, rule.from_port, rule.to_port, port)
        ]

    def evaluate(rules: Iterator[Rule]) -> list[Failure]:
        failures: list[Failure] = []
        undecided: str | None = None
        for rule in rules:
            if not rule.sources and not rule.unknown_source:
                continue
            try:
                matched = hits(rule)
            except UnknownValue:
                undecided = rule.path or "ports"
                continue
            if rule.sources and matched:
                # one finding per rule: an all-ports rule is one mistake, not twelve
                failures.append(_failure(rule, ", ".join(matched)))
            elif matched:
                undecided = rule.path or "source"
        if not failures and undecided is not None:
            raise UnknownValue(undecided)
        return failures

    def tf(res: Resource, ctx: CheckContext) -> list[Failure]:
        return evaluate(tf_sg_rules(res))

    def cfn(res: Resource, ctx: CheckContext) -> list[Failure]:
        return evaluate(cfn_sg_rules(res))

    implements(check, TF, *TF_SG_KINDS)(tf)
    implements(check, CFN, *CFN_SG_KINDS)(cfn)


def _failure(rule: Rule, what: str) -> Failure:
    sources = ", ".join(sorted(set(rule.sources)))
    return Failure(
        f"ingress from {sources} to {what}", rule.path or None, key=f"{rule.path}:{what}"
    )


def _sg_check(num: str, title: str, severity: str, what: str, cis: list[str] | None) -> Check:
    return define(
        f"CW-AWS-VPC-{num}",
        title,
        severity,
        description=f"A security group rule admits the whole internet (0.0.0.0/0 or ::/0) to "
        f"{what}, exposing it to scanning, brute force and exploitation.",
        remediation="Restrict the rule's source to known address ranges or security groups, or "
        "reach the service through a VPN, bastion or AWS Systems Manager Session Manager.",
        references=[
            SG_DOCS,
            "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html",
        ],
        compliance=network_exposure(cis),
    )


ssh = _sg_check(
    "001", "Security group allows SSH from the internet", "HIGH", "SSH (22)", ["5.2", "5.3"]
)
_port_check(ssh, {22: "SSH"})
rdp = _sg_check(
    "002", "Security group allows RDP from the internet", "HIGH", "RDP (3389)", ["5.2", "5.3"]
)
_port_check(rdp, {3389: "RDP"})

DB_PORTS = {
    3306: "MySQL",
    5432: "PostgreSQL",
    1433: "SQL Server",
    1521: "Oracle",
    27017: "MongoDB",
    6379: "Redis",
    11211: "Memcached",
    9200: "Elasticsearch",
    9042: "Cassandra",
    5984: "CouchDB",
    7000: "Cassandra inter-node",
    8529: "ArangoDB",
}
databases = _sg_check(
    "003", "Security group allows database ports from the internet", "HIGH", "a database port", None
)
_port_check(databases, DB_PORTS)
all_ports = _sg_check(
    "004",
    "Security group allows all ports from the internet",
    "CRITICAL",
    "every port",
    ["5.2", "5.3"],
)
_port_check(all_ports, None)


default_sg = define(
    "CW-AWS-VPC-005",
    "Default security group allows traffic",
    "MEDIUM",
    description="Resources launched without an explicit group land in the default security "
    "group; any rule in it silently applies to them.",
    remediation="Declare aws_default_security_group with no ingress and no egress blocks.",
    references=["https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html"],
    compliance=network_exposure(["5.4"]),
)


@implements(default_sg, TF, "aws_default_security_group")
def _tf_default_sg(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for direction in ("ingress", "egress"):
        if blocks(res, direction):
            yield Failure(f"default security group has {direction} rules", direction, key=direction)


@dataclass(slots=True)
class AclEntry:
    path: str
    protocol: Any
    from_port: Any
    to_port: Any
    source_open: bool


def tf_nacl_entries(res: Resource) -> Iterator[AclEntry]:
    if res.kind == "aws_network_acl":
        for i, rule in enumerate(blocks(res, "ingress")):
            if str(attr(rule, "action", "")).lower() != "allow":
                continue
            src = _open(attr(rule, "cidr_block")) + _open(attr(rule, "ipv6_cidr_block"))
            yield AclEntry(
                f"ingress.{i}",
                attr(rule, "protocol"),
                attr(rule, "from_port"),
                attr(rule, "to_port"),
                bool(src),
            )
    else:
        if (
            truthy(attr(res, "egress", False))
            or str(attr(res, "rule_action", "")).lower() != "allow"
        ):
            return
        src = _open(attr(res, "cidr_block")) + _open(attr(res, "ipv6_cidr_block"))
        yield AclEntry(
            "", attr(res, "protocol"), attr(res, "from_port"), attr(res, "to_port"), bool(src)
        )


def cfn_nacl_entries(res: Resource) -> Iterator[AclEntry]:
    if truthy(attr(res, "Egress", False)) or str(attr(res, "RuleAction", "")).lower() != "allow":
        return
    src = _open(attr(res, "CidrBlock")) + _open(attr(res, "Ipv6CidrBlock"))
    yield AclEntry(
        "", attr(res, "Protocol"), attr(res, "PortRange.From"), attr(res, "PortRange.To"), bool(src)
    )


def _nacl_check(check: Check, covers: Callable[[AclEntry], str | None]) -> None:
    def evaluate(entries: Iterator[AclEntry]) -> Iterator[Failure]:
        for entry in entries:
            if not entry.source_open:
                continue
            what = covers(entry)
            if what:
                yield Failure(
                    f"network ACL allows {what} from the internet",
                    entry.path or None,
                    key=entry.path,
                )

    implements(check, TF, "aws_network_acl", "aws_network_acl_rule")(
        lambda res, ctx: evaluate(tf_nacl_entries(res))
    )
    implements(check, CFN, "AWS::EC2::NetworkAclEntry")(
        lambda res, ctx: evaluate(cfn_nacl_entries(res))
    )


nacl_admin = define(
    "CW-AWS-VPC-006",
    "Network ACL allows remote administration ports from the internet",
    "HIGH",
    description="A network ACL entry allows 0.0.0.0/0 or ::/0 to SSH (22) or RDP (3389). The "
    "ephemeral return-traffic entry (from 1024 or above to 65535) is not reported.",
    remediation="Limit the entry's CIDR to trusted ranges or deny the admin ports explicitly.",
    references=[NACL_DOCS],
    compliance=network_exposure(["5.1"]),
)


def _ephemeral_return_range(entry: AclEntry) -> bool:
    """The 1024-65535 style entry stateless ACLs need for replies to outbound connections.

    AWS's recommended ACL rules include it from 0.0.0.0/0; it happens to cover 3389 but opening
    RDP is the security group's decision (CW-AWS-VPC-002), not this entry's purpose.
    """
    try:
        low, high = int(known(entry.from_port)), int(known(entry.to_port))
    except (TypeError, ValueError):
        return False
    return str(known(entry.protocol)).lower() in ("tcp", "6", "udp", "17") and (
        low >= 1024 and high == 65535
    )


def _admin_ports(entry: AclEntry) -> str | None:
    if _ephemeral_return_range(entry):
        return None
    hit = [
        label
        for port, label in ((22, "SSH"), (3389, "RDP"))
        if port_range_covers(entry.protocol, entry.from_port, entry.to_port, port)
    ]
    return " and ".join(hit) or None


_nacl_check(nacl_admin, _admin_ports)

nacl_all = define(
    "CW-AWS-VPC-007",
    "Network ACL allows all traffic from the internet",
    "MEDIUM",
    description="An allow entry for every protocol from 0.0.0.0/0 or ::/0 removes the ACL as a "
    "layer of defence.",
    remediation="Replace the allow-all entry with entries for the protocols and ports needed.",
    references=[NACL_DOCS],
    compliance=network_exposure(["5.1"]),
)


def _all_traffic(entry: AclEntry) -> str | None:
    if str(entry.protocol).lower() in ("-1", "all"):
        return "all traffic"
    return None


_nacl_check(nacl_all, _all_traffic)


flow_logs = define(
    "CW-AWS-VPC-008",
    "VPC flow logs are not enabled",
    "MEDIUM",
    description="Without flow logs there is no record of the traffic entering or leaving the "
    "VPC for incident investigation.",
    remediation="Add an aws_flow_log (AWS::EC2::FlowLog) for the VPC.",
    references=["https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"],
    compliance=logging(["3.7"]),
)


@implements(flow_logs, TF, "aws_vpc")
def _tf_flow_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    if connected(ctx, res, "aws_flow_log"):
        return None
    return Failure("no aws_flow_log is attached to this VPC")


@implements(flow_logs, CFN, "AWS::EC2::VPC")
def _cfn_flow_logs(res: Resource, ctx: CheckContext) -> Failure | None:
    if connected(ctx, res, "AWS::EC2::FlowLog"):
        return None
    return Failure("no AWS::EC2::FlowLog refers to this VPC")
