"""Built-in checks for Google Cloud Terraform (google provider), one module per service."""
