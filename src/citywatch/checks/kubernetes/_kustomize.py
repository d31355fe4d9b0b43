"""The image a container really runs when Kustomize's `images:` transformer rewrites it.

A Kustomize base says `image: ledger` and its kustomization.yaml (or an overlay that includes the
base) sets `newName`/`newTag`/`digest`. Judging the literal `ledger` would report a pinned image
as untagged, so image checks judge what `kustomize build` would emit instead.
"""

from __future__ import annotations

import posixpath
from typing import Any

from citywatch.checks.base import CheckContext
from citywatch.model import Resource

KIND = "Kustomization"


def _dir(path: str) -> str:
    return posixpath.dirname(posixpath.normpath(path.replace("\\", "/")))


def _entries(kust: Resource) -> list[str]:
    out: list[str] = []
    for key in ("resources", "bases"):
        value = kust.attributes.get(key)
        if isinstance(value, list):
            out.extend(str(v) for v in value if isinstance(v, str))
    return out


def _includes(kust: Resource, target: str) -> bool:
    """Whether a kustomization lists `target` (a file or directory path) among its resources."""
    here = _dir(kust.location.path)
    wanted = posixpath.normpath(target.replace("\\", "/"))
    return any(posixpath.normpath(posixpath.join(here, e)) == wanted for e in _entries(kust))


def _rewrite(image: str, kust: Resource) -> str:
    """Apply one kustomization's `images:` entries to an image reference."""
    ref, _, digest = image.partition("@")
    slash, colon = ref.rfind("/"), ref.rfind(":")
    name, tag = (ref[:colon], ref[colon + 1 :]) if colon > slash else (ref, "")
    for entry in kust.attributes.get("images") or []:
        if not isinstance(entry, dict) or entry.get("name") != name:
            continue
        new_name: Any = entry.get("newName")
        name = new_name if isinstance(new_name, str) and new_name else name
        if isinstance(entry.get("newTag"), str | int | float):
            tag, digest = str(entry["newTag"]), ""
        if isinstance(entry.get("digest"), str) and entry["digest"]:
            digest = entry["digest"]
        break
    return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def effective_images(res: Resource, ctx: CheckContext, image: str) -> list[str]:
    """Every image `kustomize build` may emit for this literal (the literal when not kustomized)."""
    kusts = ctx.of_type(KIND)
    if not kusts:
        return [image]
    base_dir = _dir(res.location.path)
    own = [
        k for k in kusts if _dir(k.location.path) == base_dir and _includes(k, res.location.path)
    ]
    if not own:
        return [image]
    base = image
    for kust in own:
        base = _rewrite(base, kust)
    overlays = [k for k in kusts if k not in own and _includes(k, base_dir)]
    if not overlays:
        return [base]
    return sorted({_rewrite(base, k) for k in overlays})
