"""Key facts of each source document, pinned so a regression is caught."""

from __future__ import annotations

import pandas as pd
import pytest

import jakdata

REVIEW = "lyu-2026-rosacea-review"
CASES = "shatokhina-2023-ad-case-reports"
PAGE = "vitiligo-jak-patient-page-2025"


@pytest.fixture(scope="module")
def ds():
    return jakdata.load()


def series(ds, arm, measure):
    o = ds.outcomes
    rows = o[(o["arm_id"] == arm) & (o["measure_id"] == measure)].sort_values("timepoint_days")
    return [(t, v, r) for t, v, r in zip(rows["timepoint"], rows["value"], rows["value_as_reported"])]


def test_patient_a_series_and_dose(ds):
    arm = ds.arms.set_index("arm_id").loc[f"{CASES}-patient-a"]
    assert (arm["drug_id"], arm["dose"], arm["dose_unit"], arm["route"]) == ("upadacitinib", 15, "mg/day", "oral")
    a = f"{CASES}-patient-a"
    assert series(ds, a, "scorad") == [("baseline", 56.8, "56,8"), ("end of month 2", 0, "0")]
    assert series(ds, a, "dlqi") == [("baseline", 24, "24"), ("end of month 2", 0, "0")]
    assert series(ds, a, "easi") == [] and series(ds, a, "bsa") == []
    itch = ds.outcomes[(ds.outcomes["arm_id"] == a) & (ds.outcomes["measure_id"] == "itch-relief")]
    assert sorted(itch["timepoint_days"].tolist()) == [2, 3]  # the source says both: kept both


def test_patient_o_series_dose_and_reduction(ds):
    arm = ds.arms.set_index("arm_id").loc[f"{CASES}-patient-o"]
    assert (arm["drug_id"], arm["dose"], arm["dose_unit"]) == ("upadacitinib", 30, "mg/day")
    assert "15" in arm["regimen_note"] and "7" in arm["duration"]
    o = f"{CASES}-patient-o"
    assert series(ds, o, "scorad") == [("baseline", 91, "91"), ("day 14", 70, "70")]
    assert series(ds, o, "easi") == [("baseline", 69, "69"), ("day 14", 47, "47")]
    assert series(ds, o, "bsa") == [("baseline", 81, "81"), ("day 14", 67, "67")]
    assert series(ds, o, "dlqi") == [("baseline", 27, "27"), ("day 14", 13, "13")]


def test_case_report_study_and_source(ds):
    s = ds.studies.set_index("study_id").loc[CASES]
    assert (s["design"], s["species"], s["n_participants"], s["indication_id"]) == (
        "case-report",
        "human",
        2,
        "atopic-dermatitis",
    )
    src = ds.sources.set_index("source_id").loc[CASES]
    assert (src["doi"], src["year"], src["volume"], src["issue"], src["pages"], src["language"]) == (
        "10.36691/RJA11544",
        2023,
        "20",
        "2",
        "238-249",
        "ru",
    )


def test_table1_targets_as_printed(ds):
    t = ds.drug_targets[ds.drug_targets["reported_in"] == CASES]
    by_drug = t.groupby("drug_id")["target_id"].apply(lambda s: sorted(s)).to_dict()
    assert by_drug == {
        "abrocitinib": ["JAK1"],
        "baricitinib": ["JAK1", "JAK2"],
        "ruxolitinib": ["JAK1", "JAK2"],
        "tofacitinib": ["JAK1", "JAK2", "JAK3", "TYK2"],
        "upadacitinib": ["JAK1"],
    }
    ind = ds.drug_indications[ds.drug_indications["reported_in"] == CASES]
    assert set(ind["status"]) == {"reported-use"} and ind["region"].isna().all()


def test_review_disagrees_with_table1_on_tofacitinib_and_both_are_kept(ds):
    t = ds.drug_targets[ds.drug_targets["drug_id"] == "tofacitinib"]
    assert sorted(t.loc[t["reported_in"] == REVIEW, "target_id"]) == ["JAK1", "JAK3"]
    assert sorted(t.loc[t["reported_in"] == CASES, "target_id"]) == ["JAK1", "JAK2", "JAK3", "TYK2"]


def test_prior_systemic_glucocorticoids_can_be_found(ds):
    h = ds.arm_history.merge(ds.drugs[["drug_id", "drug_class"]], on="drug_id", how="left", suffixes=("", "_of_drug"))
    cls = h["drug_class"].astype("str").fillna(h["drug_class_of_drug"])
    systemic = h["route"].isin(["intravenous", "intramuscular", "oral", "systemic"])
    hits = h[(h["category"] == "prior-treatment") & (cls == "glucocorticoid") & systemic]
    assert set(hits["arm_id"]) == {f"{CASES}-patient-a", f"{CASES}-patient-o"}
    assert set(hits["drug_id"]) == {"dexamethasone", "betamethasone"}


def test_review_references_and_results(ds):
    refs = ds.sources[ds.sources["cited_in"] == REVIEW]
    assert len(refs) == 24
    assert sorted(int(x.strip("[]")) for x in refs["citation_label"]) == list(range(1, 25))
    o = ds.outcomes[ds.outcomes["reported_in"] == REVIEW]
    pct = o[o["statistic"] == "percent"].sort_values("value")
    assert pct["value"].tolist() == [83.33, 91.67] and pct["n"].isna().all()
    assert (pct["cites"] == "xu-2025|zhang-2024").all() and pct["study_id"].isna().all()
    mouse = ds.studies[ds.studies["species"] == "mouse"]
    assert mouse["source_id"].tolist() == ["sun-2024"]


def test_review_safety_and_synonyms(ds):
    ae = ds.adverse_events[ds.adverse_events["reported_in"] == REVIEW]
    zoster = ae[ae["event_original"] == "带状疱疹"]
    assert len(zoster) == 1 and zoster["drug_class"].iloc[0] == "jak-inhibitor"
    assert (ae["category"] == "paradoxical").sum() >= 2
    zh = ds.synonyms[(ds.synonyms["language"] == "zh") & (ds.synonyms["entity_type"] == "drug")]
    assert {"乌帕替尼", "托法替尼", "阿布昔替尼", "鲁索替尼"} <= set(zh["name"])


def test_web_page_is_not_peer_reviewed_and_dated(ds):
    src = ds.sources.set_index("source_id").loc[PAGE]
    assert src["document_type"] == "web-page" and bool(src["peer_reviewed"]) is False
    assert src["published_date"] == pd.Timestamp("2025-06-18")
    kinds = set(ds.precautions.loc[ds.precautions["reported_in"] == PAGE, "kind"])
    assert {"contraindication", "monitoring", "special-population", "vaccination"} <= kinds


def test_every_document_has_source_notes(ds):
    assert {REVIEW, CASES, PAGE} <= set(ds.source_notes["source_id"])


def test_unstated_periods_stay_empty(ds):
    """The article dates patient A's disease from early childhood but gives no
    period for her earlier topical treatments (corrected in 0.3.0)."""
    h = ds.arm_history.set_index("history_id")
    assert h.loc["ad-hist-001", "period"] == "since early childhood"
    assert h.loc[["ad-hist-002", "ad-hist-003"], "period"].isna().all()


def test_precautions_keep_the_sources_strength_of_advice(ds):
    """'Adjust' is not 'raise'; 'not recommended' is not 'should not'."""
    p = ds.precautions.set_index("precaution_id")["statement"]
    assert "adjust the dose step by step" in p["ros-pre-003"]
    assert "not recommended" in p["vit-pre-017"]


def test_one_synonym_row_per_name_credits_the_first_document(ds):
    """托法替尼 is used by the review and by the web page: one row (the key is
    entity, name, language), credited to the review (docs/curation.md)."""
    s = ds.synonyms
    rows = s[(s["name"] == "托法替尼") & (s["language"] == "zh")]
    assert rows[["entity_id", "reported_in"]].values.tolist() == [["tofacitinib", REVIEW]]


def test_identifiers_found_in_registry_copies_and_a_conflict_left_empty(ds):
    """0.3.1's identifiers (docs/curation/identifiers.md); deucravacitinib's
    ChEMBL id stays empty because two sources disagree."""
    d = ds.drugs.set_index("drug_id")
    assert d.loc["tofacitinib", ["chembl_id", "pubchem_cid", "atc_code"]].tolist()[:2] == ["CHEMBL221959", 9926791]
    assert pd.isna(d.loc["deucravacitinib", "chembl_id"])
    i = ds.indications.set_index("indication_id")
    assert i.loc["vitiligo", ["mondo_id", "icd10", "icd11", "mesh_id"]].tolist() == [
        "MONDO:0008661",
        "L80",
        "ED63.0",
        "D014820",
    ]
    assert pd.isna(i.loc["myelofibrosis", "icd11"])  # 2A20.2 is primary myelofibrosis only
