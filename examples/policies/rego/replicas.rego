# METADATA
# title: Deployments run at least two replicas
# description: A single replica means downtime on every node drain or rollout.
# related_resources:
#   - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
# custom:
#   id: ACME-K8S-001
#   severity: MEDIUM
#   remediation: Set spec.replicas to 2 or more.
#   frameworks: [kubernetes]
#   resource_types: [Deployment, StatefulSet]
#   compliance:
#     soc2: [A1.2]
package acme.kubernetes.replicas

import rego.v1

deny contains result if {
	replicas := object.get(input.spec, "replicas", 1)
	replicas < 2
	result := {
		"msg": sprintf("%s %s runs %d replica(s); at least 2 are required", [input.kind, input.metadata.name, replicas]),
		"path": "spec.replicas",
	}
}
