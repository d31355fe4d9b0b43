"""Run `citywatch` the way a user does (in-process, so the folder stays fast) and read JSON."""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
from pathlib import Path
from typing import Any

import pytest

from citywatch.cli.main import main


def run(
    capsys: pytest.CaptureFixture[str], argv: list[str], cwd: Path | None = None
) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `citywatch ARGV` (optionally from `cwd`)."""
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    finally:
        os.chdir(old)
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(
    capsys: pytest.CaptureFixture[str], argv: list[str], cwd: Path | None = None
) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, [*argv, "--format", "json"], cwd)
    try:
        return code, json.loads(out)
    except ValueError:
        raise AssertionError(f"not JSON (exit {code}): {out[:500]!r} {err[:500]!r}") from None


def token(prefix: str, n: int, seed: int, alphabet: str = "") -> str:
    """A fake credential in the provider's real format, built at run time (none in the repo)."""
    rnd = random.Random(seed)
    chars = alphabet or string.ascii_letters + string.digits
    return prefix + "".join(rnd.choice(chars) for _ in range(n))


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo),
        "GIT_AUTHOR_NAME": "Alice Dev",
        "GIT_AUTHOR_EMAIL": "alice@corp.test",
        "GIT_COMMITTER_NAME": "Alice Dev",
        "GIT_COMMITTER_EMAIL": "alice@corp.test",
        **(env or {}),
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=full_env, capture_output=True, text=True, check=True
    )
    return done.stdout
