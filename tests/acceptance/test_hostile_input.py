"""Unusable or hostile input (issue 13 and before): every case ends with
one clear line, the documented exit code, no traceback, no hang, and nothing
outside the intended output touched. Unsafe paths are refused, never read
or fetched; outputs are written atomically and never through a symlink."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import copy_bundled, set_cells

from jakdata.errors import JakdataError
from jakdata.tools.hashes import refresh

INVALID = 1
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


# --------------------------------------------------------------------------
# Helpers for the cases of issue 13


def one_line(code: int, err: str, expected: int, *words: str) -> str:
    """Exit ``expected``, exactly one line on stderr holding ``words``, no traceback."""
    assert code == expected, err
    assert "Traceback" not in err, err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    for w in words:
        assert w in err, err
    return err


def snapshot(root: Path) -> dict[str, str]:
    """Every file and symlink under ``root`` with a digest of its content."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


def read_rows(pkg: Path, table: str) -> list[list[str]]:
    p = pkg / "data" / f"{table}.csv"
    return list(csv.reader(io.StringIO(p.read_text(encoding="utf-8"), newline="")))


def write_rows(pkg: Path, table: str, rows: list[list[str]], delimiter: str = ",") -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    (pkg / "data" / f"{table}.csv").write_text(out.getvalue(), encoding="utf-8")


def numeric_row(pkg: Path) -> int:
    """A data row of outcomes (1 = CSV line 2) with a value."""
    rows = read_rows(pkg, "outcomes")
    col = rows[0].index("value")
    return next(i for i, r in enumerate(rows) if i and r[col])


def edit_schema(pkg: Path, table: str, change) -> None:
    p = pkg / "schemas" / f"{table}.json"
    s = json.loads(p.read_text(encoding="utf-8"))
    change(s)
    p.write_text(json.dumps(s, indent=2), encoding="utf-8")


def run_bounded(
    args: list[str], timeout: float, cwd: Path | None = None, max_memory: int | None = None
) -> tuple[int, str, str, float, float]:
    """Run a command in a child process, killed after ``timeout`` seconds
    (and, with ``max_memory``, unable to map more bytes than that): (exit
    code, stdout, stderr, wall seconds, peak RSS in MiB of the child)."""
    import resource
    import tempfile

    def limit() -> None:
        if max_memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd, preexec_fn=limit)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            wall,
            usage.ru_maxrss / 1024,
        )


JAKDATA = [sys.executable, "-m", "jakdata"]


# --------------------------------------------------------------------------
# The fork workflow: the package in front of you, one PATH convention


def test_validate_without_path_uses_the_package_of_the_current_directory(cli, package_copy, monkeypatch):
    set_cells(package_copy, "outcomes", numeric_row(package_copy), value="abc")
    refresh(package_copy)
    monkeypatch.chdir(package_copy)
    code, out, err = cli("validate")
    assert code == INVALID and "Traceback" not in err
    first = out.splitlines()[0]
    assert first.startswith("invalid: ") and first.endswith("— the package in the current directory"), first
    code, out, _ = cli("validate", "--format", "json")
    assert json.loads(out)["source"] == "the package in the current directory"


def test_validate_without_path_elsewhere_says_it_uses_the_bundled_copy(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("validate")
    first = out.splitlines()[0]
    assert code == 0 and first.startswith("valid: ")
    assert first.endswith("— the bundled copy (no datapackage.json in the current directory)"), first


@pytest.mark.parametrize("command", [["hashes"], ["hashes", "--check"], ["release", "--date", "2026-12-01"]])
def test_writing_commands_without_path_outside_a_package_are_refused(cli, tmp_path, monkeypatch, command):
    from jakdata.package.descriptor import bundled_root

    before = snapshot(bundled_root() / "schemas"), (bundled_root() / "datapackage.json").read_bytes()
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*command)
    one_line(code, err, UNUSABLE, "no datapackage.json in the current directory", "never uses the bundled copy")
    assert out == "" and list(tmp_path.iterdir()) == []
    assert (snapshot(bundled_root() / "schemas"), (bundled_root() / "datapackage.json").read_bytes()) == before


def test_hashes_without_path_refreshes_the_package_of_the_current_directory(cli, package_copy, monkeypatch):
    from jakdata.package.descriptor import bundled_root

    bundled = (bundled_root() / "datapackage.json").read_bytes()
    set_cells(package_copy, "outcomes", numeric_row(package_copy), value="1.5")
    monkeypatch.chdir(package_copy)
    code, out, _ = cli("hashes")
    assert code == 0 and out == "updated: outcomes\n"
    assert cli("hashes", "--check")[:2] == (0, "hashes are current\n")
    assert (bundled_root() / "datapackage.json").read_bytes() == bundled


def test_hash_and_bytes_findings_both_carry_the_hashes_hint(cli, package_copy, monkeypatch):
    row = numeric_row(package_copy)
    rows = read_rows(package_copy, "outcomes")
    set_cells(package_copy, "outcomes", row, value=rows[row][rows[0].index("value")] + "1")  # one byte more
    monkeypatch.chdir(package_copy.parent)
    code, out, _ = cli("validate", package_copy.name, "--format", "json")
    found = {e["check"]: e for e in json.loads(out)["errors"] if e["table"] == "outcomes"}
    assert code == INVALID and {"bytes", "hash"} <= set(found), found
    for check in ("bytes", "hash"):
        assert f"run `jakdata hashes {package_copy.name}` to refresh" in found[check]["message"], found[check]
    # the hint works as written
    assert cli("hashes", package_copy.name)[0] == 0
    assert not [
        e
        for e in json.loads(cli("validate", package_copy.name, "--format", "json")[1])["errors"]
        if e["check"] in ("bytes", "hash")
    ]


def test_github_annotations_are_relative_to_the_current_directory(cli, tmp_path, monkeypatch):
    pkg = copy_bundled(tmp_path / "repo" / "sub" / "pkg")
    row = numeric_row(pkg)
    set_cells(pkg, "outcomes", row, value="abc")
    refresh(pkg)
    monkeypatch.chdir(tmp_path / "repo")
    for given in ("sub/pkg", str(pkg)):  # relative or absolute PATH: the same file= for the workflow
        code, out, _ = cli("validate", given, "--format", "github")
        assert code == INVALID
        assert f"::error file=sub/pkg/data/outcomes.csv,line={row + 1},title=type::" in out, out


@pytest.mark.parametrize(
    "command", [["info"], ["cite"], ["hashes", "--check"], ["docs"], ["find", "tofacitinib"], ["validate"]]
)
def test_path_is_positional_everywhere_and_path_option_is_an_alias(cli, package_copy, tmp_path, command):
    name, *rest = command
    by_position = cli(name, *rest, str(package_copy))
    by_option = cli(name, *rest, "--path", str(package_copy))
    assert by_position[0] == 0 and by_position == by_option
    code, _, err = cli(name, *rest, str(package_copy), "--path", str(tmp_path))
    assert code == UNUSABLE and "Traceback" not in err  # a usage error: click's usage lines, then the reason
    assert err.splitlines()[-1] == "Error: give the package once: as PATH or as --path, not both"


def test_one_error_is_singular(cli, package_copy):
    set_cells(package_copy, "outcomes", numeric_row(package_copy), value="abc")
    refresh(package_copy)
    code, out, _ = cli("validate", str(package_copy))
    assert code == INVALID
    assert ": 1 error (outcomes 1)" in out.splitlines()[0] and "1 errors" not in out


def test_a_duplicate_id_names_its_first_line(cli, package_copy):
    rows = read_rows(package_copy, "outcomes")
    rows[3][0] = rows[1][0]
    write_rows(package_copy, "outcomes", rows)
    refresh(package_copy)
    code, out, _ = cli("validate", str(package_copy))
    assert code == INVALID
    (line,) = [x for x in out.splitlines() if x.startswith(f"  data/outcomes.csv:4 outcome_id={rows[1][0]}")]
    assert "(first on line 2)" in line, line


def test_trailing_spaces_are_visible_in_messages(cli, package_copy):
    row = numeric_row(package_copy)
    rows = read_rows(package_copy, "outcomes")
    measure = rows[row][rows[0].index("measure_id")]
    set_cells(package_copy, "outcomes", row, measure_id=measure + " ")
    refresh(package_copy)
    code, out, _ = cli("validate", str(package_copy))
    assert code == INVALID
    assert f"data/outcomes.csv:{row + 1} measure_id='{measure} ':" in out, out


@pytest.mark.parametrize("delimiter, word", [(";", "semicolon"), ("\t", "tab")])
def test_a_file_with_the_wrong_delimiter_gets_a_hint(cli, package_copy, delimiter, word):
    write_rows(package_copy, "drugs", read_rows(package_copy, "drugs"), delimiter)
    refresh(package_copy)
    code, out, err = cli("validate", str(package_copy), "--format", "json")
    doc = json.loads(out)
    assert code == INVALID and "Traceback" not in err
    mine = [e for e in doc["errors"] if e["table"] == "drugs"]
    assert len(mine) == 1, mine  # one finding for the file, not one per column or row
    assert mine[0]["row"] == 1 and mine[0]["check"] == "header"
    assert f"looks {word}-separated" in mine[0]["message"] and "comma" in mine[0]["message"]


def test_a_renamed_key_column_of_an_entity_reference_target_is_a_finding(cli, package_copy):
    rows = read_rows(package_copy, "drugs")
    rows[0][rows[0].index("drug_id")] = "drug_key"
    write_rows(package_copy, "drugs", rows)
    refresh(package_copy)
    code, out, err = cli("validate", str(package_copy))
    assert code == INVALID and "Traceback" not in err and "KeyError" not in out + err
    assert "  data/drugs.csv:1 drug_key=drug_key: extra column 'drug_key' is not in the schema [header]" in out
    assert "  data/drugs.csv:1 drug_id: missing column 'drug_id' declared by the schema [header]" in out


@pytest.mark.parametrize("value", ["FALSE", "TRUE", "False"])
def test_spreadsheet_booleans_get_a_hint(cli, package_copy, value):
    set_cells(package_copy, "indications", 1, dermatologic=value)
    refresh(package_copy)
    code, out, _ = cli("validate", str(package_copy))
    assert code == INVALID
    assert f"data/indications.csv:2 dermatologic={value}: not true or false (lowercase:" in out, out


# --------------------------------------------------------------------------
# Nothing lost, nothing written elsewhere


@pytest.mark.parametrize("fmt", ["sqlite", "xlsx", "parquet"])
def test_export_force_never_replaces_a_directory_it_did_not_make(cli, package_copy, tmp_path, fmt):
    out_dir = tmp_path / "precious"
    out_dir.mkdir()
    (out_dir / "thesis.tex").write_text("years of work\n", encoding="utf-8")
    before = snapshot(tmp_path)
    code, out, err = cli("export", str(package_copy), "--format", fmt, "-o", str(out_dir), "--force")
    one_line(code, err, UNUSABLE, str(out_dir))
    assert out == "" and snapshot(tmp_path) == before


@pytest.mark.parametrize("fmt", ["sqlite", "parquet"])
@pytest.mark.parametrize("where", [".", "data", "data/out.x"])
def test_export_into_the_package_is_refused_and_the_package_kept(cli, package_copy, fmt, where):
    before = snapshot(package_copy)
    target = package_copy / where
    for args in (["-o", str(target), "--force", str(package_copy)], ["-o", str(target), "--path", str(package_copy)]):
        code, _, err = cli("export", "--format", fmt, *args)
        one_line(code, err, UNUSABLE, "outside the package")
        assert snapshot(package_copy) == before


def test_export_force_replaces_only_what_an_earlier_export_made(cli, package_copy, tmp_path):
    out = tmp_path / "parquet"
    assert cli("export", str(package_copy), "--format", "parquet", "-o", str(out))[0] == 0
    code, _, err = cli("export", str(package_copy), "--format", "parquet", "-o", str(out))
    one_line(code, err, UNUSABLE, "exists; use --force")
    assert cli("export", str(package_copy), "--format", "parquet", "-o", str(out), "--force")[0] == 0
    assert (out / "outcomes.parquet").is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["parquet", "pkg"]


@pytest.mark.parametrize("name", ["../../x", "/srv/x", "a/b", ".."])
def test_a_resource_name_never_becomes_a_path(cli, package_copy, tmp_path, name):
    """Data Package v2 allows any resource name: it validates (a name is a
    key, never a path), and an export that would turn it into a file name
    refuses it in one line, writing nothing."""
    edit_descriptor(package_copy, lambda d: resource(d, "source_notes").update(name=name))
    assert cli("validate", str(package_copy))[0] == 0
    out = tmp_path / "deep" / "er" / "out"
    out.parent.mkdir(parents=True)
    before = snapshot(tmp_path)
    code, _, err = cli("export", str(package_copy), "--format", "parquet", "-o", str(out))
    one_line(code, err, UNUSABLE, "cannot be a file name")
    assert snapshot(tmp_path) == before
    assert not Path("/srv/x.parquet").exists()


def test_a_resource_name_valid_in_v2_only_is_a_descriptor_error_under_v1(cli, package_copy):
    edit_descriptor(package_copy, lambda d: (resource(d, "source_notes").update(name="Notes"), d.pop("$schema")))
    code, out, _ = cli("validate", str(package_copy), "--format", "json")
    assert code == 1
    assert any(e["check"] == "descriptor" and "Notes" in e["message"] for e in json.loads(out)["errors"])
    edit_descriptor(
        package_copy, lambda d: d.update({"$schema": "https://datapackage.org/profiles/2.0/datapackage.json"})
    )
    assert cli("validate", str(package_copy))[0] == 0


@pytest.mark.parametrize(
    "fmt, name, words",
    [
        ("xlsx", "source_notes_with_a_name_longer_than_31", "longer than an Excel sheet name"),
        ("sqlite", "sqlite_notes", "reserved by SQLite"),
    ],
)
def test_table_names_a_format_cannot_hold_are_refused(cli, package_copy, tmp_path, fmt, name, words):
    edit_descriptor(package_copy, lambda d: resource(d, "source_notes").update(name=name))
    target = tmp_path / f"out.{fmt}"
    code, _, err = cli("export", str(package_copy), "--format", fmt, "-o", str(target))
    one_line(code, err, UNUSABLE, name, words)
    assert not target.exists()


def _command_writing(kind: str, pkg: Path, output: Path) -> list[str]:
    return {
        "export-sqlite": ["export", str(pkg), "--format", "sqlite", "-o", str(output)],
        "export-parquet": ["export", str(pkg), "--format", "parquet", "-o", str(output)],
        "plot": ["plot", "trajectories", str(pkg), "-o", str(output)],
        "docs": ["docs", str(pkg), "-o", str(output)],
    }[kind]


WRITERS = ["export-sqlite", "export-parquet", "plot", "docs"]


@pytest.mark.parametrize("kind", WRITERS)
def test_a_dangling_symlink_as_output_is_refused_and_its_target_not_created(cli, package_copy, tmp_path, kind):
    link, target = tmp_path / "out" / "link", tmp_path / "elsewhere" / "target"
    link.parent.mkdir()
    target.parent.mkdir()
    link.symlink_to(target)
    for force in ([], ["--force"]):
        code, _, err = cli(*_command_writing(kind, package_copy, link), *force)
        one_line(code, err, UNUSABLE, "symbolic link")
        assert not target.exists() and link.is_symlink()
        assert list(target.parent.iterdir()) == [] and list(link.parent.iterdir()) == [link]


@pytest.mark.parametrize("kind", ["export-sqlite", "plot", "docs"])
def test_force_never_writes_through_a_symlink(cli, package_copy, tmp_path, kind):
    victim = tmp_path / "victim.txt"
    victim.write_text("do not overwrite\n", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(victim)
    code, _, err = cli(*_command_writing(kind, package_copy, link), "--force")
    one_line(code, err, UNUSABLE, "symbolic link")
    assert victim.read_text(encoding="utf-8") == "do not overwrite\n" and link.is_symlink()


@pytest.mark.parametrize(
    "text",
    [
        "My notes. The dictionary is Generated by `jakdata docs` — mine are not.\n",
        "# Data dictionary — mine\n\nMy own text; not Generated by `jakdata docs` at all.\n",
    ],
)
def test_docs_does_not_replace_a_file_that_merely_mentions_the_generated_by_phrase(cli, package_copy, tmp_path, text):
    target = tmp_path / "notes.md"
    target.write_text(text, encoding="utf-8")
    code, _, err = cli("docs", str(package_copy), "-o", str(target))
    one_line(code, err, UNUSABLE, "was not generated by `jakdata docs`")
    assert target.read_text(encoding="utf-8") == text
    # its own output is replaced without --force
    target.unlink()
    assert cli("docs", str(package_copy), "-o", str(target))[0] == 0
    assert cli("docs", str(package_copy), "-o", str(target))[0] == 0


@pytest.mark.parametrize("existing", [False, True])
def test_an_interrupted_export_leaves_no_partial_file(cli, package_copy, tmp_path, monkeypatch, existing):
    from jakdata.tools import export

    target = tmp_path / "out.sqlite"
    if existing:
        target.write_bytes(b"the previous export")

    def interrupted(ds, output):
        Path(output).write_bytes(b"SQLite format 3\x00half")
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "to_sqlite", interrupted)
    code, _, err = cli("export", str(package_copy), "--format", "sqlite", "-o", str(target), "--force")
    assert code == 130 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == (["out.sqlite", "pkg"] if existing else ["pkg"])
    if existing:
        assert target.read_bytes() == b"the previous export"


def test_hashes_replaces_the_descriptor_atomically(cli, package_copy, monkeypatch):
    p = package_copy / "datapackage.json"
    inode = p.stat().st_ino
    seen = []
    real = os.replace

    def spy(src, dst):  # at the rename, the old descriptor is still whole and the new one complete
        seen.append((json.loads(Path(dst).read_text(encoding="utf-8")), json.loads(Path(src).read_text("utf-8"))))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    set_cells(package_copy, "outcomes", numeric_row(package_copy), value="1.5")
    assert cli("hashes", str(package_copy))[:2] == (0, "updated: outcomes\n")
    assert len(seen) == 1 and seen[0][0]["resources"] and seen[0][1]["resources"]
    assert p.stat().st_ino != inode  # a new file renamed into place, not rewritten in place
    assert sorted(x.name for x in package_copy.iterdir()) == ["data", "datapackage.json", "schemas"]


def test_sqlite_export_of_invalid_data_writes_nothing(cli, package_copy, tmp_path):
    rows = read_rows(package_copy, "outcomes")
    rows[3][0] = rows[1][0]  # a duplicate primary key: loads, but is not valid
    write_rows(package_copy, "outcomes", rows)
    refresh(package_copy)
    for fmt in ("sqlite", "parquet", "xlsx"):
        target = tmp_path / f"out.{fmt}"
        code, out, err = cli("export", str(package_copy), "--format", fmt, "-o", str(target))
        one_line(code, err, INVALID, "the package is not valid", "data/outcomes.csv:4", "nothing was written")
        assert out == "" and sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


# --------------------------------------------------------------------------
# Nothing fetched, nothing read outside


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test (and frictionless runs
    in this process, where the patch applies)."""
    import socket

    import frictionless  # noqa: F401  (imported: the CLI then checks the profile in-process)

    attempts: list[object] = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("network access during validation")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def _set_profile(d: dict, level: str, key: str, value: str) -> None:
    (d if level == "package" else resource(d, "outcomes"))[key] = value


@pytest.mark.parametrize("level", ["package", "resource"])
@pytest.mark.parametrize(
    "key, value",
    [
        ("profile", "http://127.0.0.1:9/profile.json"),
        ("profile", "https://example.org/my-profile.json"),
        ("profile", "my-profile.json"),
        ("profile", "../my-profile.json"),
        ("profile", "/etc/passwd"),
        ("profile", "file:///etc/passwd"),
        ("profile", "fiscal-data-package"),
        ("$schema", "https://example.org/my-profile.json"),
    ],
)
def test_a_profile_that_is_not_standard_is_refused_never_fetched_or_read(
    cli, package_copy, tmp_path, monkeypatch, no_network, level, key, value
):
    secret = {"type": "object", "required": ["property-only-the-secret-profile-requires"]}
    for where in (tmp_path, package_copy):  # relative to the current directory, and to the package
        (where / "my-profile.json").write_text(json.dumps(secret), encoding="utf-8")
    edit_descriptor(package_copy, lambda d: _set_profile(d, level, key, value))
    monkeypatch.chdir(package_copy)
    code, out, err = cli("validate", str(package_copy), "--format", "json")
    doc = json.loads(out)
    assert no_network == [] and "Traceback" not in err
    assert code == INVALID
    profile_errors = [e for e in doc["errors"] if "profile" in e["message"]]
    assert len(profile_errors) == 1, doc["errors"]
    (e,) = profile_errors
    assert e["check"] == "descriptor" and e["file"] == "datapackage.json"
    assert "not a standard Data Package profile" in e["message"] and "never fetched" in e["message"]
    assert "property-only-the-secret-profile-requires" not in out


@pytest.mark.parametrize(
    "level, key, value",
    [
        ("package", "profile", "data-package"),
        ("package", "profile", "https://specs.frictionlessdata.io/schemas/data-package.json"),
        ("package", "profile", "http://specs.frictionlessdata.io/schemas/data-package.json"),
        ("package", "profile", "https://datapackage.org/profiles/1.0/datapackage.json"),
        ("package", "$schema", "https://datapackage.org/profiles/1.0/datapackage.json"),
        ("package", "$schema", "https://datapackage.org/profiles/2.0/datapackage.json"),
        ("resource", "profile", "tabular-data-resource"),
        ("resource", "profile", "https://specs.frictionlessdata.io/schemas/tabular-data-resource.json"),
        ("resource", "profile", "https://specs.frictionlessdata.io/schemas/data-resource.json"),
        ("resource", "profile", "https://datapackage.org/profiles/2.0/dataresource.json"),
    ],
)
def test_standard_profiles_are_checked_offline_against_the_bundled_copies(
    cli, package_copy, no_network, level, key, value
):
    edit_descriptor(package_copy, lambda d: _set_profile(d, level, key, value))
    code, out, _ = cli("validate", str(package_copy), "--format", "json")
    assert no_network == [] and code == 0, json.loads(out)["errors"]
    # the profile still checks, offline: a licence with neither name nor path
    # (a property of the wrong JSON type never reaches it: see test_tracebacks)
    edit_descriptor(package_copy, lambda d: d.update(licenses=[{"title": "no name, no path"}]))
    code, out, _ = cli("validate", str(package_copy), "--format", "json")
    messages = [e["message"] for e in json.loads(out)["errors"]]
    assert no_network == [] and code == INVALID
    assert any("Data Package profile" in m and "license" in m for m in messages), messages


def test_the_profile_check_reads_no_schema_or_dialect_outside_the_package(cli, package_copy, no_network):
    edit_descriptor(package_copy, lambda d: resource(d, "outcomes").update(dialect="https://example.org/dialect.json"))
    code, out, err = cli("validate", str(package_copy))
    assert no_network == [] and "Traceback" not in err
    assert code in (INVALID, UNUSABLE) and "dialect" in out + err


def test_a_fifo_as_a_resource_is_refused_without_hanging(package_copy):
    p = package_copy / "data" / "drugs.csv"
    p.unlink()
    os.mkfifo(p)
    for command in ("validate", "info", "cite"):
        code, out, err, wall, _ = run_bounded([*JAKDATA, command, str(package_copy)], timeout=60)
        assert wall < 60, f"{command} hung on a FIFO"
        one_line(code, err, UNUSABLE, "data/drugs.csv", "not a regular file")
        assert out == ""


@pytest.mark.parametrize("how", ["device", "symlink"])
def test_a_character_device_as_a_resource_is_refused_without_hanging(package_copy, how):
    import stat

    p = package_copy / "data" / "drugs.csv"
    p.unlink()
    if how == "device":  # /dev/zero's numbers, inside the package: it would be read for ever
        try:
            os.mknod(p, stat.S_IFCHR | 0o644, os.makedev(1, 5))
        except (PermissionError, AttributeError, OSError) as exc:
            pytest.skip(f"cannot create a device here ({exc})")
    else:
        p.symlink_to("/dev/zero")
    code, out, err, wall, _ = run_bounded([*JAKDATA, "validate", str(package_copy)], timeout=60, max_memory=3 << 30)
    assert wall < 60
    one_line(code, err, UNUSABLE, "drugs", *(["not a regular file"] if how == "device" else []))
    assert out == ""


def test_a_megabyte_header_of_commas_ends_quickly_in_bounded_memory(package_copy):
    p = package_copy / "data" / "source_notes.csv"
    p.write_bytes(b"," * 1_000_000 + b"\n" + p.read_bytes().split(b"\n", 1)[1])
    refresh(package_copy)
    code, _out, err, wall, rss = run_bounded([*JAKDATA, "validate", str(package_copy)], timeout=60, max_memory=4 << 30)
    assert wall < 30 and rss < 1024, (wall, rss)
    one_line(code, err, UNUSABLE, "data/source_notes.csv", "1,000,001 columns", "JAKDATA_MAX_COLUMNS")


def test_the_column_and_size_caps_are_configurable(cli, package_copy, monkeypatch):
    monkeypatch.setenv("JAKDATA_MAX_COLUMNS", "5")
    code, _, err = cli("validate", str(package_copy))
    one_line(code, err, UNUSABLE, "columns", "more than the limit of 5", "JAKDATA_MAX_COLUMNS")
    monkeypatch.setenv("JAKDATA_MAX_COLUMNS", "lots")
    code, _, err = cli("validate", str(package_copy))
    one_line(code, err, UNUSABLE, "JAKDATA_MAX_COLUMNS", "whole number")
    monkeypatch.delenv("JAKDATA_MAX_COLUMNS")
    monkeypatch.setenv("JAKDATA_MAX_FILE_BYTES", "1000")
    code, _, err = cli("validate", str(package_copy))
    one_line(code, err, UNUSABLE, "bytes", "more than the limit of 1,000", "JAKDATA_MAX_FILE_BYTES")
    with pytest.raises(JakdataError, match="JAKDATA_MAX_FILE_BYTES"):
        __import__("jakdata").load(package_copy)


def test_a_file_truncated_while_it_is_read_never_kills_the_validator(package_copy):
    """No memory map: a CSV truncated by another program mid-read cannot
    end the process with SIGBUS (the issue's 6 of 6 crashes)."""
    p = package_copy / "data" / "source_notes.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    with p.open("a", encoding="utf-8") as fh:  # over 1 MiB: the size the old validator mapped
        for i in range(3000):
            row = dict.fromkeys(header, "")
            row.update(
                note_id=f"big-{i}",
                source_id="lyu-2026-rosacea-review",
                locator="§1",
                kind="typo",
                description="x" * 400,
                resolution="none",
            )
            fh.write(",".join(row[c] for c in header) + "\n")
    assert p.stat().st_size > 1 << 20
    refresh(package_copy)
    code = (
        "import os, sys, pyarrow.csv as pacsv\n"
        "from jakdata.cli import main\n"
        "real = pacsv.read_csv\n"
        "def truncating(source, *args, **kwargs):\n"
        "    with open(sys.argv[2], 'r+b') as fh:\n"  # truncated when its own parse starts
        "        if source.size() == os.fstat(fh.fileno()).st_size > 0:\n"
        "            fh.truncate(0)\n"
        "    return real(source, *args, **kwargs)\n"
        "pacsv.read_csv = truncating\n"
        "sys.exit(main(['validate', sys.argv[1]]))\n"
    )
    rc, _out, err, _, _ = run_bounded([sys.executable, "-c", code, str(package_copy), str(p)], timeout=120)
    assert rc >= 0, f"killed by signal {-rc}"
    assert rc in (0, INVALID) and "Traceback" not in err  # what was read is validated


# --------------------------------------------------------------------------
# Wrong answers


@pytest.mark.parametrize("value", ["1e309", "-1E400", "9" * 400])
def test_a_number_too_large_to_be_finite_is_a_type_error(cli, package_copy, value):
    row = numeric_row(package_copy)
    set_cells(package_copy, "outcomes", row, value=value)
    refresh(package_copy)
    code, out, _ = cli("validate", str(package_copy), "--format", "json")
    errors = [e for e in json.loads(out)["errors"] if e["column"] == "value" and e["check"] == "type"]
    assert code == INVALID and [e["row"] for e in errors] == [row + 1], errors
    assert "too large to be a finite number" in errors[0]["message"]
    import jakdata
    from jakdata.errors import DataError

    with pytest.raises(DataError, match=f"data/outcomes.csv:{row + 1} value="):
        jakdata.load(package_copy)


@pytest.mark.parametrize("date", ["not-a-date", "2026-02-30", "26-12-01", "2026-12-01T00:00"])
def test_release_date_that_is_not_a_date_is_refused(cli, package_copy, date):
    before = snapshot(package_copy)
    code, out, err = cli("release", str(package_copy), "--date", date)
    one_line(code, err, UNUSABLE, f"--date {date!r} is not a date YYYY-MM-DD")
    assert out == "" and snapshot(package_copy) == before


def test_diff_counts_a_duplicated_row_as_a_difference(cli, package_copy, tmp_path):
    new = copy_bundled(tmp_path / "new")
    for table in ("synonyms", "source_notes"):
        p = new / "data" / f"{table}.csv"
        text = p.read_text(encoding="utf-8")
        p.write_text(text + text.splitlines()[-1] + "\n", encoding="utf-8")
    refresh(new)
    code, out, _ = cli("diff", str(package_copy), str(new), "--format", "json")
    d = json.loads(out)
    assert code == INVALID and d["identical"] is False
    assert len(d["tables"]["synonyms"]["added"]) == 1 and d["tables"]["synonyms"]["added"][0].endswith("#2")
    assert len(d["tables"]["source_notes"]["added"]) == 1
    code, out, _ = cli("diff", str(package_copy), str(new))
    assert code == INVALID and "synonyms: 1 added" in out


# --------------------------------------------------------------------------
# One line and exit 2, never a traceback


def _nested(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


MALFORMED_SCHEMAS = {
    "fields-as-strings": (lambda s: s.update(fields=[f["name"] for f in s["fields"]]), "fields[0] is not an object"),
    "field-without-name": (lambda s: s["fields"][0].pop("name"), "fields[0] has no name"),
    "list-as-type": (lambda s: s["fields"][0].update(type=["string", "null"]), "not a Table Schema type"),
    "unknown-type": (lambda s: s["fields"][0].update(type="text"), "not a Table Schema type"),
    "constraints-as-string": (lambda s: s["fields"][0].update(constraints="required"), "constraints must be an object"),
    "invalid-regex": (
        lambda s: s["fields"][0].setdefault("constraints", {}).update(pattern="([a-z"),
        "not a valid regular expression",
    ),
    "foreign-key-without-reference": (
        lambda s: s["foreignKeys"][0].pop("reference"),
        "foreignKeys[0] has no reference",
    ),
    "primary-key-object": (lambda s: s.update(primaryKey={"a": 1}), "primaryKey must be a field name"),
    "primary-key-unknown": (lambda s: s.update(primaryKey=["nope"]), "primaryKey names 'nope'"),
    "fields-missing": (lambda s: s.pop("fields"), "has no fields"),
    "enum-empty": (lambda s: s["fields"][0].setdefault("constraints", {}).update(enum=[]), "enum must be"),
    "maximum-on-a-string": (
        lambda s: s["fields"][0].setdefault("constraints", {}).update(maximum="9"),
        "maximum is not a constraint of type string",
    ),
    "maximum-an-object": (
        lambda s: s["fields"][9].setdefault("constraints", {}).update(maximum={"a": 1}),
        "maximum must be a number or a value of the field's type written as text",
    ),
    "missing-values-not-a-list": (lambda s: s.update(missingValues="NA"), "missingValues must be a list of strings"),
    "fields-match-unknown": (lambda s: s.update(fieldsMatch="some"), "fieldsMatch must be one of"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_SCHEMAS))
def test_a_malformed_schema_is_one_line(cli, package_copy, case):
    change, words = MALFORMED_SCHEMAS[case]
    edit_schema(package_copy, "outcomes", change)
    assert_unusable(cli, package_copy, "schemas/outcomes.json", "resource 'outcomes'", words)


@pytest.mark.parametrize("which", ["datapackage.json", "schemas/outcomes.json", "releases.json"])
def test_deeply_nested_json_is_one_line(cli, package_copy, which):
    (package_copy / which).write_text(_nested(), encoding="utf-8")
    command = ["cite"] if which == "releases.json" else ["validate"]
    code, out, err = cli(*command, str(package_copy))
    one_line(code, err, UNUSABLE, which, "nested too deeply")
    assert out == ""


def test_a_deeply_nested_value_that_parses_is_one_short_finding(cli, package_copy):
    """JSON that parses but is nested beyond what the profile check can walk."""
    from jakdata.validate.package import DEEP

    edit_descriptor(package_copy, lambda d: d.update(extra=json.loads("[" * 900 + "]" * 900)))
    code, out, err = cli("validate", str(package_copy))
    assert code == INVALID and "Traceback" not in err
    (line,) = [x for x in out.splitlines() if "[descriptor]" in x]
    assert line == "  datapackage.json: Data Package profile: " + DEEP + " [descriptor]"


@pytest.mark.parametrize("key", ["path", "schema"])
def test_a_nul_in_a_path_is_one_line(cli, package_copy, key):
    edit_descriptor(package_copy, lambda d: resource(d, "outcomes").update({key: f"data/out\x00comes.{key}"}))
    assert_unusable(cli, package_copy, "outcomes", "NUL character")


@pytest.mark.parametrize("command", [["validate"], ["info"], ["export", "--format", "sqlite", "-o", "x.sqlite"]])
def test_a_nul_in_a_path_argument_is_a_usage_error(cli, package_copy, command):
    code, out, err = cli(*command, f"{package_copy}\x00x")
    assert code == UNUSABLE and out == "" and "Traceback" not in err
    assert err.splitlines()[-1].endswith("contains a NUL character, which no file name can hold"), err


@pytest.mark.parametrize("key", ["path", "schema"])
def test_a_symlink_loop_is_one_line(cli, package_copy, key):
    loop = package_copy / "data" / "loop.json"
    loop.symlink_to(loop)
    edit_descriptor(package_copy, lambda d: resource(d, "outcomes").update({key: "data/loop.json"}))
    assert_unusable(cli, package_copy, "outcomes", "symlink loop")


@pytest.mark.parametrize("command", [["hashes"], ["hashes", "--check"], ["cite"], ["info"], ["docs"]])
def test_commands_with_a_missing_csv_are_one_line(cli, package_copy, command):
    (package_copy / "data" / "outcomes.csv").unlink()
    before = snapshot(package_copy)
    code, out, err = cli(*command, str(package_copy))
    one_line(code, err, UNUSABLE, "data/outcomes.csv: file not found")
    assert out == "" and snapshot(package_copy) == before


@pytest.mark.parametrize("side", ["old", "new"])
def test_diff_with_a_missing_csv_is_one_line(cli, package_copy, tmp_path, side):
    other = copy_bundled(tmp_path / "other")
    (package_copy / "data" / "outcomes.csv").unlink()
    args = [package_copy, other] if side == "old" else [other, package_copy]
    code, out, err = cli("diff", *map(str, args))
    one_line(code, err, UNUSABLE, "data/outcomes.csv: file not found")
    assert out == ""


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"releases": []}',
        '{"releases": {"0.1.0": {"files": "x", "fingerprint": "y", "date": "2026-01-01"}}}',
        '{"releases": {"0.1.0": {"date": "2026-01-01"}}}',
        '"releases"',
    ],
)
def test_cite_with_a_malformed_ledger_is_one_line(cli, package_copy, content):
    (package_copy / "releases.json").write_text(content, encoding="utf-8")
    for fmt in ("text", "cff"):
        code, out, err = cli("cite", str(package_copy), "--format", fmt)
        one_line(code, err, UNUSABLE, "releases.json")
        assert out == ""


@pytest.mark.parametrize("kind", [*WRITERS, "export-xlsx"])
def test_output_into_a_missing_directory_is_one_line(cli, package_copy, tmp_path, kind):
    missing = tmp_path / "no" / "such" / "dir"
    if kind == "export-xlsx":
        args = ["export", str(package_copy), "--format", "xlsx", "-o", str(missing / "out.xlsx")]
    else:
        args = _command_writing(kind, package_copy, missing / "out")
    code, out, err = cli(*args)
    one_line(code, err, UNUSABLE, "the output directory does not exist")
    assert out == "" and not (tmp_path / "no").exists()


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root ignores directory permissions: a read-only directory cannot be tested as root",
)
@pytest.mark.parametrize("kind", WRITERS)
def test_output_into_a_read_only_directory_is_one_line(cli, package_copy, tmp_path, kind):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code, out, err = cli(*_command_writing(kind, package_copy, ro / "out"))
        one_line(code, err, UNUSABLE, "not writable")
        assert out == "" and list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize("how", ["empty", "absent"])
@pytest.mark.parametrize("kind", ["evidence-map", "trajectories"])
def test_plot_without_outcomes_is_one_line(cli, package_copy, tmp_path, how, kind):
    if how == "empty":
        p = package_copy / "data" / "outcomes.csv"
        p.write_text(p.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
        refresh(package_copy)
    else:
        edit_descriptor(
            package_copy, lambda d: d.update(resources=[r for r in d["resources"] if r["name"] != "outcomes"])
        )
    target = tmp_path / "map.png"
    code, out, err = cli("plot", kind, str(package_copy), "-o", str(target))
    one_line(code, err, UNUSABLE, "nothing to plot", *(["outcomes"] if kind == "evidence-map" else []))
    assert out == "" and not target.exists()


def _break(pkg: Path, how: str) -> None:
    """The hostile packages of this file, for jakdata.load()."""
    if how in MALFORMED_SCHEMAS:
        edit_schema(pkg, "outcomes", MALFORMED_SCHEMAS[how][0])
    elif how == "nested-descriptor":
        (pkg / "datapackage.json").write_text(_nested(), encoding="utf-8")
    elif how == "nested-schema":
        (pkg / "schemas" / "outcomes.json").write_text(_nested(), encoding="utf-8")
    elif how == "nul-path":
        edit_descriptor(pkg, lambda d: resource(d, "outcomes").update(path="data/a\x00b.csv"))
    elif how == "symlink-loop":
        (pkg / "data" / "loop.csv").symlink_to(pkg / "data" / "loop.csv")
        edit_descriptor(pkg, lambda d: resource(d, "outcomes").update(path="data/loop.csv"))
    elif how in ("tab-separated", "semicolon-separated"):
        write_rows(pkg, "drugs", read_rows(pkg, "drugs"), "\t" if how.startswith("tab") else ";")
    elif how == "renamed-key-column":
        rows = read_rows(pkg, "drugs")
        rows[0][0] = "drug_key"
        write_rows(pkg, "drugs", rows)
    elif how == "infinity":
        set_cells(pkg, "outcomes", numeric_row(pkg), value="1e309")
    elif how == "missing-csv":
        (pkg / "data" / "outcomes.csv").unlink()
    elif how == "descriptor-list":
        (pkg / "datapackage.json").write_text("[1, 2]", encoding="utf-8")
    elif how == "resources-not-objects":
        edit_descriptor(pkg, lambda d: d.update(resources=["outcomes"]))
    elif how == "schema-not-object":
        (pkg / "schemas" / "outcomes.json").write_text('"outcomes"', encoding="utf-8")
    elif how == "wide-header":
        p = pkg / "data" / "source_notes.csv"
        p.write_bytes(b"," * 100_000 + b"\n")
    else:  # pragma: no cover
        raise AssertionError(how)


LOAD_CASES = [
    *sorted(MALFORMED_SCHEMAS),
    "nested-descriptor",
    "nested-schema",
    "nul-path",
    "symlink-loop",
    "tab-separated",
    "semicolon-separated",
    "renamed-key-column",
    "infinity",
    "missing-csv",
    "descriptor-list",
    "resources-not-objects",
    "schema-not-object",
    "wide-header",
]


@pytest.mark.parametrize("how", LOAD_CASES)
def test_load_raises_only_the_packages_own_exceptions(package_copy, how):
    import jakdata

    _break(package_copy, how)
    refresh_ok = how not in ("missing-csv", "nested-descriptor", "descriptor-list", "resources-not-objects")
    if refresh_ok:
        with contextlib.suppress(JakdataError):
            refresh(package_copy)
    for call in (lambda: jakdata.load(package_copy), lambda: jakdata.load(str(package_copy))):
        try:
            call()
        except JakdataError as exc:
            assert "\n" not in str(exc) and str(exc)
        except BaseException as exc:  # the point of the test: nothing else escapes
            pytest.fail(f"jakdata.load() raised {type(exc).__name__}: {exc}")
        else:
            pytest.fail("jakdata.load() accepted a hostile package")


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("easi\nvalid: jakdata 9.9.9 (17 tables, 1 row)", "easi\\nvalid: jakdata 9.9.9"),
        ("easi\r\nvalid: forged", "easi\\r\\nvalid: forged"),
        ("\x1b[2J\x1b]0;pwned\x07easi", "\\x1b[2J\\x1b]0;pwned\\x07easi"),
        ("easi\u202egnp.exe", "easi\\u202egnp.exe"),
    ],
)
def test_a_cell_can_neither_forge_a_report_line_nor_reach_the_terminal(cli, package_copy, cell, shown):
    row = numeric_row(package_copy)
    set_cells(package_copy, "outcomes", row, measure_id=cell)
    refresh(package_copy)
    for fmt in ("text", "github"):
        code, out, err = cli("validate", str(package_copy), "--format", fmt)
        assert code == INVALID and "Traceback" not in err
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
        lines = out.splitlines()
        assert not any(x.startswith("valid:") for x in lines), out
        if fmt == "text":
            assert lines[0].startswith("invalid:")
            assert any(x.startswith(f"  data/outcomes.csv:{row + 1} measure_id={shown}") for x in lines), out
    # the loader's one-line error is escaped too, where the CLI prints it
    code, out, err = cli("find", "x", str(package_copy))
    assert "\x1b" not in err and "\u202e" not in err and err.count("\n") <= 1


@pytest.mark.parametrize(
    ("args", "target"),
    [
        (["docs", "{pkg}", "-o", "{pkg}/datapackage.json", "--force"], "datapackage.json"),
        (["coverage", "{pkg}", "-o", "{pkg}/schemas/outcomes.json", "--force"], "schemas/outcomes.json"),
        (["plot", "evidence-map", "{pkg}", "-o", "{pkg}/data/outcomes.csv", "--force"], "data/outcomes.csv"),
    ],
)
def test_no_output_replaces_a_file_of_the_package_even_with_force(cli, package_copy, args, target):
    before = (package_copy / target).read_bytes()
    code, _, err = cli(*[a.format(pkg=package_copy) for a in args])
    assert code == 2 and "is a file of the package" in err and err.count("\n") == 1
    assert (package_copy / target).read_bytes() == before
