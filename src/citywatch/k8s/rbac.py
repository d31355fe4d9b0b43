"""RBAC effective permissions with the semantics of the API server's RBAC authorizer.

Roles are indexed by (kind, namespace, name); bindings by namespace; each role's rules are compiled
once (aggregated ClusterRoles included). A question ("can this identity do VERB on RESOURCE in NS")
walks only the bindings that can apply: every ClusterRoleBinding plus the namespace's RoleBindings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from citywatch.k8s.selectors import Selector, labels_of
from citywatch.k8s.selectors import as_list as _as_list
from citywatch.model import Resource

RBAC_KINDS = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")

# resource -> API group for `who-can VERB RESOURCE` without an explicit `.group` (what kubectl's
# discovery would resolve on a stock cluster)
_GROUPED = {
    "": "pods services endpoints configmaps secrets serviceaccounts namespaces nodes "
    "persistentvolumes persistentvolumeclaims events limitranges resourcequotas "
    "replicationcontrollers podtemplates bindings componentstatuses",
    "apps": "deployments daemonsets statefulsets replicasets controllerrevisions",
    "batch": "jobs cronjobs",
    "rbac.authorization.k8s.io": "roles clusterroles rolebindings clusterrolebindings",
    "networking.k8s.io": "networkpolicies ingresses ingressclasses",
    "admissionregistration.k8s.io": "mutatingwebhookconfigurations "
    "validatingwebhookconfigurations validatingadmissionpolicies "
    "validatingadmissionpolicybindings",
    "certificates.k8s.io": "certificatesigningrequests signers",
    "storage.k8s.io": "storageclasses csidrivers csinodes volumeattachments",
    "policy": "poddisruptionbudgets",
    "autoscaling": "horizontalpodautoscalers",
    "coordination.k8s.io": "leases",
    "apiextensions.k8s.io": "customresourcedefinitions",
    "authentication.k8s.io": "tokenreviews",
    "authorization.k8s.io": "subjectaccessreviews selfsubjectaccessreviews "
    "localsubjectaccessreviews",
}
RESOURCE_GROUPS: dict[str, str] = {
    res: group for group, names in _GROUPED.items() for res in names.split()
}


def split_resource(text: str) -> tuple[str, str, str]:
    """`pods/exec` -> ("pods", "exec", ""); `deployments.apps` -> ("deployments", "", "apps")."""
    res, _, sub = text.strip().partition("/")
    res = res.lower()
    group = None
    if "." in res:
        res, _, group = res.partition(".")
    if group is None:
        group = RESOURCE_GROUPS.get(res, "")
    return res, sub, group


# --- rules ---------------------------------------------------------------------------------


def _strs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if v is not None)


@dataclass(frozen=True, slots=True)
class Rule:
    verbs: frozenset[str]
    groups: frozenset[str]
    resources: tuple[str, ...]
    names: frozenset[str]
    urls: tuple[str, ...]

    @classmethod
    def parse(cls, raw: Any) -> Rule:
        r = raw if isinstance(raw, dict) else {}
        return cls(
            frozenset(_strs(r.get("verbs"))),
            frozenset(_strs(r.get("apiGroups"))),
            _strs(r.get("resources")),
            frozenset(_strs(r.get("resourceNames"))),
            _strs(r.get("nonResourceURLs")),
        )

    def allows(self, verb: str, group: str, resource: str, sub: str, name: str) -> bool:
        if not ("*" in self.verbs or verb in self.verbs):
            return False
        if not ("*" in self.groups or group in self.groups):
            return False
        combined = f"{resource}/{sub}" if sub else resource
        for rr in self.resources:
            if rr == "*" or rr == combined:
                break
            if sub and rr == "*/" + sub:
                break
        else:
            return False
        return not self.names or name in self.names

    def allows_url(self, verb: str, path: str) -> bool:
        if not ("*" in self.verbs or verb in self.verbs):
            return False
        for u in self.urls:
            if u == "*" or u == path or (u.endswith("*") and path.startswith(u[:-1])):
                return True
        return False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"verbs": sorted(self.verbs)}
        if self.urls:
            out["nonResourceURLs"] = list(self.urls)
        else:
            out["apiGroups"] = sorted(self.groups)
            out["resources"] = list(self.resources)
        if self.names:
            out["resourceNames"] = sorted(self.names)
        return out

    def describe(self) -> str:
        verbs = ",".join(sorted(self.verbs))
        if self.urls:
            return f"{verbs} on nonResourceURLs {','.join(self.urls)}"
        groups = ",".join(g or "core" for g in sorted(self.groups))
        names = f" names {','.join(sorted(self.names))}" if self.names else ""
        return f"{verbs} on {','.join(self.resources)} ({groups}){names}"


# --- objects -------------------------------------------------------------------------------


@dataclass(slots=True)
class Role:
    kind: str
    namespace: str
    name: str
    rules: list[Rule]
    labels: dict[str, str]
    aggregation: list[Selector] | None
    source: Resource | None = None

    @property
    def ref(self) -> str:
        return (
            f"{self.kind}/{self.namespace}/{self.name}"
            if self.namespace
            else (f"{self.kind}/{self.name}")
        )


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str
    name: str
    namespace: str = ""

    def describe(self) -> str:
        if self.kind == "ServiceAccount":
            return f"ServiceAccount {self.namespace}/{self.name}"
        return f"{self.kind} {self.name}"

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "namespace": self.namespace}


@dataclass(slots=True)
class Binding:
    kind: str
    namespace: str
    name: str
    role_kind: str
    role_name: str
    subjects: list[Subject]
    source: Resource | None = None

    @property
    def ref(self) -> str:
        return (
            f"{self.kind}/{self.namespace}/{self.name}"
            if self.namespace
            else (f"{self.kind}/{self.name}")
        )


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is asking: a user name plus groups, the way the authenticator hands them over."""

    user: str
    groups: frozenset[str]
    label: str

    @classmethod
    def parse(cls, text: str, extra_groups: Iterable[str] = ()) -> Identity:
        """`alice`, `User:alice`, `Group:devs`, `ServiceAccount:ns:name`, `sa:ns/name`,
        `system:serviceaccount:ns:name`."""
        raw = text.strip()
        kind, sep, rest = raw.partition(":")
        low = kind.lower()
        if raw.startswith("system:serviceaccount:"):
            ns, _, name = raw[len("system:serviceaccount:") :].partition(":")
            return cls.service_account(ns, name, extra_groups)
        if sep and low in ("serviceaccount", "sa"):
            ns, _, name = rest.replace("/", ":").partition(":")
            if not ns or not name:
                raise ValueError(f"service account must be NAMESPACE:NAME, got {rest!r}")
            return cls.service_account(ns, name, extra_groups)
        if sep and low == "group":
            return cls("", frozenset([rest, *extra_groups]), f"Group {rest}")
        user = rest if sep and low == "user" else raw
        if not user:
            raise ValueError("empty subject")
        base = "system:unauthenticated" if user == "system:anonymous" else "system:authenticated"
        return cls(user, frozenset([base, *extra_groups]), f"User {user}")

    @classmethod
    def service_account(cls, ns: str, name: str, extra: Iterable[str] = ()) -> Identity:
        groups = {"system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"}
        return cls(
            f"system:serviceaccount:{ns}:{name}",
            frozenset(groups | set(extra)),
            f"ServiceAccount {ns}/{name}",
        )

    def matches(self, subject: Subject, binding_ns: str) -> bool:
        if subject.kind == "User":
            return bool(self.user) and subject.name == self.user
        if subject.kind == "Group":
            return subject.name in self.groups
        if subject.kind == "ServiceAccount":
            ns = subject.namespace or binding_ns
            return self.user == f"system:serviceaccount:{ns}:{subject.name}"
        return False


@dataclass(slots=True)
class Grant:
    """One path from a subject to a permission: binding -> role -> rule."""

    subject: Subject
    binding: Binding
    role: Role
    rule: Rule

    def chain(self) -> dict[str, Any]:
        return {
            "subject": self.subject.to_dict(),
            "binding": {
                "kind": self.binding.kind,
                "name": self.binding.name,
                "namespace": self.binding.namespace,
            },
            "role": {
                "kind": self.role.kind,
                "name": self.role.name,
                "namespace": self.role.namespace,
            },
            "rule": self.rule.to_dict(),
        }

    def describe(self) -> str:
        return (
            f"{self.subject.describe()} -> {self.binding.ref} -> {self.role.ref} -> "
            f"{self.rule.describe()}"
        )


_BUILTIN_CACHE: dict[str, Role] = {}


def _builtin(name: str) -> Role | None:
    """cluster-admin, admin, edit, view: present in every cluster even if not in the input."""
    from citywatch.k8s.rbac_builtin import BUILTIN_CLUSTER_ROLES

    if name not in BUILTIN_CLUSTER_ROLES:
        return None
    if name not in _BUILTIN_CACHE:
        rules = [Rule.parse(r) for r in BUILTIN_CLUSTER_ROLES[name]]
        _BUILTIN_CACHE[name] = Role("ClusterRole", "", name, rules, {}, None, None)
    return _BUILTIN_CACHE[name]


@dataclass(slots=True)
class RBACGraph:
    roles: dict[tuple[str, str, str], Role] = field(default_factory=dict)
    cluster_bindings: list[Binding] = field(default_factory=list)
    namespaced_bindings: dict[str, list[Binding]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    # -- building --

    @classmethod
    def from_resources(cls, resources: Iterable[Resource]) -> RBACGraph:
        g = cls()
        for res in resources:
            if res.kind in RBAC_KINDS and isinstance(res.attributes, dict):
                g.add(res.attributes, res)
        g.aggregate()
        return g

    def add(self, obj: dict[str, Any], source: Resource | None = None) -> None:
        kind = str(obj.get("kind", ""))
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        assert isinstance(meta, dict)
        name = str(meta.get("name", ""))
        # a namespaced object without metadata.namespace is created in `default` (as pss/netpol)
        ns = str(meta.get("namespace") or "default") if kind in ("Role", "RoleBinding") else ""
        if kind in ("Role", "ClusterRole"):
            agg = obj.get("aggregationRule")
            selectors = None
            if kind == "ClusterRole" and isinstance(agg, dict):
                selectors = [
                    Selector(s) for s in _as_list(agg.get("clusterRoleSelectors")) if s is not None
                ]
            rules_raw = obj.get("rules")
            rules = [Rule.parse(r) for r in rules_raw] if isinstance(rules_raw, list) else []
            self.roles[(kind, ns, name)] = Role(
                kind, ns, name, rules, labels_of(obj), selectors, source
            )
        elif kind in ("RoleBinding", "ClusterRoleBinding"):
            ref = obj.get("roleRef") if isinstance(obj.get("roleRef"), dict) else {}
            assert isinstance(ref, dict)
            subjects = []
            for s in _as_list(obj.get("subjects")):
                if isinstance(s, dict):
                    subjects.append(
                        Subject(
                            str(s.get("kind", "")),
                            str(s.get("name", "")),
                            _subject_namespace(s, kind, ns),
                        )
                    )
            b = Binding(
                kind,
                ns,
                name,
                str(ref.get("kind", "")),
                str(ref.get("name", "")),
                subjects,
                source,
            )
            if kind == "ClusterRoleBinding":
                self.cluster_bindings.append(b)
            else:
                self.namespaced_bindings.setdefault(ns, []).append(b)

    def aggregate(self) -> None:
        """Fill aggregated ClusterRoles the way the aggregation controller does (transitively)."""
        cluster_roles = [r for (k, _, _), r in self.roles.items() if k == "ClusterRole"]
        aggregated = [r for r in cluster_roles if r.aggregation is not None]
        if not aggregated:
            return
        for _ in range(len(aggregated)):  # fixed point; chains are at most this long
            changed = False
            for role in aggregated:
                assert role.aggregation is not None
                have = set(role.rules)
                for other in cluster_roles:
                    if other is role or not any(sel(other.labels) for sel in role.aggregation):
                        continue
                    for rule in other.rules:
                        if rule not in have:
                            have.add(rule)
                            role.rules.append(rule)
                            changed = True
            if not changed:
                break

    # -- lookups --

    def role_for(self, b: Binding) -> Role | None:
        if b.role_kind == "ClusterRole":
            role = self.roles.get(("ClusterRole", "", b.role_name))
            return role if role is not None else _builtin(b.role_name)
        if b.role_kind == "Role" and b.kind == "RoleBinding":
            return self.roles.get(("Role", b.namespace, b.role_name))
        return None

    def bindings_for(self, namespace: str) -> Iterator[Binding]:
        """Bindings that apply to a request in `namespace` ("" = cluster-scoped)."""
        yield from self.cluster_bindings
        if namespace:
            yield from self.namespaced_bindings.get(namespace, ())

    def all_bindings(self) -> Iterator[Binding]:
        yield from self.cluster_bindings
        for bs in self.namespaced_bindings.values():
            yield from bs

    def _rule_matches(
        self,
        b: Binding,
        rule: Rule,
        verb: str,
        group: str,
        res: str,
        sub: str,
        name: str,
        url: str | None,
    ) -> bool:
        if url is not None:
            # nonResourceURLs only count from ClusterRoles bound cluster-wide
            return b.kind == "ClusterRoleBinding" and rule.allows_url(verb, url)
        return bool(rule.resources) and rule.allows(verb, group, res, sub, name)

    def who_can(
        self,
        verb: str,
        resource: str,
        namespace: str = "",
        name: str = "",
        group: str | None = None,
        url: str | None = None,
    ) -> list[Grant]:
        """Every (subject, binding, role, rule) that allows the request."""
        res, sub, default_group = split_resource(resource) if url is None else ("", "", "")
        grp = default_group if group is None else group
        verb = verb.lower()
        out: list[Grant] = []
        cache: dict[tuple[str, str, str, str], Rule | None] = {}
        for b in self.bindings_for(namespace):
            role = self.role_for(b)
            if role is None or not b.subjects:
                continue
            key = (b.kind, role.kind, role.namespace, role.name)
            if key in cache:
                rule = cache[key]
            else:
                rule = next(
                    (
                        r
                        for r in role.rules
                        if self._rule_matches(b, r, verb, grp, res, sub, name, url)
                    ),
                    None,
                )
                cache[key] = rule
            if rule is None:
                continue
            for s in b.subjects:
                out.append(Grant(s, b, role, rule))
        return out

    def can(
        self,
        who: Identity,
        verb: str,
        resource: str,
        namespace: str = "",
        name: str = "",
        group: str | None = None,
        url: str | None = None,
    ) -> Grant | None:
        """`kubectl auth can-i`: the first grant that allows `who` the request, if any."""
        for g in self.who_can(verb, resource, namespace, name, group, url):
            if who.matches(g.subject, g.binding.namespace):
                return g
        return None

    def grants_of(self, who: Identity) -> list[Grant]:
        """Every rule `who` holds, with the binding that gives it (a `can-i --list` per scope)."""
        out = []
        for b in self.all_bindings():
            subj = next((s for s in b.subjects if who.matches(s, b.namespace)), None)
            if subj is None:
                continue
            role = self.role_for(b)
            if role is None:
                continue
            for rule in role.rules:
                if rule.urls and b.kind != "ClusterRoleBinding":
                    continue
                out.append(Grant(subj, b, role, rule))
        return out

    def missing_roles(self) -> list[Binding]:
        return [b for b in self.all_bindings() if self.role_for(b) is None]


def _subject_namespace(subject: dict[str, Any], binding_kind: str, binding_ns: str) -> str:
    """A ServiceAccount subject of a RoleBinding without a namespace is in the binding's one
    (the authorizer's rule), so reports name it `ns/name`, not `/name`."""
    ns = str(subject.get("namespace") or "")
    if not ns and subject.get("kind") == "ServiceAccount" and binding_kind == "RoleBinding":
        return binding_ns
    return ns
