"""Ruby: Gemfile.lock. Specs under GEM are the resolved gems; DEPENDENCIES lists direct ones."""

from __future__ import annotations

import re

from citywatch.model import Package
from citywatch.parsers.lockfiles.common import LockInput

ECO = "RubyGems"
_SPEC = re.compile(r"^    (?P<name>[^\s(]+) \((?P<version>[^)]+)\)\s*$")
_PLATFORM = re.compile(r"-(?:x86|x64|arm|aarch|universal|java|mswin|mingw|darwin|linux)\S*$")


def parse_gemfile_lock(src: LockInput) -> list[Package]:
    section = ""
    specs: list[tuple[str, str, int]] = []
    direct: set[str] = set()
    for number, raw in enumerate(src.text.splitlines(), 1):
        if raw and not raw[0].isspace():
            section = raw.strip()
            continue
        if section == "GEM":
            m = _SPEC.match(raw)
            if m:
                version = _PLATFORM.sub("", m.group("version"))
                specs.append((m.group("name"), version, number))
        elif section == "DEPENDENCIES" and raw.startswith("  ") and raw.strip():
            direct.add(raw.strip().split()[0].rstrip("!"))
    return [src.package(ECO, n, v, line, n in direct) for n, v, line in specs]
