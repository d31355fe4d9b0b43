"""Terraform: HCL and JSON configuration evaluated like `terraform plan`, and plan JSON."""

from citywatch.parsers.terraform.parser import TerraformParser

__all__ = ["TerraformParser"]
