"""Table Schema conformance: every type, format and constraint of the
Frictionless specs is enforced as Frictionless enforces it.

Each case is written from the Table Schema spec (a valid and an invalid
cell per type, format, option and constraint); jakdata's verdict on the
cell is asserted, and frictionless-py, the reference implementation, is
asked the same question on the same file, so a disagreement fails here.
The documented differences (README, "Differences from Frictionless") have
their own tests at the end.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import write_package

from jakdata.validate.checker import validate_package

UUID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

CASES = [
    # types
    ({"type": "datetime"}, "2020-01-01T10:00:00Z", None),
    ({"type": "datetime"}, "2020-01-01", "type"),
    ({"type": "time"}, "10:30:00", None),
    ({"type": "time"}, "25:00:00", "type"),
    ({"type": "year"}, "2020", None),
    ({"type": "year"}, "20x", "type"),
    ({"type": "yearmonth"}, "2020-01", None),
    ({"type": "yearmonth"}, "2020-13", "type"),
    ({"type": "duration"}, "P1Y2M10DT2H30M", None),
    ({"type": "duration"}, "one year", "type"),
    ({"type": "geopoint"}, "90,45", None),
    ({"type": "geopoint"}, "200,45", "type"),
    ({"type": "geopoint", "format": "object"}, '{"lon": 90, "lat": 45}', None),
    ({"type": "geopoint", "format": "object"}, "[90, 45]", "type"),
    ({"type": "geopoint", "format": "array"}, "[90, 45]", None),
    ({"type": "object"}, '{"a": 1}', None),
    ({"type": "object"}, "[1]", "type"),
    ({"type": "array"}, "[1, 2]", None),
    ({"type": "array"}, '{"a": 1}', "type"),
    ({"type": "geojson"}, '{"type": "Point", "coordinates": [1, 2]}', None),
    ({"type": "geojson"}, '{"type": "Nowhere"}', "type"),
    # string formats
    ({"type": "string", "format": "email"}, "someone@example.org", None),
    ({"type": "string", "format": "email"}, "someone", "type"),
    ({"type": "string", "format": "uri"}, "https://example.org/x", None),
    ({"type": "string", "format": "uri"}, "not a uri", "type"),
    ({"type": "string", "format": "binary"}, "aGVsbG8=", None),
    ({"type": "string", "format": "binary"}, "not base64!", "type"),
    ({"type": "string", "format": "uuid"}, UUID, None),
    ({"type": "string", "format": "uuid"}, "1234", "type"),
    # number and integer options
    ({"type": "integer", "bareNumber": False}, "$1", None),
    ({"type": "number", "bareNumber": False}, "95%", None),
    ({"type": "number", "groupChar": ","}, "1,000.5", None),
    ({"type": "number", "decimalChar": ","}, "1,5", None),
    ({"type": "number", "decimalChar": ","}, "1.234", "type"),
    ({"type": "integer"}, str(2**63), None),
    ({"type": "integer"}, str(-(2**70)), None),
    ({"type": "integer"}, "1.0", "type"),
    # date patterns
    ({"type": "date", "format": "%d/%m/%Y"}, "02/01/2020", None),
    ({"type": "date", "format": "%d/%m/%Y"}, "2020-01-02", "type"),
    ({"type": "date", "format": "any"}, "2 January 2020", None),
    # constraints
    ({"type": "integer", "constraints": {"enum": [1, 2, 3]}}, "4", "enum"),
    ({"type": "integer", "constraints": {"enum": [1, 2, 3]}}, "2", None),
    ({"type": "integer", "constraints": {"enum": ["1", "2"]}}, "3", "enum"),
    ({"type": "integer", "constraints": {"enum": ["1", "2"]}}, "2", None),
    ({"type": "number", "constraints": {"exclusiveMinimum": 0}}, "0", "exclusive-minimum"),
    ({"type": "number", "constraints": {"exclusiveMinimum": 0}}, "0.1", None),
    ({"type": "integer", "constraints": {"exclusiveMaximum": 10}}, "10", "exclusive-maximum"),
    ({"type": "number", "constraints": {"minimum": "5"}}, "4", "minimum"),
    ({"type": "date", "constraints": {"minimum": "2020-01-01"}}, "2019-12-31", "minimum"),
    ({"type": "date", "constraints": {"maximum": "2020-01-01"}}, "2019-12-31", None),
    ({"type": "datetime", "constraints": {"maximum": "2020-01-01T00:00:00Z"}}, "2021-01-01T00:00:00Z", "maximum"),
    ({"type": "time", "constraints": {"minimum": "09:00:00"}}, "08:00:00", "minimum"),
    ({"type": "yearmonth", "constraints": {"minimum": "2020-01"}}, "2019-12", "minimum"),
    ({"type": "year", "constraints": {"maximum": 2000}}, "2001", "maximum"),
    ({"type": "array", "constraints": {"minLength": 2}}, "[1]", "min-length"),
    ({"type": "object", "constraints": {"maxLength": 1}}, '{"a": 1, "b": 2}', "max-length"),
    ({"type": "string", "format": "email", "constraints": {"pattern": ".*@example[.]org"}}, "a@b.org", "pattern"),
]


def _package(tmp_path: Path, field: dict, cells: list[str], **schema: object) -> Path:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "x"])
    for i, cell in enumerate(cells):
        w.writerow([str(i), cell])
    spec = {"fields": [{"name": "id", "type": "string"}, {"name": "x", **field}], **schema}
    return write_package(tmp_path / "pkg", {"t": (spec, out.getvalue())})


def _jakdata(pkg: Path) -> list[tuple[int | None, str | None, str]]:
    return [
        (f.row, f.column, f.check)
        for f in validate_package(pkg).findings
        if f.table == "t" and f.check not in ("hash", "bytes")
    ]


def _frictionless(pkg: Path) -> list[int]:
    """Rows (CSV lines) frictionless reports an error on."""
    import frictionless

    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["$schema"] = "https://datapackage.org/profiles/2.0/datapackage.json"
    (pkg / "v2.json").write_text(json.dumps(desc))
    report = frictionless.validate(str(pkg / "v2.json"))
    return [row for row, *_ in report.flatten(["rowNumber"]) if row]


@pytest.mark.parametrize(("field", "cell", "check"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_a_cell_is_judged_as_frictionless_judges_it(tmp_path, field, cell, check):
    pkg = _package(tmp_path, {"name": "x", **field}, [cell])
    expected = [] if check is None else [(2, "x", check)]
    assert _jakdata(pkg) == expected
    assert bool(_frictionless(pkg)) == (check is not None)


def test_missing_values_of_the_schema_are_missing(tmp_path):
    spec = {"type": "integer", "constraints": {"required": True}}
    pkg = _package(tmp_path, spec, ["1", "NA", ""], missingValues=["", "NA"])
    assert _jakdata(pkg) == [(3, "x", "required"), (4, "x", "required")]
    assert _frictionless(pkg) == [3, 4]


def test_missing_values_of_a_field_are_missing(tmp_path):
    pkg = _package(tmp_path, {"type": "number", "missingValues": ["", "-"]}, ["1.5", "-", "n/a"])
    assert _jakdata(pkg) == [(4, "x", "type")]


def test_a_field_missing_value_is_missing_for_the_loader_too(tmp_path):
    import jakdata

    pkg = _package(tmp_path, {"type": "integer"}, ["7", "NA"], missingValues=["", "NA"])
    frame = jakdata.load(pkg)["t"]
    assert frame["x"].tolist()[0] == 7 and frame["x"].isna().tolist() == [False, True]
    assert str(frame["x"].dtype) == "Int64"


def test_an_integer_beyond_64_bits_loads_exactly(tmp_path):
    import jakdata

    pkg = _package(tmp_path, {"type": "integer"}, [str(2**63), "1"])
    assert jakdata.load(pkg)["t"]["x"].tolist() == [2**63, 1]


@pytest.mark.parametrize(
    ("match", "header", "wanted"),
    [
        ("equal", "x,id", []),
        ("subset", "id,x,extra", []),
        ("superset", "id", []),
        ("partial", "x,other", []),
        ("partial", "a,b", [(1, "a", "header")]),
        ("exact", "x,id", [(1, "x", "header")]),
        ("superset", "id,extra", [(1, "extra", "header")]),
    ],
)
def test_fields_match(tmp_path, match, header, wanted):
    cols = header.split(",")
    text = header + "\n" + ",".join("1" for _ in cols) + "\n"
    schema = {"fields": [{"name": "id"}, {"name": "x"}], "fieldsMatch": match}
    pkg = write_package(tmp_path / "pkg", {"t": (schema, text)})
    assert _jakdata(pkg) == wanted


def test_a_quoted_header_label_may_hold_a_line_break(tmp_path):
    schema = {"fields": [{"name": "a\nb"}, {"name": "n", "type": "integer"}]}
    pkg = write_package(tmp_path / "pkg", {"t": (schema, '"a\nb",n\nx,1\ny,z\n')})
    assert _jakdata(pkg) == [(4, "n", "type")]


@pytest.mark.parametrize("text", ["id,x", "id,x\n"])
def test_a_header_without_rows_is_an_empty_table(tmp_path, text):
    schema = {"fields": [{"name": "id"}, {"name": "x"}]}
    pkg = write_package(tmp_path / "pkg", {"t": (schema, text)})
    assert _jakdata(pkg) == []


def test_a_table_of_fields_frictionless_reads_only(tmp_path):
    import jakdata

    schema = {
        "fields": [
            {"name": "at", "type": "datetime"},
            {"name": "tags", "type": "array", "constraints": {"unique": True}},
        ]
    }
    text = 'at,tags\n2020-01-01T00:00:00Z,"[1, 2]"\n2020-01-02,"[1,2]"\n'
    pkg = write_package(tmp_path / "pkg", {"t": (schema, text)})
    assert _jakdata(pkg) == [(3, "at", "type"), (3, "tags", "unique")]
    ok = write_package(tmp_path / "ok", {"t": (schema, 'at,tags\n2020-01-01T00:00:00Z,"[1, 2]"\n')})
    frame = jakdata.load(ok)["t"]
    assert len(frame) == 1 and frame["tags"].tolist() == [[1, 2]]


def test_unique_compares_values_not_spellings(tmp_path):
    pkg = _package(tmp_path, {"type": "integer", "bareNumber": False, "constraints": {"unique": True}}, ["1", "$1"])
    assert _jakdata(pkg) == [(3, "x", "unique")]
    assert _frictionless(pkg) == [3]


# Documented differences from Frictionless (README): each fails loudly, never silently.


def test_difference_missing_values_without_the_empty_string_are_refused(tmp_path, cli):
    pkg = _package(tmp_path, {"type": "string"}, ["a"], missingValues=["NA"])
    code, _, err = cli("validate", str(pkg))
    assert code == 2 and 'missingValues must include ""' in err


@pytest.mark.parametrize(
    ("encoding", "message"), [("ascii", "not valid ascii"), ("klingon", "not a known text encoding")]
)
def test_a_declared_encoding_is_read_and_enforced(tmp_path, cli, encoding, message):
    pkg = _package(tmp_path, {"type": "string"}, ["ü"])
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"][0]["encoding"] = encoding
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    code, _, err = cli("validate", str(pkg))
    assert code == 2 and message in err and err.count("\n") == 1


def test_a_latin1_file_declared_latin1_is_read(tmp_path):
    pkg = _package(tmp_path, {"type": "string", "constraints": {"maxLength": 1}}, ["x"])
    (pkg / "t.csv").write_bytes("id,x\n0,é\n1,éé\n".encode("latin-1"))
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"][0]["encoding"] = "latin-1"
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    assert _jakdata(pkg) == [(3, "x", "max-length")]


@pytest.mark.parametrize(
    ("field", "cell", "message"),
    [
        # booleans: jakdata's default is true/false only (Frictionless also takes True, TRUE, 1, ...)
        ({"type": "boolean"}, "True", "lowercase"),
        ({"type": "boolean"}, "1", "true or false"),
        # numbers: a value a source printed is finite (Frictionless takes NaN, INF, 1e309)
        ({"type": "number"}, "NaN", "not a number"),
        ({"type": "number"}, "INF", "not a number"),
        ({"type": "number"}, "1e309", "too large to be a finite number"),
        # surrounding whitespace is never part of a number (Frictionless strips it)
        ({"type": "integer"}, " 1", "not an integer"),
    ],
)
def test_difference_stricter_cells_are_type_errors_frictionless_accepts(tmp_path, field, cell, message):
    pkg = _package(tmp_path, {"name": "x", **field}, [cell])
    found = [f for f in validate_package(pkg).findings if f.table == "t" and f.column == "x"]
    assert [(f.row, f.check) for f in found if f.check != "whitespace"] == [(2, "type")]
    assert message in found[0].message
    assert _frictionless(pkg) == []  # the reference accepts it: the difference is deliberate and documented
