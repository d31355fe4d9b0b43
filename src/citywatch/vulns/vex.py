"""VEX: statements that a vulnerability does not affect a product (OpenVEX, CycloneDX VEX).

Only the "not affected" verdicts matter to a scanner: OpenVEX `not_affected` / `fixed`,
CycloneDX `not_affected` / `false_positive` / `resolved`. A statement names the vulnerability
by any of its ids (aliases count) and the product by purl; a purl without a version covers
every version of the package.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packageurl import PackageURL

OPENVEX_CLEARED = {"not_affected", "fixed"}
CYCLONEDX_CLEARED = {"not_affected", "false_positive", "resolved"}


@dataclass(frozen=True, slots=True)
class Statement:
    vulnerability: str
    product: str  # a purl, or "*" when the statement names no product
    status: str
    justification: str
    source: str


@dataclass(slots=True)
class VexIndex:
    statements: list[Statement] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def clearing(self, ids: Iterable[str], purl: str) -> Statement | None:
        """The first statement that clears any of `ids` for the package `purl`."""
        wanted = {i.upper() for i in ids}
        for st in self.statements:
            if st.vulnerability.upper() in wanted and purl_matches(st.product, purl):
                return st
        return None


def _purl_parts(text: str) -> tuple[str, str, str, str | None] | None:
    try:
        p = PackageURL.from_string(text)
    except ValueError:
        return None
    return (p.type.lower(), (p.namespace or "").lower(), p.name.lower(), p.version)


def purl_matches(statement_purl: str, package_purl: str) -> bool:
    if statement_purl == "*":
        return True
    if not package_purl:
        return False
    a, b = _purl_parts(statement_purl), _purl_parts(package_purl)
    if a is None or b is None:
        return statement_purl == package_purl
    if a[:3] != b[:3]:
        return False
    return a[3] is None or a[3] == b[3]


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out = [value["name"]] if isinstance(value.get("name"), str) else []
        out += [a for a in value.get("aliases", []) if isinstance(a, str)]
        if isinstance(value.get("@id"), str):
            out.append(value["@id"])
        return out
    return []


def _products(items: Any) -> list[str]:
    out: list[str] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            if isinstance(item.get("@id"), str):
                out.append(item["@id"])
            ident = item.get("identifiers")
            if isinstance(ident, dict) and isinstance(ident.get("purl"), str):
                out.append(ident["purl"])
            out.extend(_products(item.get("subcomponents")))
    return out


def _why(justification: Any, statement: Any) -> str:
    """The machine justification and the human words beside it (OpenVEX `impact_statement`,
    CycloneDX `analysis.detail`): the statement alone may carry the reason."""
    parts = [str(v).strip() for v in (justification, statement) if isinstance(v, str) and v.strip()]
    return ": ".join(parts)


def _openvex(doc: dict[str, Any], source: str) -> list[Statement]:
    out: list[Statement] = []
    for st in doc.get("statements") or []:
        if not isinstance(st, dict):
            continue
        status = str(st.get("status", ""))
        why = _why(st.get("justification"), st.get("impact_statement"))
        products = _products(st.get("products")) + _products(st.get("subcomponents"))
        for vuln in _ids(st.get("vulnerability")):
            for product in products or ["*"]:
                out.append(Statement(vuln, product, status, why, source))
    return out


def _cyclonedx(doc: dict[str, Any], source: str) -> list[Statement]:
    refs: dict[str, str] = {}
    stack = list(doc.get("components") or [])
    meta = doc.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("component"), dict):
        stack.append(meta["component"])
    while stack:
        comp = stack.pop()
        if isinstance(comp, dict):
            if isinstance(comp.get("bom-ref"), str) and isinstance(comp.get("purl"), str):
                refs[comp["bom-ref"]] = comp["purl"]
            stack.extend(comp.get("components") or [])
    out: list[Statement] = []
    for vuln in doc.get("vulnerabilities") or []:
        if not isinstance(vuln, dict):
            continue
        analysis = vuln.get("analysis") if isinstance(vuln.get("analysis"), dict) else {}
        assert isinstance(analysis, dict)
        state = str(analysis.get("state", ""))
        ids = _ids(vuln.get("id")) + [
            r["id"]
            for r in vuln.get("references") or []
            if isinstance(r, dict) and isinstance(r.get("id"), str)
        ]
        products: list[str] = [
            refs.get(a["ref"]) or a["ref"]
            for a in vuln.get("affects") or []
            if isinstance(a, dict) and isinstance(a.get("ref"), str)
        ]
        why = _why(analysis.get("justification"), analysis.get("detail"))
        for vid in ids:
            for product in products or ["*"]:
                out.append(Statement(vid, product, state, why, source))
    return out


def load_vex(paths: Iterable[Path]) -> VexIndex:
    """Read VEX files; unreadable or unknown documents are reported, not fatal."""
    index = VexIndex()
    for path in paths:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            index.errors.append((str(path), f"cannot read VEX document: {exc}"))
            continue
        if not isinstance(doc, dict):
            index.errors.append((str(path), "VEX document must be a JSON object"))
            continue
        if "statements" in doc:
            found = [s for s in _openvex(doc, str(path)) if s.status in OPENVEX_CLEARED]
        elif doc.get("bomFormat") == "CycloneDX" or "vulnerabilities" in doc:
            found = [s for s in _cyclonedx(doc, str(path)) if s.status in CYCLONEDX_CLEARED]
        else:
            index.errors.append((str(path), "neither OpenVEX nor CycloneDX VEX"))
            continue
        index.statements.extend(found)
    return index
