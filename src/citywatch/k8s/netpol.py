"""NetworkPolicy reachability with the Kubernetes semantics, indexed for whole-cluster matrices.

A pod is isolated for a direction only once some policy of that type selects it; then traffic is
allowed only by a rule of a policy that selects it. A connection needs both the source's egress and
the destination's ingress to allow it. Selectors are compiled once, pod sets are Python integers
used as bitsets (bit i = pod i), so the full matrix is a few thousand integer ANDs/ORs.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from citywatch.k8s.selectors import Selector, labels_of
from citywatch.k8s.selectors import as_list as _as_list
from citywatch.model import Resource
from citywatch.parsers.kubernetes import POD_SPEC_PATHS, pod_spec

NS_NAME_LABEL = "kubernetes.io/metadata.name"
METADATA_IP = ipaddress.ip_address("169.254.169.254")
Net = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(slots=True)
class Pod:
    index: int
    namespace: str
    name: str
    kind: str
    labels: dict[str, str]
    ports: dict[str, list[tuple[int, str]]]  # named container ports -> (number, protocol)
    resource: Resource | None = None

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class PortSpec:
    protocol: str
    port: int | str | None
    end_port: int | None

    def matches(self, protocol: str, port: int | None, dest: Pod | None) -> bool:
        if self.protocol != protocol:
            return False
        if self.port is None or port is None:
            return True
        if isinstance(self.port, str):
            if dest is None:
                return False
            return any(n == port and p == protocol for n, p in dest.ports.get(self.port, []))
        if self.end_port is not None:
            return self.port <= port <= self.end_port
        return self.port == port

    def describe(self) -> str:
        if self.port is None:
            return f"all {self.protocol}"
        rng = f"{self.port}-{self.end_port}" if self.end_port else f"{self.port}"
        return f"{rng}/{self.protocol}"


@dataclass(slots=True)
class Peer:
    pod_selector: Selector | None
    namespace_selector: Selector | None
    cidr: Net | None
    excepts: tuple[Net, ...] = ()

    def allows_ip(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        if self.cidr is None or ip.version != self.cidr.version or ip not in self.cidr:
            return False
        return not any(ip in e for e in self.excepts if e.version == ip.version)

    def describe(self) -> str:
        if self.cidr is not None:
            ex = f" except {','.join(map(str, self.excepts))}" if self.excepts else ""
            return f"ipBlock {self.cidr}{ex}"
        parts = []
        if self.namespace_selector is not None:
            parts.append(f"namespaces [{self.namespace_selector.describe()}]")
        if self.pod_selector is not None:
            parts.append(f"pods [{self.pod_selector.describe()}]")
        return " AND ".join(parts)


@dataclass(slots=True)
class PolicyRule:
    peers: list[Peer] | None  # None: every source/destination, inside and outside the cluster
    ports: list[PortSpec] | None  # None: every port
    mask: int = 0  # pods the peers select
    external: bool = False  # admits some address outside the cluster

    def allows_port(self, protocol: str, port: int | None, dest: Pod | None) -> bool:
        return self.ports is None or any(p.matches(protocol, port, dest) for p in self.ports)


@dataclass(slots=True)
class Policy:
    namespace: str
    name: str
    pod_selector: Selector
    ingress_type: bool
    egress_type: bool
    ingress: list[PolicyRule]
    egress: list[PolicyRule]
    resource: Resource | None = None
    selected: int = 0

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


def _net(text: Any) -> Net | None:
    try:
        return ipaddress.ip_network(str(text), strict=False)
    except ValueError:
        return None


def _parse_ports(raw: Any, problems: list[str], where: str) -> list[PortSpec] | None:
    if not raw:
        return None
    out = []
    for p in raw if isinstance(raw, list) else []:
        if not isinstance(p, dict):
            continue
        proto = str(p.get("protocol") or "TCP").upper()
        port = p.get("port")
        end = p.get("endPort")
        if isinstance(port, str) and port.isdigit():
            port = int(port)
        if port is not None and not isinstance(port, (int, str)):
            problems.append(f"{where}: invalid port {port!r}")
            continue
        out.append(PortSpec(proto, port, end if isinstance(end, int) else None))
    return out


def _parse_peers(raw: Any, problems: list[str], where: str) -> list[Peer] | None:
    if not raw:
        return None  # missing or empty from/to: all sources
    out = []
    for peer in raw if isinstance(raw, list) else []:
        if not isinstance(peer, dict):
            continue
        ip = peer.get("ipBlock")
        if isinstance(ip, dict):
            cidr = _net(ip.get("cidr"))
            if cidr is None:
                problems.append(f"{where}: invalid ipBlock cidr {ip.get('cidr')!r}")
                continue
            excepts = tuple(n for n in (_net(e) for e in _as_list(ip.get("except"))) if n)
            out.append(Peer(None, None, cidr, excepts))
            continue
        ps = peer.get("podSelector")
        ns = peer.get("namespaceSelector")
        out.append(
            Peer(
                Selector(ps) if ps is not None else None,
                Selector(ns) if ns is not None else None,
                None,
            )
        )
    return out


def parse_policy(obj: dict[str, Any], res: Resource | None, problems: list[str]) -> Policy:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    ns = str(meta.get("namespace") or "default")
    name = str(meta.get("name") or "<unnamed>")
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    where = f"NetworkPolicy {ns}/{name}"
    ingress_raw: list[Any] = spec["ingress"] if isinstance(spec.get("ingress"), list) else []
    egress_raw: list[Any] = spec["egress"] if isinstance(spec.get("egress"), list) else []
    types = spec.get("policyTypes")
    if isinstance(types, list) and types:
        ingress_type = "Ingress" in types
        egress_type = "Egress" in types
    else:  # default: Ingress always, Egress when the policy has egress rules
        ingress_type = True
        egress_type = bool(egress_raw)
    ingress = [
        PolicyRule(
            _parse_peers(r.get("from"), problems, where),
            _parse_ports(r.get("ports"), problems, where),
        )
        for r in ingress_raw
        if isinstance(r, dict)
    ]
    egress = [
        PolicyRule(
            _parse_peers(r.get("to"), problems, where),
            _parse_ports(r.get("ports"), problems, where),
        )
        for r in egress_raw
        if isinstance(r, dict)
    ]
    pod_selector = Selector(spec.get("podSelector") or {})
    selectors = [pod_selector]
    for rule in ingress + egress:
        for peer in rule.peers or []:
            selectors += [s for s in (peer.pod_selector, peer.namespace_selector) if s is not None]
    for sel in selectors:
        if sel.error:
            problems.append(f"{where}: {sel.error} (selects nothing)")
    return Policy(
        ns,
        name,
        pod_selector,
        ingress_type,
        egress_type,
        ingress,
        egress,
        res,
    )


def _named_ports(spec: dict[str, Any]) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {}
    for key in ("initContainers", "containers"):
        for c in _as_list(spec.get(key)):
            if not isinstance(c, dict):
                continue
            for p in _as_list(c.get("ports")):
                if (
                    isinstance(p, dict)
                    and p.get("name")
                    and isinstance(p.get("containerPort"), int)
                ):
                    proto = str(p.get("protocol") or "TCP").upper()
                    out.setdefault(str(p["name"]), []).append((p["containerPort"], proto))
    return out


@dataclass(slots=True)
class Verdict:
    allowed: bool
    egress: str
    ingress: str

    @property
    def rule(self) -> str:
        """What decided: both sides when allowed, the refusing side(s) when denied."""
        if self.allowed:
            return f"egress: {self.egress}; ingress: {self.ingress}"
        sides = []
        if self.egress.startswith(("isolated", "destination has no")) or self.egress == "-":
            sides.append(f"egress: {self.egress}")
        if not self.ingress.startswith(("not isolated", "NetworkPolicy", "destination outside")):
            sides.append(f"ingress: {self.ingress}")
        return "; ".join(sides)

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "rule": self.rule,
            "egress": self.egress,
            "ingress": self.ingress,
        }


@dataclass(slots=True)
class Cluster:
    pods: list[Pod] = field(default_factory=list)
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    declared_namespaces: set[str] = field(default_factory=set)
    namespace_resources: dict[str, Resource] = field(default_factory=dict)
    policies: list[Policy] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ns_mask: dict[str, int] = field(default_factory=dict)
    all_mask: int = 0
    ingress_isolated: int = 0
    egress_isolated: int = 0

    @classmethod
    def from_resources(cls, resources: Iterable[Resource]) -> Cluster:
        from citywatch.k8s.pss import owned_elsewhere

        c = cls()
        raw_policies: list[tuple[dict[str, Any], Resource]] = []
        resources = list(resources)
        owned = owned_elsewhere(resources)
        for res in resources:
            obj = res.attributes
            if not isinstance(obj, dict) or id(res) in owned:
                continue
            if res.kind == "Namespace":
                meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
                assert isinstance(meta, dict)
                name = str(meta.get("name") or "")
                if name:
                    c.namespaces[name] = {**labels_of(obj), NS_NAME_LABEL: name}
                    c.declared_namespaces.add(name)
                    c.namespace_resources[name] = res
            elif res.kind == "NetworkPolicy":
                raw_policies.append((obj, res))
            elif res.kind in POD_SPEC_PATHS and res.kind != "PodTemplate":
                c._add_workload(obj, res)
        for obj, res in raw_policies:
            c.policies.append(parse_policy(obj, res, c.problems))
        for p in c.policies:
            c.namespaces.setdefault(p.namespace, {NS_NAME_LABEL: p.namespace})
        c.index()
        return c

    def _add_workload(self, obj: dict[str, Any], res: Resource) -> None:
        spec, _ = pod_spec(obj)
        if spec is None:
            return
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        assert isinstance(meta, dict)
        ns = str(meta.get("namespace") or "default")
        name = str(meta.get("name") or "<unnamed>")
        if res.kind == "Pod":
            labels = labels_of(obj)
        else:
            from citywatch.k8s.pss import template_metadata

            labels = labels_of({"metadata": template_metadata(obj)})
        self.namespaces.setdefault(ns, {NS_NAME_LABEL: ns})
        pod = Pod(len(self.pods), ns, name, res.kind, labels, _named_ports(spec), res)
        self.pods.append(pod)

    # -- indexing --

    def index(self) -> None:
        self.ns_mask = {ns: 0 for ns in self.namespaces}
        for p in self.pods:
            self.ns_mask[p.namespace] |= 1 << p.index
        self.all_mask = (1 << len(self.pods)) - 1
        memo: dict[str, int] = {}
        self.ingress_isolated = self.egress_isolated = 0
        for pol in self.policies:
            pol.selected = self._select(pol.pod_selector, self.ns_mask.get(pol.namespace, 0))
            if pol.ingress_type:
                self.ingress_isolated |= pol.selected
            if pol.egress_type:
                self.egress_isolated |= pol.selected
            for rule in pol.ingress + pol.egress:
                self._compile_rule(rule, pol.namespace, memo)

    def _select(self, sel: Selector, candidates: int) -> int:
        if sel.matches_all:
            return candidates
        mask = 0
        for i in _bits(candidates):
            if sel(self.pods[i].labels):
                mask |= 1 << i
        return mask

    def _namespaces(self, sel: Selector) -> int:
        mask = 0
        for ns, labels in self.namespaces.items():
            if sel.matches_all or sel(labels):
                mask |= self.ns_mask.get(ns, 0)
        return mask

    def _compile_rule(self, rule: PolicyRule, ns: str, memo: dict[str, int]) -> None:
        if rule.peers is None:
            rule.mask, rule.external = self.all_mask, True
            return
        mask = 0
        for peer in rule.peers:
            if peer.cidr is not None:
                rule.external = True
                continue
            key = json.dumps(
                [
                    ns,
                    peer.pod_selector and peer.pod_selector.source,
                    peer.namespace_selector and peer.namespace_selector.source,
                ],
                sort_keys=True,
                default=str,
            )
            if key not in memo:
                if peer.namespace_selector is None:
                    scope = self.ns_mask.get(ns, 0)
                else:
                    scope = self._namespaces(peer.namespace_selector)
                sel = peer.pod_selector
                memo[key] = scope if sel is None else self._select(sel, scope)
            mask |= memo[key]
        rule.mask = mask

    # -- questions --

    def find(self, ref: str) -> Pod | None:
        ns, _, name = ref.partition("/")
        if not name:
            ns, name = "default", ns
        for p in self.pods:
            if p.namespace == ns and (p.name == name or f"{p.kind}/{p.name}" == name):
                return p
        return None

    def _direction(
        self,
        pol_list: list[Policy],
        isolated: int,
        owner: Pod,
        peer: Pod | None,
        ip: Any,
        protocol: str,
        port: int | None,
        dest: Pod | None,
        ingress: bool,
    ) -> tuple[bool, str]:
        bit = 1 << owner.index
        if not isolated & bit:
            return True, "not isolated (no policy selects the pod for this direction)"
        for pol in pol_list:
            if not pol.selected & bit or not (pol.ingress_type if ingress else pol.egress_type):
                continue
            rules = pol.ingress if ingress else pol.egress
            for i, rule in enumerate(rules):
                if not rule.allows_port(protocol, port, dest):
                    continue
                if peer is not None:
                    if rule.mask >> peer.index & 1:
                        return (
                            True,
                            f"NetworkPolicy {pol.key} {'ingress' if ingress else 'egress'}[{i}]",
                        )
                elif rule.peers is None or any(p.allows_ip(ip) for p in rule.peers):
                    return (
                        True,
                        f"NetworkPolicy {pol.key} {'ingress' if ingress else 'egress'}[{i}]",
                    )
        return False, "isolated and no rule of a selecting policy allows it"

    def connection(
        self, src: Pod | str, dst: Pod | str, port: int | str | None = None, protocol: str = "TCP"
    ) -> Verdict:
        """Is a connection from src to dst allowed? Either side may be an IP address."""
        s_pod = src if isinstance(src, Pod) else None
        d_pod = dst if isinstance(dst, Pod) else None
        s_ip = None if s_pod else ipaddress.ip_address(str(src))
        d_ip = None if d_pod else ipaddress.ip_address(str(dst))
        protocol = protocol.upper()
        num: int | None
        if isinstance(port, str) and not port.isdigit():
            resolved = d_pod.ports.get(port, []) if d_pod else []
            match = [n for n, p in resolved if p == protocol]
            if not match:
                return Verdict(False, "-", f"destination has no {protocol} port named {port!r}")
            num = match[0]
        else:
            num = int(port) if port is not None else None
        if s_pod is not None:
            ok_e, why_e = self._direction(
                self.policies,
                self.egress_isolated,
                s_pod,
                d_pod,
                d_ip,
                protocol,
                num,
                d_pod,
                False,
            )
        else:
            ok_e, why_e = True, "source outside the cluster"
        if d_pod is not None:
            ok_i, why_i = self._direction(
                self.policies,
                self.ingress_isolated,
                d_pod,
                s_pod,
                s_ip,
                protocol,
                num,
                d_pod,
                True,
            )
        else:
            ok_i, why_i = True, "destination outside the cluster"
        return Verdict(ok_e and ok_i, why_e, why_i)

    def _port_mask(self, rule: PolicyRule, protocol: str, port: int | None, pods: int) -> int:
        """The pods among `pods` (destinations) on which the rule admits (protocol, port)."""
        if rule.ports is None:
            return pods
        if port is None or not any(isinstance(p.port, str) for p in rule.ports):
            return pods if rule.allows_port(protocol, port, None) else 0
        mask = 0
        for i in _bits(pods):
            if rule.allows_port(protocol, port, self.pods[i]):
                mask |= 1 << i
        return mask

    def reach(self, port: int | None = None, protocol: str = "TCP") -> list[int]:
        """reach[a] = bitset of pods a may connect to on `port` (None: on some port)."""
        protocol = protocol.upper()
        # isolated pods start from nothing and gain what their selecting policies' rules allow
        egress_to = [
            0 if self.egress_isolated >> i & 1 else self.all_mask for i in range(len(self.pods))
        ]
        # destinations accepting from a source: grouped by the set of accepting pods
        accepting: dict[int, int] = {}
        for pol in self.policies:
            if pol.egress_type:
                union = 0
                for rule in pol.egress:
                    union |= self._port_mask(rule, protocol, port, rule.mask)
                for i in _bits(pol.selected):
                    egress_to[i] |= union
            if pol.ingress_type:
                for rule in pol.ingress:
                    dests = self._port_mask(rule, protocol, port, pol.selected)
                    if dests and rule.mask:
                        accepting[dests] = accepting.get(dests, 0) | rule.mask
        open_ingress = self.all_mask & ~self.ingress_isolated
        groups = list(accepting.items())
        out = []
        for a in range(len(self.pods)):
            accepts = open_ingress
            for dests, sources in groups:
                if sources >> a & 1:
                    accepts |= dests
            out.append(egress_to[a] & accepts)
        return out

    def namespace_matrix(
        self, port: int | None = None, protocol: str = "TCP"
    ) -> dict[str, dict[str, bool]]:
        reach = self.reach(port, protocol)
        names = sorted(self.namespaces)
        out: dict[str, dict[str, bool]] = {}
        for src in names:
            row = {dst: False for dst in names}
            for a in _bits(self.ns_mask.get(src, 0)):
                r = reach[a]
                for dst in names:
                    if not row[dst] and r & self.ns_mask.get(dst, 0):
                        row[dst] = True
            out[src] = row
        return out


def _bits(mask: int) -> Iterable[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
