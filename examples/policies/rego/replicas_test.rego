package acme.kubernetes.replicas_test

import rego.v1

import data.acme.kubernetes.replicas

test_single_replica_denied if {
	count(replicas.deny) == 1 with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1}}
}

test_default_replicas_denied if {
	some result in replicas.deny with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {}}
	contains(result.msg, "1 replica")
}

test_three_replicas_allowed if {
	count(replicas.deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3}}
}
