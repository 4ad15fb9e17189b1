"""The tracebacks and wrong hints a second hostile-input run found (issue
22): each now ends in one line with its exit code, or in the right hint."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from helpers import build_minimal

import jakdata
from jakdata.tools.release import _key


def _edit(pkg: Path, change) -> None:
    p = pkg / "datapackage.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    change(d)
    p.write_text(json.dumps(d, indent=2), encoding="utf-8")


def _one_line(code: int, err: str, want_code: int, *words: str) -> None:
    assert code == want_code, err
    assert "Traceback" not in err and err.strip().count("\n") == 0, err
    for w in words:
        assert w in err, err


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["resources"][0].update(hash=123), ("resources[0].hash must be a string, not a number",)),
        (lambda d: d["resources"][0].update(bytes="12"), ("resources[0].bytes must be a whole number, not a string",)),
        (lambda d: d.update(contributors="someone"), ("contributors must be a list, not a string",)),
        (lambda d: d.update(contributors=["someone"]), ("contributors[0] must be an object, not a string",)),
        (lambda d: d.update(licenses=[{"name": 4}]), ("licenses[0].name must be a string, not a number",)),
        (lambda d: d.update(keywords="jak"), ("keywords must be a list, not a string",)),
        (lambda d: d.update(version=1), ("version must be a string, not a number",)),
    ],
)
@pytest.mark.parametrize("command", ["validate", "cite", "info", "docs"])
def test_a_descriptor_property_of_the_wrong_json_type_is_one_line(cli, tmp_path, change, words, command):
    pkg = build_minimal(tmp_path / "pkg")
    _edit(pkg, change)
    code, _, err = cli(command, str(pkg))
    _one_line(code, err, 2, "datapackage.json", *words)


def test_pre_release_versions_sort_by_semantic_versioning():
    versions = ["1.0.0", "1.0.0-rc.1", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.11", "1.0.0-beta.2", "0.10.0"]
    versions.append("0.4.0")
    assert sorted(versions, key=_key) == [
        "0.4.0",
        "0.10.0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
    ]


def test_plot_to_an_unknown_format_is_one_line(cli, tmp_path):
    code, _, err = cli("plot", "evidence-map", "-o", str(tmp_path / "out.xyz"))
    _one_line(code, err, 2, "out.xyz", "cannot be written as .xyz")
    assert not (tmp_path / "out.xyz").exists()


def test_a_table_name_never_turns_into_a_path(tmp_path, monkeypatch):
    (tmp_path / "sources").mkdir()
    monkeypatch.chdir(tmp_path)
    frame = jakdata.load("sources")
    assert frame.columns[0] == "source_id" and len(frame) > 100


@pytest.mark.parametrize(
    ("cell", "hint"),
    [
        ("48%", "(write the number without '%'"),
        ("4x8", None),
        ("4.8.1", None),
        ("1e999", "(too large to be a finite number)"),
        ("4,8", "(use '.' as the decimal separator"),
    ],
)
def test_a_number_that_is_not_one_gets_the_right_hint(cli, tmp_path, cell, hint):
    pkg = build_minimal(tmp_path / "pkg")
    path = pkg / "data" / "outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    rows[0][header.index("value")] = cell
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    from jakdata.tools.hashes import refresh

    refresh(pkg)
    code, out_json, _ = cli("validate", str(pkg), "--format", "json")
    (err,) = [e for e in json.loads(out_json)["errors"] if e["check"] == "type"]
    assert code == 1 and err["message"].startswith("not a number")
    if hint is None:
        assert "(" not in err["message"], err["message"]
    else:
        assert hint in err["message"]


def test_parquet_export_directory_has_the_usual_mode(cli, tmp_path):
    pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "pq"
    old = os.umask(0o022)
    try:
        assert cli("export", "--format", "parquet", "-o", str(out))[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755


def test_dir_shows_the_public_surface():
    names = dir(jakdata)
    for name in ("load", "find", "evidence", "pairwise", "arms_frame", "cite", "Dataset", "DataError", "__version__"):
        assert name in names
    assert "TYPE_CHECKING" not in names and "overload" not in names


def test_a_data_error_carries_its_finding(tmp_path):
    pkg = build_minimal(tmp_path / "pkg")
    path = pkg / "data" / "targets.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("JAK1,Janus kinase 1,JAK", "JAK1,Janus kinase 1,TYK"))
    from jakdata.tools.hashes import refresh

    refresh(pkg)
    with pytest.raises(jakdata.DataError) as exc:
        jakdata.load(pkg)
    f = exc.value.finding
    assert (f.table, f.row, f.column, f.value, f.check) == ("targets", 2, "family", "TYK", "enum")
    assert str(exc.value).startswith("data/targets.csv:2 family=TYK: not one of the allowed values (JAK, STAT) [enum]")
