variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "project" {
  type    = string
  default = "orders"
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "vpc_cidr" {
  type    = string
  default = "10.20.0.0/16"
}

variable "db_instance_class" {
  type    = string
  default = "db.r6g.large"
}

variable "backup_retention_days" {
  type    = number
  default = 14
}

variable "domain_name" {
  type    = string
  default = "orders.example.com"
}

variable "certificate_arn" {
  type    = string
  default = "arn:aws:acm:eu-west-1:111122223333:certificate/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab"
}

variable "cloudfront_certificate_arn" {
  type    = string
  default = "arn:aws:acm:us-east-1:111122223333:certificate/9f8e7d6c-aaaa-bbbb-cccc-1234567890ab"
}

variable "admin_prefix_list_id" {
  type    = string
  default = "pl-0a1b2c3d4e5f67890"
}
