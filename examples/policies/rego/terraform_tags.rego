# METADATA
# title: Every S3 bucket has a cost-center tag
# custom:
#   id: ACME-TF-001
#   severity: LOW
#   frameworks: [terraform]
#   resource_types: [aws_s3_bucket]
#   remediation: Add tags = { cost-center = "..." } to the bucket.
package acme.terraform.tags

import future.keywords.contains
import future.keywords.if

# input.values.tags is "<unknown>" when computed at apply time: not a violation here.
deny contains msg if {
	tags := object.get(input.values, "tags", {})
	tags != "<unknown>"
	not tags["cost-center"]
	msg := sprintf("%s has no cost-center tag", [input.address])
}
