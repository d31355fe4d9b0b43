"""Credentials in manifests: literal env values, env-var secrets, ConfigMaps and Secret objects.

Messages name the variable or key, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from citywatch.checks.base import CheckContext, Failure, define, implements
from citywatch.checks.kubernetes._common import (
    FRAMEWORK,
    WORKLOADS,
    as_list,
    compliance,
    containers,
    fail,
    get,
)
from citywatch.checks.kubernetes._secretnames import (
    looks_like_literal_secret,
    looks_like_secret_name,
)
from citywatch.model import Resource

SECRET_DOC = "https://kubernetes.io/docs/concepts/configuration/secret/"
GOOD_PRACTICE = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"
CREDENTIALS = compliance(["IA-5", "SC-28"], ["A.5.17", "A.8.12"], ["CC6.1", "CC6.7"])

LITERAL_ENV = define(
    "CW-K8S-035",
    "Secret value set in a plain environment variable",
    "HIGH",
    description="A password, token or key written as a literal `env` value is stored in the "
    "manifest, in version control and in the API object, readable by anyone who can read the "
    "workload.",
    remediation="Move the value into a Secret (or an external secret store) and mount it as a "
    "file; rotate the exposed credential.",
    references=[SECRET_DOC, GOOD_PRACTICE],
    compliance={**CREDENTIALS, "cis_kubernetes": ["5.4.1"]},
)


@implements(LITERAL_ENV, FRAMEWORK, *WORKLOADS)
def _literal_env(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        for i, item in enumerate(as_list(c.spec.get("env"))):
            name = str(get(item, "name", ""))
            value = get(item, "value")
            if looks_like_secret_name(name) and looks_like_literal_secret(value):
                path = f"{c.path}.env.{i}.value"
                msg = f"{c.label} sets {name} to a literal value"
                yield fail(res, msg, path, f"{c.key}/{name}")


SECRET_ENV = define(
    "CW-K8S-036",
    "Secret exposed as an environment variable",
    "LOW",
    description="Secrets in environment variables leak through crash dumps, `/proc/<pid>/environ`"
    ", child processes and logging of the environment; files are easier to protect and rotate.",
    remediation="Mount the Secret as a volume and read the value from a file.",
    references=[SECRET_DOC, GOOD_PRACTICE],
    compliance={**CREDENTIALS, "cis_kubernetes": ["5.4.1"]},
)


@implements(SECRET_ENV, FRAMEWORK, *WORKLOADS)
def _secret_env(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    for c in containers(res):
        for i, item in enumerate(as_list(c.spec.get("env"))):
            ref = get(item, "valueFrom.secretKeyRef")
            if isinstance(ref, dict):
                name = str(get(item, "name", i))
                path = f"{c.path}.env.{i}.valueFrom.secretKeyRef"
                secret = ref.get("name", "?")
                msg = f"{c.label} reads secret {secret!r} into env var {name}"
                yield fail(res, msg, path, f"{c.key}/env/{name}")
        for i, item in enumerate(as_list(c.spec.get("envFrom"))):
            ref = get(item, "secretRef")
            if isinstance(ref, dict):
                path = f"{c.path}.envFrom.{i}.secretRef"
                secret = ref.get("name", "?")
                msg = f"{c.label} loads every key of secret {secret!r} as env vars"
                yield fail(res, msg, path, f"{c.key}/envFrom/{secret}")


_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_AWS_KEY = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
_ASSIGNMENT = re.compile(
    r"""^\s*["']?([\w.-]+)["']?\s*[:=]\s*["']?([^"'\s#]+)""",
    re.M,
)


def _secret_in_text(key: str, value: Any) -> str | None:
    """Why this ConfigMap entry looks like a credential, or None."""
    if not isinstance(value, str):
        return None
    if looks_like_secret_name(key) and looks_like_literal_secret(value) and "\n" not in value:
        return f"key {key!r} holds a literal credential"
    if _PRIVATE_KEY.search(value):
        return f"key {key!r} holds a private key"
    if _AWS_KEY.search(value):
        return f"key {key!r} holds an AWS access key id"
    for match in _ASSIGNMENT.finditer(value):
        name, literal = match.group(1), match.group(2)
        if looks_like_secret_name(name) and looks_like_literal_secret(literal):
            return f"key {key!r} sets {name} to a literal value"
    return None


CONFIGMAP = define(
    "CW-K8S-049",
    "ConfigMap contains a likely secret",
    "MEDIUM",
    description="ConfigMaps are not meant for confidential data: they are not encrypted at rest "
    "by the usual configuration and are readable by far more principals than Secrets.",
    remediation="Move the credential into a Secret or an external secret store, reference it "
    "from the workload, and rotate it.",
    references=["https://kubernetes.io/docs/concepts/configuration/configmap/", SECRET_DOC],
    compliance=CREDENTIALS,
)


@implements(CONFIGMAP, FRAMEWORK, "ConfigMap")
def _configmap(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    data = res.attributes.get("data")
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        reason = _secret_in_text(str(key), value)
        if reason:
            yield fail(res, reason, f"data.{key}", str(key))


SECRET_OBJECT = define(
    "CW-K8S-054",
    "Secret values committed in a manifest",
    "MEDIUM",
    description="A Secret manifest with `data` or `stringData` puts the credential (only "
    "base64-encoded) into version control and every copy of the repository.",
    remediation="Keep the manifest free of values: use an external secret store (External "
    "Secrets, Secrets Store CSI driver) or encrypt it (Sealed Secrets, SOPS); rotate the value.",
    references=[GOOD_PRACTICE, SECRET_DOC],
    compliance={**CREDENTIALS, "cis_kubernetes": ["5.4.2"]},
)


@implements(SECRET_OBJECT, FRAMEWORK, "Secret")
def _secret_object(res: Resource, _ctx: CheckContext) -> Iterator[Failure]:
    if str(res.attributes.get("type", "")) == "kubernetes.io/service-account-token":
        return
    for field in ("data", "stringData"):
        values = res.attributes.get(field)
        if not isinstance(values, dict):
            continue
        keys = [str(k) for k, v in values.items() if v not in (None, "")]
        if keys:
            msg = f"Secret {field} holds values for {', '.join(sorted(keys))}"
            yield fail(res, msg, field, field)
