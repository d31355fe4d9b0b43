"""NetworkPolicy findings: no default-deny, unselected pods, open ingress, metadata egress."""

from __future__ import annotations

from citywatch.k8s.findings import NETPOL_CHECKS, resource_location
from citywatch.k8s.netpol import METADATA_IP, Cluster, Pod, Policy
from citywatch.model import Finding, Location


def _pod_finding(cid: str, pod: Pod, message: str) -> Finding:
    res = pod.resource
    loc = resource_location(res) if res is not None else Location("<cluster>")
    return Finding.from_check(
        NETPOL_CHECKS[cid],
        message,
        loc,
        resource=res.name if res is not None else pod.key,
        extra={"resource_type": pod.kind, "framework": "kubernetes"},
        fingerprint_key=f"{cid}|{pod.key}",
    )


def _isolates_all(pol: Policy, ingress: bool) -> bool:
    return pol.pod_selector.matches_all and (pol.ingress_type if ingress else pol.egress_type)


def _from_everywhere(cluster: Cluster, pod: Pod) -> tuple[str, str]:
    """(any-namespace reason, internet reason) for ingress to the pod; '' when not reachable."""
    bit = 1 << pod.index
    if not cluster.ingress_isolated & bit:
        why = "no NetworkPolicy isolates its ingress"
        return why, why
    any_ns = internet = ""
    for pol in cluster.policies:
        if not pol.ingress_type or not pol.selected & bit:
            continue
        for i, rule in enumerate(pol.ingress):
            where = f"NetworkPolicy {pol.key} ingress[{i}]"
            if rule.peers is None:
                any_ns = any_ns or f"{where} has no `from` (all sources)"
                internet = internet or f"{where} has no `from` (all sources)"
                continue
            for peer in rule.peers:
                if peer.cidr is not None and peer.cidr.prefixlen == 0:
                    internet = internet or f"{where} allows ipBlock {peer.cidr}"
                ns_sel = peer.namespace_selector
                if (
                    ns_sel is not None
                    and ns_sel.matches_all
                    and (peer.pod_selector is None or peer.pod_selector.matches_all)
                ):
                    any_ns = any_ns or f"{where} allows every pod of every namespace"
    return any_ns, internet


def _metadata_egress(cluster: Cluster, pod: Pod) -> str:
    bit = 1 << pod.index
    if not cluster.egress_isolated & bit:
        return "no NetworkPolicy isolates its egress"
    for pol in cluster.policies:
        if not pol.egress_type or not pol.selected & bit:
            continue
        for i, rule in enumerate(pol.egress):
            if not rule.allows_port("TCP", 80, None):
                continue
            where = f"NetworkPolicy {pol.key} egress[{i}]"
            if rule.peers is None:
                return f"{where} has no `to` (all destinations)"
            for peer in rule.peers:
                if peer.allows_ip(METADATA_IP):
                    return f"{where} allows ipBlock {peer.cidr} without excepting {METADATA_IP}"
    return ""


def netpol_findings(cluster: Cluster) -> list[Finding]:
    out: list[Finding] = []
    for ns in sorted(cluster.declared_namespaces | {p.namespace for p in cluster.pods}):
        pols = [p for p in cluster.policies if p.namespace == ns]
        for cid, ingress in (("CW-NETPOL-001", True), ("CW-NETPOL-002", False)):
            if any(_isolates_all(p, ingress) for p in pols):
                continue
            direction = "ingress" if ingress else "egress"
            out.append(
                Finding.from_check(
                    NETPOL_CHECKS[cid],
                    f"namespace {ns} has no NetworkPolicy that selects every pod for {direction}",
                    _namespace_location(cluster, ns),
                    resource=f"Namespace/{ns}",
                    extra={"resource_type": "Namespace", "framework": "kubernetes"},
                    fingerprint_key=f"{cid}|{ns}",
                )
            )
    for pod in cluster.pods:
        bit = 1 << pod.index
        if not (cluster.ingress_isolated | cluster.egress_isolated) & bit:
            # one finding for the root cause instead of four that follow from it
            out.append(
                _pod_finding(
                    "CW-NETPOL-003",
                    pod,
                    f"{pod.kind} {pod.key} is selected by no NetworkPolicy: it accepts traffic "
                    f"from every namespace and 0.0.0.0/0 and may reach {METADATA_IP}",
                )
            )
            continue
        any_ns, internet = _from_everywhere(cluster, pod)
        if any_ns:
            out.append(
                _pod_finding(
                    "CW-NETPOL-004", pod, f"{pod.kind} {pod.key} accepts every namespace: {any_ns}"
                )
            )
        if internet:
            out.append(
                _pod_finding(
                    "CW-NETPOL-005", pod, f"{pod.kind} {pod.key} accepts 0.0.0.0/0: {internet}"
                )
            )
        meta = _metadata_egress(cluster, pod)
        if meta:
            out.append(
                _pod_finding(
                    "CW-NETPOL-006",
                    pod,
                    f"{pod.kind} {pod.key} may reach {METADATA_IP} (cloud metadata): {meta}",
                )
            )
    return out


def _namespace_location(cluster: Cluster, ns: str) -> Location:
    if ns in cluster.namespace_resources:
        return cluster.namespace_resources[ns].location
    for pol in cluster.policies:
        if pol.namespace == ns and pol.resource is not None:
            return pol.resource.location
    for pod in cluster.pods:
        if pod.namespace == ns and pod.resource is not None:
            return pod.resource.location
    return Location("<cluster>")
