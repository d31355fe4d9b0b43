#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine, then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[dev]'
.venv/bin/python -m ruff check src tests $(ls bench/*.py 2>/dev/null)
.venv/bin/python -m mypy --strict src/citywatch
.venv/bin/python -m pytest "$@"
