"""NetworkPolicy semantics, built from the examples in the Kubernetes documentation."""

from __future__ import annotations

import pytest

from citywatch.k8s.netpol import Cluster
from citywatch.k8s.netpol_findings import netpol_findings
from tests.k8s.helpers import resources

PODS = """
apiVersion: v1
kind: Namespace
metadata: {name: default}
---
apiVersion: v1
kind: Namespace
metadata: {name: myproject, labels: {project: myproject}}
---
apiVersion: v1
kind: Namespace
metadata: {name: alice-ns, labels: {user: alice}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: default, labels: {role: db}}
spec:
  containers:
  - name: redis
    image: redis
    ports: [{name: redis, containerPort: 6379}]
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: default, labels: {role: frontend}}
spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: backend, namespace: default, labels: {role: backend}}
spec: {containers: [{name: app, image: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: anything, namespace: myproject, labels: {app: x}}
spec: {containers: [{name: app, image: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: alice-ns, labels: {role: client}}
spec: {containers: [{name: app, image: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: alice-ns, labels: {role: other}}
spec: {containers: [{name: app, image: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: other, labels: {role: client}}
spec: {containers: [{name: app, image: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {role: client}}
spec: {containers: [{name: app, image: app}]}
"""

# the documentation's "test-network-policy" example
DOCS_EXAMPLE = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: test-network-policy, namespace: default}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
    - namespaceSelector: {matchLabels: {project: myproject}}
    - podSelector: {matchLabels: {role: frontend}}
    ports: [{protocol: TCP, port: 6379}]
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/24}}]
    ports: [{protocol: TCP, port: 5978}]
"""


def cluster(extra: str) -> Cluster:
    return Cluster.from_resources(resources(PODS + extra))


def allowed(
    c: Cluster, src: str, dst: str, port: int | str | None = None, protocol: str = "TCP"
) -> bool:
    s = c.find(src) or src
    d = c.find(dst) or dst
    return c.connection(s, d, port, protocol).allowed


def test_docs_example_ingress_sources_and_port() -> None:
    c = cluster(DOCS_EXAMPLE)
    assert allowed(c, "default/frontend", "default/db", 6379)
    assert allowed(c, "myproject/anything", "default/db", 6379)
    assert not allowed(c, "default/frontend", "default/db", 80)  # port not listed
    assert not allowed(c, "default/backend", "default/db", 6379)  # not a listed peer
    assert not allowed(c, "alice-ns/client", "default/db", 6379)
    assert not allowed(c, "default/frontend", "default/db", 6379, "UDP")
    # ipBlock with except
    assert allowed(c, "172.17.0.5", "default/db", 6379)
    assert not allowed(c, "172.17.1.5", "default/db", 6379)
    assert not allowed(c, "192.168.0.1", "default/db", 6379)


def test_docs_example_egress_is_isolated_by_policy_types() -> None:
    c = cluster(DOCS_EXAMPLE)
    assert allowed(c, "default/db", "10.0.0.7", 5978)
    assert not allowed(c, "default/db", "10.0.0.7", 80)
    assert not allowed(c, "default/db", "default/frontend", 80)  # egress isolated
    # a pod no policy selects is open both ways
    assert allowed(c, "default/frontend", "default/backend", 1234)


def test_the_deciding_rule_is_named() -> None:
    c = cluster(DOCS_EXAMPLE)
    db, fe = c.find("default/db"), c.find("default/frontend")
    assert db is not None and fe is not None
    v = c.connection(fe, db, 6379)
    assert v.allowed
    assert v.ingress == "NetworkPolicy default/test-network-policy ingress[0]"
    assert v.egress.startswith("not isolated")
    denied = c.connection(fe, db, 80)
    assert denied.to_dict()["allowed"] is False
    assert denied.rule == "ingress: isolated and no rule of a selecting policy allows it"
    back = c.connection(db, fe, 80)  # db's egress only goes to 10.0.0.0/24
    assert back.rule == "egress: isolated and no rule of a selecting policy allows it"


BOTH_SELECTORS_ONE_PEER = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: one-peer, namespace: default}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {user: alice}}
      podSelector: {matchLabels: {role: client}}
"""

TWO_PEERS = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: two-peers, namespace: default}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {user: alice}}
    - podSelector: {matchLabels: {role: client}}
"""


def test_one_peer_with_both_selectors_is_an_and() -> None:
    c = cluster(BOTH_SELECTORS_ONE_PEER)
    assert allowed(c, "alice-ns/client", "default/db")
    assert not allowed(c, "alice-ns/other", "default/db")  # right namespace, wrong pod
    assert not allowed(c, "default/client", "default/db")  # right pod, wrong namespace
    assert not allowed(c, "other/client", "default/db")


def test_two_peers_are_an_or() -> None:
    c = cluster(TWO_PEERS)
    assert allowed(c, "alice-ns/client", "default/db")
    assert allowed(c, "alice-ns/other", "default/db")  # any pod of alice's namespaces
    assert allowed(c, "default/client", "default/db")  # podSelector alone: policy's namespace
    assert not allowed(c, "other/client", "default/db")  # role=client elsewhere: no


@pytest.mark.parametrize(
    ("policy", "ingress_open", "egress_open"),
    [
        # default deny all ingress
        ("spec: {podSelector: {}, policyTypes: [Ingress]}", False, True),
        # allow all ingress
        ("spec: {podSelector: {}, ingress: [{}], policyTypes: [Ingress]}", True, True),
        # default deny all egress
        ("spec: {podSelector: {}, policyTypes: [Egress]}", True, False),
        # allow all egress
        ("spec: {podSelector: {}, egress: [{}], policyTypes: [Egress]}", True, True),
        # default deny all ingress and all egress
        ("spec: {podSelector: {}, policyTypes: [Ingress, Egress]}", False, False),
        # no policyTypes: Ingress always, Egress only because egress rules exist
        (
            "spec: {podSelector: {}, egress: [{to: [{podSelector: {matchLabels: {role: db}}}]}]}",
            False,
            False,
        ),
        # no policyTypes, no rules: ingress isolation only
        ("spec: {podSelector: {}}", False, True),
    ],
)
def test_default_policies(policy: str, ingress_open: bool, egress_open: bool) -> None:
    c = cluster(
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata: {{name: p, namespace: default}}\n{policy}\n"
    )
    # frontend -> backend inside the namespace exercises both directions
    assert allowed(c, "myproject/anything", "default/backend", 80) is ingress_open
    assert allowed(c, "default/backend", "myproject/anything", 80) is egress_open


def test_end_port_range() -> None:
    c = cluster(
        """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: multi-port-egress, namespace: default}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/24}}]
    ports: [{protocol: TCP, port: 32000, endPort: 32768}]
"""
    )
    assert allowed(c, "default/db", "10.0.0.1", 32000)
    assert allowed(c, "default/db", "10.0.0.1", 32768)
    assert not allowed(c, "default/db", "10.0.0.1", 32769)
    assert not allowed(c, "default/db", "10.0.0.1", 31999)


def test_named_port_is_resolved_on_the_destination_pod() -> None:
    c = cluster(
        """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: by-name, namespace: default}
spec:
  podSelector: {}
  ingress: [{ports: [{port: redis}]}]
"""
    )
    assert allowed(c, "default/frontend", "default/db", 6379)
    assert allowed(c, "default/frontend", "default/db", "redis")
    assert not allowed(c, "default/frontend", "default/db", 6380)
    # backend has no port named redis, so the rule admits nothing there
    assert not allowed(c, "default/frontend", "default/backend", 6379)


def test_matrix_by_namespace() -> None:
    c = cluster(
        """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: default}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-alice, namespace: default}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {user: alice}}}]}]
"""
    )
    m = c.namespace_matrix()
    assert m["alice-ns"]["default"] is True
    assert m["other"]["default"] is False
    assert m["myproject"]["default"] is False
    assert m["default"]["other"] is True  # egress is open and other is not isolated
    assert_matrix_agrees(c)


def assert_matrix_agrees(c: Cluster) -> None:
    """The bitset matrix gives the same answer as the pair-wise evaluation, port by port."""
    for port, protocol in ((None, "TCP"), (6379, "TCP"), (80, "TCP"), (53, "UDP")):
        reach = c.reach(port, protocol)
        for a in c.pods:
            for b in c.pods:
                expected = c.connection(a, b, port, protocol).allowed
                assert bool(reach[a.index] >> b.index & 1) == expected, (a.key, b.key, port)


@pytest.mark.parametrize(
    "policies",
    [DOCS_EXAMPLE, BOTH_SELECTORS_ONE_PEER, TWO_PEERS, ""],
)
def test_matrix_agrees_with_pairwise_answers(policies: str) -> None:
    named = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: by-name, namespace: alice-ns}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{ports: [{port: redis}, {port: 53, protocol: UDP}]}]
  egress: [{to: [{namespaceSelector: {}}], ports: [{port: redis}]}]
"""
    assert_matrix_agrees(cluster(policies + named))


def test_findings_name_missing_default_deny_and_open_pods() -> None:
    c = cluster(DOCS_EXAMPLE)
    found = {(f.check_id, f.resource) for f in netpol_findings(c)}
    assert ("CW-NETPOL-001", "Namespace/default") in found
    assert ("CW-NETPOL-003", "Pod/default/frontend") in found
    assert ("CW-NETPOL-003", "Pod/default/db") not in found
    # an unselected pod gets the one root-cause finding, not four derived ones
    assert ("CW-NETPOL-005", "Pod/default/frontend") not in found
    assert ("CW-NETPOL-006", "Pod/default/db") not in found  # egress only to 10.0.0.0/24
    assert ("CW-NETPOL-005", "Pod/default/db") not in found  # ipBlock 172.17.0.0/16 only


def test_open_ingress_findings_for_pods_isolated_only_for_egress() -> None:
    c = cluster(
        """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only, namespace: default}
spec: {podSelector: {}, policyTypes: [Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: world, namespace: alice-ns}
spec:
  podSelector: {matchLabels: {role: client}}
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
  - from: [{namespaceSelector: {}}]
"""
    )
    found = {(f.check_id, f.resource) for f in netpol_findings(c)}
    assert ("CW-NETPOL-004", "Pod/default/db") in found  # ingress not isolated
    assert ("CW-NETPOL-005", "Pod/default/db") in found
    assert ("CW-NETPOL-006", "Pod/default/db") not in found  # egress denied
    assert ("CW-NETPOL-002", "Namespace/default") not in found
    assert ("CW-NETPOL-004", "Pod/alice-ns/client") in found  # namespaceSelector: {}
    assert ("CW-NETPOL-005", "Pod/alice-ns/client") in found  # ipBlock 0.0.0.0/0
    assert ("CW-NETPOL-006", "Pod/alice-ns/client") in found  # egress not isolated
    assert ("CW-NETPOL-003", "Pod/alice-ns/other") in found


def test_metadata_egress_needs_an_except() -> None:
    policy = """
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: egress, namespace: default}}
spec:
  podSelector: {{}}
  policyTypes: [Egress]
  egress: [{{to: [{{ipBlock: {{cidr: 0.0.0.0/0{extra}}}}}]}}]
"""
    open_ = {
        f.resource
        for f in netpol_findings(cluster(policy.format(extra="")))
        if f.check_id == "CW-NETPOL-006"
    }
    closed = {
        f.resource
        for f in netpol_findings(cluster(policy.format(extra=", except: [169.254.169.254/32]")))
        if f.check_id == "CW-NETPOL-006"
    }
    assert "Pod/default/db" in open_
    assert "Pod/default/db" not in closed
