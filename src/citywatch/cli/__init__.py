"""Command-line faces: one module per command group, each thin over the library."""
