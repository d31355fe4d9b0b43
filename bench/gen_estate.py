"""Generate a realistic Terraform estate plus a Kubernetes corpus for the scan benchmark.

`python bench/gen_estate.py DIR [--roots N] [--manifests N]` writes, deterministically:
- `terraform/modules/*`: local modules (bucket with its v4 companion resources, network,
  database, cluster) with variables and outputs;
- `terraform/live/<team>-<env>/`: root modules with variables, tfvars, locals, count, for_each,
  dynamic blocks and module calls, over AWS, Azure and GCP resource types checks apply to;
- `kubernetes/`: Deployments, StatefulSets, CronJobs, Services and RBAC manifests.
Prints the number of files and the number of resource instances Terraform would plan.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

MODULES: dict[str, dict[str, str]] = {
    "s3-bucket": {
        "variables.tf": """
variable "name" { type = string }
variable "versioning" {
  type    = bool
  default = true
}
variable "kms_key_arn" {
  type    = string
  default = null
}
variable "log_bucket" {
  type    = string
  default = ""
}
variable "tags" {
  type    = map(string)
  default = {}
}
""",
        "main.tf": """
resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = merge(var.tags, { Name = var.name })
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.versioning ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count  = var.kms_key_arn == null ? 0 : 1
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_logging" "this" {
  count         = var.log_bucket == "" ? 0 : 1
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.log_bucket
  target_prefix = "${var.name}/"
}
""",
        "outputs.tf": """
output "id" { value = aws_s3_bucket.this.id }
output "arn" { value = aws_s3_bucket.this.arn }
output "name" { value = aws_s3_bucket.this.bucket }
""",
    },
    "network": {
        "variables.tf": """
variable "cidr" { type = string }
variable "azs" { type = list(string) }
variable "name" { type = string }
variable "allowed_ports" {
  type    = list(number)
  default = [443]
}
variable "admin_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}
""",
        "main.tf": """
resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  tags                 = { Name = var.name }
}

resource "aws_subnet" "private" {
  count             = length(var.azs)
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 4, count.index)
  availability_zone = var.azs[count.index]
}

resource "aws_subnet" "public" {
  count                   = length(var.azs)
  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.cidr, 4, count.index + 8)
  availability_zone       = var.azs[count.index]
  map_public_ip_on_launch = true
}

resource "aws_flow_log" "this" {
  vpc_id          = aws_vpc.this.id
  traffic_type    = "ALL"
  log_destination = "arn:aws:s3:::flow-logs-${var.name}"
}

resource "aws_security_group" "app" {
  name        = "${var.name}-app"
  description = "application tier"
  vpc_id      = aws_vpc.this.id

  dynamic "ingress" {
    for_each = var.allowed_ports
    content {
      description = "app port ${ingress.value}"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  ingress {
    description = "ssh from admins"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
""",
        "outputs.tf": """
output "vpc_id" { value = aws_vpc.this.id }
output "private_subnets" { value = aws_subnet.private[*].id }
output "app_sg" { value = aws_security_group.app.id }
""",
    },
    "database": {
        "variables.tf": """
variable "name" { type = string }
variable "engine" {
  type    = string
  default = "postgres"
}
variable "encrypted" {
  type    = bool
  default = true
}
variable "public" {
  type    = bool
  default = false
}
variable "subnet_ids" { type = list(string) }
""",
        "main.tf": """
resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_db_instance" "this" {
  identifier              = var.name
  engine                  = var.engine
  instance_class          = "db.t3.medium"
  allocated_storage       = 50
  storage_encrypted       = var.encrypted
  publicly_accessible     = var.public
  backup_retention_period = var.public ? 0 : 7
  db_subnet_group_name    = aws_db_subnet_group.this.name
  deletion_protection     = true
  username                = "app"
  manage_master_user_password = true
}
""",
        "outputs.tf": """
output "endpoint" { value = aws_db_instance.this.endpoint }
""",
    },
    "eks": {
        "variables.tf": """
variable "name" { type = string }
variable "public_endpoint" {
  type    = bool
  default = false
}
variable "subnet_ids" { type = list(string) }
""",
        "main.tf": """
resource "aws_iam_role" "cluster" {
  name = "${var.name}-cluster"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = { Service = "eks.amazonaws.com" }
    }]
  })
}

resource "aws_eks_cluster" "this" {
  name     = var.name
  role_arn = aws_iam_role.cluster.arn
  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_public_access  = var.public_endpoint
    endpoint_private_access = true
  }
  enabled_cluster_log_types = var.public_endpoint ? [] : ["api", "audit"]
}
""",
        "outputs.tf": """
output "endpoint" { value = aws_eks_cluster.this.endpoint }
""",
    },
}


def _variables() -> str:
    return """
variable "team" { type = string }
variable "env" { type = string }
variable "region" {
  type    = string
  default = "eu-west-1"
}
variable "replicas" {
  type    = number
  default = 2
}
variable "buckets" {
  type    = map(object({ versioning = bool, public = bool }))
  default = {}
}
variable "open_ports" {
  type    = list(number)
  default = [443]
}
variable "db_public" {
  type    = bool
  default = false
}
"""


def _tfvars(rng: random.Random, team: str, env: str) -> str:
    buckets = []
    for name in rng.sample(["assets", "uploads", "reports", "backups", "exports", "media"], 3):
        versioning = "true" if rng.random() < 0.7 else "false"
        public = "true" if rng.random() < 0.2 else "false"
        buckets.append(f"  {name} = {{ versioning = {versioning}, public = {public} }}")
    ports = rng.choice(["[443]", "[80, 443]", "[22, 443]", "[3389, 443, 8080]"])
    return (
        f'team = "{team}"\nenv = "{env}"\nreplicas = {rng.choice([1, 2, 3])}\n'
        f"open_ports = {ports}\ndb_public = {'true' if rng.random() < 0.2 else 'false'}\n"
        "buckets = {\n" + "\n".join(buckets) + "\n}\n"
    )


def _main(idx: int) -> str:
    return f"""
terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "~> 5.0" }}
  }}
}}

provider "aws" {{
  region = var.region
}}

locals {{
  name   = "${{var.team}}-${{var.env}}"
  common_tags = {{
    Team        = var.team
    Environment = var.env
    ManagedBy   = "terraform"
  }}
  azs = ["${{var.region}}a", "${{var.region}}b", "${{var.region}}c"]
  cidr = "10.${{{idx % 200}}}.0.0/16"
}}

module "network" {{
  source        = "../../modules/network"
  name          = local.name
  cidr          = local.cidr
  azs           = local.azs
  allowed_ports = var.open_ports
}}

module "buckets" {{
  source      = "../../modules/s3-bucket"
  for_each    = var.buckets
  name        = "${{local.name}}-${{each.key}}"
  versioning  = each.value.versioning
  kms_key_arn = aws_kms_key.data.arn
  log_bucket  = aws_s3_bucket.logs.id
  tags        = local.common_tags
}}

module "db" {{
  source     = "../../modules/database"
  name       = "${{local.name}}-db"
  public     = var.db_public
  encrypted  = var.env == "prod"
  subnet_ids = module.network.private_subnets
}}
"""


def _storage() -> str:
    return """
resource "aws_kms_key" "data" {
  description         = "${local.name} data key"
  enable_key_rotation = var.env == "prod"
}

resource "aws_s3_bucket" "logs" {
  bucket = "${local.name}-logs"
  tags   = local.common_tags
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket" "legacy" {
  count  = var.env == "prod" ? 0 : 1
  bucket = "${local.name}-legacy"
  acl    = "public-read"
}

resource "aws_ebs_volume" "scratch" {
  count             = var.replicas
  availability_zone = local.azs[count.index % length(local.azs)]
  size              = 100
  encrypted         = count.index == 0
}

resource "aws_efs_file_system" "shared" {
  creation_token = "${local.name}-shared"
  encrypted      = var.env == "prod"
}

resource "aws_dynamodb_table" "state" {
  name         = "${local.name}-state"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = var.env == "prod"
  }
}
"""


def _compute() -> str:
    return """
data "aws_iam_policy_document" "app" {
  statement {
    sid       = "ReadData"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["${aws_s3_bucket.logs.arn}/*"]
  }
  statement {
    sid       = "Admin"
    actions   = var.env == "prod" ? ["sqs:SendMessage"] : ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "app" {
  name   = "${local.name}-app"
  policy = data.aws_iam_policy_document.app.json
}

resource "aws_iam_user" "ci" {
  name = "${local.name}-ci"
}

resource "aws_iam_user_policy_attachment" "ci_admin" {
  count      = var.env == "prod" ? 0 : 1
  user       = aws_iam_user.ci.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_instance" "app" {
  count                  = var.replicas
  ami                    = "ami-0abcdef1234567890"
  instance_type          = var.env == "prod" ? "m5.large" : "t3.small"
  subnet_id              = module.network.private_subnets[count.index % 3]
  vpc_security_group_ids = [module.network.app_sg]
  monitoring             = var.env == "prod"
  metadata_options {
    http_tokens   = var.env == "prod" ? "required" : "optional"
    http_endpoint = "enabled"
  }
  root_block_device {
    encrypted   = var.env == "prod"
    volume_size = 30
  }
  user_data = <<-EOT
    #!/bin/bash
    echo "starting ${local.name} replica ${count.index}"
  EOT
  tags = merge(local.common_tags, { Name = "${local.name}-app-${count.index}" })
}

resource "aws_lambda_function" "worker" {
  function_name = "${local.name}-worker"
  role          = aws_iam_policy.app.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "worker.zip"
  environment {
    variables = {
      STAGE    = var.env
      DB_PASS  = "hunter2-${var.team}"
    }
  }
}
"""


def _messaging() -> str:
    return """
resource "aws_sqs_queue" "jobs" {
  for_each                = toset(["ingest", "notify", "export"])
  name                    = "${local.name}-${each.key}"
  sqs_managed_sse_enabled = each.key != "export"
}

resource "aws_sns_topic" "alerts" {
  name              = "${local.name}-alerts"
  kms_master_key_id = var.env == "prod" ? aws_kms_key.data.arn : null
}

resource "aws_cloudtrail" "main" {
  count                         = var.env == "prod" ? 1 : 0
  name                          = "${local.name}-trail"
  s3_bucket_name                = aws_s3_bucket.logs.id
  is_multi_region_trail         = true
  enable_log_file_validation    = true
  include_global_service_events = true
}

resource "aws_security_group" "admin" {
  name   = "${local.name}-admin"
  vpc_id = module.network.vpc_id
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = var.env == "prod" ? ["10.0.0.0/8"] : ["0.0.0.0/0"]
  }
  ingress {
    from_port        = 5432
    to_port          = 5432
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }
}
"""


def _azure() -> str:
    return """
resource "azurerm_resource_group" "main" {
  name     = "rg-${local.name}"
  location = "westeurope"
}

resource "azurerm_storage_account" "data" {
  count                           = var.replicas
  name                            = "st${replace(local.name, "-", "")}${count.index}"
  resource_group_name             = azurerm_resource_group.main.name
  location                        = azurerm_resource_group.main.location
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  min_tls_version                 = var.env == "prod" ? "TLS1_2" : "TLS1_0"
  allow_nested_items_to_be_public = var.env != "prod"
  https_traffic_only_enabled      = true
}

resource "azurerm_network_security_group" "web" {
  name                = "nsg-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  dynamic "security_rule" {
    for_each = { for i, p in var.open_ports : tostring(p) => i }
    content {
      name                       = "allow-${security_rule.key}"
      priority                   = 100 + security_rule.value
      direction                  = "Inbound"
      access                     = "Allow"
      protocol                   = "Tcp"
      source_port_range          = "*"
      destination_port_range     = security_rule.key
      source_address_prefix      = "*"
      destination_address_prefix = "*"
    }
  }
}

resource "azurerm_managed_disk" "data" {
  name                 = "disk-${local.name}"
  location             = azurerm_resource_group.main.location
  resource_group_name  = azurerm_resource_group.main.name
  storage_account_type = "Premium_LRS"
  create_option        = "Empty"
  disk_size_gb         = 128
}

resource "azurerm_key_vault" "main" {
  name                       = "kv-${local.name}"
  location                   = azurerm_resource_group.main.location
  resource_group_name        = azurerm_resource_group.main.name
  tenant_id                  = "00000000-0000-0000-0000-000000000000"
  sku_name                   = "standard"
  purge_protection_enabled   = var.env == "prod"
  soft_delete_retention_days = 7
}

resource "azurerm_kubernetes_cluster" "main" {
  name                = "aks-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  dns_prefix          = local.name
  default_node_pool {
    name       = "default"
    node_count = var.replicas
    vm_size    = "Standard_D2_v2"
  }
  identity {
    type = "SystemAssigned"
  }
}
"""


def _gcp() -> str:
    return """
resource "google_storage_bucket" "data" {
  for_each                    = toset(["raw", "curated"])
  name                        = "${local.name}-${each.key}"
  location                    = "EU"
  uniform_bucket_level_access = each.key == "curated"
  versioning {
    enabled = var.env == "prod"
  }
}

resource "google_compute_firewall" "ssh" {
  name    = "${local.name}-ssh"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = [for p in concat([22], var.open_ports) : tostring(p)]
  }
  source_ranges = var.env == "prod" ? ["35.235.240.0/20"] : ["0.0.0.0/0"]
}

resource "google_sql_database_instance" "main" {
  name             = "${local.name}-sql"
  database_version = "POSTGRES_15"
  region           = "europe-west1"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ipv4_enabled = var.db_public
      dynamic "authorized_networks" {
        for_each = var.db_public ? ["0.0.0.0/0"] : []
        content {
          name  = "anywhere"
          value = authorized_networks.value
        }
      }
    }
    backup_configuration {
      enabled = true
    }
  }
}

resource "google_container_cluster" "main" {
  name                     = "${local.name}-gke"
  location                 = "europe-west1"
  initial_node_count       = var.replicas
  enable_legacy_abac       = false
  remove_default_node_pool = true
  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }
}

resource "google_compute_instance" "bastion" {
  count        = var.env == "prod" ? 1 : 2
  name         = "${local.name}-bastion-${count.index}"
  machine_type = "e2-small"
  zone         = "europe-west1-b"
  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
  network_interface {
    network = "default"
    access_config {}
  }
  metadata = {
    enable-oslogin         = "TRUE"
    block-project-ssh-keys = var.env == "prod" ? "TRUE" : "FALSE"
  }
}
"""


def _outputs() -> str:
    return """
output "vpc_id" { value = module.network.vpc_id }
output "db_endpoint" { value = module.db.endpoint }
output "bucket_arns" { value = { for k, m in module.buckets : k => m.arn } }
output "app_ips" { value = aws_instance.app[*].private_ip }
"""


def _eks(idx: int) -> str:
    public = "true" if idx % 3 == 0 else "false"
    return f"""
module "eks" {{
  source          = "../../modules/eks"
  name            = "${{local.name}}-eks"
  public_endpoint = {public}
  subnet_ids      = module.network.private_subnets
}}
"""


WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job")


def _manifest(rng: random.Random, i: int) -> str:
    kind = WORKLOADS[i % len(WORKLOADS)]
    name = f"svc-{i}"
    ns = rng.choice(["default", "payments", "web", "batch"])
    image = rng.choice(["nginx:latest", "ghcr.io/acme/api:1.4.2", "redis", "busybox:1.36"])
    privileged = "true" if rng.random() < 0.15 else "false"
    run_as_non_root = "true" if rng.random() < 0.6 else "false"
    container = f"""
      containers:
        - name: main
          image: {image}
          ports:
            - containerPort: 8080
          env:
            - name: DB_PASSWORD
              value: "s3cr3t-{i}"
            - name: LOG_LEVEL
              value: info
          securityContext:
            privileged: {privileged}
            runAsNonRoot: {run_as_non_root}
            allowPrivilegeEscalation: {"false" if rng.random() < 0.5 else "true"}
          resources:
            requests:
              cpu: 100m
              memory: 128Mi"""
    host = "\n      hostNetwork: true" if rng.random() < 0.1 else ""
    pod = f"""    metadata:
      labels:
        app: {name}
    spec:{host}{container}
"""
    if kind == "CronJob":
        body = f"""spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
{_indent(pod, 6)}"""
    elif kind == "Job":
        body = f"""spec:
  template:
{pod}"""
    else:
        sel = f"""spec:
  selector:
    matchLabels:
      app: {name}
"""
        replicas = "" if kind == "DaemonSet" else "  replicas: 2\n"
        body = f"""{sel}{replicas}  template:
{pod}"""
    api = "batch/v1" if kind in ("CronJob", "Job") else "apps/v1"
    service = f"""---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  type: {rng.choice(["ClusterIP", "LoadBalancer", "NodePort"])}
  selector:
    app: {name}
  ports:
    - port: 80
      targetPort: 8080
"""
    return (
        f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
        f"{body}{service}"
    )


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line if line else line for line in text.splitlines()) + "\n"


def generate(out: Path, roots: int = 50, manifests: int = 300, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    tf = out / "terraform"
    files = 0
    for mod, mfiles in MODULES.items():
        for name, text in mfiles.items():
            path = tf / "modules" / mod / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.lstrip())
            files += 1
    teams = ["payments", "search", "identity", "data", "platform", "mobile", "growth", "ml", "ops"]
    envs = ["dev", "staging", "prod", "sandbox"]
    for i in range(roots):
        team = teams[i % len(teams)]
        env = envs[(i // len(teams)) % len(envs)]
        root = tf / "live" / f"{team}-{env}-{i}"
        root.mkdir(parents=True, exist_ok=True)
        parts = {
            "main.tf": _main(i),
            "variables.tf": _variables(),
            "storage.tf": _storage(),
            "compute.tf": _compute(),
            "messaging.tf": _messaging(),
            "azure.tf": _azure(),
            "gcp.tf": _gcp(),
            "outputs.tf": _outputs(),
            "terraform.tfvars": _tfvars(rng, team, env),
        }
        if i % 2 == 0:
            parts["eks.tf"] = _eks(i)
        for name, text in parts.items():
            (root / name).write_text(text.lstrip())
            files += 1
    k8s = out / "kubernetes"
    k8s.mkdir(parents=True, exist_ok=True)
    for i in range(manifests):
        (k8s / f"app-{i:04d}.yaml").write_text(_manifest(rng, i))
        files += 1
    return {"files": files, "terraform_roots": roots, "manifests": manifests}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--roots", type=int, default=50)
    ap.add_argument("--manifests", type=int, default=300)
    args = ap.parse_args()
    stats = generate(args.out, args.roots, args.manifests)
    print(" ".join(f"{k}={v}" for k, v in stats.items()))


if __name__ == "__main__":
    main()
