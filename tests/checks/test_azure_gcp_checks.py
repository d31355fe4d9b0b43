"""Azure and GCP Terraform checks on hand-built resources: unknowns, connected resources, ids.

Fixture files (tests/checks/fixtures/terraform/CW-AZURE-*, CW-GCP-*) cover every check through
the parser; these tests pin down behaviour that fixtures cannot express directly: values unknown
until apply, connections by reference and by name, module addresses, and the metadata contract.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citywatch.checks import load_all
from citywatch.engines.misconfig import MisconfigEngine
from citywatch.model import UNKNOWN, Finding, Location, Resource
from citywatch.options import ScanOptions
from citywatch.pipeline import ScanContext


def res(
    kind: str,
    name: str,
    attributes: dict[str, Any],
    references: list[str] | None = None,
    line_map: dict[str, int] | None = None,
) -> Resource:
    return Resource(
        kind=kind,
        name=name,
        framework="terraform",
        attributes=attributes,
        location=Location("main.tf", 1, 20),
        references=references or [],
        line_map=line_map or {},
    )


def run(check_id: str, *resources: Resource) -> tuple[list[Finding], list[dict[str, Any]]]:
    ctx = ScanContext(options=ScanOptions(scanners=("misconfig",), checks=[check_id]))
    ctx.resources = list(resources)
    findings = [f for f in MisconfigEngine().run(ctx) if f.check_id == check_id]
    assert not ctx.errors, ctx.errors
    return findings, [u for u in ctx.unknowns if u["check_id"] == check_id]


SA_BASE = {"name": "cwexamplesa", "account_tier": "Standard", "account_replication_type": "LRS"}


def test_unknown_tls_version_is_reported_as_unknown_not_failure() -> None:
    sa = res(
        "azurerm_storage_account",
        "azurerm_storage_account.sa",
        {**SA_BASE, "min_tls_version": UNKNOWN},
    )
    findings, unknowns = run("CW-AZURE-STORAGE-002", sa)
    assert findings == []
    assert unknowns and unknowns[0]["attribute"] == "min_tls_version"
    assert unknowns[0]["result"] == "unknown"


def test_old_tls_version_fails_and_points_at_the_attribute() -> None:
    sa = res(
        "azurerm_storage_account",
        "azurerm_storage_account.sa",
        {**SA_BASE, "min_tls_version": "TLS1_1"},
        line_map={"min_tls_version": 7},
    )
    findings, _ = run("CW-AZURE-STORAGE-002", sa)
    assert len(findings) == 1
    assert findings[0].location.start_line == 7
    assert "TLS1_1" in findings[0].message


def test_computed_disk_encryption_set_id_counts_as_configured() -> None:
    disk = res(
        "azurerm_managed_disk",
        "azurerm_managed_disk.data",
        {"name": "data", "disk_encryption_set_id": UNKNOWN},
        references=["azurerm_disk_encryption_set.des"],
    )
    findings, unknowns = run("CW-AZURE-COMPUTE-001", disk)
    assert findings == [] and unknowns == []


def test_storage_network_rules_connected_by_reference() -> None:
    sa = res("azurerm_storage_account", "azurerm_storage_account.sa", dict(SA_BASE))
    deny = res(
        "azurerm_storage_account_network_rules",
        "azurerm_storage_account_network_rules.r",
        {"storage_account_id": UNKNOWN, "default_action": "Deny"},
        references=["azurerm_storage_account.sa"],
    )
    assert run("CW-AZURE-STORAGE-004", sa, deny)[0] == []
    assert len(run("CW-AZURE-STORAGE-004", sa)[0]) == 1


def test_storage_network_rules_connected_by_account_name_without_reference() -> None:
    sa = res("azurerm_storage_account", "azurerm_storage_account.sa", dict(SA_BASE))
    rules = res(
        "azurerm_storage_account_network_rules",
        "azurerm_storage_account_network_rules.r",
        {"storage_account_name": "cwexamplesa", "default_action": "Allow"},
    )
    findings, _ = run("CW-AZURE-STORAGE-004", sa, rules)
    assert len(findings) == 1
    assert "azurerm_storage_account_network_rules.r" in findings[0].message
    other = res(
        "azurerm_storage_account_network_rules",
        "azurerm_storage_account_network_rules.o",
        {"storage_account_name": "someotheraccount", "default_action": "Deny"},
    )
    assert len(run("CW-AZURE-STORAGE-004", sa, other)[0]) == 1


def test_module_instance_addresses_connect() -> None:
    bucket = res(
        "google_storage_bucket",
        "module.data.google_storage_bucket.b[0]",
        {"name": "cw-data-0", "location": "EU"},
    )
    grant = res(
        "google_storage_bucket_iam_member",
        "module.data.google_storage_bucket_iam_member.m",
        {"bucket": UNKNOWN, "role": "roles/storage.objectViewer", "member": "allUsers"},
        references=["module.data.google_storage_bucket.b[0]"],
    )
    findings, _ = run("CW-GCP-GCS-007", bucket, grant)
    assert (
        len(findings) == 1
        and "module.data.google_storage_bucket_iam_member.m" in findings[0].message
    )
    assert findings[0].resource == "module.data.google_storage_bucket.b[0]"


def nsg_rule(**overrides: Any) -> dict[str, Any]:
    rule = {
        "name": "r",
        "direction": "Inbound",
        "access": "Allow",
        "protocol": "Tcp",
        "source_address_prefix": "Internet",
        "destination_port_range": "3000-4000",
    }
    rule.update(overrides)
    return rule


def test_nsg_inline_rules_each_give_their_own_finding() -> None:
    nsg = res(
        "azurerm_network_security_group",
        "azurerm_network_security_group.nsg",
        {
            "security_rule": [
                nsg_rule(name="a", destination_port_range="3306"),
                nsg_rule(
                    name="b",
                    destination_port_ranges=["5432", "80"],
                    destination_port_range=None,
                    source_address_prefix=None,
                    source_address_prefixes=["10.0.0.0/8", "0.0.0.0/0"],
                ),
                nsg_rule(name="c", destination_port_range="5432", access="Deny"),
            ]
        },
        line_map={
            "security_rule.0.destination_port_range": 9,
            "security_rule.1.destination_port_ranges": 21,
        },
    )
    findings, _ = run("CW-AZURE-NETWORK-003", nsg)
    lines = sorted((f.location.start_line, f.message) for f in findings)
    assert [line for line, _ in lines] == [9, 21]
    assert "MySQL" in lines[0][1] and "PostgreSQL" in lines[1][1]
    assert len({f.fingerprint for f in findings}) == 2


def test_nsg_rule_with_unknown_source_is_unknown() -> None:
    rule = res(
        "azurerm_network_security_rule",
        "azurerm_network_security_rule.ssh",
        nsg_rule(destination_port_range="22", source_address_prefix=UNKNOWN),
    )
    findings, unknowns = run("CW-AZURE-NETWORK-001", rule)
    assert findings == [] and len(unknowns) == 1


def test_gcp_firewall_without_ranges_but_with_source_tags_is_not_open() -> None:
    allow = [{"protocol": "tcp", "ports": ["22"]}]
    tagged = res(
        "google_compute_firewall",
        "google_compute_firewall.t",
        {"name": "t", "network": "n", "source_tags": ["bastion"], "allow": allow},
    )
    implicit = res(
        "google_compute_firewall",
        "google_compute_firewall.i",
        {"name": "i", "network": "n", "allow": allow},
    )
    assert run("CW-GCP-FIREWALL-001", tagged)[0] == []
    assert len(run("CW-GCP-FIREWALL-001", implicit)[0]) == 1


def test_public_members_of_a_binding_are_reported_one_by_one() -> None:
    binding = res(
        "google_kms_crypto_key_iam_binding",
        "google_kms_crypto_key_iam_binding.b",
        {
            "crypto_key_id": UNKNOWN,
            "role": "roles/cloudkms.cryptoKeyDecrypter",
            "members": ["allUsers", "user:alice@example.com", "allAuthenticatedUsers"],
        },
    )
    findings, _ = run("CW-GCP-KMS-002", binding)
    assert sorted(f.message.split()[0] for f in findings) == ["allAuthenticatedUsers", "allUsers"]


def test_function_secret_value_is_never_printed() -> None:
    secret = "sk_live_0123456789abcdef"
    fn = res(
        "google_cloudfunctions_function",
        "google_cloudfunctions_function.api",
        {
            "name": "api",
            "environment_variables": {"API_KEY": secret, "DB_TOKEN": UNKNOWN, "LOG_LEVEL": "debug"},
        },
    )
    findings, _ = run("CW-GCP-FUNCTIONS-003", fn)
    assert len(findings) == 1
    assert secret not in findings[0].message and "API_KEY" in findings[0].message


def test_kms_rotation_period_over_ninety_days_fails() -> None:
    key = res(
        "google_kms_crypto_key",
        "google_kms_crypto_key.k",
        {"name": "k", "rotation_period": "7776001s"},
        line_map={"rotation_period": 4},
    )
    findings, _ = run("CW-GCP-KMS-001", key)
    assert len(findings) == 1 and findings[0].location.start_line == 4
    ok = res(
        "google_kms_crypto_key",
        "google_kms_crypto_key.k",
        {"name": "k", "rotation_period": "2592000s"},
    )
    assert run("CW-GCP-KMS-001", ok)[0] == []


def test_cloud_sql_flag_checks_only_apply_to_their_engine() -> None:
    flags = {"tier": "db-f1-micro", "database_flags": [{"name": "local_infile", "value": "on"}]}
    mysql = res(
        "google_sql_database_instance",
        "google_sql_database_instance.m",
        {"database_version": "MYSQL_8_0", "settings": [flags]},
    )
    postgres = res(
        "google_sql_database_instance",
        "google_sql_database_instance.p",
        {"database_version": "POSTGRES_15", "settings": [flags]},
    )
    assert len(run("CW-GCP-SQL-009", mysql)[0]) == 1
    assert run("CW-GCP-SQL-009", postgres)[0] == []


OURS = [c for c in sorted(load_all().checks) if c.startswith(("CW-AZURE-", "CW-GCP-"))]
NIST = re.compile(r"^(AC|AT|AU|CA|CM|CP|IA|IR|MA|MP|PE|PL|PM|PS|PT|RA|SA|SC|SI|SR)-(\d{1,2})$")
ISO = re.compile(r"^A\.([5-8])\.(\d{1,2})$")
ISO_SIZE = {"5": 37, "6": 8, "7": 14, "8": 34}  # controls per theme in ISO/IEC 27001:2022
SOC2 = re.compile(r"^(CC([1-9])\.(\d)|A1\.[1-3]|C1\.[12]|PI1\.[1-5])$")
SOC2_SIZE = {"1": 5, "2": 3, "3": 4, "4": 2, "5": 3, "6": 8, "7": 5, "8": 1, "9": 2}
CIS = re.compile(r"^\d{1,2}(\.\d{1,2}){0,2}$")


def _real_iso(control: str) -> bool:
    match = ISO.match(control)
    return bool(match) and 1 <= int(match.group(2)) <= ISO_SIZE[match.group(1)]


def _real_soc2(criterion: str) -> bool:
    match = SOC2.match(criterion)
    if not match:
        return False
    if match.group(2) is None:
        return True
    return 1 <= int(match.group(3)) <= SOC2_SIZE[match.group(2)]


def test_library_size_meets_the_target() -> None:
    assert sum(c.startswith("CW-AZURE-") for c in OURS) >= 35
    assert sum(c.startswith("CW-GCP-") for c in OURS) >= 35


@pytest.mark.parametrize("check_id", OURS)
def test_metadata_uses_real_control_id_formats(check_id: str) -> None:
    check = load_all().checks[check_id]
    assert re.fullmatch(r"CW-(AZURE|GCP)-[A-Z]+-\d{3}", check.id)
    assert all(ref.startswith("https://") for ref in check.references)
    assert any("registry.terraform.io/providers/hashicorp/" in r for r in check.references)
    comp = check.compliance
    assert comp["nist_800_53"] and all(NIST.match(c) for c in comp["nist_800_53"])
    assert comp["iso27001"] and all(_real_iso(c) for c in comp["iso27001"]), comp["iso27001"]
    assert comp["soc2"] and all(_real_soc2(c) for c in comp["soc2"]), comp["soc2"]
    cis_key = "cis_azure" if check.id.startswith("CW-AZURE-") else "cis_gcp"
    assert set(comp) <= {"nist_800_53", "iso27001", "soc2", cis_key}
    assert all(CIS.match(c) for c in comp.get(cis_key, []))
    assert check.frameworks == ["terraform"]


def test_unknown_source_only_matters_when_the_port_matches() -> None:
    https = res(
        "azurerm_network_security_rule",
        "azurerm_network_security_rule.https",
        nsg_rule(destination_port_range="443", source_address_prefix=UNKNOWN),
    )
    assert run("CW-AZURE-NETWORK-001", https) == ([], [])
    fw = res(
        "google_compute_firewall",
        "google_compute_firewall.web",
        {
            "name": "web",
            "network": "n",
            "source_ranges": UNKNOWN,
            "allow": [{"protocol": "tcp", "ports": ["443"]}],
        },
    )
    assert run("CW-GCP-FIREWALL-001", fw) == ([], [])
    ssh = res(
        "google_compute_firewall",
        "google_compute_firewall.ssh",
        {
            "name": "ssh",
            "network": "n",
            "source_ranges": UNKNOWN,
            "allow": [{"protocol": "tcp", "ports": ["22"]}],
        },
    )
    findings, unknowns = run("CW-GCP-FIREWALL-001", ssh)
    assert findings == [] and len(unknowns) == 1


def test_plan_json_empty_strings_mean_unset() -> None:
    # `terraform show -json` spells unset single-value fields as "" next to the list form
    rule = nsg_rule(
        destination_port_range="",
        destination_port_ranges=["22"],
        source_address_prefix="",
        source_address_prefixes=["0.0.0.0/0"],
    )
    nsg = res(
        "azurerm_network_security_group",
        "azurerm_network_security_group.nsg",
        {"security_rule": [rule]},
    )
    assert len(run("CW-AZURE-NETWORK-001", nsg)[0]) == 1
    fw = res(
        "google_compute_firewall",
        "google_compute_firewall.f",
        {
            "name": "f",
            "network": "n",
            "source_ranges": [],
            "source_tags": [],
            "allow": [{"protocol": "tcp", "ports": ["22"]}],
        },
    )
    assert len(run("CW-GCP-FIREWALL-001", fw)[0]) == 1


@given(st.one_of(st.text(max_size=20), st.lists(st.text(max_size=12), max_size=4)))
def test_port_parsers_never_raise_on_odd_input(spec: Any) -> None:
    from citywatch.checks.azure._helpers import port_ranges as azure_ports
    from citywatch.checks.gcp._helpers import port_ranges as gcp_ports

    for ranges in (azure_ports(spec), gcp_ports(spec if isinstance(spec, list) else [spec])):
        assert all(isinstance(low, int) and isinstance(high, int) for low, high in ranges)


@given(st.integers(0, 65535), st.integers(0, 65535))
def test_port_ranges_round_trip(low: int, high: int) -> None:
    from citywatch.checks.azure._helpers import port_ranges as azure_ports
    from citywatch.checks.gcp._helpers import port_ranges as gcp_ports

    text = f"{low}-{high}"
    assert azure_ports(text) == [(low, high)]
    assert gcp_ports([text, str(low)]) == [(low, high), (low, low)]


@pytest.mark.parametrize(
    ("spelling", "old"),
    [
        ("TLS1_0", True),
        ("TLS1_1", True),
        ("1.0", True),
        ("1.1", True),
        ("TLSv1", True),
        ("TLS1_2", False),
        ("1.2", False),
        ("TLSv1.2", False),
        ("TLS1_3", False),
        ("1.3", False),
    ],
)
def test_tls_spellings(spelling: str, old: bool) -> None:
    from citywatch.checks.azure._helpers import tls_below_1_2

    assert tls_below_1_2(spelling) is old


def test_access_log_bucket_with_computed_name_passes_when_another_bucket_logs_to_it() -> None:
    """The log target needs no logging of its own: a real pass, not an 'unknown'."""
    data = res(
        "google_storage_bucket",
        "google_storage_bucket.data",
        {"name": UNKNOWN, "logging": [{"log_bucket": UNKNOWN}]},
        references=["google_storage_bucket.logs"],
    )
    logs = res("google_storage_bucket", "google_storage_bucket.logs", {"name": UNKNOWN})
    findings, unknowns = run("CW-GCP-GCS-004", data, logs)
    assert findings == [] and unknowns == []


def test_bucket_referenced_for_another_reason_still_needs_logging() -> None:
    data = res("google_storage_bucket", "google_storage_bucket.data", {"name": "cw-data"})
    archive = res(
        "google_storage_bucket",
        "google_storage_bucket.archive",
        {"name": UNKNOWN, "logging": [{"log_bucket": "cw-central-logs"}]},
        references=["google_storage_bucket.data"],
    )
    findings, _ = run("CW-GCP-GCS-004", data, archive)
    assert [f.resource for f in findings] == ["google_storage_bucket.data"]
