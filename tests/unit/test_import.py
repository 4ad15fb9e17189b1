"""`import jakdata` stays cheap and the version has one source."""

import json
import subprocess
import sys

import jakdata
from jakdata.package.descriptor import bundled_root


def test_import_does_not_pull_heavy_dependencies():
    code = (
        "import sys, jakdata; jakdata.__version__; "
        "heavy = [m for m in ('pandas', 'pandera', 'frictionless', 'click', 'pyarrow') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_version_is_the_descriptor_version():
    descriptor = json.loads((bundled_root() / "datapackage.json").read_text(encoding="utf-8"))
    assert jakdata.__version__ == descriptor["version"]


def test_package_metadata_version_matches(tmp_path):
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("jakdata")
    except PackageNotFoundError:  # running from a plain checkout
        return
    from packaging.version import Version

    assert Version(installed) == Version(jakdata.__version__)  # 0.4.0-dev.1 is installed as 0.4.0.dev1


def test_cli_version(cli):
    code, out, _ = cli("--version")
    assert code == 0
    assert out.strip() == f"jakdata {jakdata.__version__}"
