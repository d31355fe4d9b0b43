"""Terraform: HCL and JSON configuration evaluated like `terraform plan`, and plan JSON.

What checks receive, one `Resource` per evaluated managed-resource instance:

- `kind`: the resource type (`aws_s3_bucket`). Data sources are never emitted; a
  `data.aws_iam_policy_document` is evaluated so that its `.json` is the rendered IAM policy.
- `name`: the Terraform address: `aws_s3_bucket.logs`, `aws_s3_bucket.logs[0]`,
  `aws_s3_bucket.logs["key"]`, `module.net.aws_vpc.this`, `module.a["x"].module.b.t.n`.
  A resource whose count/for_each is unknown is evaluated once under its base address. When
  several root modules in one scan declare the same address, those names (and references to
  them) are prefixed with the root directory (`envs/dev:aws_s3_bucket.logs`) to stay unique.
- `framework`: "terraform" (plan JSON too, with `meta["source"] = "plan"`).
- `attributes`: evaluated values; nested blocks are always lists of dicts (dynamic blocks
  expand into the same list); values only known at apply time are `UNKNOWN`. A reference to
  another resource's attribute resolves to its configured value, computed ones (`id`, `arn`)
  are UNKNOWN. Meta-arguments (count, for_each, provider, depends_on, lifecycle) are left out.
- `references`: addresses of the resources this one's expressions use, without instance key
  (`aws_s3_bucket.b`) and, when the key is known, with it (`aws_s3_bucket.b["x"]`); module
  prefixes included; followed through locals, variables, module outputs and `each.value`.
- `location`: the block's file and line range; `line_map`: dotted path → line
  (`acl`, `versioning.0.enabled`, `ingress.1.cidr_blocks`, `tags.Name`).
- `meta`: `module` ("" or "module.net"), `provider`, optional `provider_alias`,
  `instance_key`, `root` (the root module directory), `source` ("config" or "plan").
"""

from citywatch.parsers.terraform.parser import TerraformParser

__all__ = ["TerraformParser"]
