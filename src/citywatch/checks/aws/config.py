"""AWS Config: the configuration recorder records everything and is running."""

from __future__ import annotations

from citywatch.checks.aws._common import CFN, TF, configuration, connected, implements
from citywatch.checks.base import CheckContext, Failure, attr, define, truthy
from citywatch.model import Resource

CONFIG_DOCS = "https://docs.aws.amazon.com/config/latest/developerguide"

recorder = define(
    "CW-AWS-CONFIG-001",
    "AWS Config recorder does not record all resource types",
    "MEDIUM",
    description="A recorder limited to some resource types, or without global resources such "
    "as IAM, leaves configuration changes untracked.",
    remediation="Set recording_group { all_supported = true, include_global_resource_types = "
    "true } (RecordingGroup.AllSupported / IncludeGlobalResourceTypes).",
    references=[f"{CONFIG_DOCS}/select-resources.html"],
    compliance=configuration(["3.3"]),
)


def _recorder_failure(res: Resource, group: str, every: str, global_: str) -> Failure | None:
    missing = []
    if not truthy(attr(res, f"{group}.{every}", True)):
        missing.append(every)
    if not truthy(attr(res, f"{group}.{global_}", False)):
        missing.append(global_)
    if missing:
        return Failure(f"{', '.join(missing)} not enabled", group)
    return None


@implements(recorder, TF, "aws_config_configuration_recorder")
def _tf_recorder(res: Resource, ctx: CheckContext) -> Failure | None:
    return _recorder_failure(
        res, "recording_group", "all_supported", "include_global_resource_types"
    )


@implements(recorder, CFN, "AWS::Config::ConfigurationRecorder")
def _cfn_recorder(res: Resource, ctx: CheckContext) -> Failure | None:
    return _recorder_failure(res, "RecordingGroup", "AllSupported", "IncludeGlobalResourceTypes")


running = define(
    "CW-AWS-CONFIG-002",
    "AWS Config recorder is not started",
    "MEDIUM",
    description="A recorder without an enabled aws_config_configuration_recorder_status "
    "records nothing.",
    remediation="Add aws_config_configuration_recorder_status with is_enabled = true for the "
    "recorder.",
    references=[f"{CONFIG_DOCS}/stop-start-recorder.html"],
    compliance=configuration(["3.3"]),
)


@implements(running, TF, "aws_config_configuration_recorder")
def _tf_running(res: Resource, ctx: CheckContext) -> Failure | None:
    statuses = connected(ctx, res, "aws_config_configuration_recorder_status", [("name", "name")])
    if not statuses:
        return Failure("no aws_config_configuration_recorder_status starts this recorder")
    if any(truthy(attr(s, "is_enabled", False)) for s in statuses):
        return None
    return Failure(f"{statuses[0].name} has is_enabled = false")
