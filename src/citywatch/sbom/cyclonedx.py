"""CycloneDX 1.6 JSON through cyclonedx-python-lib."""

from __future__ import annotations

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from citywatch import __version__
from citywatch.sbom import Inventory


def _purl(text: str) -> PackageURL | None:
    try:
        return PackageURL.from_string(text) if text else None
    except ValueError:
        return None


def build_bom(inventory: Inventory) -> Bom:
    bom = Bom()
    root = Component(
        name=inventory.subject, type=ComponentType.APPLICATION, bom_ref="root-application"
    )
    bom.metadata.component = root
    from cyclonedx.model.tool import Tool

    bom.metadata.tools.tools.add(Tool(vendor="citywatch", name="citywatch", version=__version__))
    packages = inventory.unique()
    components: list[Component] = []
    for i, pkg in enumerate(packages):
        comp = Component(
            name=pkg.name,
            version=pkg.version,
            type=ComponentType.LIBRARY,
            purl=_purl(pkg.purl),
            bom_ref=f"pkg-{i}:{pkg.purl or pkg.ecosystem + '/' + pkg.name + '@' + pkg.version}",
        )
        components.append(comp)
        bom.components.add(comp)
    direct = [c for c, p in zip(components, packages, strict=True) if p.direct is not False]
    edges: dict[int, list[Component]] = {}
    needed: set[int] = set()
    for a, b in inventory.edges(packages):
        edges.setdefault(a, []).append(components[b])
        needed.add(b)
    if not direct:  # every package marked indirect (go.mod `// indirect` only): the graph's tops
        direct = [c for i, c in enumerate(components) if i not in needed]
    bom.register_dependency(root, direct)
    for a, deps in edges.items():
        bom.register_dependency(components[a], deps)
    return bom


def to_cyclonedx_json(inventory: Inventory) -> str:
    import warnings

    with warnings.catch_warnings():  # the library warns on stderr about an empty root
        warnings.simplefilter("ignore", UserWarning)
        return JsonV1Dot6(build_bom(inventory)).output_as_string(indent=2)
