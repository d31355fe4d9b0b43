package qa.kubernetes.replicas_test

import data.qa.kubernetes.replicas
import rego.v1

test_one_replica_denied if {
	count(replicas.deny) == 1 with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1}}
}

test_default_replicas_denied if {
	count(replicas.deny) == 1 with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {}}
}

test_three_replicas_allowed if {
	count(replicas.deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3}}
}
