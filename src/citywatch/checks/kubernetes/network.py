"""Exposure of Services and Ingresses outside the cluster."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import FRAMEWORK, as_list, compliance, fail, get
from citywatch.model import Resource

SERVICE_DOC = "https://kubernetes.io/docs/concepts/services-networking/service/"
EXPOSURE = compliance(["SC-7", "AC-4"], ["A.8.20", "A.8.22"], ["CC6.6"])
OPEN_RANGES = frozenset({"0.0.0.0/0", "::/0"})

NODE_PORT = define(
    "CW-K8S-037",
    "Service is exposed on every node with NodePort",
    "LOW",
    description="A NodePort Service opens the port on every node's address, usually beyond the "
    "reach of the load balancer's and the cloud firewall's intended rules.",
    remediation="Use a ClusterIP Service behind an Ingress or a LoadBalancer with source ranges.",
    references=[SERVICE_DOC + "#type-nodeport"],
    compliance=EXPOSURE,
)


@implements(NODE_PORT, FRAMEWORK, "Service")
def _node_port(res: Resource, _ctx: CheckContext) -> Failure | None:
    if get(res.attributes, "spec.type") == "NodePort":
        return fail(res, "Service type is NodePort", "spec.type", "type")
    return None


LOAD_BALANCER = define(
    "CW-K8S-038",
    "LoadBalancer Service is open to any source",
    "MEDIUM",
    description="A LoadBalancer Service without `loadBalancerSourceRanges` (or with 0.0.0.0/0) "
    "is reachable from the whole internet on most clouds.",
    remediation="Set `spec.loadBalancerSourceRanges` to the client networks, or make the load "
    "balancer internal with the provider's annotation.",
    references=[SERVICE_DOC + "#loadbalancer"],
    compliance=EXPOSURE,
)

INTERNAL_LB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": None,
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "service.beta.kubernetes.io/azure-load-balancer-internal": None,
    "networking.gke.io/load-balancer-type": "Internal",
    "cloud.google.com/load-balancer-type": "Internal",
    "service.beta.kubernetes.io/oci-load-balancer-internal": None,
}


def _internal(annotations: object) -> bool:
    if not isinstance(annotations, dict):
        return False
    for key, wanted in INTERNAL_LB_ANNOTATIONS.items():
        value = annotations.get(key)
        if value is None:
            continue
        text = str(value).strip()
        if (wanted is None and text.lower() in ("true", "0.0.0.0/0")) or text == wanted:
            return True
    return False


@implements(LOAD_BALANCER, FRAMEWORK, "Service")
def _load_balancer(res: Resource, _ctx: CheckContext) -> Failure | None:
    if get(res.attributes, "spec.type") != "LoadBalancer":
        return None
    if _internal(get(res.attributes, "metadata.annotations")):
        return None
    ranges = [str(r).strip() for r in as_list(get(res.attributes, "spec.loadBalancerSourceRanges"))]
    if not ranges:
        return fail(res, "LoadBalancer has no loadBalancerSourceRanges", "spec.type", "ranges")
    if OPEN_RANGES & set(ranges):
        path = "spec.loadBalancerSourceRanges"
        return fail(res, "LoadBalancer source ranges include the whole internet", path, "ranges")
    return None


EXTERNAL_IPS = define(
    "CW-K8S-053",
    "Service sets externalIPs",
    "MEDIUM",
    description="`externalIPs` lets a Service claim traffic for arbitrary addresses; anyone "
    "who can create Services can intercept traffic this way (CVE-2020-8554).",
    remediation="Remove `spec.externalIPs`; use a LoadBalancer or Ingress, and block the field "
    "cluster-wide with an admission policy.",
    references=[SERVICE_DOC + "#external-ips"],
    compliance=EXPOSURE,
)


@implements(EXTERNAL_IPS, FRAMEWORK, "Service")
def _external_ips(res: Resource, _ctx: CheckContext) -> Failure | None:
    ips = as_list(get(res.attributes, "spec.externalIPs"))
    if ips:
        msg = f"Service claims external IPs {', '.join(str(i) for i in ips)}"
        return fail(res, msg, "spec.externalIPs", "externalIPs")
    return None


INGRESS_TLS = define(
    "CW-K8S-039",
    "Ingress serves without TLS",
    "MEDIUM",
    description="An Ingress without a `tls` section serves its hosts over plain HTTP: "
    "credentials and session cookies cross the network in clear text. A certificate given to "
    "the controller by annotation (AWS ALB `certificate-arn` or an HTTPS listener, GKE managed "
    "or pre-shared certificates, Application Gateway `appgw-ssl-certificate`) counts as TLS.",
    remediation="Add `spec.tls` with a certificate Secret for every host (cert-manager can "
    "issue them) and redirect HTTP to HTTPS.",
    references=["https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24", "A.8.20"], ["CC6.7"]),
)


def _covered(host: str, tls_hosts: set[str]) -> bool:
    if host in tls_hosts:
        return True
    parent = host.partition(".")[2]
    return bool(parent) and f"*.{parent}" in tls_hosts


# Controllers that terminate TLS with a certificate named in an annotation, not in spec.tls.
CONTROLLER_CERTIFICATES = (
    "alb.ingress.kubernetes.io/certificate-arn",  # AWS Load Balancer Controller (ACM)
    "networking.gke.io/managed-certificates",  # GKE Ingress, Google-managed certificates
    "ingress.gcp.kubernetes.io/pre-shared-cert",  # GKE Ingress, uploaded certificates
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",  # Azure Application Gateway
)


def _controller_tls(res: Resource) -> bool:
    annotations = get(res.attributes, "metadata.annotations")
    if not isinstance(annotations, dict):
        return False
    if any(str(annotations.get(k) or "").strip() for k in CONTROLLER_CERTIFICATES):
        return True
    # the AWS controller also finds a certificate itself for an HTTPS listener (ACM discovery)
    return "HTTPS" in str(annotations.get("alb.ingress.kubernetes.io/listen-ports") or "")


@implements(INGRESS_TLS, FRAMEWORK, "Ingress")
def _ingress_tls(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    tls = as_list(get(res.attributes, "spec.tls"))
    if not tls:
        if not _controller_tls(res):
            yield fail(res, "Ingress has no tls section", "spec", "tls")
        return
    covered: set[str] = set()
    for entry in tls:
        covered.update(str(h) for h in as_list(get(entry, "hosts")))
    for i, rule in enumerate(as_list(get(res.attributes, "spec.rules"))):
        host = get(rule, "host")
        # a tls entry without hosts covers the default certificate; only explicit lists narrow
        if host and covered and not _covered(str(host), covered):
            path = f"spec.rules.{i}.host"
            yield fail(res, f"host {host} is not covered by spec.tls", path, f"host/{host}")
