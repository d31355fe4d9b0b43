# METADATA
# title: replicas as a number
# custom:
#   id: QA-BROKEN-RUNTIME
#   frameworks: [kubernetes]
#   resource_types: [Deployment]
package qa.broken.runtime

import rego.v1

deny contains msg if {
	n := to_number(input.metadata.name)
	n > 1
	msg := "never"
}
