"""Kubernetes manifest checks (ids `CW-K8S-NNN`), one module per theme."""
