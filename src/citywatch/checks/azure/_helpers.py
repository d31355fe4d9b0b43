"""Small readers shared by the Azure checks: provider defaults, renamed attributes, networks.

The azurerm provider renamed many attributes between v2, v3 and v4 (`enable_https_traffic_only`
became `https_traffic_only_enabled`), so checks read whichever spelling the configuration uses.
"""

from __future__ import annotations

from typing import Any

from citywatch.checks.base import MISSING, UnknownValue, attr, truthy
from citywatch.model import UNKNOWN, Resource

TF_DOCS = "https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/"
LEARN = "https://learn.microsoft.com/en-us/azure/"

# Source prefixes that mean "anyone on the internet" in an NSG rule.
INTERNET_SOURCES = frozenset({"*", "0.0.0.0", "0.0.0.0/0", "internet", "any", "::/0", "::"})


def tf_doc(resource_type: str) -> str:
    """Provider documentation page for a resource type (`azurerm_storage_account`)."""
    return TF_DOCS + resource_type.removeprefix("azurerm_")


def compliance(
    nist: list[str], iso: list[str], soc2: list[str], cis: list[str] | None = None
) -> dict[str, list[str]]:
    """Compliance mapping; `cis` holds CIS Microsoft Azure Foundations v2.1 section ids."""
    out = {"nist_800_53": nist, "iso27001": iso, "soc2": soc2}
    if cis:
        out["cis_azure"] = cis
    return out


def first(res: Resource | dict[str, Any], *paths: str) -> tuple[str | None, Any]:
    """The first of several alternative attribute spellings that is set: (path, value)."""
    for path in paths:
        value = attr(res, path, MISSING)
        if value is not MISSING and value is not None and value != "":
            return path, value  # "" is how plan JSON spells "not set"
    return None, None


def flag(res: Resource | dict[str, Any], *paths: str, default: bool) -> tuple[str | None, bool]:
    """A boolean under any of its spellings, or the provider default when none is set."""
    path, value = first(res, *paths)
    if path is None:
        return None, default
    return path, truthy(value)


def present(res: Resource | dict[str, Any], path: str) -> bool:
    """Whether an attribute is set to something; a value computed at apply time counts as set.

    `disk_encryption_set_id = azurerm_disk_encryption_set.des.id` is unknown until apply, yet
    certainly set, so it must satisfy "is a disk encryption set configured".
    """
    try:
        value = attr(res, path)
    except UnknownValue as unk:
        if unk.path == path:
            return True
        raise
    return value not in (None, "", [], {})


def tls_below_1_2(value: Any) -> bool:
    """True for TLS versions older than 1.2 in any of Azure's spellings (TLS1_0, 1.1, TLSv1)."""
    if value is UNKNOWN:
        raise UnknownValue("<tls version>")
    text = str(value).strip().lower().replace("tlsv", "").replace("tls", "").strip("_ ")
    text = text.replace("_", ".")
    return text in ("1", "1.0", "1.1", "0", "disabled", "ssl3", "ssl3.0")


def port_ranges(value: Any) -> list[tuple[int, int]]:
    """Parse an NSG port spec ("22", "1000-2000", "*", or a list of those) into ranges."""
    if value is UNKNOWN:
        raise UnknownValue("<port range>")
    items = value if isinstance(value, list) else [value]
    out: list[tuple[int, int]] = []
    for item in items:
        if item is UNKNOWN:
            raise UnknownValue("<port range>")
        text = str(item).strip()
        if text in ("*", "any", "Any"):
            out.append((0, 65535))
            continue
        low, _, high = text.partition("-")
        try:
            out.append((int(low), int(high or low)))
        except ValueError:
            continue
    return out
