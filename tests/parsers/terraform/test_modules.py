"""Local modules (nested, with inputs and outputs), remote sources, and connected resources."""

from __future__ import annotations

from pathlib import Path

from citywatch import ScanOptions, scan
from citywatch.checks.base import CheckContext
from citywatch.model import UNKNOWN

from .conftest import parse_tree, write_tree

BUCKET_MODULE = {
    "modules/bucket/variables.tf": """
    variable "name" { type = string }
    variable "public" { default = false }
    """,
    "modules/bucket/main.tf": """
    resource "aws_s3_bucket" "this" {
      bucket = var.name
      acl    = var.public ? "public-read" : "private"
    }
    module "policy" {
      source = "./policy"
      bucket = aws_s3_bucket.this.bucket
    }
    output "id" { value = aws_s3_bucket.this.id }
    output "name" { value = aws_s3_bucket.this.bucket }
    output "policy_effect" { value = module.policy.effect }
    """,
    "modules/bucket/policy/main.tf": """
    variable "bucket" {}
    resource "aws_s3_bucket_policy" "p" {
      bucket = var.bucket
      policy = jsonencode({
        Statement = [{ Effect = "Allow", Resource = "arn:aws:s3:::${var.bucket}/*" }]
      })
    }
    output "effect" { value = "Allow" }
    """,
}


def test_nested_local_modules_with_inputs_and_outputs(tf):
    out = tf(
        {
            **BUCKET_MODULE,
            "main.tf": """
            module "logs" {
              source = "./modules/bucket"
              name   = "acme-logs"
              public = true
            }
            resource "aws_s3_bucket_public_access_block" "logs" {
              bucket            = module.logs.id
              block_public_acls = false
            }
            resource "aws_ssm_parameter" "name" {
              name  = "bucket"
              value = "${module.logs.name}:${module.logs.policy_effect}"
            }
            """,
        }
    )
    bucket = out["module.logs.aws_s3_bucket.this"]
    assert bucket.attributes == {"bucket": "acme-logs", "acl": "public-read"}
    assert bucket.meta["module"] == "module.logs"
    assert bucket.location.path.endswith("modules/bucket/main.tf")
    policy = out["module.logs.module.policy.aws_s3_bucket_policy.p"]
    assert policy.attributes["bucket"] == "acme-logs"
    assert "arn:aws:s3:::acme-logs/*" in policy.attributes["policy"]
    assert policy.references == ["module.logs.aws_s3_bucket.this"]
    assert policy.meta["module"] == "module.logs.module.policy"
    # a reference through a module output still connects to the resource behind it
    pab = out["aws_s3_bucket_public_access_block.logs"]
    assert pab.attributes["bucket"] is UNKNOWN
    assert pab.references == ["module.logs.aws_s3_bucket.this"]
    assert out.attrs("aws_ssm_parameter.name")["value"] == "acme-logs:Allow"
    # the module directories are not scanned again as roots of their own
    assert not [n for n in out.resources if n.startswith("aws_s3_bucket.this")]
    assert not out.errors


def test_module_count_and_for_each_addresses(tf):
    out = tf(
        {
            **BUCKET_MODULE,
            "main.tf": """
            module "many" {
              source   = "./modules/bucket"
              for_each = toset(["a", "b"])
              name     = "acme-${each.key}"
            }
            module "some" {
              source = "./modules/bucket"
              count  = 2
              name   = "some-${count.index}"
            }
            output "names" { value = [for m in module.many : m.name] }
            """,
        }
    )
    assert out.attrs('module.many["a"].aws_s3_bucket.this')["bucket"] == "acme-a"
    assert out.attrs('module.many["b"].aws_s3_bucket.this')["bucket"] == "acme-b"
    assert out.attrs("module.some[1].aws_s3_bucket.this")["bucket"] == "some-1"
    assert out.attrs('module.many["a"].module.policy.aws_s3_bucket_policy.p')["bucket"] == "acme-a"


def test_remote_module_is_reported_not_followed(tf):
    out = tf(
        {
            "main.tf": """
            module "vpc" {
              source  = "terraform-aws-modules/vpc/aws"
              version = "5.0.0"
            }
            module "git" {
              source = "git::https://example.com/mod.git?ref=v1"
            }
            resource "aws_security_group" "sg" {
              vpc_id = module.vpc.vpc_id
            }
            """
        }
    )
    assert any("module.vpc" in n and "remote; not followed" in n for n in out.notices)
    assert any("module.git" in n and "remote; not followed" in n for n in out.notices)
    assert out.attrs("aws_security_group.sg")["vpc_id"] is UNKNOWN


def test_missing_local_module_is_a_located_error(tf):
    out = tf(
        {
            "main.tf": """
            module "gone" {
              source = "./modules/nope"
            }
            resource "aws_s3_bucket" "b" { bucket = "still-here" }
            """
        }
    )
    errors = [e for e in out.errors if "module.gone" in e.reason]
    assert errors and errors[0].line == 3 and errors[0].path.endswith("main.tf")
    assert out.attrs("aws_s3_bucket.b")["bucket"] == "still-here"


def test_module_outside_the_scanned_directory_is_read(tmp_path: Path):
    write_tree(
        tmp_path,
        {
            **BUCKET_MODULE,
            "envs/prod/main.tf": """
            module "b" {
              source = "../../modules/bucket"
              name   = "prod-bucket"
            }
            """,
        },
    )
    out = parse_tree(tmp_path / "envs" / "prod")
    assert out.attrs("module.b.aws_s3_bucket.this")["bucket"] == "prod-bucket"


def test_self_calling_module_does_not_hang(tf):
    out = tf(
        {
            "main.tf": """
            module "again" {
              source = "./"
            }
            resource "aws_s3_bucket" "b" { bucket = "x" }
            """
        }
    )
    assert list(out.resources) == ["aws_s3_bucket.b"]
    assert any("calls itself" in e.reason and e.line == 2 for e in out.errors)


def test_modules_calling_each_other_are_a_cycle_error(tf):
    out = tf(
        {
            "main.tf": 'module "a" { source = "./a" }\n',
            "a/main.tf": 'module "b" { source = "../b" }\nresource "aws_sqs_queue" "a" {}\n',
            "b/main.tf": 'module "a" { source = "../a" }\nresource "aws_sqs_queue" "b" {}\n',
        }
    )
    assert set(out.resources) == {"module.a.aws_sqs_queue.a", "module.a.module.b.aws_sqs_queue.b"}
    assert any("calls itself" in e.reason for e in out.errors)


V4_BUCKET = """
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
resource "aws_s3_bucket" "other" {
  bucket = "acme-other"
}
resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.bucket
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
  }
}
resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration { status = "Enabled" }
}
resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.other.id
}
"""


def test_v4_companion_resources_reference_their_bucket(tf):
    out = tf({"main.tf": V4_BUCKET})
    ctx = CheckContext(list(out.resources.values()))
    data = out["aws_s3_bucket.data"]
    for kind in (
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_logging",
    ):
        found = ctx.referencing(data, kind)
        assert [r.name for r in found] == [f"{kind}.data"], kind
    assert out["aws_s3_bucket_logging.data"].references == [
        "aws_s3_bucket.data",
        "aws_s3_bucket.other",
    ]
    assert ctx.referencing(out["aws_s3_bucket.other"], "aws_s3_bucket_versioning") == []


def test_companion_resources_connect_per_instance_with_for_each(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_s3_bucket" "b" {
              for_each = toset(["x", "y"])
              bucket   = "acme-${each.key}"
            }
            resource "aws_s3_bucket_public_access_block" "b" {
              for_each          = aws_s3_bucket.b
              bucket            = each.value.id
              block_public_acls = true
            }
            resource "aws_s3_bucket_logging" "by_key" {
              for_each      = aws_s3_bucket.b
              bucket        = each.key
              target_bucket = "logs"
            }
            resource "aws_s3_bucket_versioning" "x_only" {
              bucket = aws_s3_bucket.b["x"].id
              versioning_configuration { status = "Enabled" }
            }
            """
        }
    )
    ctx = CheckContext(list(out.resources.values()))
    x = out['aws_s3_bucket.b["x"]']
    y = out['aws_s3_bucket.b["y"]']
    assert [r.name for r in ctx.referencing(x, "aws_s3_bucket_public_access_block")] == [
        'aws_s3_bucket_public_access_block.b["x"]'
    ]
    assert [r.name for r in ctx.referencing(y, "aws_s3_bucket_public_access_block")] == [
        'aws_s3_bucket_public_access_block.b["y"]'
    ]
    assert [r.name for r in ctx.referencing(x, "aws_s3_bucket_versioning")] == [
        "aws_s3_bucket_versioning.x_only"
    ]
    assert ctx.referencing(y, "aws_s3_bucket_versioning") == []
    # iterating over the buckets connects each instance to its own bucket, even via each.key
    assert [r.name for r in ctx.referencing(y, "aws_s3_bucket_logging")] == [
        'aws_s3_bucket_logging.by_key["y"]'
    ]
    assert "aws_s3_bucket.b" in out["aws_s3_bucket_versioning.x_only"].references


def test_public_bucket_with_blocking_pab_end_to_end(tmp_path: Path):
    """Through the real pipeline: a bucket protected by a separate PAB resource is connected."""
    write_tree(tmp_path, {"main.tf": V4_BUCKET})
    result = scan(tmp_path, options=ScanOptions(scanners=("misconfig",)))
    assert not [e for e in result.errors if "failed" in e.reason], result.errors
    flagged = {f.resource for f in result.findings}
    # the protected bucket is never reported for a missing public-access block or encryption
    pab_findings = [
        f
        for f in result.findings
        if f.resource == "aws_s3_bucket.data"
        and ("public access" in f.title.lower() or "encrypt" in f.title.lower())
    ]
    assert pab_findings == [], [f.title for f in pab_findings]
    assert "aws_s3_bucket.other" in flagged


def test_same_address_in_two_roots_stays_unique_and_connected_per_root(tf):
    bucket = 'resource "aws_s3_bucket" "logs" { bucket = "logs-%s" }\n'
    pab = """
    resource "aws_s3_bucket_public_access_block" "logs" {
      bucket            = aws_s3_bucket.logs.id
      block_public_acls = true
    }
    """
    out = tf(
        {
            "envs/dev/main.tf": bucket % "dev",
            "envs/prod/main.tf": bucket % "prod" + pab,
            "envs/solo/main.tf": 'resource "aws_sqs_queue" "only_here" { name = "q" }\n',
        }
    )
    names = set(out.resources)
    dev = next(r for n, r in out.resources.items() if n.endswith("dev:aws_s3_bucket.logs"))
    prod = next(r for n, r in out.resources.items() if n.endswith("prod:aws_s3_bucket.logs"))
    assert dev.attributes["bucket"] == "logs-dev" and dev.meta["root"].endswith("envs/dev")
    # an address only one root declares keeps its plain Terraform form
    assert "aws_sqs_queue.only_here" in names
    assert "aws_s3_bucket_public_access_block.logs" in names
    ctx = CheckContext(list(out.resources.values()))
    assert ctx.referencing(dev, "aws_s3_bucket_public_access_block") == []
    assert [r.name for r in ctx.referencing(prod, "aws_s3_bucket_public_access_block")] == [
        "aws_s3_bucket_public_access_block.logs"
    ]


def test_remote_module_installed_by_terraform_init_is_followed(tf):
    out = tf(
        {
            "main.tf": """
            module "logs" {
              source  = "terraform-aws-modules/s3-bucket/aws"
              version = "4.0.0"
              bucket  = "installed-logs"
            }
            """,
            ".terraform/modules/modules.json": (
                '{"Modules": [{"Key": "", "Source": "", "Dir": "."},'
                ' {"Key": "logs", "Source": "registry.terraform.io/terraform-aws-modules/'
                's3-bucket/aws", "Version": "4.0.0", "Dir": ".terraform/modules/logs"}]}'
            ),
            ".terraform/modules/logs/main.tf": """
            variable "bucket" {}
            resource "aws_s3_bucket" "this" {
              bucket = var.bucket
            }
            """,
        }
    )
    assert out.attrs("module.logs.aws_s3_bucket.this") == {"bucket": "installed-logs"}
    assert not any("not followed" in n for n in out.notices)


def test_snippet_directory_redeclaring_resources_is_evaluated_file_by_file(tf):
    out = tf(
        {
            "variables.tf": 'variable "env" { default = "dev" }\n',
            "shared.tf": 'resource "aws_kms_key" "k" { enable_key_rotation = true }\n',
            "public.tf": """
            resource "aws_s3_bucket" "b" {
              bucket = "public-${var.env}"
              acl    = "public-read"
            }
            """,
            "private.tf": """
            resource "aws_s3_bucket" "b" {
              bucket = "private-${var.env}"
              acl    = "private"
            }
            """,
        }
    )
    buckets = {
        r.attributes["bucket"]: r for r in out.resources.values() if r.kind == "aws_s3_bucket"
    }
    # both variants are scanned, each with the shared variables, and their names stay unique
    assert set(buckets) == {"public-dev", "private-dev"}
    assert buckets["public-dev"].name.endswith("public.tf:aws_s3_bucket.b")
    assert buckets["public-dev"].location.path.endswith("public.tf")
    # resources of files that conflict with nothing are emitted once
    assert [n for n in out.resources if n.endswith("aws_kms_key.k")] == ["aws_kms_key.k"]
    assert any("evaluated on its own" in n for n in out.notices)
    assert not out.errors


def test_duplicate_within_a_called_module_is_an_error(tf):
    out = tf(
        {
            "main.tf": 'module "m" { source = "./m" }\n',
            "m/a.tf": 'resource "aws_sqs_queue" "q" { name = "a" }\n',
            "m/b.tf": 'resource "aws_sqs_queue" "q" { name = "b" }\n',
        }
    )
    assert any("duplicate resource aws_sqs_queue.q" in e.reason for e in out.errors)
    assert out.attrs("module.m.aws_sqs_queue.q")["name"] == "a"


def test_module_instances_as_a_for_each_collection(tf):
    out = tf(
        {
            **BUCKET_MODULE,
            "main.tf": """
            module "buckets" {
              source   = "./modules/bucket"
              for_each = toset(["a", "b"])
              name     = "acme-${each.key}"
            }
            resource "aws_s3_bucket_public_access_block" "all" {
              for_each          = module.buckets
              bucket            = each.value.name
              block_public_acls = true
            }
            resource "aws_ssm_parameter" "all" {
              name  = "buckets"
              value = module.buckets
            }
            """,
        }
    )
    pab = out['aws_s3_bucket_public_access_block.all["b"]']
    assert pab.attributes["bucket"] == "acme-b"
    assert pab.references == ['module.buckets["b"].aws_s3_bucket.this']
    value = out.attrs("aws_ssm_parameter.all")["value"]
    # module outputs used as a value become plain data, never an internal lazy object
    assert isinstance(value, dict) and set(value) == {"a", "b"}
    assert value["a"]["name"] == "acme-a" and value["a"]["id"] is UNKNOWN
