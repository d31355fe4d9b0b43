"""Cloud Functions (1st and 2nd gen) and their Cloud Run services: public invocation, ingress,
and secrets in environment variables."""

from __future__ import annotations

import re

from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.checks.gcp._helpers import (
    GCLOUD,
    compliance,
    iam_members,
    iam_types,
    is_public_member,
    tf_doc,
)
from citywatch.model import UNKNOWN, Resource

GEN1 = "google_cloudfunctions_function"
GEN2 = "google_cloudfunctions2_function"
INVOKER_GRANTS = (
    *iam_types(GEN1),
    *iam_types(GEN2),
    *iam_types("google_cloud_run_service"),
    *iam_types("google_cloud_run_v2_service"),
)
INVOKER_ROLES = {"roles/cloudfunctions.invoker", "roles/run.invoker"}

PUBLIC_INVOKER = define(
    "CW-GCP-FUNCTIONS-001",
    "Cloud Function can be invoked by anyone",
    "HIGH",
    description="The invoker role granted to allUsers or allAuthenticatedUsers lets anyone on "
    "the internet call the function without authentication.",
    remediation="Grant roles/cloudfunctions.invoker (or roles/run.invoker for 2nd gen) only to "
    "the service accounts and users that call the function.",
    references=[
        tf_doc("google_cloudfunctions_function_iam"),
        GCLOUD + "functions/docs/securing/managing-access-iam",
    ],
    compliance=compliance(["AC-3", "IA-2"], ["A.5.15", "A.8.5"], ["CC6.1"]),
)


@implements(PUBLIC_INVOKER, "terraform", *INVOKER_GRANTS)
def _public_invoker(res: Resource, ctx: CheckContext) -> CheckResult:
    role = str(attr(res, "role", ""))
    if role.lower() not in INVOKER_ROLES:
        return None
    return [
        Failure(f"{member} is granted {role}", path, key=member)
        for path, member in iam_members(res)
        if is_public_member(member)
    ]


INGRESS = define(
    "CW-GCP-FUNCTIONS-002",
    "Cloud Function accepts traffic from the internet",
    "MEDIUM",
    description="With ingress ALLOW_ALL (the default) the function's URL is reachable from "
    "anywhere, not just from the VPC or through a load balancer with Cloud Armor.",
    remediation='Set `ingress_settings = "ALLOW_INTERNAL_ONLY"` or '
    '"ALLOW_INTERNAL_AND_GCLB" (in `service_config` for 2nd gen).',
    references=[tf_doc(GEN1), tf_doc(GEN2), GCLOUD + "functions/docs/networking/network-settings"],
    compliance=compliance(["SC-7"], ["A.8.20", "A.8.22"], ["CC6.6"]),
)


def _ingress(res: Resource, path: str, line_path: str) -> CheckResult:
    setting = attr(res, path)
    if setting is None:
        return Failure("Ingress is ALLOW_ALL (provider default)")
    if str(setting).upper() == "ALLOW_ALL":
        return Failure("Ingress is ALLOW_ALL", line_path)
    return None


@implements(INGRESS, "terraform", GEN1)
def _ingress_gen1(res: Resource, ctx: CheckContext) -> CheckResult:
    return _ingress(res, "ingress_settings", "ingress_settings")


@implements(INGRESS, "terraform", GEN2)
def _ingress_gen2(res: Resource, ctx: CheckContext) -> CheckResult:
    return _ingress(res, "service_config.ingress_settings", "service_config.0.ingress_settings")


SECRET_NAME = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential)", re.IGNORECASE
)

ENV_SECRETS = define(
    "CW-GCP-FUNCTIONS-003",
    "Cloud Function has a secret in a plain environment variable",
    "HIGH",
    description="Environment variables are visible to anyone who can view the function and are "
    "stored in Terraform state and the function's configuration in clear text.",
    remediation="Store the value in Secret Manager and reference it with `secret_environment_"
    "variables` (in `service_config` for 2nd gen).",
    references=[tf_doc(GEN1), GCLOUD + "functions/docs/configuring/secrets"],
    compliance=compliance(["IA-5", "SC-28"], ["A.5.17", "A.8.24"], ["CC6.1"], ["1.17"]),
)


def _env_secrets(res: Resource, path: str, line_path: str) -> CheckResult:
    env = attr(res, path)
    if not isinstance(env, dict):
        return None
    out = []
    for name, value in env.items():
        if value is UNKNOWN or not isinstance(value, str) or not value.strip():
            continue  # computed values (references to secrets) are not literals in the code
        if SECRET_NAME.search(name):
            out.append(
                Failure(f"Environment variable {name} holds a literal secret", line_path, key=name)
            )
    return out


@implements(ENV_SECRETS, "terraform", GEN1)
def _env_secrets_gen1(res: Resource, ctx: CheckContext) -> CheckResult:
    return _env_secrets(res, "environment_variables", "environment_variables")


@implements(ENV_SECRETS, "terraform", GEN2)
def _env_secrets_gen2(res: Resource, ctx: CheckContext) -> CheckResult:
    return _env_secrets(
        res, "service_config.environment_variables", "service_config.0.environment_variables"
    )
