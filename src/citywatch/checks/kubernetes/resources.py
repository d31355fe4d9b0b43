"""Resource requests, limits and replicas: one noisy pod must not starve or stop a service."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import (
    FRAMEWORK,
    WORKLOADS,
    compliance,
    containers,
    fail,
    get,
)
from citywatch.model import Resource

CAPACITY = compliance(["SC-6", "SC-5"], ["A.8.6"], ["A1.1", "CC7.2"])
RESOURCES_DOC = "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"
LIMIT_RANGE = "https://kubernetes.io/docs/concepts/policy/limit-range/"


def _resource_check(
    check_id: str, field: str, resource: str, severity: str, why: str, fix: str
) -> None:
    check = define(
        check_id,
        f"Container has no {resource.upper() if resource == 'cpu' else resource} {field[:-1]}",
        severity,
        description=why,
        remediation=fix,
        references=[RESOURCES_DOC, LIMIT_RANGE],
        compliance=CAPACITY,
    )

    @implements(check, FRAMEWORK, *WORKLOADS)
    def _impl(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
        for c in containers(res, ("initContainers", "containers")):
            if get(c.spec, f"resources.{field}.{resource}") in (None, ""):
                path = f"{c.path}.resources.{field}"
                what = f"{resource} {field[:-1]}"
                yield fail(res, f"{c.label} sets no {what}", path, c.key)


_resource_check(
    "CW-K8S-022",
    "requests",
    "cpu",
    "LOW",
    "Without a CPU request the scheduler cannot place the pod sensibly and the container gets "
    "the lowest share under contention.",
    "Set `resources.requests.cpu` to the CPU the container needs in steady state.",
)
_resource_check(
    "CW-K8S-023",
    "limits",
    "cpu",
    "LOW",
    "Without a CPU limit one container can use every core of the node and slow its neighbours "
    "(a denial of service from a bug or a compromise).",
    "Set `resources.limits.cpu`, or enforce a default with a LimitRange in the namespace.",
)
_resource_check(
    "CW-K8S-024",
    "requests",
    "memory",
    "LOW",
    "Without a memory request the pod is scheduled as if it used no memory and is first to be "
    "evicted under pressure.",
    "Set `resources.requests.memory` to the container's working set.",
)
_resource_check(
    "CW-K8S-025",
    "limits",
    "memory",
    "MEDIUM",
    "Without a memory limit a leaking or attacked container can exhaust the node's memory and "
    "trigger the OOM killer on other workloads.",
    "Set `resources.limits.memory`, or enforce a default with a LimitRange in the namespace.",
)

REPLICAS = define(
    "CW-K8S-050",
    "Workload runs a single replica",
    "LOW",
    description="One replica means any node drain, eviction or crash takes the service down. "
    "Workloads scaled by a HorizontalPodAutoscaler in the same scan are not reported.",
    remediation="Set `spec.replicas` to 2 or more (with a PodDisruptionBudget), or scale the "
    "workload with a HorizontalPodAutoscaler.",
    references=[
        "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/",
        "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
    ],
    compliance=compliance(["CP-10", "SC-5"], ["A.8.14"], ["A1.2"]),
)


def _autoscaled(res: Resource, ctx: CheckContext) -> bool:
    name = get(res.attributes, "metadata.name")
    namespace = get(res.attributes, "metadata.namespace") or "default"
    for hpa in ctx.of_type("HorizontalPodAutoscaler"):
        obj = hpa.attributes
        target = get(obj, "spec.scaleTargetRef") or {}
        if (
            isinstance(target, dict)
            and target.get("kind") == res.kind
            and target.get("name") == name
            and (get(obj, "metadata.namespace") or "default") == namespace
        ):
            return True
    return False


@implements(REPLICAS, FRAMEWORK, "Deployment", "StatefulSet", "ReplicaSet")
def _replicas(res: Resource, ctx: CheckContext) -> Failure | None:
    replicas = get(res.attributes, "spec.replicas")
    if replicas is None:
        if _autoscaled(res, ctx):
            return None
        return fail(res, "spec.replicas is not set (defaults to 1)", "spec", "replicas")
    if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas == 1:
        return fail(res, "spec.replicas is 1", "spec.replicas", "replicas")
    return None
