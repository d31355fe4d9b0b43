"""Small readers shared by the Google Cloud checks: IAM members, metadata flags, documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.base import UnknownValue, attr, known, truthy
from citywatch.model import UNKNOWN, Resource

TF_DOCS = "https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/"
GCLOUD = "https://cloud.google.com/"
PUBLIC_MEMBERS = frozenset({"allusers", "allauthenticatedusers"})


def tf_doc(resource_type: str) -> str:
    """Provider documentation page for a resource type (`google_storage_bucket`)."""
    return TF_DOCS + resource_type.removeprefix("google_")


def compliance(
    nist: list[str], iso: list[str], soc2: list[str], cis: list[str] | None = None
) -> dict[str, list[str]]:
    """Compliance mapping; `cis` holds CIS Google Cloud Platform Foundation v3.0 section ids."""
    out = {"nist_800_53": nist, "iso27001": iso, "soc2": soc2}
    if cis:
        out["cis_gcp"] = cis
    return out


def iam_types(prefix: str) -> tuple[str, str]:
    """The `_iam_member` and `_iam_binding` resource types of a resource family."""
    return f"{prefix}_iam_member", f"{prefix}_iam_binding"


def iam_members(res: Resource) -> Iterator[tuple[str, str]]:
    """(attribute path, member) for an `*_iam_member` or `*_iam_binding` resource."""
    single = attr(res, "member")
    if single is not None:
        yield "member", str(single)
    for member in known(attr(res, "members") or []):
        yield "members", str(known(member))


def is_public_member(member: str) -> bool:
    return member.strip().lower() in PUBLIC_MEMBERS


def metadata_flag(res: Resource | dict[str, Any], key: str) -> bool | None:
    """A boolean-ish instance metadata value ("TRUE", "true", "1"), or None when unset."""
    metadata = attr(res, "metadata")
    if metadata is None:
        return None
    if metadata is UNKNOWN or not isinstance(metadata, dict):
        raise UnknownValue("metadata")
    if key not in metadata:
        return None
    return truthy(metadata[key])


DEFAULT_SA_SUFFIX = "-compute@developer.gserviceaccount.com"


def is_default_service_account(res: Resource, email: Any) -> bool:
    """Whether a service account email is the Compute Engine default service account.

    A computed email (`google_service_account.app.email`) is unknown until apply, but when the
    resource refers to a `google_service_account` it is a dedicated account, not the default.
    """
    if email is UNKNOWN:
        if any(
            ref.split(".")[-2:-1] == ["google_service_account"]
            or ref.startswith("google_service_account.")
            for ref in res.references
        ):
            return False
        raise UnknownValue("service_account")
    return email in (None, "", "default") or str(email).endswith(DEFAULT_SA_SUFFIX)


def present(res: Resource | dict[str, Any], path: str) -> bool:
    """Whether an attribute is set; a value computed at apply time counts as set."""
    try:
        value = attr(res, path)
    except UnknownValue as unk:
        if unk.path == path:
            return True
        raise
    return value not in (None, "", [], {})


def port_ranges(ports: Any) -> list[tuple[int, int]]:
    """Firewall `ports` (["22", "8000-8080"]) as ranges; no ports means every port."""
    if ports is UNKNOWN:
        raise UnknownValue("ports")
    if not ports:
        return [(0, 65535)]
    out: list[tuple[int, int]] = []
    for item in ports:
        text = str(known(item)).strip()
        low, _, high = text.partition("-")
        try:
            out.append((int(low), int(high or low)))
        except ValueError:
            continue
    return out
