"""Fixtures shared by every test: a writable copy of the bundled package and
the CLI run in-process. Plain helpers live in ``tests/helpers.py``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `from helpers import ...` in every test folder

from helpers import copy_bundled


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    return copy_bundled(tmp_path / "pkg")


@pytest.fixture
def cli(capsys):
    """Run ``jakdata ARGS`` in-process: returns (exit code, stdout, stderr)."""
    from jakdata.cli import main

    def run(*args: str):
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
