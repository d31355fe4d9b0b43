"""Conformance: the public Gatekeeper library's own gator suites, run in process.

Every case must agree with `suite.yaml`, except the ones listed in KNOWN_DIFFERENCES with the
reason; those must still disagree (so the list cannot go stale and hide a regression or a fix).
"""

from __future__ import annotations

from citywatch.policy.gator import run_suite
from tests.conftest import require_shared

# (policy directory relative to library/, test name, case name) -> why we disagree
KNOWN_DIFFERENCES: dict[tuple[str, str, str], str] = {}


def test_gatekeeper_library_suites() -> None:
    library = require_shared("conformance/gatekeeper-library") / "library"
    suites = sorted(library.rglob("suite.yaml"))
    assert len(suites) >= 40
    unexpected: list[str] = []
    known_seen: set[tuple[str, str, str]] = set()
    cases = passed = 0
    template_ok: dict[str, bool] = {}
    for suite in suites:
        policy_dir = str(suite.parent.relative_to(library))
        result = run_suite(suite)
        assert result.cases, f"{policy_dir}: no cases ran ({result.error})"
        template_ok.setdefault(policy_dir, True)
        for case in result.cases:
            cases += 1
            key = (policy_dir, case.test, case.case)
            if key in KNOWN_DIFFERENCES:
                known_seen.add(key)
                template_ok[policy_dir] = False
                if case.passed:
                    unexpected.append(f"{key} now passes: remove it from KNOWN_DIFFERENCES")
                continue
            if case.passed:
                passed += 1
            else:
                unexpected.append(f"{policy_dir} {case.test}/{case.case}: {case.reason}")
    supported = sum(template_ok.values())
    print(
        f"\ngatekeeper-library: {supported}/{len(template_ok)} templates fully agree, "
        f"{passed}/{cases} cases agree; known differences: {len(KNOWN_DIFFERENCES)}"
    )
    for key, why in KNOWN_DIFFERENCES.items():
        print(f"  unsupported {'/'.join(key)}: {why}")
    assert unexpected == []
    assert known_seen == set(KNOWN_DIFFERENCES)
    assert passed == cases - len(KNOWN_DIFFERENCES)


def test_library_templates_all_compile() -> None:
    library = require_shared("conformance/gatekeeper-library") / "library"
    from citywatch.policy.loader import load_policies

    templates = sorted(library.rglob("template.yaml"))
    policy_set = load_policies(templates)
    assert policy_set.errors == []
    # templates without constraints are loaded and reported as notices, not dropped silently
    assert len(policy_set.notices) == len(templates)
