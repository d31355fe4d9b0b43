"""Who the containers run as: root user or group, and which service account token they carry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import (
    FRAMEWORK,
    PSS,
    SECURITY_CONTEXT,
    WORKLOADS,
    as_list,
    compliance,
    containers,
    effective,
    fail,
    get,
    is_false,
    is_true,
    pod,
)
from citywatch.model import Resource

ROOT = compliance(["AC-6", "CM-6"], ["A.8.2", "A.8.9"], ["CC6.1", "CC6.3"])
SA_DOC = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"
SA_TOKEN = compliance(["AC-6", "IA-5", "AC-2"], ["A.5.15", "A.5.17", "A.8.2"], ["CC6.1", "CC6.3"])


def _uid(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


RUN_AS_NON_ROOT = define(
    "CW-K8S-009",
    "Container may run as root",
    "MEDIUM",
    description="Without `runAsNonRoot: true` (or a non-zero `runAsUser`) the container runs as "
    "whatever user the image says, which is root for most images.",
    remediation="Set `securityContext.runAsNonRoot: true` (pod or container) and a non-zero "
    "`runAsUser`, and build the image with a non-root USER.",
    references=[PSS, SECURITY_CONTEXT],
    compliance={**ROOT, "cis_kubernetes": ["5.2.7"]},
)


@implements(RUN_AS_NON_ROOT, FRAMEWORK, *WORKLOADS)
def _run_as_non_root(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        non_root, path = effective(res, c, "runAsNonRoot")
        uid, _uid_path = effective(res, c, "runAsUser")
        if is_true(non_root) or (_uid(uid) or 0) > 0:
            continue
        state = "false" if is_false(non_root) else "not set"
        yield fail(
            res, f"{c.label}: runAsNonRoot is {state} and no non-zero runAsUser", path, c.key
        )


RUN_AS_ROOT_UID = define(
    "CW-K8S-010",
    "Container runs as UID 0",
    "HIGH",
    description="`runAsUser: 0` runs the container's processes as root, so any escape from the "
    "container lands as root on the node.",
    remediation="Set `runAsUser` to a non-zero UID (10000 and above avoids clashing with host "
    "users) and `runAsNonRoot: true`.",
    references=[PSS, SECURITY_CONTEXT],
    compliance={**ROOT, "cis_kubernetes": ["5.2.7"]},
)


@implements(RUN_AS_ROOT_UID, FRAMEWORK, *WORKLOADS)
def _root_uid(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        uid, path = effective(res, c, "runAsUser")
        if _uid(uid) == 0:
            yield fail(res, f"{c.label} runs as UID 0", path, c.key)


ROOT_GROUP = define(
    "CW-K8S-011",
    "Container runs with the root group",
    "MEDIUM",
    description="GID 0 (runAsGroup, fsGroup or a supplemental group) gives access to every file "
    "the root group can read or write, on volumes and in the image.",
    remediation="Use non-zero `runAsGroup`, `fsGroup` and `supplementalGroups`.",
    references=[SECURITY_CONTEXT],
    compliance=ROOT,
)


@implements(ROOT_GROUP, FRAMEWORK, *WORKLOADS)
def _root_group(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    spec, base = pod(res)
    if spec is None:
        return
    if _uid(get(spec, "securityContext.fsGroup")) == 0:
        yield fail(res, "pod sets fsGroup 0", f"{base}.securityContext.fsGroup", "fsGroup")
    groups = as_list(get(spec, "securityContext.supplementalGroups"))
    if any(_uid(g) == 0 for g in groups):
        path = f"{base}.securityContext.supplementalGroups"
        yield fail(res, "pod adds supplemental group 0", path, "supplementalGroups")
    for c in containers(res):
        gid, path = effective(res, c, "runAsGroup")
        if _uid(gid) == 0:
            yield fail(res, f"{c.label} runs with group 0", path, c.key)


AUTOMOUNT = define(
    "CW-K8S-031",
    "Pod mounts a service account token it may not need",
    "MEDIUM",
    description="Unless disabled, every pod gets its service account's API token mounted; an "
    "attacker in the container can then call the Kubernetes API with that identity.",
    remediation="Set `automountServiceAccountToken: false` on the pod (or on its ServiceAccount) "
    "and mount a projected token only where the workload calls the API.",
    references=[SA_DOC, "https://kubernetes.io/docs/concepts/security/service-accounts/"],
    compliance={**SA_TOKEN, "cis_kubernetes": ["5.1.6"]},
)


def _namespace(obj: dict[str, Any]) -> Any:
    return get(obj, "metadata.namespace") or "default"


def _account_name(spec: dict[str, Any]) -> str:
    return str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default")


@implements(AUTOMOUNT, FRAMEWORK, *WORKLOADS)
def _automount(res: Resource, ctx: CheckContext) -> Failure | None:
    spec, base = pod(res)
    if spec is None:
        return None
    value = spec.get("automountServiceAccountToken")
    if is_false(value):
        return None
    account = _account_name(spec)
    if value is None:
        namespace = _namespace(res.attributes)
        for sa in ctx.of_type("ServiceAccount"):
            obj = sa.attributes
            same = get(obj, "metadata.name") == account and _namespace(obj) == namespace
            if same and is_false(obj.get("automountServiceAccountToken")):
                return None
    path = f"{base}.automountServiceAccountToken"
    return fail(res, f"pod mounts the token of service account {account!r}", path, "automount")


SA_AUTOMOUNT = define(
    "CW-K8S-032",
    "ServiceAccount token is mounted into pods by default",
    "LOW",
    description="A ServiceAccount without `automountServiceAccountToken: false` has its token "
    "mounted into every pod that uses it, whether the pod calls the API or not.",
    remediation="Set `automountServiceAccountToken: false` on the ServiceAccount and opt in per "
    "pod where needed.",
    references=[SA_DOC],
    compliance={**SA_TOKEN, "cis_kubernetes": ["5.1.5", "5.1.6"]},
)


@implements(SA_AUTOMOUNT, FRAMEWORK, "ServiceAccount")
def _sa_automount(res: Resource, _ctx: CheckContext) -> Failure | None:
    if is_false(res.attributes.get("automountServiceAccountToken")):
        return None
    path = "automountServiceAccountToken"
    return fail(res, "ServiceAccount does not disable token automounting", path, path)


DEFAULT_SA = define(
    "CW-K8S-034",
    "Pod runs as the default service account",
    "LOW",
    description="The namespace's default service account is shared by every pod that does not "
    "name one; permissions granted to it leak to all of them.",
    remediation="Create a dedicated ServiceAccount per workload and set `serviceAccountName`, "
    "or disable token automounting for the pod.",
    references=[SA_DOC],
    compliance={**SA_TOKEN, "cis_kubernetes": ["5.1.5"]},
)


@implements(DEFAULT_SA, FRAMEWORK, *WORKLOADS)
def _default_sa(res: Resource, _ctx: CheckContext) -> Failure | None:
    spec, base = pod(res)
    if spec is None or is_false(spec.get("automountServiceAccountToken")):
        return None
    if _account_name(spec) != "default":
        return None
    path = f"{base}.serviceAccountName"
    return fail(res, "pod uses the default service account", path, "serviceAccountName")
