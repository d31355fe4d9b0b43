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


# templates whose K8sNativeValidation code cannot agree without the API server's defaulting
CEL_KNOWN_DIFFERENCES = {
    "pod-security-policy/seccomp": "`has(variables.anyObject.spec.securityContext.seccompProfile"
    ".type)` errors when spec.securityContext is absent (as in cel-go): the API server defaults "
    "it to {}, gator examples do not have it",
    "pod-security-policy/seccompv2": "same as seccomp",
}


def test_gatekeeper_library_cel_code_agrees_too() -> None:
    """Templates carrying both Rego and CEL: the CEL code, run instead, gives the same answers."""
    import yaml

    from citywatch.policy.gatekeeper_cel import find_cel_source

    library = require_shared("conformance/gatekeeper-library") / "library"
    total = agree = 0
    unexpected: list[str] = []
    differing: set[str] = set()
    for suite in sorted(library.rglob("suite.yaml")):
        template = yaml.safe_load((suite.parent / "template.yaml").read_text())
        if find_cel_source(template["spec"]["targets"]) is None:
            continue
        policy_dir = str(suite.parent.relative_to(library))
        total += 1
        result = run_suite(suite, prefer="cel")
        bad = [c for c in result.cases if not c.passed]
        if not bad:
            agree += 1
        elif policy_dir in CEL_KNOWN_DIFFERENCES:
            differing.add(policy_dir)
        else:
            unexpected.extend(f"{policy_dir} {c.test}/{c.case}: {c.reason}" for c in bad)
    print(f"\ngatekeeper-library CEL code: {agree}/{total} templates agree")
    assert total >= 10
    assert unexpected == []
    assert differing == set(CEL_KNOWN_DIFFERENCES)
