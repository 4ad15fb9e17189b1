"""evidence(), find(), export, data dictionary, plots."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

import jakdata
from jakdata.package.descriptor import bundled_root
from jakdata.tools.docs import render
from jakdata.views import COLUMNS


@pytest.fixture(scope="module")
def ds():
    return jakdata.load()


def test_evidence_has_one_row_per_outcome_with_context(ds):
    ev = jakdata.evidence(ds)
    assert len(ev) == len(ds.outcomes)
    assert ev["outcome_id"].tolist() == ds.outcomes["outcome_id"].tolist()
    assert list(ev.columns) == list(ds.outcomes.columns) + list(COLUMNS)
    row = ev.set_index("outcome_id").loc[
        ds.outcomes.loc[(ds.outcomes["measure_id"] == "scorad") & (ds.outcomes["value"] == 91), "outcome_id"].iloc[0]
    ]
    assert row["drug_inn"] == "upadacitinib" and row["arm_dose"] == 30 and row["arm_label"]
    assert row["study_design"] == "case-report" and row["measure_name"].startswith("SCORing")
    assert row["source_citation"] == "Shatokhina 2023" and row["source_type"] == "case-report"
    sub = ev[ev["indication_id"] == "papulopustular-rosacea"]
    assert (sub["indication_parent"] == "Rosacea").all()


@pytest.mark.parametrize(
    "name, etype, eid",
    [
        ("乌帕替尼", "drug", "upadacitinib"),
        ("упадацитиниб", "drug", "upadacitinib"),
        ("UPADACITINIB", "drug", "upadacitinib"),
        ("ｕｐａｄａｃｉｔｉｎｉｂ", "drug", "upadacitinib"),  # full width
        ("jak1", "target", "JAK1"),
        ("P23458", "target", "JAK1"),
        ("L04AF03", "drug", "upadacitinib"),
        ("玫瑰痤疮", "indication", "rosacea"),
        ("атопический дерматит", "indication", "atopic-dermatitis"),
        ("scorad", "measure", "scorad"),
    ],
)
def test_find_in_any_language(ds, name, etype, eid):
    hits = jakdata.find(name, ds)
    assert (etype, eid) in set(zip(hits["entity_type"], hits["entity_id"])), hits


def test_find_unknown(ds, cli):
    assert jakdata.find("no-such-drug", ds).empty
    code, out, err = cli("find", "no-such-drug")
    assert code == 1 and out == "" and "no drug, target, indication or measure" in err
    code, out, _ = cli("find", "乌帕替尼")
    assert code == 0 and out.startswith("drug\tupadacitinib\t")


def test_export_sqlite_round_trip(ds, cli, tmp_path):
    out = tmp_path / "jak.sqlite"
    assert cli("export", "--format", "sqlite", "--output", str(out))[0] == 0
    con = sqlite3.connect(out)
    for t in ds.tables:
        assert con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] == len(ds[t])
    ddl = con.execute("SELECT sql FROM sqlite_master WHERE name = 'outcomes'").fetchone()[0]
    assert "PRIMARY KEY" in ddl and 'REFERENCES "arms"' in ddl and '"value" REAL' in ddl
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    code, _, err = cli("export", "--format", "sqlite", "--output", str(out))
    assert code == 2 and "exists" in err
    assert cli("export", "--format", "sqlite", "--output", str(out), "--force")[0] == 0


def test_export_parquet_keeps_dtypes(ds, cli, tmp_path):
    out = tmp_path / "pq"
    assert cli("export", "--format", "parquet", "--output", str(out))[0] == 0
    for t in ds.tables:
        back = pd.read_parquet(out / f"{t}.parquet")
        assert len(back) == len(ds[t])
        assert back.dtypes.astype(str).tolist() == ds[t].dtypes.astype(str).tolist(), t


def test_export_xlsx_neutralises_formulas(ds, tmp_path):
    import openpyxl

    from jakdata.tools.export import export, neutralise

    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)" and neutralise("-5") == "-5"
    out = export(ds, "xlsx", tmp_path / "jak.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [t[:31] for t in ds.tables]
    assert wb["outcomes"].max_row == len(ds.outcomes) + 1


def test_data_dictionary_is_current(cli):
    committed = bundled_root() / "docs" / "data-dictionary.md"
    if not committed.is_file():
        pytest.skip("not a source checkout")
    assert committed.read_text(encoding="utf-8") == render(), "run `jakdata docs -o docs/data-dictionary.md`"


def test_data_dictionary_content(ds):
    text = render()
    for t in ds.tables:
        assert f"\n## {t}\n" in text
        assert f"File `data/{t}.csv`, {len(ds[t])} rows." in text
    assert "| `statistic` | string | required; one of: `value`, `mean`" in text
    assert "`measure-range`" in text and "`arm-consistency`" in text


@pytest.mark.parametrize("kind", ["trajectories", "evidence-map"])
def test_plots_are_written(cli, tmp_path, kind):
    pytest.importorskip("matplotlib")
    out = tmp_path / f"{kind}.png"
    code, _, _ = cli("plot", kind, "--output", str(out))
    assert code == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    code, _, err = cli("plot", kind, "--output", str(out))
    assert code == 2 and "exists" in err


def test_docs_never_replaces_a_file_it_did_not_write(cli, tmp_path):
    mine = tmp_path / "notes.md"
    mine.write_text("my own notes\n", encoding="utf-8")
    code, _, err = cli("docs", "-o", str(mine))
    assert code == 2 and "was not generated by `jakdata docs`" in err
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    generated = tmp_path / "dictionary.md"
    assert cli("docs", "-o", str(generated))[0] == 0
    generated.write_text(generated.read_text(encoding="utf-8") + "stale\n", encoding="utf-8")
    assert cli("docs", "-o", str(generated))[0] == 0  # its own output is regenerated
    assert not generated.read_text(encoding="utf-8").endswith("stale\n")
    assert cli("docs", "-o", str(mine), "--force")[0] == 0


@pytest.mark.parametrize(
    "brand, drug",
    [
        ("Rinvoq", "upadacitinib"),
        ("opzelura", "ruxolitinib"),
        ("JAKAFI", "ruxolitinib"),
        ("ＸＥＬＪＡＮＺ", "tofacitinib"),
    ],
)
def test_find_by_brand_name(brand, drug):
    hits = jakdata.find(brand)
    assert list(hits["entity_id"]) == [drug] and list(hits["matched_in"]) == ["synonyms.name (en)"]
