"""The built-in rule set, one data module per provider family."""

from __future__ import annotations

from citywatch.secrets.rule import Rule
from citywatch.secrets.rules import cloud, files, generic, keys, saas, urls, vcs_ci


def builtin_rules() -> list[Rule]:
    """Every built-in rule, specific ones first so they win over generic ones."""
    return [
        *cloud.RULES,
        *vcs_ci.RULES,
        *saas.RULES,
        *keys.RULES,
        *files.RULES,
        *urls.RULES,
        *generic.RULES,
    ]
