"""The wheel carries the data: build it, install it into a fresh virtual
environment and load from a directory that is not the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Building the wheel and installing it into a fresh virtual environment
# takes seconds, not milliseconds: CI runs it (the default run includes it);
# `python -m pytest -m "not slow"` leaves it out for a quick local run.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (whl,) = out.glob("jakdata-*.whl")
    return whl


def test_wheel_contains_descriptor_data_and_schemas(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert "jakdata/_package/datapackage.json" in names
    for res in descriptor["resources"]:
        assert f"jakdata/_package/{res['path']}" in names
        assert f"jakdata/_package/{res['schema']}" in names


def test_installed_wheel_loads_and_validates_elsewhere(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    # The running environment's site-packages provide pandas & co. without
    # a download (a .pth file, after the venv's own site-packages); the wheel
    # itself is installed without dependencies into the fresh venv.
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    Path(purelib, "deps-from-test-runner.pth").write_text("\n".join(sorted(ours)) + "\n")
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import jakdata, json; ds = jakdata.load(); "
        "print(json.dumps({'file': jakdata.__file__, 'version': ds.version, "
        "'tables': {t: len(ds[t]) for t in ds.tables}, 'one': len(jakdata.load('outcomes'))}))"
    )
    out = subprocess.run([str(py), "-c", code], cwd=elsewhere, check=True, capture_output=True, text=True)
    got = json.loads(out.stdout)
    assert str(env_dir) in got["file"], "must import the installed wheel, not the checkout"
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert got["version"] == descriptor["version"]
    assert list(got["tables"]) == [r["name"] for r in descriptor["resources"]]
    assert got["tables"]["outcomes"] == got["one"]
    run = subprocess.run([str(py), "-m", "jakdata", "validate"], cwd=elsewhere, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("valid:")
