"""Reporters (text, json, github) on hand-made results: no package is read.

A cell can hold anything: a newline or an ESC in a value, a column name or
a message never forges a report line nor reaches the terminal; surrounding
whitespace is shown quoted; counts read "1 error", "2 errors"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jakdata.errors import UnusableInput
from jakdata.findings import Finding
from jakdata.report import FORMATS, REPORTERS, render
from jakdata.report.common import plural, safe, show_value
from jakdata.validate.checker import Outcome, Result

HOSTILE = ["a\nb", "a\r\nb", "x\x1b[2J", "\x1b]0;title\x07", "a\u2028b", "a\u202eb", "a\x85b"]


def outcome(*findings: Finding, warnings=(), rows=None, root: Path = Path("/pkg")) -> Outcome:
    result = Result("tiny", "1.0.0", str(root / "datapackage.json"), list(findings), list(warnings), rows or {"t": 2})
    return Outcome(result=result)


def cell(value, row=2, column="c", check="enum", message="not allowed", table="t") -> Finding:
    return Finding(table, row, column, value, check, message, f"data/{table}.csv")


def test_every_format_has_a_reporter():
    assert set(FORMATS) == set(REPORTERS) == {"text", "json", "github"}


# Counts


@pytest.mark.parametrize(
    "n, word, expected", [(0, "error", "0 errors"), (1, "error", "1 error"), (2, "error", "2 errors")]
)
def test_plural(n, word, expected):
    assert plural(n, word) == expected


def test_text_headline_one_error():
    out = render("text", outcome(cell("x"))).splitlines()
    assert out == [
        "invalid: tiny 1.0.0: 1 error (t 1)",
        "t:",
        "  data/t.csv:2 c=x: not allowed [enum]",
        "summary: t: enum 1",
    ]


def test_text_headline_two_errors_in_two_tables():
    out = render("text", outcome(cell("x"), cell("y", table="u", check="pattern", message="no match")))
    assert out.splitlines()[0] == "invalid: tiny 1.0.0: 2 errors (t 1, u 1)"
    assert out.splitlines()[-1] == "summary: t: enum 1; u: pattern 1"


@pytest.mark.parametrize(
    "rows, expected",
    [({"t": 1}, "valid: tiny 1.0.0 (1 table, 1 row)"), ({"t": 2, "u": 1}, "valid: tiny 1.0.0 (2 tables, 3 rows)")],
)
def test_text_valid_headline(rows, expected):
    assert render("text", outcome(rows=rows)) == expected


def test_text_headline_names_the_source():
    o = outcome()
    o.source = "the bundled copy"
    assert render("text", o) == "valid: tiny 1.0.0 (1 table, 2 rows) — the bundled copy"


@pytest.mark.parametrize("left, expected", [(1, "... 1 more error not shown"), (2, "... 2 more errors not shown")])
def test_max_errors_says_how_many_were_left_out(left, expected):
    findings = [cell(str(i), row=i + 2) for i in range(1 + left)]
    text = render("text", outcome(*findings), max_errors=1).splitlines()
    assert text[0] == f"invalid: tiny 1.0.0: {plural(1 + left, 'error')} (t {1 + left})"
    assert text[2:4] == ["  data/t.csv:2 c=0: not allowed [enum]", f"{expected} (--max-errors 1)"]
    doc = json.loads(render("json", outcome(*findings), max_errors=1))
    assert len(doc["errors"]) == 1 and doc["error_count"] == 1 + left and doc["errors_not_shown"] == left
    gh = render("github", outcome(*findings), max_errors=1).splitlines()
    assert len(gh) == 3 and gh[1] == f"::notice::{left} more errors not shown"


def test_max_errors_none_or_negative_shows_all():
    findings = [cell(str(i), row=i + 2) for i in range(3)]
    for cap in (None, -1):
        assert len(json.loads(render("json", outcome(*findings), max_errors=cap))["errors"]) == 3


# Values, columns and messages never forge a line


@pytest.mark.parametrize("bad", HOSTILE)
@pytest.mark.parametrize("where", ["value", "column", "message"])
def test_text_one_line_per_finding_whatever_the_cell(bad, where):
    f = cell(**{"value": "v", where: bad})
    out = render("text", outcome(f, cell("ok", row=3)))
    lines = out.split("\n")
    assert len(lines) == 5, lines  # headline, table, two findings, summary
    assert lines[2].startswith("  data/") and lines[3] == "  data/t.csv:3 c=ok: not allowed [enum]"
    assert all(line.isprintable() for line in lines), lines
    assert len(out.splitlines()) == 5  # no other line break either (\u2028, \x85 ...)


@pytest.mark.parametrize("bad", HOSTILE)
def test_github_one_annotation_per_finding_whatever_the_cell(bad):
    out = render("github", outcome(cell(bad), cell("ok", row=3, message=bad)))
    lines = out.split("\n")
    assert len(lines) == 3 and len(out.splitlines()) == 3, lines
    assert lines[0].startswith("::error file=") and lines[1].startswith("::error file=")
    assert lines[2].startswith("invalid: tiny 1.0.0: 2 errors")
    assert all(line.isprintable() for line in lines), lines


@pytest.mark.parametrize("bad", HOSTILE)
def test_json_escapes_and_keeps_the_value(bad):
    out = render("json", outcome(cell(bad, message=bad)))
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    (err,) = json.loads(out)["errors"]
    assert err["value"] == bad and err["message"] == bad


def test_escapes_are_shown_readably():
    assert safe("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert safe("x\x1b[2J") == "x\\x1b[2J"
    assert safe("a\u202eb") == "a\\u202eb"
    assert safe("plain ü 乌") == "plain ü 乌"
    line = render("text", outcome(cell("x\x1b[31mred"))).splitlines()[2]
    assert line == "  data/t.csv:2 c=x\\x1b[31mred: not allowed [enum]"


# Surrounding whitespace is shown quoted


@pytest.mark.parametrize(
    "value, shown",
    [
        ("easi ", "'easi '"),
        (" easi", "' easi'"),
        ("easi\t", "'easi\\t'"),
        ("\u00a0easi", "'\\xa0easi'"),
        ("easi\n", "'easi\\n'"),
        ("two words", "two words"),
        ("easi", "easi"),
    ],
)
def test_surrounding_whitespace_is_quoted(value, shown):
    assert show_value(value) == shown
    f = cell(value, check="whitespace", message="leading or trailing whitespace")
    line = f"data/t.csv:2 c={shown}: leading or trailing whitespace [whitespace]"
    assert render("text", outcome(f)).splitlines()[2] == "  " + line
    assert render("github", outcome(f)).splitlines()[0].endswith("::" + line)
    assert json.loads(render("json", outcome(f)))["errors"][0]["value"] == value  # JSON keeps it as it is


def test_long_values_are_shortened_in_reports():
    f = cell("x" * 200)
    assert render("text", outcome(f)).splitlines()[2] == f"  data/t.csv:2 c={'x' * 79}…: not allowed [enum]"
    assert json.loads(render("json", outcome(f)))["errors"][0]["value"] == "x" * 79 + "…"


def test_empty_value_and_package_level_finding():
    header = Finding("t", 1, "c", None, "header", "missing column 'c' declared by the schema", "data/t.csv")
    empty = cell("", row=3, check="required", message="required value is missing")
    pkg = Finding(None, None, None, None, "descriptor", "licenses: required", None)
    out = render("text", outcome(header, empty, pkg)).splitlines()
    assert out == [
        "invalid: tiny 1.0.0: 3 errors ((package) 1, t 2)",
        "t:",
        "  data/t.csv:1 c: missing column 'c' declared by the schema [header]",
        "  data/t.csv:3 c: required value is missing [required]",
        "(package):",
        "  datapackage.json: licenses: required [descriptor]",
        "summary: (package): descriptor 1; t: header 1, required 1",
    ]


# JSON: the contract


def test_json_report_fields():
    o = outcome(cell("x"), warnings=["data/t.csv: uses CRLF line endings"])
    o.source = "the package in the current directory"
    doc = json.loads(render("json", o))
    assert doc == {
        "valid": False,
        "package": "tiny",
        "version": "1.0.0",
        "path": str(Path("/pkg") / "datapackage.json"),
        "source": "the package in the current directory",
        "usable": True,
        "errors": [
            {
                "table": "t",
                "row": 2,
                "column": "c",
                "value": "x",
                "check": "enum",
                "message": "not allowed",
                "file": "data/t.csv",
            }
        ],
        "error_count": 1,
        "errors_not_shown": 0,
        "summary": {"t": {"enum": 1}},
        "warnings": ["data/t.csv: uses CRLF line endings"],
        "tables": {"t": 2},
    }


def test_json_valid():
    doc = json.loads(render("json", outcome()))
    assert doc["valid"] is True and doc["errors"] == [] and doc["summary"] == {} and doc["source"] is None


# GitHub annotations


def test_github_file_is_relative_to_the_current_directory(tmp_path, monkeypatch):
    root = tmp_path / "repo" / "sub" / "p"
    (tmp_path / "repo").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    out = render("github", outcome(cell("150", row=3), root=root)).splitlines()
    assert out[0] == "::error file=sub/p/data/t.csv,line=3,title=enum::data/t.csv:3 c=150: not allowed [enum]"


def test_github_escapes_properties_and_message():
    f = Finding(None, None, None, None, "descriptor", "100% sure: a, b", None)
    (line, _) = render("github", outcome(f)).splitlines()
    assert line.endswith(",title=descriptor::datapackage.json: 100%25 sure: a, b [descriptor]")
    assert ",line=" not in line  # no line for a package-level finding


def test_github_warning_and_headline():
    out = render("github", outcome(cell("x"), warnings=["data/t.csv: 50% CRLF"])).splitlines()
    assert out[0] == "::warning::data/t.csv: 50%25 CRLF"
    assert out[-1] == "invalid: tiny 1.0.0: 1 error (t 1)"


# Once a bug, now fixed: a resource path comes from the
# descriptor and may hold any character but NUL (a file name on POSIX).

EVIL_PATH = "data/t\nFORGED\x1b[2J.csv"


def test_text_file_name_never_forges_a_line():
    f = Finding("t", 2, "c", "x", "enum", "not allowed", EVIL_PATH)
    out = render("text", outcome(f))
    assert len(out.split("\n")) == 4 and "\x1b" not in out, out


def test_github_keeps_escapes_out_of_warnings_errors_and_file_names():
    warn = render("github", outcome(warnings=[f"{EVIL_PATH}: starts with a UTF-8 byte order mark"]))
    err = render("github", Outcome(error=UnusableInput("empty file", EVIL_PATH)))
    found = render("github", outcome(Finding("t", 2, "c", "x", "enum", "not allowed", EVIL_PATH)))
    assert "\x1b" not in warn + err + found


# Unusable input


def test_unusable_input_in_every_format():
    o = Outcome(error=UnusableInput("line 3: not valid\nUTF-8\x1b[2J", "data/t.csv"))
    assert render("text", o) == "error: data/t.csv: line 3: not valid UTF-8\\x1b[2J"
    doc = json.loads(render("json", o))
    assert doc["valid"] is False and doc["usable"] is False and doc["path"] == "data/t.csv"
    assert doc["message"] == "data/t.csv: line 3: not valid UTF-8\x1b[2J" and doc["errors"] == []
    gh = render("github", o)
    assert gh.count("\n") == 0 and gh.startswith("::error file=data/t.csv::data/t.csv: line 3: not valid UTF-8")
    assert o.exit_code == 2 and outcome().exit_code == 0 and outcome(cell("x")).exit_code == 1
