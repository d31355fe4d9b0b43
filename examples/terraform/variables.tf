variable "project" {
  description = "Name prefix for every resource."
  type        = string
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "admin_cidrs" {
  description = "Who may reach SSH and RDP."
  type        = list(string)
  default     = ["10.0.0.0/8"]
}

variable "db_password" {
  type      = string
  sensitive = true
}
