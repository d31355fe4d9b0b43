"""AWS checks for Terraform and CloudFormation, one module per service."""
