"""Shared helpers for Dockerfile checks: stages that ship, instructions with their locations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.base import Failure, UnknownValue
from citywatch.model import UNKNOWN, Resource

FRAMEWORK = "dockerfile"
KIND = "dockerfile"
BEST_PRACTICES = "https://docs.docker.com/build/building/best-practices/"
REFERENCE = "https://docs.docker.com/reference/dockerfile/"


def compliance(
    nist: list[str], iso: list[str], soc2: list[str], cis: list[str] | None = None
) -> dict[str, list[str]]:
    out = {"nist_800_53": nist, "iso27001": iso, "soc2": soc2}
    if cis:
        out["cis_docker"] = cis
    return out


def stages(res: Resource) -> list[dict[str, Any]]:
    value = res.attributes.get("stages")
    return [s for s in value if isinstance(s, dict)] if isinstance(value, list) else []


def _index(res: Resource) -> dict[int, int]:
    flat = res.attributes.get("instructions") or []
    return {id(instr): k for k, instr in enumerate(flat)}


def instructions(
    res: Resource, cmd: str | None = None, only: list[dict[str, Any]] | None = None
) -> Iterator[tuple[dict[str, Any], str]]:
    """(instruction, dotted path for its line) for every instruction, or those of `only` stages."""
    index = _index(res)
    if only is None:
        pool: list[dict[str, Any]] = list(res.attributes.get("instructions") or [])
    else:
        pool = [i for stage in only for i in stage.get("instructions", [])]
    for instr in pool:
        if cmd is None or instr.get("cmd") == cmd:
            yield instr, f"instructions.{index.get(id(instr), 0)}"


def final_chain(res: Resource) -> list[dict[str, Any]]:
    """The final stage and the stages it is built FROM (the layers that ship), last first."""
    all_stages = stages(res)
    if not all_stages:
        return []
    by_name = {s["name"]: s for s in all_stages if s.get("name")}
    chain = [all_stages[-1]]
    seen = {id(chain[0])}
    while chain[-1].get("from_stage") in by_name:
        parent = by_name[chain[-1]["from_stage"]]
        if id(parent) in seen or parent["index"] >= chain[-1]["index"]:
            break
        seen.add(id(parent))
        chain.append(parent)
    return chain


def stage_path(stage: dict[str, Any]) -> str:
    return f"stages.{stage.get('index', 0)}"


def fail(message: str, path: str, key: str) -> Failure:
    return Failure(message, path, key)


def words(instr: dict[str, Any]) -> list[Any]:
    """Arguments with stage variables expanded where the parser could (UNKNOWN otherwise)."""
    expanded = instr.get("expanded")
    return list(expanded) if isinstance(expanded, list) else list(instr.get("args") or [])


def known_text(value: Any, what: str) -> str:
    if value is UNKNOWN:
        raise UnknownValue(what)
    return str(value)


def key_of(instr: dict[str, Any], extra: str = "") -> str:
    """A fingerprint key that survives unrelated lines moving: the instruction's own text."""
    return f"{instr.get('cmd')}:{instr.get('value')}{'/' + extra if extra else ''}"
