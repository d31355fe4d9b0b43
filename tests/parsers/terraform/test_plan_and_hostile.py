"""Plan JSON, broken input and hostile input: located errors, no hangs, bounded work."""

from __future__ import annotations

import json

from citywatch.model import UNKNOWN

PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.7.0",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_s3_bucket.b",
                    "mode": "managed",
                    "type": "aws_s3_bucket",
                    "name": "b",
                    "provider_name": "registry.terraform.io/hashicorp/aws",
                    "values": {"bucket": "acme", "acl": "public-read", "versioning": []},
                },
                {
                    "address": "data.aws_caller_identity.me",
                    "mode": "data",
                    "type": "aws_caller_identity",
                    "name": "me",
                    "values": {},
                },
            ],
            "child_modules": [
                {
                    "address": "module.net",
                    "resources": [
                        {
                            "address": 'module.net.aws_security_group.sg["web"]',
                            "mode": "managed",
                            "type": "aws_security_group",
                            "name": "sg",
                            "index": "web",
                            "provider_name": "registry.terraform.io/hashicorp/aws",
                            "values": {
                                "ingress": [{"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]
                            },
                        }
                    ],
                }
            ],
        }
    },
    "resource_changes": [
        {
            "address": "aws_s3_bucket_public_access_block.p",
            "change": {"after": {}, "after_unknown": {"bucket": True}},
        },
        {
            "address": "aws_s3_bucket.b",
            "change": {"after": {}, "after_unknown": {"id": True, "arn": True}},
        },
    ],
    "configuration": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_s3_bucket_public_access_block.p",
                    "mode": "managed",
                    "type": "aws_s3_bucket_public_access_block",
                    "name": "p",
                    "expressions": {
                        "bucket": {"references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]},
                        "block_public_acls": {"constant_value": True},
                    },
                },
                {
                    "address": "aws_s3_bucket_versioning.v",
                    "mode": "managed",
                    "type": "aws_s3_bucket_versioning",
                    "name": "v",
                    "expressions": {
                        "bucket": {"references": ["module.net.log_bucket", "module.net"]}
                    },
                },
            ],
            "module_calls": {
                "net": {
                    "source": "./net",
                    "module": {
                        "outputs": {
                            "log_bucket": {
                                "expression": {
                                    "references": ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]
                                }
                            }
                        },
                        "resources": [],
                    },
                }
            },
        }
    },
}


def test_plan_json_resources_values_unknowns_and_references(tf):
    plan = json.loads(json.dumps(PLAN))
    plan["planned_values"]["root_module"]["resources"].append(
        {
            "address": "aws_s3_bucket_public_access_block.p",
            "mode": "managed",
            "type": "aws_s3_bucket_public_access_block",
            "name": "p",
            "values": {"block_public_acls": True},
        }
    )
    out = tf({"plan.json": json.dumps(plan, indent=2), "other.json": '{"a": 1}'})
    assert any(c.endswith("plan.json") for c in out.claimed)
    assert not any(c.endswith("other.json") for c in out.claimed)
    bucket = out["aws_s3_bucket.b"]
    assert bucket.framework == "terraform" and bucket.meta["source"] == "plan"
    assert bucket.attributes["acl"] == "public-read"
    assert bucket.attributes["id"] is UNKNOWN
    assert bucket.location.start_line > 1
    sg = out['module.net.aws_security_group.sg["web"]']
    assert sg.meta["module"] == "module.net"
    assert sg.attributes["ingress"][0]["cidr_blocks"] == ["0.0.0.0/0"]
    pab = out["aws_s3_bucket_public_access_block.p"]
    assert pab.attributes == {"block_public_acls": True, "bucket": UNKNOWN}
    assert pab.references == ["aws_s3_bucket.b"]
    assert "data.aws_caller_identity.me" not in out.resources


def test_plan_references_through_module_outputs(tf):
    plan = json.loads(json.dumps(PLAN))
    plan["planned_values"]["root_module"]["resources"].append(
        {
            "address": "aws_s3_bucket_versioning.v",
            "mode": "managed",
            "type": "aws_s3_bucket_versioning",
            "name": "v",
            "values": {"versioning_configuration": [{"status": "Enabled"}]},
        }
    )
    out = tf({"plan.json": json.dumps(plan)})
    assert out["aws_s3_bucket_versioning.v"].references == ["module.net.aws_s3_bucket.logs"]


def test_broken_plan_json_is_a_located_error(tf):
    out = tf({"plan.json": '{"format_version": "1.2", "planned_values": {\n  "root_module": [\n'})
    assert out.errors and out.errors[0].path.endswith("plan.json")
    assert "invalid Terraform plan JSON" in out.errors[0].reason


def test_invalid_hcl_is_located_and_other_files_still_evaluated(tf):
    out = tf(
        {
            "good.tf": 'resource "aws_s3_bucket" "ok" { bucket = "fine" }\n',
            "bad.tf": """
            resource "aws_s3_bucket" "broken" {
              bucket = "x"
              acl = = "oops"
            }
            resource "aws_sqs_queue" "q" {
              name = "after-the-error"
            }
            """,
        }
    )
    errs = [e for e in out.errors if e.path.endswith("bad.tf")]
    assert errs and errs[0].line == 4, errs
    assert "invalid HCL" in errs[0].reason
    assert out.attrs("aws_s3_bucket.ok")["bucket"] == "fine"
    # the broken block is dropped, the valid block after it is kept
    assert "aws_s3_bucket.broken" not in out.resources
    assert out.attrs("aws_sqs_queue.q")["name"] == "after-the-error"


def test_unclosed_block_is_reported(tf):
    out = tf({"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n'})
    assert out.errors and out.errors[0].line is not None


def test_binary_and_invalid_utf8_files_are_errors(tf):
    out = tf(
        {
            "bin.tf": b"\x00\x01\x02resource",
            "latin.tf": b'resource "a_b" "c" { name = "caf\xe9" }\n',
            "ok.tf": 'resource "aws_s3_bucket" "ok" { bucket = "x" }\n',
        }
    )
    reasons = {e.path.rsplit("/", 1)[-1]: e.reason for e in out.errors}
    assert "binary" in reasons["bin.tf"]
    assert "UTF-8" in reasons["latin.tf"]
    assert "aws_s3_bucket.ok" in out.resources


def test_self_referential_locals_are_an_error_not_a_hang(tf):
    out = tf(
        {
            "main.tf": """
            locals {
              a = local.b
              b = "${local.a}-x"
              c = local.c
            }
            resource "aws_s3_bucket" "b" {
              bucket = local.a
              acl    = local.c
              tags   = { ok = "yes" }
            }
            """
        }
    )
    assert out.attrs("aws_s3_bucket.b")["bucket"] is UNKNOWN
    assert out.attrs("aws_s3_bucket.b")["acl"] is UNKNOWN
    assert out.attrs("aws_s3_bucket.b")["tags"] == {"ok": "yes"}
    assert any("cycle" in e.reason for e in out.errors)


def test_huge_count_is_capped_with_a_notice(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_instance" "many" {
              count         = 100000000
              instance_type = "t3.micro"
            }
            """
        }
    )
    assert len(out.resources) == 1000
    assert any("count = 100000000" in n for n in out.notices)


def test_deep_nesting_is_refused_with_a_location(tf):
    deep = "[" * 5000 + "]" * 5000
    out = tf(
        {
            "deep.tf": f'resource "aws_s3_bucket" "deep" {{\n  x = {deep}\n}}\n',
            "ok.tf": 'resource "aws_s3_bucket" "ok" { bucket = "x" }\n',
        }
    )
    assert any(e.path.endswith("deep.tf") and e.line == 2 for e in out.errors), out.errors
    assert "aws_s3_bucket.ok" in out.resources


def test_long_local_chain_does_not_overflow(tf):
    chain = "\n".join(f"  l{i} = local.l{i + 1}" for i in range(400))
    out = tf(
        {
            "main.tf": f'locals {{\n{chain}\n  l400 = "end"\n}}\n'
            'resource "aws_s3_bucket" "b" { bucket = local.l0 }\n'
        }
    )
    # too deep to follow: unknown, with the reason in the notices
    assert out.attrs("aws_s3_bucket.b")["bucket"] is UNKNOWN
    assert any("nested deeper" in n for n in out.notices)


def test_huge_range_and_string_functions_are_bounded(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_s3_bucket" "b" {
              big  = length(range(100000000))
              ok   = length(range(10))
              pad  = format("%5s|", "ab")
            }
            """
        }
    )
    attrs = out.attrs("aws_s3_bucket.b")
    assert attrs["big"] is UNKNOWN
    assert attrs["ok"] == 10
    assert attrs["pad"] == "   ab|"


def test_exponential_for_expressions_run_out_of_budget_not_time(tf):
    out = tf(
        {
            "main.tf": """
            locals {
              big = [for x in range(100000) : try([for y in range(100000) : y], 0)]
            }
            resource "aws_s3_bucket" "b" {
              bucket = "x"
              n      = length(local.big)
            }
            """
        }
    )
    assert out.attrs("aws_s3_bucket.b") == {"bucket": "x", "n": UNKNOWN}
    assert any("budget" in n for n in out.notices)


def test_template_including_itself_is_refused(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_instance" "i" {
              user_data = templatefile("${path.module}/loop.tpl", {})
            }
            """,
            "loop.tpl": '${templatefile("loop.tpl", {})}',
        }
    )
    assert out.attrs("aws_instance.i")["user_data"] is UNKNOWN


def test_many_instances_with_large_dynamic_blocks_stay_bounded(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_security_group" "sg" {
              count = 1000
              name  = "sg-${count.index}"
              dynamic "ingress" {
                for_each = range(5000)
                content { from_port = ingress.value }
              }
            }
            """
        }
    )
    assert len(out.resources) == 1000
    sizes = [len(r.attributes["ingress"]) for r in out.resources.values()]
    # each dynamic block is capped at 1000 elements, and the per-root budget ends the rest
    assert max(sizes) <= 1000 and sum(sizes) <= 1_000_000
    assert all(r.attributes["name"].startswith("sg-") for r in out.resources.values())


def test_state_json_values_are_read_like_a_plan(tf):
    state = {
        "format_version": "1.0",
        "terraform_version": "1.7.0",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_db_instance.d",
                        "mode": "managed",
                        "type": "aws_db_instance",
                        "name": "d",
                        "values": {"storage_encrypted": False, "publicly_accessible": True},
                    }
                ]
            }
        },
    }
    out = tf({"state.json": json.dumps(state)})
    assert out.attrs("aws_db_instance.d") == {
        "storage_encrypted": False,
        "publicly_accessible": True,
    }


def test_invalid_tf_json_and_tfvars_json_are_located_errors(tf):
    out = tf(
        {
            "main.tf.json": '{"resource": {"aws_s3_bucket": {"b": {"bucket": "x",}}}}',
            "terraform.tfvars.json": "[1, 2]",
            "vars.tf": 'variable "v" { default = 1 }\n',
        }
    )
    by_file = {e.path.rsplit("/", 1)[-1]: e for e in out.errors}
    assert "main.tf.json" in by_file and by_file["main.tf.json"].line == 1
    assert "terraform.tfvars.json" in by_file


def test_tf_json_dynamic_blocks_and_depends_on(tf):
    doc = {
        "variable": {"ports": {"default": [22, 443]}},
        "resource": {
            "aws_vpc": {"v": {"cidr_block": "10.0.0.0/16"}},
            "aws_security_group": {
                "sg": {
                    "vpc_id": "${aws_vpc.v.id}",
                    "dynamic": {
                        "ingress": {
                            "for_each": "${var.ports}",
                            "content": {"from_port": "${ingress.value}"},
                        }
                    },
                    "depends_on": ["aws_vpc.v"],
                }
            },
        },
    }
    out = tf({"main.tf.json": json.dumps(doc, indent=2)})
    sg = out["aws_security_group.sg"]
    assert sg.attributes["ingress"] == [{"from_port": 22}, {"from_port": 443}]
    assert sg.references == ["aws_vpc.v"]
    assert "depends_on" not in sg.attributes


def test_deeply_nested_blocks_are_refused_with_a_location(tf):
    deep = "x {\n" * 5000 + "}\n" * 5000
    out = tf({"main.tf": f'resource "aws_s3_bucket" "b" {{\n  bucket = "b"\n{deep}}}\n'})
    assert any("blocks nested deeper" in e.reason and e.line for e in out.errors)
    assert out.attrs("aws_s3_bucket.b")["bucket"] == "b"
