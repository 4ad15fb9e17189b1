"""The command line as users run it: exit codes, report shapes, info."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import EXAMPLES, build_example, set_cells

import jakdata


def test_validate_bundled_text(cli):
    code, out, _ = cli("validate")
    assert code == 0
    assert out.startswith(f"valid: jakdata {jakdata.__version__} ({len(jakdata.load().tables)} tables, ")


def test_validate_bundled_json_follows_the_contract(cli):
    code, out, _ = cli("validate", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert {"valid", "package", "version", "errors"} <= set(doc)
    assert doc["valid"] is True and doc["errors"] == []
    assert doc["package"] == "jakdata" and doc["version"] == jakdata.__version__


def test_invalid_json_report_and_exit_1(cli, tmp_path):
    pkg, _ = build_example(EXAMPLES / "invalid" / "measure-range", tmp_path / "p")
    code, out, _ = cli("validate", str(pkg), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["valid"] is False
    (err,) = doc["errors"]
    assert err == {
        "table": "outcomes",
        "row": 3,
        "column": "value",
        "value": "150",
        "check": "measure-range",
        "message": "above maximum 103 of scorad",
        "file": "data/outcomes.csv",
    }
    assert doc["summary"] == {"outcomes": {"measure-range": 1}}


def test_text_report_line(cli, tmp_path):
    pkg, _ = build_example(EXAMPLES / "invalid" / "measure-range", tmp_path / "p")
    code, out, _ = cli("validate", str(pkg))
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith("invalid: jakdata") and "1 error (" in lines[0]
    assert "  data/outcomes.csv:3 value=150: above maximum 103 of scorad [measure-range]" in lines


def test_github_annotations(cli, tmp_path, monkeypatch):
    """``file=`` is relative to the current directory (the repository root
    in a workflow), wherever the package lies."""
    _pkg, _ = build_example(EXAMPLES / "invalid" / "measure-range", tmp_path / "repo" / "sub" / "p")
    monkeypatch.chdir(tmp_path / "repo")
    code, out, _ = cli("validate", "sub/p", "--format", "github")
    assert code == 1
    assert out.splitlines()[0].startswith("::error file=sub/p/data/outcomes.csv,line=3,title=measure-range::")


def test_max_errors_caps_output_and_says_how_many_were_left_out(cli, tmp_path):
    pkg, case = build_example(EXAMPLES / "invalid" / "identifier-formats", tmp_path / "p")
    total = len(case["errors"])
    code, out, _ = cli("validate", str(pkg), "--format", "json", "--max-errors", "2")
    doc = json.loads(out)
    assert code == 1 and len(doc["errors"]) == 2
    assert doc["error_count"] == total and doc["errors_not_shown"] == total - 2
    code, out, _ = cli("validate", str(pkg), "--max-errors", "2")
    assert f"... {total - 2} more errors not shown" in out


def test_usage_error_exits_2(cli):
    code, _, err = cli("validate", "--format", "xml")
    assert code == 2 and "Invalid value" in err


def test_info(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no datapackage.json here: the bundled copy, and it says so
    code, out, _ = cli("info")
    assert code == 0
    assert (
        out.splitlines()[0]
        == f"jakdata {jakdata.__version__} — the bundled copy (no datapackage.json in the current directory)"
    )
    assert any(line.split()[:2] == ["outcomes", str(len(jakdata.load("outcomes")))] for line in out.splitlines())


def test_python_m_and_console_script_agree():
    a = subprocess.run([sys.executable, "-m", "jakdata", "--version"], capture_output=True, text=True)
    assert a.returncode == 0 and a.stdout.strip() == f"jakdata {jakdata.__version__}"


def test_pre_commit_hook_runs_the_validator_on_the_repository_it_runs_in(cli, package_copy, monkeypatch):
    """The shipped hook validates the fork's files (pre-commit runs hooks in
    the repository root), never the copy bundled with the installed jakdata."""
    import shlex
    from pathlib import Path

    import yaml

    from jakdata.tools.hashes import refresh

    hooks = yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "jakdata-validate" and hook["pass_filenames"] is False
    prog, *args = shlex.split(hook["entry"])
    assert prog == "jakdata"
    monkeypatch.chdir(package_copy)
    code, out, _ = cli(*args, *hook.get("args", []))
    assert code == 0 and out.startswith("valid:")
    set_cells(package_copy, "arms", 1, n="one")
    refresh(package_copy)
    code, out, _ = cli(*args, *hook.get("args", []))
    assert code == 1 and "data/arms.csv:2 n=one: not an integer" in out


@pytest.mark.parametrize(
    "args",
    [
        ["info", "{pkg}"],
        ["find", "tofacitinib", "--path", "{pkg}"],
        ["export", "--format", "sqlite", "-o", "{out}/x.sqlite", "--path", "{pkg}"],
        ["cite", "{pkg}"],
    ],
)
def test_commands_that_load_bad_data_say_where_in_one_line(cli, package_copy, tmp_path, args):
    from jakdata.tools.hashes import refresh

    set_cells(package_copy, "arms", 1, n="one")
    refresh(package_copy)
    code, out, err = cli(*[a.format(pkg=package_copy, out=tmp_path) for a in args])
    if args[0] == "cite":  # cite reads hashes only, never the rows
        assert code == 0 and ("+modified." in out or "not a release" in out)
        return
    assert code == 1, (out, err)
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert "data/arms.csv:2 n=one: not an integer" in err
    assert not (tmp_path / "x.sqlite").exists()


def test_validate_in_a_process_of_its_own_ends_with_the_whole_report(cli, tmp_path):
    """The console script ends a validation without the interpreter's
    teardown (``os._exit``): the report must still arrive whole through a
    pipe, with the same exit code and bytes as from :func:`jakdata.cli.main`."""
    pkg, _ = build_example(EXAMPLES / "invalid" / "measure-range", tmp_path / "p")
    for fmt in ("json", "text"):
        code, out, err = cli("validate", str(pkg), "--format", fmt)
        run = subprocess.run(
            [sys.executable, "-m", "jakdata", "validate", str(pkg), "--format", fmt], capture_output=True, text=True
        )
        assert (run.returncode, run.stdout, run.stderr) == (code, out, err) == (1, out, err)
    assert json.loads(cli("validate", str(pkg), "--format", "json")[1])["valid"] is False


def test_quick_exit_only_after_validate(tmp_path):
    """Any other command exits through the interpreter, so its clean-up
    handlers run (an ``atexit`` handler registered before it prints)."""
    script = (
        "import atexit, sys\n"
        "from jakdata.cli import entry\n"
        "atexit.register(lambda: print('cleaned up'))\n"
        "sys.argv = ['jakdata'] + sys.argv[1:]\n"
        "entry()\n"
    )
    info = subprocess.run([sys.executable, "-c", script, "info"], capture_output=True, text=True, cwd=tmp_path)
    assert info.returncode == 0 and info.stdout.endswith("cleaned up\n")
    valid = subprocess.run([sys.executable, "-c", script, "validate"], capture_output=True, text=True, cwd=tmp_path)
    assert valid.returncode == 0 and valid.stdout.startswith("valid: ") and "cleaned up" not in valid.stdout
    # a validation run earlier in the same process does not carry over
    again = script.replace("entry()\n", "main(['validate'])\nentry()\n").replace("import entry", "import entry, main")
    info = subprocess.run([sys.executable, "-c", again, "info"], capture_output=True, text=True, cwd=tmp_path)
    assert info.returncode == 0 and info.stdout.startswith("valid: ") and info.stdout.endswith("cleaned up\n")
    # under a tracer or profiler (coverage, cProfile), which write their results at exit
    traced = script.replace("entry()\n", "sys.settrace(lambda *a: None)\nentry()\n")
    valid = subprocess.run([sys.executable, "-c", traced, "validate"], capture_output=True, text=True, cwd=tmp_path)
    assert valid.returncode == 0 and valid.stdout.startswith("valid: ") and valid.stdout.endswith("cleaned up\n")


def test_validate_leaves_the_cycle_collector_as_it_found_it(cli):
    import gc

    assert gc.isenabled()
    assert cli("validate")[0] == 0
    assert gc.isenabled()
    gc.disable()
    try:
        assert cli("validate")[0] == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="transparent huge pages are a Linux setting")
def test_the_console_script_runs_with_small_pages_and_main_leaves_them_alone(tmp_path):
    """The console script asks Linux for small pages for its process (see
    `jakdata.cli._small_pages`); `main()` called in a process of the user's
    own changes no setting of that process."""
    state = "ctypes.CDLL(None).prctl(42, 0, 0, 0, 0)"  # PR_GET_THP_DISABLE
    console = (
        "import atexit, ctypes, sys\n"
        "from jakdata.cli import entry\n"
        f"atexit.register(lambda: print('small pages' if {state} == 1 else 'default'))\n"
        "sys.argv = ['jakdata', 'info']\n"
        "entry()\n"
    )
    in_process = (
        "import ctypes\n"
        "from jakdata.cli import main\n"
        "main(['validate'])\n"
        f"print('small pages' if {state} == 1 else 'default')\n"
    )
    for script, expected in ((console, "small pages"), (in_process, "default")):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0 and done.stdout.splitlines()[-1] == expected, (done.stdout, done.stderr)
