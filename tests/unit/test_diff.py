"""``jakdata diff`` on tiny hand-written packages: rows by primary key down
to the cell, schemas, tables, versions; a duplicated row is a difference."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import fields, write_package

from jakdata.errors import UnusableInput
from jakdata.package.hashing import fingerprint
from jakdata.tools.diff import diff, render_text

KEYED = {"fields": fields("id", "v"), "primaryKey": "id"}
UNKEYED = {"fields": fields("a", "b")}


def csv(header: str, *rows: str) -> str:
    return "\n".join((header, *rows)) + "\n"


def pair(tmp_path: Path, old: dict, new: dict, old_desc: dict | None = None, new_desc: dict | None = None):
    a = write_package(tmp_path / "old", old, **(old_desc or {}))
    b = write_package(tmp_path / "new", new, **(new_desc or {}))
    return diff(a, b)


def test_identical(tmp_path):
    tables = {"t": (KEYED, csv("id,v", "a,1", "b,2"))}
    d = pair(tmp_path, tables, tables)
    fp = fingerprint(tmp_path / "old")
    assert d["identical"] is True
    assert d["tables"] == {} and d["tables_added"] == [] and d["tables_removed"] == []
    assert d["old"]["fingerprint"] == d["new"]["fingerprint"] == fp
    assert d["old"]["version"] == d["new"]["version"] == "1.0.0"
    assert render_text(d) == f"identical: 1.0.0 ({fp})"


def test_row_order_is_not_a_difference(tmp_path):
    d = pair(
        tmp_path,
        {"t": (KEYED, csv("id,v", "a,1", "b,2")), "u": (UNKEYED, csv("a,b", "x,1", "y,2"))},
        {"t": (KEYED, csv("id,v", "b,2", "a,1")), "u": (UNKEYED, csv("a,b", "y,2", "x,1"))},
    )
    assert d["tables"] == {}  # rows are compared by key (or whole row), not by position


def test_added_removed_and_changed_rows(tmp_path):
    d = pair(
        tmp_path,
        {"t": (KEYED, csv("id,v", "a,1", "b,2", "c,3"))},
        {"t": (KEYED, csv("id,v", "a,1", "b,20", "d,4"))},
    )
    assert d["identical"] is False
    assert d["tables"] == {
        "t": {
            "added": ["d"],
            "removed": ["c"],
            "changed": [{"key": "b", "cells": {"v": ["2", "20"]}}],
            "key": ["id"],
        }
    }
    fp_old, fp_new = d["old"]["fingerprint"], d["new"]["fingerprint"]
    assert render_text(d).splitlines() == [
        "version: 1.0.0 (unchanged)",
        f"fingerprint: {fp_old} -> {fp_new}",
        "t: 1 added, 1 removed, 1 changed",
        "  + d",
        "  - c",
        "  ~ b",
        "      v: '2' -> '20'",
    ]


def test_composite_key(tmp_path):
    schema = {"fields": fields("study", "arm", "n"), "primaryKey": ["study", "arm"]}
    d = pair(
        tmp_path,
        {"t": (schema, csv("study,arm,n", "s1,a,10", "s1,b,12"))},
        {"t": (schema, csv("study,arm,n", "s1,a,11", "s2,b,12"))},
    )
    assert d["tables"]["t"] == {
        "added": ["s2|b"],
        "removed": ["s1|b"],
        "changed": [{"key": "s1|a", "cells": {"n": ["10", "11"]}}],
        "key": ["study", "arm"],
    }


def test_a_duplicated_row_is_a_difference(tmp_path):
    d = pair(
        tmp_path,
        {"t": (KEYED, csv("id,v", "a,1", "b,2"))},
        {"t": (KEYED, csv("id,v", "a,1", "b,2", "a,1"))},
    )
    assert d["identical"] is False
    assert d["tables"]["t"] == {"added": ["a#2"], "key": ["id"]}
    assert "  + a#2" in render_text(d).splitlines()


def test_a_duplicated_row_without_a_key_is_a_difference(tmp_path):
    d = pair(
        tmp_path,
        {"t": (UNKEYED, csv("a,b", "x,1", "y,2"))},
        {"t": (UNKEYED, csv("a,b", "x,1", "y,2", "x,1"))},
    )
    assert d["tables"]["t"] == {"added": ["x|1#2"], "key": ["a", "b"]}


def test_a_removed_duplicate_is_a_difference(tmp_path):
    d = pair(
        tmp_path,
        {"t": (KEYED, csv("id,v", "a,1", "a,1", "b,2"))},
        {"t": (KEYED, csv("id,v", "a,1", "b,2"))},
    )
    assert d["tables"]["t"] == {"removed": ["a#2"], "key": ["id"]}


def test_a_changed_row_without_a_key_is_one_removed_and_one_added(tmp_path):
    d = pair(tmp_path, {"t": (UNKEYED, csv("a,b", "x,1"))}, {"t": (UNKEYED, csv("a,b", "x,2"))})
    assert d["tables"]["t"] == {"added": ["x|2"], "removed": ["x|1"], "key": ["a", "b"]}


def test_version_only(tmp_path):
    tables = {"t": (KEYED, csv("id,v", "a,1"))}
    d = pair(tmp_path, tables, tables, new_desc={"version": "1.1.0"})
    assert d["identical"] is False and d["tables"] == {}
    assert render_text(d).splitlines()[0] == "version: 1.0.0 -> 1.1.0"


def test_a_metadata_change_is_a_difference(tmp_path):
    tables = {"t": (KEYED, csv("id,v", "a,1"))}
    d = pair(
        tmp_path,
        tables,
        tables,
        old_desc={"licenses": [{"name": "CC-BY-4.0"}]},
        new_desc={"licenses": [{"name": "CC0-1.0"}]},
    )
    assert d["identical"] is False and d["tables"] == {}
    assert d["descriptor"] == {"licenses": [[{"name": "CC-BY-4.0"}], [{"name": "CC0-1.0"}]]}
    assert 'descriptor licenses: [{"name": "CC-BY-4.0"}] -> [{"name": "CC0-1.0"}]' in render_text(d)


def test_tables_added_and_removed(tmp_path):
    d = pair(
        tmp_path,
        {"t": (KEYED, csv("id,v", "a,1")), "gone": (UNKEYED, csv("a,b", "x,1"))},
        {"t": (KEYED, csv("id,v", "a,1")), "new": (UNKEYED, csv("a,b", "x,1"))},
    )
    assert d["tables_added"] == ["new"] and d["tables_removed"] == ["gone"] and d["tables"] == {}
    assert d["identical"] is False
    assert render_text(d).splitlines()[2:] == ["table added: new", "table removed: gone"]


def test_schema_changes(tmp_path):
    old = {"fields": [*fields("id", "v"), {"name": "w", "type": "integer"}], "primaryKey": "id"}
    new = {"fields": [*fields("id", "v"), {"name": "w", "type": "number"}, *fields("x")], "primaryKey": "id"}
    d = pair(tmp_path, {"t": (old, csv("id,v,w", "a,1,2"))}, {"t": (new, csv("id,v,w,x", "a,1,2,"))})
    assert d["tables"]["t"] == {
        "schema": {"fields_added": ["x"], "fields_changed": {"w": {"type": ["integer", "number"]}}},
        "changed": [{"key": "a", "cells": {"x": [None, ""]}}],  # the new column, empty in the row
        "key": ["id"],
    }
    assert render_text(d).splitlines()[2:] == [
        "t: 1 changed",
        '  schema fields_added: ["x"]',
        '  schema fields_changed: {"w": {"type": ["integer", "number"]}}',
        "  ~ a",
        "      x: None -> ''",
    ]


def test_a_new_primary_key_is_a_schema_change_and_rekeys_every_row(tmp_path):
    old = {"fields": fields("id", "v"), "primaryKey": "id"}
    new = {"fields": fields("id", "v"), "primaryKey": ["id", "v"]}
    d = pair(tmp_path, {"t": (old, csv("id,v", "a,1"))}, {"t": (new, csv("id,v", "a,1"))})
    assert d["tables"]["t"] == {
        "schema": {"primaryKey": ["id", ["id", "v"]]},
        "added": ["a|1"],
        "removed": ["a"],
        "key": ["id"],
    }


def test_only_the_schema_changed(tmp_path):
    old = {"fields": [{"name": "id", "description": "Old."}], "primaryKey": "id"}
    new = {"fields": [{"name": "id", "description": "New."}], "primaryKey": "id"}
    d = pair(tmp_path, {"t": (old, csv("id", "a"))}, {"t": (new, csv("id", "a"))})
    assert d["identical"] is False
    assert d["tables"]["t"] == {"schema": {"fields_changed": {"id": {"description": ["Old.", "New."]}}}, "key": ["id"]}
    assert render_text(d).splitlines()[2] == "t: schema changed"


def test_schema_fields_reordered_and_removed(tmp_path):
    reordered = pair(
        tmp_path / "r",
        {"t": ({"fields": fields("a", "b")}, csv("a,b", "x,1"))},
        {"t": ({"fields": fields("b", "a")}, csv("b,a", "1,x"))},
    )
    assert reordered["tables"]["t"]["schema"] == {"fields_reordered": ["b", "a"]}
    removed = pair(
        tmp_path / "d",
        {"t": ({"fields": fields("a", "b")}, csv("a,b", "x,1"))},
        {"t": ({"fields": fields("a")}, csv("a", "x"))},
    )
    assert removed["tables"]["t"]["schema"] == {"fields_removed": ["b"]}


def test_unusable_input(tmp_path):
    a = write_package(tmp_path / "old", {"t": (KEYED, csv("id,v", "a,1"))})
    with pytest.raises(UnusableInput, match="missing"):
        diff(a, tmp_path / "missing")
