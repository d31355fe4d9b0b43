package qa.broken.syntax

import rego.v1

deny contains msg if {
	input.kind == "Deployment"
	msg := sprintf("bad %s", [input.metadata.name]
}
