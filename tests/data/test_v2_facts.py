"""Key facts of the trials, approvals and labels layer (model v2), pinned
as their records print them. A change to any of these is a curation
decision: update the test together with the data and its curation log."""

from __future__ import annotations

import pandas as pd
import pytest

import jakdata


@pytest.fixture(scope="module")
def ds():
    return jakdata.load()


def test_poetyk_pso_1_arms_and_primary_results(ds):
    """Armstrong 2023, JAAD (PMID 35820547), abstract: n randomised and PASI 75 /
    sPGA 0/1 at week 16 as responders [percent]."""
    arms = ds.arms[ds.arms["study_id"] == "poetyk-pso-1"].set_index("arm_id")
    assert arms.loc["poetyk-pso-1-deucravacitinib-6mg", ["dose", "n"]].tolist() == [6, 332]
    assert arms.loc["poetyk-pso-1-placebo", "n"] == 166 and pd.isna(arms.loc["poetyk-pso-1-placebo", "drug_id"])
    assert arms.loc["poetyk-pso-1-placebo", "role"] == "placebo"
    assert arms.loc["poetyk-pso-1-apremilast-30mg", ["role", "n"]].tolist() == ["active-comparator", 168]
    o = ds.outcomes[ds.outcomes["reported_in"] == "armstrong-2023-poetyk-pso-1"]
    got = {
        (r.arm_id.rsplit("-", 1)[-1], r.measure_id): (r.responders, r.value)
        for r in o.itertuples()
        if r.timepoint_days == 112
    }
    assert got[("6mg", "pasi-75")] == (194, 58.4) and got[("placebo", "pasi-75")] == (21, 12.7)
    assert got[("30mg", "pasi-75")] == (59, 35.1)
    assert got[("6mg", "spga-0-1")] == (178, 53.6) and got[("placebo", "spga-0-1")] == (12, 7.2)
    study = ds.studies.set_index("study_id").loc["poetyk-pso-1"]
    assert study["registry_id"] == "NCT03624127" and study["acronym"] == "POETYK PSO-1"


def test_a_conflicting_congress_figure_is_its_own_row(ds):
    o = ds.outcomes
    pso1 = o[(o["arm_id"] == "poetyk-pso-1-deucravacitinib-6mg") & (o["measure_id"] == "pasi-75")]
    assert sorted(pso1["value"].astype(float)) == [58.4, 58.7]
    assert pso1["reported_in"].nunique() == 2


def test_approval_dates_as_precise_as_printed(ds):
    a = ds.approvals.set_index("approval_id")
    assert a.loc["ritlecitinib-fda-alopecia-areata", ["application_number", "decision_date"]].tolist() == [
        "NDA215830",
        "2023-06-23",
    ]
    assert a.loc["deuruxolitinib-fda-alopecia-areata", "decision_date"] == "2024-07-25"
    assert a.loc["delgocitinib-fda-chronic-hand-eczema", "decision_date"] == "2025-07-23"
    assert a.loc["baricitinib-fda-alopecia-areata", "decision_date"] == "2022-06"  # a month stays a month
    assert a.loc["deucravacitinib-fda-psoriasis", "decision_date"] == "2022"  # a year stays a year


def test_rising_up_safety_per_arm(ds):
    """Table II of the JAAD International article: any TEAE and serious AEs per arm."""
    e = ds.adverse_events.set_index("ae_id")
    assert e.loc["rising-up-ae-001", ["category", "n_affected", "n_exposed"]].tolist() == ["any", 51, 91]
    assert e.loc["rising-up-ae-003", "arm_id"] == "rising-up-placebo" and pd.isna(e.loc["rising-up-ae-003", "drug_id"])
    assert e.loc["rising-up-ae-004", ["category", "n_affected"]].tolist() == ["serious", 1]


def test_boxed_warnings_are_label_claims(ds):
    p = ds.precautions
    boxed = p[p["kind"] == "boxed-warning"]
    assert {"upadacitinib", "abrocitinib", "baricitinib", "tofacitinib"} <= set(boxed["drug_id"].dropna())
    kinds = ds.sources.set_index("source_id")["document_type"]
    # a regulator's own page may record a boxed warning's history (lbl-tofacitinib-007, the FDA's 2019
    # drug safety communication, added in 0.5.0)
    assert set(boxed["reported_in"].map(kinds)) <= {"drug-label", "news", "web-page", "regulatory-decision"}


@pytest.mark.parametrize(
    ("name", "etype", "eid"),
    [
        ("Litfulo", "drug", "ritlecitinib"),
        ("Leqselvi", "drug", "deuruxolitinib"),
        ("Sotyktu", "drug", "deucravacitinib"),
        ("Opzelura", "drug", "ruxolitinib"),
        ("Anzupgo", "drug", "delgocitinib"),
        ("PF-06651600", "drug", "ritlecitinib"),
        ("CTP-543", "drug", "deuruxolitinib"),
        ("BMS-986165", "drug", "deucravacitinib"),
        ("INCB054707", "drug", "povorcitinib"),
        ("SHR0302", "drug", "ivarmacitinib"),
        ("Measure Up 1", "study", "measure-up-1"),
        ("NCT03569293", "study", "measure-up-1"),
        ("NCT03624127", "study", "poetyk-pso-1"),
        ("2016-002451-21", "study", "upadacitinib-atopic-dermatitis-phase2b"),
    ],
)
def test_find_resolves_brands_codes_and_trials(ds, name, etype, eid):
    hits = jakdata.find(name, ds)
    assert (etype, eid) in set(zip(hits["entity_type"], hits["entity_id"])), hits


def test_every_trial_result_names_a_record(ds):
    o = ds.outcomes[ds.outcomes["study_id"].isin(ds.studies.loc[ds.studies["design"] == "rct", "study_id"])]
    assert len(o) > 200
    assert o["reported_in"].notna().all() and o["locator"].notna().all()
    kinds = ds.sources.set_index("source_id")
    assert not kinds.loc[kinds["document_type"] == "news", "peer_reviewed"].fillna(False).any()
