"""Read-only snapshot of a live cluster through the official `kubernetes` client.

Only `list` requests are made (GET on collection URLs, paginated with `limit`/`continue`); the
exact resources are in `LIVE_RESOURCES` and documented in docs/kubernetes.md. A collection that
cannot be listed (403, 404, network) becomes an error and the rest of the snapshot goes on.
"""

from __future__ import annotations

import json
from typing import Any

from citywatch.model import Resource

# (API path prefix, resource plural, kind)
LIVE_RESOURCES: tuple[tuple[str, str, str], ...] = (
    ("/api/v1", "namespaces", "Namespace"),
    ("/api/v1", "pods", "Pod"),
    ("/api/v1", "replicationcontrollers", "ReplicationController"),
    ("/apis/apps/v1", "deployments", "Deployment"),
    ("/apis/apps/v1", "daemonsets", "DaemonSet"),
    ("/apis/apps/v1", "statefulsets", "StatefulSet"),
    ("/apis/apps/v1", "replicasets", "ReplicaSet"),
    ("/apis/batch/v1", "jobs", "Job"),
    ("/apis/batch/v1", "cronjobs", "CronJob"),
    ("/apis/networking.k8s.io/v1", "networkpolicies", "NetworkPolicy"),
    ("/apis/rbac.authorization.k8s.io/v1", "roles", "Role"),
    ("/apis/rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole"),
    ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding"),
    ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding"),
)
PAGE = 500
MAX_PAGES = 10_000


class ListError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status} {reason}")


def _get(api: Any, path: str, query: list[tuple[str, Any]]) -> Any:
    method, url, headers, body, post = api.param_serialize(
        "GET",
        path,
        query_params=query,
        header_params={"Accept": "application/json"},
        auth_settings=["BearerToken"],
    )
    resp = api.call_api(
        method, url, header_params=headers, body=body, post_params=post, _request_timeout=30
    )
    resp.read()
    if resp.status >= 400:
        try:
            reason = str(json.loads(resp.data).get("reason") or resp.reason)
        except (ValueError, AttributeError):
            reason = str(resp.reason)
        raise ListError(resp.status, reason)
    return json.loads(resp.data)


def _list(api: Any, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = ""
    for _ in range(MAX_PAGES):
        query: list[tuple[str, Any]] = [("limit", PAGE)]
        if token:
            query.append(("continue", token))
        data = _get(api, path, query)
        page = data.get("items") if isinstance(data, dict) else None
        if isinstance(page, list):
            items.extend(i for i in page if isinstance(i, dict))
        meta = data.get("metadata") if isinstance(data, dict) else None
        token = str(meta.get("continue") or "") if isinstance(meta, dict) else ""
        if not token:
            break
    return items


def load_cluster(
    kubeconfig: str | None, context: str | None
) -> tuple[list[Resource], list[tuple[str, str, int | None]]]:
    """List every resource the analyses need; errors are (source, reason, None)."""
    from kubernetes import config

    from citywatch.k8s.load import objects_to_resources

    where = f"cluster:{context or 'current-context'}"
    try:
        api = config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=kubeconfig, context=context
        )
    except Exception as exc:  # missing file, bad context, bad YAML
        return [], [(kubeconfig or "~/.kube/config", f"cannot load kubeconfig: {exc}", None)]
    out: list[Resource] = []
    errors: list[tuple[str, str, int | None]] = []
    try:
        for prefix, plural, kind in LIVE_RESOURCES:
            path = f"{prefix}/{plural}"
            try:
                items = _list(api, path)
            except ListError as exc:
                errors.append((where, f"list {plural}: {exc}", None))
                continue
            except Exception as exc:  # connection refused, TLS, timeouts, bad JSON
                errors.append((where, f"list {plural}: {type(exc).__name__}: {exc}", None))
                continue
            for item in items:
                item.setdefault("kind", kind)
            out.extend(objects_to_resources(items, f"{where}{path}"))
    finally:
        api.close()
    return out, errors
