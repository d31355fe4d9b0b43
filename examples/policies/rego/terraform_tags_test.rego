package acme.terraform.tags_test

import rego.v1

import data.acme.terraform.tags

test_untagged_bucket if {
	tags.deny == {"aws_s3_bucket.logs has no cost-center tag"} with input as {"framework": "terraform", "type": "aws_s3_bucket", "address": "aws_s3_bucket.logs", "values": {"bucket": "logs"}}
}

test_unknown_tags_not_reported if {
	count(tags.deny) == 0 with input as {"address": "aws_s3_bucket.logs", "values": {"tags": "<unknown>"}}
}

test_tagged_bucket if {
	count(tags.deny) == 0 with input as {"address": "aws_s3_bucket.logs", "values": {"tags": {"cost-center": "42"}}}
}
