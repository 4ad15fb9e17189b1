"""Unusable or hostile input: a one-line message naming the file, exit 2,
no traceback; unsafe resource paths are refused, never read or fetched."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jakdata.tools.hashes import refresh

UNUSABLE = 2


def edit_descriptor(pkg: Path, change) -> None:
    p = pkg / "datapackage.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    change(d)
    p.write_text(json.dumps(d, indent=2), encoding="utf-8")


def resource(d: dict, name: str) -> dict:
    return next(r for r in d["resources"] if r["name"] == name)


def assert_unusable(cli, path, *words):
    code, out, err = cli("validate", str(path))
    assert code == UNUSABLE
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1, err  # one line
    for w in words:
        assert w in err, err
    code, out, _ = cli("validate", str(path), "--format", "json")
    assert code == UNUSABLE
    doc = json.loads(out)
    assert doc["valid"] is False and doc["usable"] is False
    return err


def test_directory_that_does_not_exist(cli, tmp_path):
    assert_unusable(cli, tmp_path / "nope", "nope", "no such file or directory")


def test_directory_without_descriptor(cli, tmp_path):
    assert_unusable(cli, tmp_path, "no datapackage.json")


def test_malformed_descriptor(cli, package_copy):
    (package_copy / "datapackage.json").write_text('{"name": "x",', encoding="utf-8")
    assert_unusable(cli, package_copy, "datapackage.json", "invalid JSON at line 1")


def test_descriptor_not_an_object(cli, package_copy):
    (package_copy / "datapackage.json").write_text("[]", encoding="utf-8")
    assert_unusable(cli, package_copy, "datapackage.json", "JSON object")


def test_missing_csv(cli, package_copy):
    (package_copy / "data" / "outcomes.csv").unlink()
    assert_unusable(cli, package_copy, "data/outcomes.csv", "file not found")


def test_missing_schema(cli, package_copy):
    (package_copy / "schemas" / "arms.json").unlink()
    assert_unusable(cli, package_copy, "schemas/arms.json", "file not found")


def test_binary_csv(cli, package_copy):
    (package_copy / "data" / "drugs.csv").write_bytes(bytes(range(256)) * 4)
    assert_unusable(cli, package_copy, "data/drugs.csv", "binary")


def test_empty_csv(cli, package_copy):
    (package_copy / "data" / "drugs.csv").write_bytes(b"")
    assert_unusable(cli, package_copy, "data/drugs.csv", "empty file")


@pytest.mark.parametrize(
    "content, words", [(b"\xef\xbb\xbf\n\n\n", "empty file"), (b"\n\nCHEMBL1,x\n", "line 1: the header row is empty")]
)
def test_csv_without_a_header(cli, package_copy, content, words):
    (package_copy / "data" / "drugs.csv").write_bytes(content)
    refresh(package_copy)
    assert_unusable(cli, package_copy, "data/drugs.csv", words)


def test_wrong_encoding_in_a_ragged_row_gives_one_clean_line(cli, package_copy):
    p = package_copy / "data" / "arms.csv"
    n = p.read_bytes().count(b"\n")
    with p.open("ab") as fh:
        fh.write(b"\xff\xfe,x\n")  # too few cells, and not UTF-8
    refresh(package_copy)
    assert_unusable(cli, package_copy, "data/arms.csv", f"line {n + 1}, byte 1: not valid UTF-8")


def test_wrong_encoding(cli, package_copy):
    p = package_copy / "data" / "synonyms.csv"
    p.write_bytes(
        p.read_text(encoding="utf-8").encode("utf-8") + "drug,upadacitinib,упадацитиниб,ru,inn,\n".encode("cp1251")
    )
    line = p.read_bytes().count(b"\n")
    assert_unusable(cli, package_copy, "data/synonyms.csv", f"line {line}", "not valid UTF-8")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_csv(cli, package_copy):
    p = package_copy / "data" / "drugs.csv"
    p.chmod(0)
    try:
        assert_unusable(cli, package_copy, "data/drugs.csv", "cannot be read")
    finally:
        p.chmod(0o644)


@pytest.mark.parametrize(
    "path, words",
    [
        ("/etc/passwd", "absolute path"),
        ("../outside.csv", "climbs out"),
        ("data/../../outside.csv", "climbs out"),
        ("https://example.org/outcomes.csv", "URL"),
        ("file:///etc/passwd", "URL"),
    ],
)
def test_unsafe_resource_paths_are_refused(cli, package_copy, path, words):
    outside = package_copy.parent / "outside.csv"
    outside.write_text("secret\n", encoding="utf-8")
    edit_descriptor(package_copy, lambda d: resource(d, "outcomes").update(path=path))
    err = assert_unusable(cli, package_copy, "outcomes", words)
    assert "secret" not in err


def test_unsafe_schema_path_is_refused(cli, package_copy):
    edit_descriptor(package_copy, lambda d: resource(d, "arms").update(schema="../schemas/arms.json"))
    assert_unusable(cli, package_copy, "arms", "climbs out")


def test_bom_and_crlf_are_accepted_with_a_warning(cli, package_copy):
    p = package_copy / "data" / "drugs.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes().replace(b"\n", b"\r\n"))
    refresh(package_copy)
    code, out, _ = cli("validate", str(package_copy), "--format", "json")
    doc = json.loads(out)
    assert code == 0, doc["errors"]
    assert any("byte order mark" in w for w in doc["warnings"])
    assert any("CRLF" in w for w in doc["warnings"])


def test_huge_field_is_an_error_not_a_hang(cli, package_copy):
    p = package_copy / "data" / "source_notes.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = dict.fromkeys(header, "")
    row.update(
        note_id="huge-1",
        source_id="lyu-2026-rosacea-review",
        locator="§1",
        kind="typo",
        description="x" * 2_000_000,
        resolution="none",
    )
    with p.open("a", encoding="utf-8") as fh:
        fh.write(",".join(row[c] for c in header) + "\n")
    refresh(package_copy)
    code, out, _ = cli("validate", str(package_copy), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    (err,) = [e for e in doc["errors"] if e["column"] == "description"]
    assert err["check"] == "max-length"
    assert err["row"] == len(lines) + 1
    assert len(err["value"]) <= 80


def test_a_csv_given_instead_of_the_package(cli, package_copy):
    code, _out, err = cli("validate", str(package_copy / "data" / "outcomes.csv"))
    assert code == 2 and "outcomes.csv: is not a datapackage.json: give the package directory" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_missing_required_library_is_one_line_not_a_traceback(cli, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` now fails as if not installed
    code, out, err = cli("validate")
    assert code == UNUSABLE and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "pyarrow is not installed" in err and "pip install" in err
