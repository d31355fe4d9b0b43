# METADATA
# title: Azure resource groups carry an owner tag
# custom:
#   id: QA-TF-001
#   severity: LOW
#   remediation: Add tags = { owner = "<team>" }.
#   frameworks: [terraform]
#   resource_types: [azurerm_resource_group]
package qa.terraform.tags

import rego.v1

deny contains msg if {
	tags := object.get(input.values, "tags", {})
	tags != "<unknown>"
	not tags.owner
	msg := sprintf("%s has no owner tag", [input.address])
}
