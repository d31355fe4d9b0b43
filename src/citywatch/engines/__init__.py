"""Engines decide what is wrong: each returns findings and nothing else."""
