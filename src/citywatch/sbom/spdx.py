"""SPDX 2.3 JSON through spdx-tools, validated by spdx-tools before it is written."""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from datetime import UTC, datetime

from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.writer.json.json_writer import write_document_to_file

from citywatch import __version__
from citywatch.sbom import Inventory

DOC_ID = "SPDXRef-DOCUMENT"
ROOT_ID = "SPDXRef-Root"


def _spdx_id(index: int, name: str) -> str:
    return f"SPDXRef-Package-{index}-" + re.sub(r"[^A-Za-z0-9.-]", "-", name)[:60]


def build_document(inventory: Inventory) -> Document:
    created = datetime.now(UTC).replace(microsecond=0)
    info = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id=DOC_ID,
        name=inventory.subject,
        document_namespace=f"https://citywatch.invalid/spdx/{inventory.subject}-{uuid.uuid4()}",
        creators=[Actor(ActorType.TOOL, f"citywatch-{__version__}")],
        created=created,
    )
    root = Package(
        spdx_id=ROOT_ID,
        name=inventory.subject,
        download_location=SpdxNoAssertion(),
        files_analyzed=False,
    )
    packages = inventory.unique()
    spdx_packages = [root]
    relationships = [Relationship(DOC_ID, RelationshipType.DESCRIBES, ROOT_ID)]
    ids: list[str] = []
    for i, pkg in enumerate(packages):
        sid = _spdx_id(i, pkg.name)
        ids.append(sid)
        refs = []
        if pkg.purl:
            refs.append(
                ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", pkg.purl)
            )
        spdx_packages.append(
            Package(
                spdx_id=sid,
                name=pkg.name,
                version=pkg.version,
                download_location=SpdxNoAssertion(),
                files_analyzed=False,
                external_references=refs,
                comment=f"found in {pkg.location.path}",
            )
        )
        if pkg.direct is not False:
            relationships.append(Relationship(ROOT_ID, RelationshipType.DEPENDS_ON, sid))
    for a, b in inventory.edges(packages):
        relationships.append(Relationship(ids[a], RelationshipType.DEPENDS_ON, ids[b]))
    return Document(info, packages=spdx_packages, relationships=relationships)


def to_spdx_json(inventory: Inventory) -> str:
    """spdx-tools writes to files (validating first); read the result back as text."""
    document = build_document(inventory)
    fd, name = tempfile.mkstemp(suffix=".spdx.json")
    os.close(fd)
    try:
        write_document_to_file(document, name, validate=True)
        with open(name, encoding="utf-8") as fh:
            return json.dumps(json.load(fh), indent=2) + "\n"
    finally:
        os.unlink(name)
