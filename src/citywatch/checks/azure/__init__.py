"""Built-in checks for Azure Terraform (azurerm provider), one module per service."""
