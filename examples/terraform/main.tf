# A deliberately insecure AWS estate for trying citywatch. Do not deploy it.

provider "aws" {
  region = "eu-west-1"
}

locals {
  name = "${var.project}-${var.environment}"
  tags = {
    Project     = var.project
    Environment = var.environment
  }
}

# Public website bucket: its separate public-access-block resource allows public policies.
module "website" {
  source        = "./modules/bucket"
  name          = "${local.name}-website"
  public        = true
  tags          = local.tags
}

# Private bucket: blocked, versioned and encrypted through its v4 companion resources.
module "backups" {
  source = "./modules/bucket"
  name   = "${local.name}-backups"
  tags   = local.tags
}

resource "aws_security_group" "admin" {
  name        = "${local.name}-admin"
  description = "Administrative access"

  dynamic "ingress" {
    for_each = toset([22, 3389])
    content {
      description = "admin port ${ingress.value}"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = var.admin_cidrs
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "orders" {
  identifier          = "${local.name}-orders"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "orders"
  password            = var.db_password
  storage_encrypted   = var.environment == "prod"
  publicly_accessible = true
  skip_final_snapshot = true
  tags                = local.tags
}

resource "aws_ebs_volume" "scratch" {
  count             = 2
  availability_zone = "eu-west-1a"
  size              = 50
  encrypted         = false
}

data "aws_iam_policy_document" "ci" {
  statement {
    sid       = "EverythingEverywhere"
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "ci" {
  name   = "${local.name}-ci"
  policy = data.aws_iam_policy_document.ci.json
}

resource "aws_iam_user" "ci" {
  name = "${local.name}-ci"
}

resource "aws_iam_user_policy_attachment" "ci_admin" {
  user       = aws_iam_user.ci.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_kms_key" "data" {
  description         = "${local.name} data key"
  enable_key_rotation = false
}
