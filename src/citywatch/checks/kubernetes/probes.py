"""Health probes: without them Kubernetes keeps broken containers running and serving traffic."""

from __future__ import annotations

from collections.abc import Iterator

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import (
    FRAMEWORK,
    WORKLOADS,
    compliance,
    containers,
    fail,
    pod,
)
from citywatch.model import Resource

PROBES_DOC = (
    "https://kubernetes.io/docs/tasks/configure-pod-container/"
    "configure-liveness-readiness-startup-probes/"
)
HEALTH = compliance(["CP-10", "SI-4"], ["A.8.16", "A.8.14"], ["A1.2", "CC7.2"])
# run-to-completion workloads are not long-running services: probes do not apply
LONG_RUNNING = tuple(k for k in WORKLOADS if k not in ("Job", "CronJob"))


def _probe_check(check_id: str, probe: str, why: str) -> None:
    check = define(
        check_id,
        f"Container has no {probe} probe",
        "LOW",
        description=why,
        remediation=f"Add a `{probe}Probe` (HTTP, TCP, gRPC or exec) to every long-running "
        "container.",
        references=[PROBES_DOC],
        compliance=HEALTH,
    )

    @implements(check, FRAMEWORK, *LONG_RUNNING)
    def _impl(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
        if _runs_to_completion(res):
            return
        for c in containers(res, ("containers",)):
            if not isinstance(c.spec.get(f"{probe}Probe"), dict):
                yield fail(res, f"{c.label} has no {probe}Probe", c.path, c.key)


def _runs_to_completion(res: Resource) -> bool:
    """A bare Pod that is never restarted (Helm test hooks, one-off tasks) is not a service.

    A workload controller (Deployment, ...) always restarts its pods, whatever they say.
    """
    if res.kind != "Pod":
        return False
    spec, _base = pod(res)
    return spec is not None and spec.get("restartPolicy") in ("Never", "OnFailure")


_probe_check(
    "CW-K8S-029",
    "liveness",
    "Without a liveness probe a hung or deadlocked container is never restarted.",
)
_probe_check(
    "CW-K8S-030",
    "readiness",
    "Without a readiness probe a container receives traffic before it is ready and while it is "
    "failing.",
)
