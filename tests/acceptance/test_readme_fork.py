"""The README's instructions for a fork, run as written: a fork in a
temporary git repository with the README's pre-commit configuration; a
broken cell makes the commit fail with the cell's line; the README's CI
step annotates the right file. Nothing is installed from the network: the
hook is ``repo: local`` and runs the ``jakdata`` of this environment, as the
README says (installed from the repository, since jakdata is not on PyPI)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import copy_bundled, set_cells

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    not README.is_file() or shutil.which("git") is None, reason="needs the README of a checkout and git"
)


def fork_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### In your own dataset repository")
    return text[start : text.index("\n## ", start)]


def blocks(section: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section, re.S)


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The `jakdata` and `python` of this environment first on PATH; git and
    pre-commit kept away from the machine's own configuration."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "GIT_AUTHOR_NAME": "fork",
        "GIT_AUTHOR_EMAIL": "fork@example.org",
        "GIT_COMMITTER_NAME": "fork",
        "GIT_COMMITTER_EMAIL": "fork@example.org",
    }


def test_the_readme_installs_from_the_repository_and_pins_no_missing_tag():
    section = fork_section()
    (install,) = [line for b in blocks(section, "sh") for line in b.splitlines() if "pip install" in line]
    assert re.fullmatch(r'python -m pip install "jakdata @ git\+https://\S+@COMMIT_SHA"', install), install
    ci = yaml.safe_load(blocks(section, "yaml")[1])
    runs = [step["run"] for step in ci if "run" in step]
    assert runs == [install, "jakdata validate . --format github"]
    tags = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    revs = [rev for b in blocks(section, "yaml") for rev in re.findall(r"^\s*rev:\s*(\S+)", b, re.M)]
    for rev in revs:  # a rev that is written out must exist
        assert rev in tags, f"rev {rev} is not a tag of this repository"
    assert "pip install jakdata\n" not in section and "rev: v" not in section


def test_the_shipped_hook_validates_the_repository_it_runs_in():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (readme_hook,) = yaml.safe_load(blocks(fork_section(), "yaml")[0])["repos"][0]["hooks"]
    assert hook["pass_filenames"] is False and hook["entry"] == "jakdata validate ."
    for key in ("id", "entry", "pass_filenames", "files"):
        assert readme_hook[key] == hook[key], key


@pytest.mark.slow  # about 10-20 s: git, pre-commit's first run, two validations
def test_the_readme_pre_commit_hook_stops_a_broken_fork(tmp_path, env):
    fork = copy_bundled(tmp_path / "fork")
    config = blocks(fork_section(), "yaml")[0]
    (fork / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    assert run(["git", "init", "-q"], fork, env).returncode == 0
    installed = run([sys.executable, "-m", "pre_commit", "install"], fork, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    assert run(["git", "add", "-A"], fork, env).returncode == 0
    first = run(["git", "commit", "-q", "-m", "the fork as copied"], fork, env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"jakdata validate\.+Passed", first.stdout + first.stderr), first.stdout + first.stderr

    # break one cell of the fork (and refresh its hashes, as a maintainer would)
    rows = list(csv.reader(io.StringIO((fork / "data" / "outcomes.csv").read_text(encoding="utf-8"), newline="")))
    row = next(i for i, r in enumerate(rows) if i and r[rows[0].index("value")])
    set_cells(fork, "outcomes", row, value="abc")
    hashes = run(["jakdata", "hashes"], fork, env)
    assert hashes.returncode == 0 and hashes.stdout == "updated: outcomes\n", hashes.stdout + hashes.stderr
    assert run(["git", "add", "-A"], fork, env).returncode == 0
    head = run(["git", "rev-parse", "HEAD"], fork, env).stdout
    broken = run(["git", "commit", "-q", "-m", "a broken cell"], fork, env)
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0, output
    assert re.search(r"jakdata validate\.+Failed", output), output
    line = f"data/outcomes.csv:{row + 1} value=abc: not a number with '.' as decimal separator [type]"
    assert line in output, output
    assert "invalid: jakdata" in output and "1 error (outcomes 1)" in output
    assert run(["git", "rev-parse", "HEAD"], fork, env).stdout == head  # the commit was stopped

    # the README's CI step on the same fork: an annotation on the right file and line
    ci = run(["jakdata", "validate", ".", "--format", "github"], fork, env)
    assert ci.returncode == 1
    assert f"::error file=data/outcomes.csv,line={row + 1},title=type::" in ci.stdout, ci.stdout
