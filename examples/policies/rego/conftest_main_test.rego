package main

test_public_lb_denied {
	deny["Service api is a public LoadBalancer outside the edge namespace"] with input as {"kind": "Service", "metadata": {"name": "api", "namespace": "prod"}, "spec": {"type": "LoadBalancer"}}
}

test_lb_in_edge_allowed {
	count(deny) == 0 with input as {"kind": "Service", "metadata": {"name": "api", "namespace": "edge"}, "spec": {"type": "LoadBalancer"}}
}

test_edge_namespace_from_data {
	count(deny) == 0 with input as {"kind": "Service", "metadata": {"name": "api", "namespace": "dmz"}, "spec": {"type": "LoadBalancer"}} with data.config.edge_namespace as "dmz"
}

test_missing_team_label_warns {
	count(warn) == 1 with input as {"kind": "Deployment", "metadata": {"name": "web"}}
}
