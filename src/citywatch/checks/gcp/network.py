"""VPC firewall rules open to the internet, subnet flow logs, auto-mode networks and Cloud DNS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from citywatch.checks.base import (
    CheckContext,
    CheckResult,
    Failure,
    attr,
    blocks,
    define,
    implements,
    known,
    truthy,
)
from citywatch.checks.gcp._helpers import GCLOUD, compliance, port_ranges, present, tf_doc
from citywatch.model import Check, Resource

FIREWALL = "google_compute_firewall"
FW_DOCS = [tf_doc(FIREWALL), GCLOUD + "firewall/docs/firewalls"]
INTERNET = {"0.0.0.0/0", "::/0", "0.0.0.0"}
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
    11211: "Memcached",
}


def _ingress_allows(res: Resource) -> list[tuple[int, dict[str, Any]]]:
    """The `allow` blocks of an enabled ingress rule."""
    if str(attr(res, "direction", "INGRESS")).upper() != "INGRESS":
        return []
    if truthy(attr(res, "disabled", False)):
        return []
    return list(enumerate(blocks(res, "allow")))


def _from_internet(res: Resource) -> bool:
    """Checked last, so unknown sources matter only for a rule that otherwise matches."""
    ranges = attr(res, "source_ranges")
    if not ranges:
        # no source at all: Google applies the rule to 0.0.0.0/0
        return not (present(res, "source_tags") or present(res, "source_service_accounts"))
    return bool(INTERNET & {str(known(r)).strip() for r in known(ranges)})


def _open_allows(
    res: Resource, matches: Callable[[dict[str, Any]], bool]
) -> list[tuple[int, dict[str, Any]]]:
    """Allow blocks that `matches` accepts, when the rule is open to the internet."""
    hits = [(i, allow) for i, allow in _ingress_allows(res) if matches(allow)]
    return hits if hits and _from_internet(res) else []


def _covers(allow: dict[str, Any], port: int, protocols: tuple[str, ...]) -> bool:
    proto = str(known(allow.get("protocol", ""))).lower()
    if proto not in ("all", *protocols):
        return False
    return any(low <= port <= high for low, high in port_ranges(allow.get("ports")))


def _port_check(check: Check, port: int, label: str, protocols: tuple[str, ...]) -> None:
    @implements(check, "terraform", FIREWALL)
    def _fn(res: Resource, ctx: CheckContext) -> CheckResult:
        for i, allow in _open_allows(res, lambda a: _covers(a, port, protocols)):
            return Failure(
                f"Firewall rule allows {label} (port {port}) from the internet",
                f"allow.{i}.ports" if allow.get("ports") else f"allow.{i}.protocol",
            )
        return None


SSH = define(
    "CW-GCP-FIREWALL-001",
    "Firewall rule allows SSH from the internet",
    "HIGH",
    description="An ingress rule opens port 22 to 0.0.0.0/0, exposing SSH on every targeted "
    "instance to brute force and exploitation.",
    remediation="Restrict `source_ranges` to known networks, or allow only Identity-Aware Proxy "
    "(35.235.240.0/20) and connect with IAP TCP forwarding.",
    references=FW_DOCS,
    compliance=compliance(["SC-7", "AC-17"], ["A.8.20", "A.8.22"], ["CC6.6"], ["3.6"]),
)
_port_check(SSH, 22, "SSH", ("tcp", "6"))

RDP = define(
    "CW-GCP-FIREWALL-002",
    "Firewall rule allows RDP from the internet",
    "HIGH",
    description="An ingress rule opens port 3389 to 0.0.0.0/0, exposing Remote Desktop on every "
    "targeted instance to brute force and exploitation.",
    remediation="Restrict `source_ranges` to known networks, or use Identity-Aware Proxy TCP "
    "forwarding.",
    references=FW_DOCS,
    compliance=compliance(["SC-7", "AC-17"], ["A.8.20", "A.8.22"], ["CC6.6"], ["3.7"]),
)
_port_check(RDP, 3389, "RDP", ("tcp", "udp", "6", "17"))

DB = define(
    "CW-GCP-FIREWALL-003",
    "Firewall rule allows database ports from the internet",
    "HIGH",
    description="An ingress rule opens a database port (SQL Server, MySQL, PostgreSQL, Oracle, "
    "Redis, MongoDB, Cassandra, Elasticsearch, ...) to 0.0.0.0/0.",
    remediation="Allow database ports only from application subnets or service accounts.",
    references=FW_DOCS,
    compliance=compliance(["SC-7", "AC-4"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


def _every_port(allow: dict[str, Any]) -> bool:
    proto = str(known(allow.get("protocol", ""))).lower()
    if proto not in ("all", "tcp", "udp", "6", "17"):
        return False
    return any(low == 0 and high >= 65535 for low, high in port_ranges(allow.get("ports")))


def _db_ports(allow: dict[str, Any]) -> list[tuple[int, str]]:
    if _every_port(allow):
        return []  # every port: reported by CW-GCP-FIREWALL-004
    return [
        (port, label)
        for port, label in sorted(DB_PORTS.items())
        if _covers(allow, port, ("tcp", "6"))
    ]


@implements(DB, "terraform", FIREWALL)
def _db(res: Resource, ctx: CheckContext) -> CheckResult:
    return [
        Failure(
            f"Firewall rule allows {label} (port {port}) from the internet",
            f"allow.{i}.ports",
            key=str(port),
        )
        for i, allow in _open_allows(res, lambda a: bool(_db_ports(a)))
        for port, label in _db_ports(allow)
    ]


ALL_PORTS = define(
    "CW-GCP-FIREWALL-004",
    "Firewall rule allows all ports from the internet",
    "CRITICAL",
    description="An ingress rule allows every port (protocol `all`, or tcp/udp without `ports`) "
    "from 0.0.0.0/0.",
    remediation="Replace the rule with rules for the specific ports and sources needed.",
    references=FW_DOCS,
    compliance=compliance(["SC-7", "AC-4"], ["A.8.20", "A.8.22"], ["CC6.6"], ["3.6", "3.7"]),
)


@implements(ALL_PORTS, "terraform", FIREWALL)
def _all_ports(res: Resource, ctx: CheckContext) -> CheckResult:
    for i, allow in _open_allows(res, _every_port):
        proto = str(known(allow.get("protocol", ""))).lower()
        return Failure(
            f"Firewall rule allows every {proto} port from the internet", f"allow.{i}.protocol"
        )
    return None


FLOW_LOGS = define(
    "CW-GCP-VPC-001",
    "Subnetwork has VPC flow logs disabled",
    "LOW",
    description="Flow logs record the connections to and from instances; without them network "
    "forensics and anomaly detection have nothing to work with.",
    remediation='Add `log_config { aggregation_interval = "INTERVAL_5_SEC", flow_sampling = '
    '1.0, metadata = "INCLUDE_ALL_METADATA" }`.',
    references=[tf_doc("google_compute_subnetwork"), GCLOUD + "vpc/docs/using-flow-logs"],
    compliance=compliance(["AU-12", "SI-4"], ["A.8.15", "A.8.16"], ["CC7.2"], ["3.8"]),
)

PROXY_PURPOSES = {
    "regional_managed_proxy",
    "global_managed_proxy",
    "internal_https_load_balancer",
    "private_service_connect",
}


@implements(FLOW_LOGS, "terraform", "google_compute_subnetwork")
def _flow_logs(res: Resource, ctx: CheckContext) -> CheckResult:
    if str(attr(res, "purpose", "PRIVATE")).lower() in PROXY_PURPOSES:
        return None  # proxy-only subnets do not support flow logs
    if present(res, "log_config"):
        return None
    return Failure("Subnetwork has no log_config (flow logs are off)")


AUTO_MODE = define(
    "CW-GCP-VPC-002",
    "VPC network is in auto mode",
    "LOW",
    description="Auto-mode networks (like the default network) create a subnet in every region "
    "with predictable ranges, and are usually paired with permissive default firewall rules.",
    remediation="Set `auto_create_subnetworks = false` and create only the subnets you need.",
    references=[tf_doc("google_compute_network"), GCLOUD + "vpc/docs/vpc#subnet-ranges"],
    compliance=compliance(["SC-7", "CM-7"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


@implements(AUTO_MODE, "terraform", "google_compute_network")
def _auto_mode(res: Resource, ctx: CheckContext) -> CheckResult:
    value = attr(res, "auto_create_subnetworks")
    if value is None:
        return Failure("Network is auto mode (provider default)")
    if truthy(value):
        return Failure("Network is auto mode", "auto_create_subnetworks")
    return None


ZONE = "google_dns_managed_zone"

DNSSEC = define(
    "CW-GCP-DNS-001",
    "Public DNS zone does not have DNSSEC enabled",
    "MEDIUM",
    description="Without DNSSEC, resolvers cannot verify answers for the zone, leaving it open "
    "to cache poisoning and spoofing.",
    remediation='Add `dnssec_config { state = "on" }` and publish the DS record at the registrar.',
    references=[tf_doc(ZONE), GCLOUD + "dns/docs/dnssec-config"],
    compliance=compliance(["SC-20", "SC-21"], ["A.8.20", "A.8.21"], ["CC6.6"], ["3.3"]),
)


@implements(DNSSEC, "terraform", ZONE)
def _dnssec(res: Resource, ctx: CheckContext) -> CheckResult:
    if str(attr(res, "visibility", "public")).lower() != "public":
        return None
    state = attr(res, "dnssec_config.state")
    if state is None:
        return Failure("DNSSEC is not configured")
    if str(state).lower() != "on":
        return Failure(f"DNSSEC state is {state}", "dnssec_config.0.state")
    return None


RSASHA1 = define(
    "CW-GCP-DNS-002",
    "DNSSEC uses the RSASHA1 algorithm",
    "MEDIUM",
    description="RSASHA1 relies on SHA-1, which is broken for signatures; key-signing and "
    "zone-signing keys should use RSASHA256, RSASHA512 or ECDSA.",
    remediation='Set `algorithm = "rsasha256"` (or ecdsap256sha256) in every '
    "`dnssec_config.default_key_specs` block.",
    references=[tf_doc(ZONE), GCLOUD + "dns/docs/dnssec-advanced#algorithms"],
    compliance=compliance(["SC-13", "SC-20"], ["A.8.24"], ["CC6.7"], ["3.4", "3.5"]),
)


@implements(RSASHA1, "terraform", ZONE)
def _rsasha1(res: Resource, ctx: CheckContext) -> CheckResult:
    out = []
    for i, spec in enumerate(blocks(res, "dnssec_config.default_key_specs")):
        if str(known(spec.get("algorithm", ""))).lower() == "rsasha1":
            key_type = str(known(spec.get("key_type", "key")))
            out.append(
                Failure(
                    f"{key_type} uses RSASHA1",
                    f"dnssec_config.0.default_key_specs.{i}.algorithm",
                    key=key_type,
                )
            )
    return out


SSL_POLICY = "google_compute_ssl_policy"
WEAK_FEATURES = {
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
}

WEAK_SSL_POLICY = define(
    "CW-GCP-LB-001",
    "SSL policy allows TLS older than 1.2 or weak cipher suites",
    "MEDIUM",
    description="Load balancers using this policy accept TLS 1.0/1.1 or RSA key-exchange and "
    "3DES cipher suites (COMPATIBLE profile), which lack forward secrecy or are broken.",
    remediation='Set `min_tls_version = "TLS_1_2"` with `profile = "MODERN"` or "RESTRICTED" '
    "(or a CUSTOM profile without RSA key-exchange suites).",
    references=[tf_doc(SSL_POLICY), GCLOUD + "load-balancing/docs/ssl-policies-concepts"],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"], ["3.9"]),
)


@implements(WEAK_SSL_POLICY, "terraform", SSL_POLICY)
def _weak_ssl_policy(res: Resource, ctx: CheckContext) -> CheckResult:
    version = str(attr(res, "min_tls_version", "TLS_1_0")).upper()
    if version in ("TLS_1_0", "TLS_1_1"):
        path = "min_tls_version" if attr(res, "min_tls_version") is not None else None
        return Failure(f"Minimum TLS version is {version}", path)
    profile = str(attr(res, "profile", "COMPATIBLE")).upper()
    if profile == "COMPATIBLE":
        path = "profile" if attr(res, "profile") is not None else None
        return Failure("COMPATIBLE profile enables weak cipher suites", path)
    if profile == "CUSTOM":
        weak = sorted(
            {str(known(f)) for f in known(attr(res, "custom_features") or [])} & WEAK_FEATURES
        )
        if weak:
            return Failure(f"Custom profile enables {', '.join(weak)}", "custom_features")
    return None


PROXIES = (
    "google_compute_target_https_proxy",
    "google_compute_target_ssl_proxy",
    "google_compute_region_target_https_proxy",
)

DEFAULT_SSL_POLICY = define(
    "CW-GCP-LB-002",
    "HTTPS/SSL proxy uses the default SSL policy",
    "MEDIUM",
    description="Without an SSL policy the load balancer uses Google's default policy, which "
    "still accepts TLS 1.0 and the COMPATIBLE cipher suites.",
    remediation="Create a `google_compute_ssl_policy` with TLS 1.2 and the MODERN or RESTRICTED "
    "profile and set `ssl_policy` on the proxy.",
    references=[
        tf_doc(PROXIES[0]),
        GCLOUD + "load-balancing/docs/ssl-policies-concepts#defining_an_ssl_policy",
    ],
    compliance=compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"], ["3.9"]),
)


@implements(DEFAULT_SSL_POLICY, "terraform", *PROXIES)
def _default_ssl_policy(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "ssl_policy"):
        return None
    return Failure("Proxy has no ssl_policy (Google's default allows TLS 1.0)")
