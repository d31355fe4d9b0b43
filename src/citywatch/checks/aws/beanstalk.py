"""Elastic Beanstalk: credentials in plain environment properties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citywatch.checks.aws._common import CFN, TF, implements, mask, secret_value, secrets_exposure
from citywatch.checks.base import CheckContext, Failure, attr, blocks, define
from citywatch.model import Resource

ENV_NAMESPACE = "aws:elasticbeanstalk:application:environment"

env_secrets = define(
    "CW-AWS-BEANSTALK-001",
    "Elastic Beanstalk environment has secrets in plain environment properties",
    "HIGH",
    description="Environment properties are stored in the environment configuration and shown "
    "to anyone who can describe it.",
    remediation="Reference Secrets Manager or SSM Parameter Store values (environment secrets) "
    "instead of literal credentials.",
    references=[
        "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/"
        "environments-cfg-softwaresettings.html"
    ],
    compliance=secrets_exposure(),
)


def _settings(
    items: list[dict[str, Any]], path: str, keys: tuple[str, str, str]
) -> Iterator[Failure]:
    ns_key, name_key, value_key = keys
    for i, item in enumerate(items):
        if attr(item, ns_key) != ENV_NAMESPACE:
            continue
        name, value = str(attr(item, name_key, "")), item.get(value_key)
        if secret_value(name, value):
            yield Failure(
                f"{name} holds a literal secret ({mask(str(value))})", f"{path}.{i}", key=name
            )


@implements(env_secrets, TF, "aws_elastic_beanstalk_environment")
def _tf_env(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _settings(blocks(res, "setting"), "setting", ("namespace", "name", "value"))


@implements(env_secrets, CFN, "AWS::ElasticBeanstalk::Environment")
def _cfn_env(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _settings(
        blocks(res, "OptionSettings"), "OptionSettings", ("Namespace", "OptionName", "Value")
    )
