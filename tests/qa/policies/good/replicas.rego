# METADATA
# title: Deployments run at least two replicas
# description: A single replica means downtime on every node drain.
# related_resources:
#   - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
# custom:
#   id: QA-K8S-001
#   severity: MEDIUM
#   remediation: Set spec.replicas to 2 or more (or let an HPA own it).
#   compliance: {soc2: [A1.2], nist_800_53: [CP-10], iso27001: [A.8.14]}
#   frameworks: [kubernetes]
#   resource_types: [Deployment, StatefulSet]
package qa.kubernetes.replicas

import rego.v1

deny contains {"msg": msg, "path": "spec.replicas"} if {
	replicas := object.get(input.spec, "replicas", 1)
	replicas < 2
	msg := sprintf("%s %s runs %d replica(s)", [input.kind, input.metadata.name, replicas])
}
