"""Dockerfile checks (ids `CW-DOCKER-NNN`), one module per theme."""
