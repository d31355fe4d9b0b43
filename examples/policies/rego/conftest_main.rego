# A Conftest policy in the pre-1.0 syntax most libraries still use: no METADATA, package main.
# citywatch reports it as check `main.deny` (HIGH) and `main.warn` (INFO).
package main

deny[msg] {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	not in_edge_namespace
	msg := sprintf("Service %v is a public LoadBalancer outside the edge namespace", [input.metadata.name])
}

warn[msg] {
	input.kind == "Deployment"
	not input.metadata.labels.team
	msg := sprintf("Deployment %v has no team label", [input.metadata.name])
}

in_edge_namespace {
	input.metadata.namespace == edge_namespace
}

# data.config.edge_namespace (e.g. from a data.json) overrides the default
default edge_namespace = "edge"

edge_namespace = ns {
	ns := data.config.edge_namespace
}
