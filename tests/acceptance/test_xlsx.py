"""The Excel workbook says what it is and stays readable: an About sheet
first (version, fingerprint, licence, citation, one line per table), and on
every sheet a frozen header row and an autofilter over the data."""

from __future__ import annotations

import pytest

import jakdata

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    from jakdata.tools.export import export

    out = export(jakdata.load(), "xlsx", tmp_path_factory.mktemp("xlsx") / "jak.xlsx")
    return openpyxl.load_workbook(out)


def test_about_is_the_first_sheet_and_says_what_the_workbook_is(workbook):
    from jakdata.package.hashing import fingerprint

    ds = jakdata.load()
    assert workbook.sheetnames == ["About", *ds.tables]
    rows = list(workbook["About"].iter_rows(values_only=True))
    assert rows[0] == ("item", "value", "rows")
    about = {item: (value, n) for item, value, n in rows[1:]}
    assert about["version"][0] == ds.version
    assert about["content fingerprint"][0] == fingerprint(ds.path)
    assert "Creative Commons Attribution 4.0" in about["licence"][0]
    assert ds.version in about["how to cite"][0] and fingerprint(ds.path) in about["how to cite"][0]
    for name in ds.tables:  # one line per table: what it holds and how many rows
        value, n = about[f"table: {name}"]
        assert value == ds.schema(name).get("description", "") and n == len(ds[name])


def test_every_sheet_has_a_frozen_header_and_a_filter(workbook):
    ds = jakdata.load()
    for ws in workbook.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == ws.dimensions, ws.title
    outcomes = workbook["outcomes"]
    assert outcomes.max_row == len(ds.outcomes) + 1
    assert [c.value for c in outcomes[1]] == list(ds.outcomes.columns)


def test_a_table_called_about_is_refused(tmp_path):
    from jakdata.errors import UnusableInput
    from jakdata.tools.export import _names_fit

    class Fake:
        tables = ("drugs", "about")

    with pytest.raises(UnusableInput, match="'about' is the Excel export's own first sheet"):
        _names_fit(Fake(), "xlsx")  # type: ignore[arg-type]
