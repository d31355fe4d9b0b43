"""Terraform evaluated as Terraform would: variables, locals, templates, count/for_each, dynamic."""

from __future__ import annotations

import json
from pathlib import Path

from citywatch.model import UNKNOWN, UNKNOWN_JSON_LEAF, restore_unknown_leaves

VARS = """
variable "env" { default = "default" }
variable "size" {
  type    = number
  default = 1
}
variable "tags" {
  type    = map(string)
  default = {}
}
resource "aws_s3_bucket" "b" {
  bucket = "app-${var.env}"
  tags   = var.tags
}
resource "aws_ebs_volume" "v" {
  size = var.size * 10
}
"""


def test_variable_default_when_nothing_sets_it(tf):
    out = tf({"main.tf": VARS})
    assert out.attrs("aws_s3_bucket.b")["bucket"] == "app-default"
    assert out.attrs("aws_ebs_volume.v")["size"] == 10


def test_variable_precedence_follows_terraform(tf, tmp_path: Path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "cli.tfvars").write_text('env = "from-var-file"\nsize = 7\n')
    files = {
        "main.tf": VARS,
        "terraform.tfvars": 'env = "tfvars"\nsize = 2\ntags = { a = "1" }\n',
        "terraform.tfvars.json": json.dumps({"env": "tfvars-json", "size": 3}),
        "b.auto.tfvars": 'env = "auto-b"\n',
        "a.auto.tfvars.json": json.dumps({"env": "auto-a"}),
    }
    out = tf(files)
    # *.auto.tfvars in lexical order: b.auto.tfvars wins over a.auto.tfvars.json
    assert out.attrs("aws_s3_bucket.b")["bucket"] == "app-auto-b"
    assert out.attrs("aws_ebs_volume.v")["size"] == 30  # terraform.tfvars.json over .tfvars
    assert out.attrs("aws_s3_bucket.b")["tags"] == {"a": "1"}
    out = tf(files, var_files=[extra / "cli.tfvars"])
    assert out.attrs("aws_s3_bucket.b")["bucket"] == "app-from-var-file"
    out = tf(files, var_files=[extra / "cli.tfvars"], variables={"env": "cli", "size": "5"})
    assert out.attrs("aws_s3_bucket.b")["bucket"] == "app-cli"
    # --var for a number-typed variable is converted, not kept as text
    assert out.attrs("aws_ebs_volume.v")["size"] == 50


def test_tfvars_are_claimed_but_produce_no_resources(tf):
    out = tf({"main.tf": VARS, "terraform.tfvars": 'env = "x"\n', "prod.tfvars": 'env = "p"\n'})
    assert any(c.endswith("prod.tfvars") for c in out.claimed)
    assert any(c.endswith("terraform.tfvars") for c in out.claimed)
    assert set(out.resources) == {"aws_s3_bucket.b", "aws_ebs_volume.v"}
    # a non-auto tfvars file is not applied unless given with --var-file
    assert out.attrs("aws_s3_bucket.b")["bucket"] == "app-x"


def test_unset_variable_without_default_is_unknown(tf):
    out = tf(
        {
            "main.tf": """
            variable "name" {}
            resource "aws_s3_bucket" "b" {
              bucket = var.name
              acl    = "private"
            }
            """
        }
    )
    assert out.attrs("aws_s3_bucket.b")["bucket"] is UNKNOWN
    assert out.attrs("aws_s3_bucket.b")["acl"] == "private"


def test_object_type_optional_defaults_apply(tf):
    out = tf(
        {
            "main.tf": """
            variable "cfg" {
              type = object({
                name      = string
                encrypted = optional(bool, true)
                port      = optional(number)
              })
              default = { name = "db" }
            }
            resource "aws_db_instance" "d" {
              identifier        = var.cfg.name
              storage_encrypted = var.cfg.encrypted
              port              = var.cfg.port
            }
            """
        }
    )
    assert out.attrs("aws_db_instance.d") == {
        "identifier": "db",
        "storage_encrypted": True,
        "port": None,
    }


def test_locals_in_dependency_order_and_templates(tf):
    out = tf(
        {
            "locals.tf": """
            locals {
              full   = "${local.prefix}-${local.suffix}"
              prefix = upper(local.base)
              base   = "acme"
              suffix = var.env == "prod" ? "p" : "np"
              ports  = [for p in [22, 80, 443] : p if p != 80]
              names  = { for k, v in { a = 1, b = 2 } : k => v * 10 }
              text   = <<-EOT
                first ${local.base}
                  indented
                %{ for p in local.ports ~}
                port ${p}
                %{ endfor ~}
                %{ if var.env == "prod" }prod%{ else }nonprod%{ endif }
              EOT
            }
            variable "env" { default = "dev" }
            """,
            "main.tf": """
            resource "aws_s3_bucket" "b" {
              bucket = local.full
              tags   = { Ports = join(",", local.ports), Names = jsonencode(local.names) }
              policy = local.text
            }
            """,
        }
    )
    attrs = out.attrs("aws_s3_bucket.b")
    assert attrs["bucket"] == "ACME-np"
    assert attrs["tags"] == {"Ports": "22,443", "Names": '{"a":10,"b":20}'}
    assert attrs["policy"] == "first acme\n  indented\nport 22\nport 443\nnonprod\n"


def test_string_escapes_and_literal_dollar(tf):
    out = tf(
        {
            "main.tf": r"""
            resource "aws_ssm_parameter" "p" {
              value       = "a\"b\\c\n$${not_interpolated} %%{x} \u00e9"
              description = "tab\there"
            }
            """
        }
    )
    attrs = out.attrs("aws_ssm_parameter.p")
    assert attrs["value"] == 'a"b\\c\n${not_interpolated} %{x} é'
    assert attrs["description"] == "tab\there"


def test_operators_conditionals_splat_and_index(tf):
    out = tf(
        {
            "main.tf": """
            locals {
              list = [{ n = 1 }, { n = 2 }, { n = 3 }]
              m    = { a = { b = ["x", "y"] } }
            }
            resource "null_thing" "t" {
              arith   = 1 + 2 * 3 - 8 / 4 % 3
              neg     = -5 + 2
              cmp     = 3 >= 3 && !(2 > 3) || false
              eq      = "1" == 1
              splat   = local.list[*].n
              legacy  = local.list.1.n
              index   = local.m["a"].b[1]
              cond    = length(local.list) > 2 ? "many" : "few"
              nested  = [for o in local.list : o.n if o.n % 2 == 1]
            }
            """
        }
    )
    assert out.attrs("null_thing.t") == {
        "arith": 5,
        "neg": -3,
        "cmp": True,
        "eq": False,
        "splat": [1, 2, 3],
        "legacy": 2,
        "index": "y",
        "cond": "many",
        "nested": [1, 3],
    }


def test_count_and_for_each_give_one_instance_per_key(tf):
    out = tf(
        {
            "main.tf": """
            variable "n" { default = 2 }
            resource "aws_instance" "web" {
              count         = var.n
              instance_type = "t3.${count.index == 0 ? "micro" : "large"}"
            }
            resource "aws_s3_bucket" "b" {
              for_each = { logs = "private", site = "public-read" }
              bucket   = "acme-${each.key}"
              acl      = each.value
            }
            resource "aws_sqs_queue" "q" {
              for_each = toset(["jobs", "dead"])
              name     = each.value
            }
            resource "aws_instance" "off" {
              count = 0
            }
            """
        }
    )
    assert out.attrs("aws_instance.web[0]")["instance_type"] == "t3.micro"
    assert out.attrs("aws_instance.web[1]")["instance_type"] == "t3.large"
    assert out.attrs('aws_s3_bucket.b["site"]') == {"bucket": "acme-site", "acl": "public-read"}
    assert out['aws_s3_bucket.b["logs"]'].meta["instance_key"] == "logs"
    assert out.attrs('aws_sqs_queue.q["dead"]')["name"] == "dead"
    assert not [n for n in out.resources if n.startswith("aws_instance.off")]


def test_unknown_count_keeps_one_instance_with_unknown_index(tf):
    out = tf(
        {
            "main.tf": """
            variable "n" {}
            variable "keys" { type = set(string) }
            resource "aws_instance" "web" {
              count         = var.n
              instance_type = "t3.micro"
              name          = "web-${count.index}"
            }
            resource "aws_s3_bucket" "b" {
              for_each = var.keys
              bucket   = each.key
              acl      = "public-read"
            }
            """
        }
    )
    web = out["aws_instance.web"]
    assert web.attributes["instance_type"] == "t3.micro"
    assert web.attributes["name"] is UNKNOWN
    assert out.attrs("aws_s3_bucket.b")["acl"] == "public-read"
    assert out.attrs("aws_s3_bucket.b")["bucket"] is UNKNOWN


def test_dynamic_blocks_expand_into_the_block_list(tf):
    out = tf(
        {
            "main.tf": """
            variable "rules" {
              default = [
                { port = 22, cidrs = ["0.0.0.0/0"] },
                { port = 443, cidrs = ["10.0.0.0/8"] },
              ]
            }
            variable "unknown_rules" {}
            resource "aws_security_group" "sg" {
              ingress {
                from_port = 80
                to_port   = 80
              }
              dynamic "ingress" {
                for_each = var.rules
                iterator = rule
                content {
                  from_port   = rule.value.port
                  to_port     = rule.value.port
                  cidr_blocks = rule.value.cidrs
                  description = "rule ${rule.key}"
                }
              }
              dynamic "egress" {
                for_each = var.unknown_rules
                content {
                  from_port = 0
                  protocol  = "-1"
                  cidr_blocks = egress.value
                }
              }
            }
            resource "aws_lb_listener" "l" {
              dynamic "default_action" {
                for_each = ["a"]
                content {
                  type = "forward"
                  dynamic "forward" {
                    for_each = [1, 2]
                    content { weight = forward.value }
                  }
                }
              }
            }
            """
        }
    )
    sg = out["aws_security_group.sg"]
    assert sg.attributes["ingress"] == [
        {"from_port": 80, "to_port": 80},
        {"from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "description": "rule 0"},
        {"from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"], "description": "rule 1"},
    ]
    # an unknown collection still yields one block whose known attributes are kept
    assert sg.attributes["egress"] == [{"from_port": 0, "protocol": "-1", "cidr_blocks": UNKNOWN}]
    assert sg.line_map["ingress.2.cidr_blocks"] == sg.line_map["ingress.1.cidr_blocks"]
    listener = out.attrs("aws_lb_listener.l")
    assert listener["default_action"] == [
        {"type": "forward", "forward": [{"weight": 1}, {"weight": 2}]}
    ]


def test_blocks_are_always_lists_and_line_map_points_at_attributes(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_s3_bucket" "b" {
              bucket = "x"
              versioning {
                enabled = true
              }
              tags = {
                Name = "x"
              }
              lifecycle {
                prevent_destroy = true
              }
            }
            """
        }
    )
    res = out["aws_s3_bucket.b"]
    assert res.attributes == {
        "bucket": "x",
        "versioning": [{"enabled": True}],
        "tags": {"Name": "x"},
    }
    assert res.location.start_line == 2 and res.location.end_line == 13
    assert res.line_map["bucket"] == 3
    assert res.line_map["versioning.0.enabled"] == 5
    assert res.line_map["tags.Name"] == 8
    assert res.framework == "terraform"
    assert res.meta["provider"] == "aws" and res.meta["module"] == ""


def test_references_resolve_config_values_and_leave_computed_ones_unknown(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_kms_key" "k" {
              enable_key_rotation = true
            }
            resource "aws_s3_bucket" "b" {
              bucket = "logs"
            }
            resource "aws_s3_bucket_logging" "l" {
              bucket        = aws_s3_bucket.b.id
              target_bucket = aws_s3_bucket.b.bucket
              target_prefix = "${aws_s3_bucket.b.bucket}/"
            }
            resource "aws_sns_topic" "t" {
              kms_master_key_id = aws_kms_key.k.arn
              rotation_copy     = aws_kms_key.k.enable_key_rotation
            }
            """
        }
    )
    log = out["aws_s3_bucket_logging.l"]
    assert log.attributes["bucket"] is UNKNOWN
    assert log.attributes["target_bucket"] == "logs"
    assert log.attributes["target_prefix"] == "logs/"
    assert log.references == ["aws_s3_bucket.b"]
    topic = out.attrs("aws_sns_topic.t")
    assert topic["kms_master_key_id"] is UNKNOWN
    assert topic["rotation_copy"] is True


def test_data_sources_are_not_resources_but_policy_documents_render(tf):
    out = tf(
        {
            "main.tf": """
            data "aws_caller_identity" "me" {}
            data "aws_iam_policy_document" "admin" {
              statement {
                sid       = "All"
                actions   = ["*"]
                resources = ["*"]
              }
              statement {
                effect  = "Deny"
                actions = ["s3:DeleteBucket", "s3:PutObject"]
                resources = ["arn:aws:s3:::b/*"]
                principals {
                  type        = "AWS"
                  identifiers = ["arn:aws:iam::${data.aws_caller_identity.me.account_id}:root"]
                }
              }
            }
            data "aws_iam_policy_document" "plain" {
              statement {
                actions   = ["s3:GetObject"]
                resources = ["*"]
                principals {
                  type        = "*"
                  identifiers = ["*"]
                }
                condition {
                  test     = "Bool"
                  variable = "aws:SecureTransport"
                  values   = ["false"]
                }
              }
            }
            resource "aws_iam_policy" "p" {
              policy = data.aws_iam_policy_document.admin.json
            }
            resource "aws_s3_bucket_policy" "bp" {
              bucket = "b"
              policy = data.aws_iam_policy_document.plain.json
            }
            """
        }
    )
    assert set(out.resources) == {"aws_iam_policy.p", "aws_s3_bucket_policy.bp"}
    # the account id is unknown: only that leaf is, the rest of the document stays readable
    admin = json.loads(out.attrs("aws_iam_policy.p")["policy"])
    assert admin["Statement"][0] == {
        "Sid": "All",
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
    }
    assert admin["Statement"][1]["Principal"] == {"AWS": UNKNOWN_JSON_LEAF}
    assert admin["Statement"][1]["Effect"] == "Deny"
    doc = json.loads(out.attrs("aws_s3_bucket_policy.bp")["policy"])
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Principal": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def test_policy_document_with_known_inputs_is_json(tf):
    out = tf(
        {
            "main.tf": """
            data "aws_iam_policy_document" "d" {
              statement {
                actions   = ["iam:*", "s3:*"]
                resources = ["*"]
              }
            }
            resource "aws_iam_role_policy" "p" {
              policy = data.aws_iam_policy_document.d.json
            }
            """
        }
    )
    doc = json.loads(out.attrs("aws_iam_role_policy.p")["policy"])
    assert doc["Statement"] == [{"Effect": "Allow", "Action": ["iam:*", "s3:*"], "Resource": "*"}]


def test_path_module_workspace_and_file_functions(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy    = file("${path.module}/policy.json")
              user_data = templatefile("${path.module}/init.sh.tpl", {
                name = "web", ports = [22, 80]
              })
              name      = "ws-${terraform.workspace}"
              exists    = fileexists("missing.json")
            }
            resource "aws_iam_policy" "outside" {
              policy = file("/etc/passwd")
            }
            """,
            "policy.json": '{"Statement": []}',
            "init.sh.tpl": "hello ${name}\n%{ for p in ports ~}\nopen ${p}\n%{ endfor ~}\n",
        }
    )
    attrs = out.attrs("aws_iam_policy.p")
    assert attrs["policy"] == '{"Statement": []}'
    assert attrs["user_data"] == "hello web\nopen 22\nopen 80\n"
    assert attrs["name"] == "ws-default"
    assert attrs["exists"] is False
    # files outside the scanned tree are never read
    assert out.attrs("aws_iam_policy.outside")["policy"] is UNKNOWN
    assert any("outside the scanned tree" in n for n in out.notices)


def test_tf_json_files_are_evaluated_with_lines(tf):
    doc = {
        "variable": {"env": {"default": "dev"}},
        "locals": {"name": "acme-${var.env}"},
        "resource": {
            "aws_s3_bucket": {
                "b": {"bucket": "${local.name}", "acl": "public-read", "tags": {"Env": "x"}}
            },
            "aws_security_group": {
                "sg": {"ingress": [{"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]}
            },
        },
    }
    out = tf({"main.tf.json": json.dumps(doc, indent=2)})
    bucket = out["aws_s3_bucket.b"]
    assert bucket.attributes == {"bucket": "acme-dev", "acl": "public-read", "tags": {"Env": "x"}}
    assert bucket.line_map["acl"] > bucket.location.start_line > 1
    sg = out.attrs("aws_security_group.sg")
    assert sg["ingress"] == [{"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]


def test_override_files_merge_into_the_block(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_s3_bucket" "b" {
              bucket = "x"
              acl    = "private"
            }
            """,
            "main_override.tf": """
            resource "aws_s3_bucket" "b" {
              acl = "public-read"
            }
            """,
        }
    )
    assert out.attrs("aws_s3_bucket.b") == {"bucket": "x", "acl": "public-read"}


def test_provider_alias_recorded_in_meta(tf):
    out = tf(
        {
            "main.tf": """
            provider "google" {}
            resource "google_storage_bucket" "b" {
              provider = google.eu
              name     = "b"
            }
            """
        }
    )
    res = out["google_storage_bucket.b"]
    assert res.meta["provider"] == "google" and res.meta["provider_alias"] == "eu"
    assert "provider" not in res.attributes


def test_unknown_function_is_unknown_and_reported(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_s3_bucket" "b" {
              bucket = frobnicate("x")
              acl    = "private"
              ts     = timestamp()
            }
            """
        }
    )
    assert out.attrs("aws_s3_bucket.b") == {"bucket": UNKNOWN, "acl": "private", "ts": UNKNOWN}
    assert any("frobnicate" in n for n in out.notices)
    assert not any("timestamp" in n for n in out.notices)


def test_sets_iterate_with_the_element_as_key(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_security_group" "sg" {
              dynamic "ingress" {
                for_each = toset(["https", "http", "https"])
                content {
                  description = ingress.key
                  name        = ingress.value
                }
              }
              names = [for k, v in toset(["b", "a"]) : "${k}=${v}"]
              big   = length(distinct(range(20000)))
            }
            """
        }
    )
    attrs = out.attrs("aws_security_group.sg")
    assert attrs["ingress"] == [
        {"description": "http", "name": "http"},
        {"description": "https", "name": "https"},
    ]
    assert attrs["names"] == ["a=a", "b=b"]
    assert attrs["big"] == 20000


def test_policy_document_with_unknown_resource_keeps_principal_and_actions(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_sqs_queue" "q" { name = "q" }
            data "aws_iam_policy_document" "d" {
              statement {
                actions   = ["sqs:SendMessage", "sqs:ReceiveMessage"]
                resources = [aws_sqs_queue.q.arn]
                principals {
                  type        = "*"
                  identifiers = ["*"]
                }
                condition {
                  test     = "ArnEquals"
                  variable = "aws:SourceArn"
                  values   = [aws_sqs_queue.q.arn]
                }
              }
            }
            resource "aws_sqs_queue_policy" "p" {
              queue_url = aws_sqs_queue.q.id
              policy    = data.aws_iam_policy_document.d.json
            }
            """
        }
    )
    doc = restore_unknown_leaves(json.loads(out.attrs("aws_sqs_queue_policy.p")["policy"]))
    assert doc["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
            "Resource": UNKNOWN,
            "Principal": "*",
            "Condition": {"ArnEquals": {"aws:SourceArn": UNKNOWN}},
        }
    ]


def test_policy_document_whose_shape_is_unknown_stays_unknown(tf):
    out = tf(
        {
            "main.tf": """
            variable "kind" { type = string }
            data "aws_iam_policy_document" "who" {
              statement {
                actions   = ["s3:GetObject"]
                resources = ["*"]
                principals {
                  type        = var.kind
                  identifiers = ["*"]
                }
              }
            }
            data "aws_iam_policy_document" "src" {
              source_policy_documents = [var.kind]
              statement {
                actions   = ["s3:GetObject"]
                resources = ["*"]
              }
            }
            resource "aws_iam_policy" "who" { policy = data.aws_iam_policy_document.who.json }
            resource "aws_iam_policy" "src" { policy = data.aws_iam_policy_document.src.json }
            """
        }
    )
    # which statements an unknown source document merges in is not known
    assert out.attrs("aws_iam_policy.src")["policy"] is UNKNOWN
    # an unknown principal type hides who the statement names, not the statement itself
    who = restore_unknown_leaves(json.loads(out.attrs("aws_iam_policy.who")["policy"]))
    assert who["Statement"][0]["Principal"] is UNKNOWN
    assert who["Statement"][0]["Action"] == "s3:GetObject"


def test_jsonencode_attribute_keeps_known_structure(tf):
    out = tf(
        {
            "main.tf": """
            resource "aws_ecs_task_definition" "t" {
              family = "app"
              container_definitions = jsonencode([{
                name       = "app"
                image      = aws_ecr_repository.r.repository_url
                privileged = true
              }])
            }
            resource "aws_ecr_repository" "r" { name = "r" }
            resource "aws_iam_policy" "interp" {
              policy = "prefix-${aws_ecr_repository.r.arn}-suffix"
            }
            """
        }
    )
    containers = json.loads(out.attrs("aws_ecs_task_definition.t")["container_definitions"])
    assert containers == [{"name": "app", "image": UNKNOWN_JSON_LEAF, "privileged": True}]
    # plain interpolation of an unknown value stays wholly unknown, as before
    assert out.attrs("aws_iam_policy.interp")["policy"] is UNKNOWN
