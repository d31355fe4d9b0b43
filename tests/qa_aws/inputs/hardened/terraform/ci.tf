# GitHub Actions deploys through OIDC; the role trusts only this repository's main branch.
resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

data "aws_iam_policy_document" "github_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:example-org/orders:ref:refs/heads/main"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${local.name}-github-deploy"
  assume_role_policy   = data.aws_iam_policy_document.github_assume.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "PushImages"
    actions   = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:BatchCheckLayerAvailability"]
    resources = ["arn:aws:ecr:${var.region}:111122223333:repository/orders"]
  }
  statement {
    sid       = "RollService"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices", "ecs:RegisterTaskDefinition"]
    resources = ["*"]
  }
  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::111122223333:role/${local.name}-task", "arn:aws:iam::111122223333:role/${local.name}-task-execution"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "deploy" {
  name   = "${local.name}-deploy"
  policy = data.aws_iam_policy_document.deploy.json
}

resource "aws_iam_role_policy_attachment" "deploy" {
  role       = aws_iam_role.deploy.name
  policy_arn = aws_iam_policy.deploy.arn
}

# A tools cluster reachable from the office only: public endpoint restricted to one range.
resource "aws_eks_cluster" "tools" {
  name     = "${local.name}-tools"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    subnet_ids              = [for s in aws_subnet.private : s.id]
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = ["203.0.113.0/24"]
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.main.arn
    }
  }

  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}

# Reporting database outside Aurora: single instance, Multi-AZ, managed password.
resource "aws_db_instance" "reporting" {
  identifier                          = "${local.name}-reporting"
  engine                              = "postgres"
  engine_version                      = "16.3"
  instance_class                      = "db.m6g.large"
  allocated_storage                   = 100
  max_allocated_storage               = 500
  storage_type                        = "gp3"
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.main.arn
  username                            = "reporting"
  manage_master_user_password         = true
  multi_az                            = true
  db_subnet_group_name                = aws_db_subnet_group.main.name
  vpc_security_group_ids              = [aws_security_group.db.id]
  publicly_accessible                 = false
  backup_retention_period             = var.backup_retention_days
  deletion_protection                 = true
  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = aws_kms_key.main.arn
  copy_tags_to_snapshot               = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${local.name}-reporting-final"
}

# CloudFront reads the assets bucket through Origin Access Control only.
data "aws_iam_policy_document" "assets_oac" {
  statement {
    sid       = "CloudFrontRead"
    actions   = ["s3:GetObject"]
    resources = ["${module.assets_bucket.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.assets.arn]
    }
  }
}

# HTTP API for partners, JWT-authorised, with access logs.
resource "aws_apigatewayv2_api" "partners" {
  name          = "${local.name}-partners"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_authorizer" "partners" {
  api_id           = aws_apigatewayv2_api.partners.id
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]
  name             = "cognito"
  jwt_configuration {
    audience = ["partners"]
    issuer   = "https://cognito-idp.${var.region}.amazonaws.com/eu-west-1_Ab12Cd34"
  }
}

resource "aws_apigatewayv2_stage" "partners" {
  api_id      = aws_apigatewayv2_api.partners.id
  name        = "$default"
  auto_deploy = true
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format          = "$context.requestId $context.status"
  }
}

resource "aws_apigatewayv2_route" "partners_orders" {
  api_id             = aws_apigatewayv2_api.partners.id
  route_key          = "GET /orders/{id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.partners.id
}

resource "aws_apigatewayv2_route" "partners_preflight" {
  api_id    = aws_apigatewayv2_api.partners.id
  route_key = "OPTIONS /orders/{id}"
}

data "aws_iam_policy_document" "orders_topic" {
  statement {
    sid       = "EventBridgePublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.orders.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_sns_topic_policy" "orders" {
  arn    = aws_sns_topic.orders.arn
  policy = data.aws_iam_policy_document.orders_topic.json
}
