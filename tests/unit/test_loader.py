"""The loader: API, dtypes from the schema, other packages, bad values."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import set_cells

import jakdata
from jakdata.errors import DataError, UnusableInput


@pytest.fixture(scope="module")
def ds():
    return jakdata.load()


def test_dataset_api(ds):
    descriptor = json.loads(ds.path.read_text(encoding="utf-8"))
    assert ds.tables == [r["name"] for r in descriptor["resources"]]
    assert ds.version == descriptor["version"] == jakdata.__version__
    assert ds.outcomes is ds["outcomes"]
    assert "outcomes" in ds and len(ds) == len(ds.tables)
    with pytest.raises(KeyError, match="no table 'nope'"):
        ds["nope"]
    with pytest.raises(AttributeError):
        _ = ds.nope


def test_one_table(ds):
    one = jakdata.load("outcomes")
    pd.testing.assert_frame_equal(one, ds.outcomes)
    with pytest.raises(KeyError, match="no table"):
        jakdata.load("nope")


def test_dtypes_follow_the_schema(ds):
    for table in ds.tables:
        schema = ds.schema(table)
        df = ds[table]
        assert list(df.columns) == [f["name"] for f in schema["fields"]]
        for f in schema["fields"]:
            dtype = df[f["name"]].dtype
            t = f.get("type", "string")
            if t == "string" and f.get("constraints", {}).get("enum"):
                assert isinstance(dtype, pd.CategoricalDtype), (table, f["name"])
                assert list(dtype.categories) == f["constraints"]["enum"]
            elif t == "string":
                assert dtype == "str", (table, f["name"], dtype)
            elif t == "integer":
                assert dtype == "Int64"
            elif t == "number":
                assert dtype == "Float64"
            elif t == "boolean":
                assert dtype == "boolean"
            elif t == "date":
                assert pd.api.types.is_datetime64_dtype(dtype)


def test_load_another_package_by_directory_or_descriptor(package_copy):
    by_dir = jakdata.load(package_copy)
    by_file = jakdata.load(str(package_copy / "datapackage.json"))
    assert by_dir.path == by_file.path == package_copy / "datapackage.json"
    assert by_dir.tables == by_file.tables


@pytest.fixture(params=["serial", "parallel"])
def conversion(request, monkeypatch):
    """Columns of large tables are converted on two threads: both ways must
    give the same frames and the same first error."""
    from jakdata.table import convert

    monkeypatch.setattr(convert, "PARALLEL_FROM", 0 if request.param == "parallel" else 10**12)
    return request.param


def test_serial_and_parallel_conversion_agree(package_copy, monkeypatch):
    from jakdata.table import convert

    monkeypatch.setattr(convert, "PARALLEL_FROM", 10**12)
    serial = jakdata.load(package_copy)
    monkeypatch.setattr(convert, "PARALLEL_FROM", 0)
    parallel = jakdata.load(package_copy)
    for table in serial.tables:
        pd.testing.assert_frame_equal(serial[table], parallel[table])


def test_first_bad_column_in_schema_order_is_reported(package_copy, conversion):
    schema = json.loads((package_copy / "schemas" / "arms.json").read_text(encoding="utf-8"))
    fields = [f["name"] for f in schema["fields"]]
    assert fields.index("dose") < fields.index("n")
    set_cells(package_copy, "arms", 1, n="one", dose="ten")
    with pytest.raises(DataError, match=r"data/arms.csv:2 dose=ten"):
        jakdata.load(package_copy)


def test_bad_value_names_file_line_and_column(package_copy, conversion):
    set_cells(package_copy, "arms", 1, n="one")
    with pytest.raises(DataError, match=r"data/arms.csv:2 n=one"):
        jakdata.load(package_copy)


def test_unknown_category_is_not_silently_lost(package_copy, conversion):
    p = package_copy / "data" / "studies.csv"
    text = p.read_text(encoding="utf-8").replace(",case-report,", ",case-reports,", 1)
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="case-reports"):
        jakdata.load(package_copy)


def test_missing_package_is_unusable(tmp_path):
    with pytest.raises(UnusableInput, match=r"no datapackage\.json"):
        jakdata.load(tmp_path)
