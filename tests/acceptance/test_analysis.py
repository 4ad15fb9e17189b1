"""Ready for analysis: resolved evidence levels, arm-level and pairwise
frames, pooled estimates, the forest plot, and a round trip through R's
metafor (R and Python must agree to 1e-6)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pandas as pd
import pytest

import jakdata
from jakdata.frames import arms_frame, pairwise
from jakdata.meta import log_risk_ratio, pool


@pytest.fixture(scope="module")
def ds():
    return jakdata.load()


# ------------------------------------------------------------------ evidence()


def test_every_rosacea_row_with_its_subtypes_has_a_level_or_a_reason(ds):
    ev = jakdata.evidence(ds, indication="rosacea", include_subtypes=True)
    o = ds.outcomes
    rosacea = set(jakdata.views.subtypes(ds, "rosacea"))
    assert len(ev) == int(o["indication_id"].astype("str").isin(rosacea).sum()) == 16
    assert len(jakdata.evidence(ds, indication="rosacea")) == 5  # the parent alone
    has_level = ev["resolved_evidence_level"].notna()
    assert (has_level | (ev["no_level_reason"] != "")).all()
    assert not (has_level & (ev["no_level_reason"] != "")).any()
    assert set(ev["indication_parent_id"].dropna()) == {"rosacea"}


def test_cited_studies_are_resolved(ds):
    ev = jakdata.evidence(ds).set_index("outcome_id")
    r = ev.loc["ros-out-003"]  # tofacitinib: three works cited, two of them have a study row
    assert r["study_basis"] == "cited"
    assert r["candidate_studies"] == "cao-2023|qu-2025" and r["n_candidate_studies"] == 2
    assert r["candidate_designs"] == "case-series|case-report"
    assert r["resolved_evidence_level"] == 4 and r["cited_without_study"] == "li-2022"
    animal = ev.loc["ros-out-001"]
    assert animal["study_basis"] == "named" and pd.isna(animal["resolved_evidence_level"])
    assert "animal" in animal["no_level_reason"]
    nothing = ev.loc["ros-out-015"]  # ruxolitinib: the cited works have no study rows
    assert nothing["n_candidate_studies"] == 0 and "fan-2025" in nothing["no_level_reason"]


def test_evidence_filters(ds):
    ev = jakdata.evidence(ds, drug="deucravacitinib", measure="pasi-75")
    assert len(ev) and set(ev["drug_id"]) == {"deucravacitinib"} and set(ev["measure_id"]) == {"pasi-75"}
    news = jakdata.evidence(ds, document_type="news")
    assert len(news) and set(news["source_type"]) == {"news"}


# ------------------------------------------------------------------ frames


def test_arms_frame_one_row_per_arm_one_measure_one_timepoint(ds):
    a = arms_frame(ds, measure="pasi-75", timepoint_days=112)
    assert not a.duplicated("arm_id").any()
    assert set(a["measure_id"]) == {"pasi-75"} and set(a["timepoint_days"]) == {112}
    pso1 = a[a["study_label"] == "POETYK PSO-1"].set_index("role")
    # printed in the journal abstract as responders (percent); not derived
    assert pso1.loc["experimental", "events"] == 194 and pso1.loc["experimental", "percent"] == 58.4
    assert not pso1["events_derived"].any()
    assert pd.isna(pso1.loc["placebo", "drug_id"])


def test_percent_only_results_become_counts_only_when_asked(ds):
    plain = arms_frame(ds, measure="pasi-75", timepoint_days=112).set_index("arm_id")
    derived = arms_frame(ds, measure="pasi-75", timepoint_days=112, derive_counts=True).set_index("arm_id")
    arm = "poetyk-pso-3-deucravacitinib-6mg"
    assert pd.isna(plain.loc[arm, "events"]) and not plain.loc[arm, "events_derived"]
    assert derived.loc[arm, "events_derived"] and "round(percent × n / 100)" in derived.loc[arm, "derivation"]
    assert derived.loc[arm, "events"] == round(derived.loc[arm, "percent"] * derived.loc[arm, "n"] / 100)


def test_news_only_when_asked(ds):
    o = ds.outcomes
    news_sources = set(ds.sources.loc[ds.sources["document_type"] == "news", "source_id"])
    news_measures = o[o["reported_in"].isin(news_sources) & o["arm_id"].notna() & o["timepoint_days"].notna()]
    m, d = news_measures.iloc[0][["measure_id", "timepoint_days"]]
    without = arms_frame(ds, measure=m, timepoint_days=int(d))
    with_news = arms_frame(ds, measure=m, timepoint_days=int(d), include_news=True)
    assert "news" not in set(without["source_type"]) and "news" in set(with_news["source_type"])


def test_case_data_is_never_pooled_with_trials_unless_asked(ds):
    assert arms_frame(ds, measure="easi", kind="continuous").empty  # case reports only
    assert set(arms_frame(ds, measure="pasi-75", timepoint_days=112)["study_id"]) <= set(
        ds.studies.loc[ds.studies["design"] == "rct", "study_id"]
    )


def test_pairwise_compares_within_a_study_against_its_control(ds):
    p = pairwise(ds, measure="pasi-75", timepoint_days=112, derive_counts=True)
    assert (p["treat2"].isin(["placebo", "vehicle"]) | p["treat2"].str.contains("mg")).all()
    for r in p.itertuples():
        arms = ds.arms.set_index("arm_id")
        assert arms.at[r.arm1, "study_id"] == arms.at[r.arm2, "study_id"] == r.study_id
    deuc = p[(p["treat1"] == "deucravacitinib 6 mg") & (p["treat2"] == "placebo")]
    assert len(deuc) >= 3


def test_continuous_sd_from_se_is_marked_derived(ds):
    o = ds.outcomes
    se_rows = o[(o["dispersion_type"].astype("str") == "se") & o["arm_id"].notna() & o["timepoint_days"].notna()]
    if se_rows.empty:
        pytest.skip("no arm-level result with a standard error in this version of the data")
    m, d = se_rows.iloc[0][["measure_id", "timepoint_days"]]
    a = arms_frame(ds, measure=m, timepoint_days=int(d), kind="continuous", include_news=True, include_case_data=True)
    row = a[a["outcome_id"] == se_rows.iloc[0]["outcome_id"]].iloc[0]
    assert row["sd_derived"] and "se × √n" in row["derivation"]


def test_timepoints_are_never_mixed(ds):
    with pytest.raises(jakdata.UnusableInput, match="several timepoints"):
        arms_frame(ds, measure="salt-20", include_news=True)  # weeks 24, 36 and 48


# ------------------------------------------------------------------ pooling


def test_pooling_matches_the_textbook_dl_estimate():
    # three studies whose Q < k - 1: DerSimonian–Laird truncates τ² at 0
    yi, vi = log_risk_ratio(
        pd.Series([4, 6, 3]), pd.Series([123, 306, 231]), pd.Series([11, 29, 11]), pd.Series([139, 303, 220])
    )
    res = pool(yi, vi)
    assert res.tau2 == 0
    w = 1 / vi
    assert res.estimate == pytest.approx(float((w * yi).sum() / w.sum()), abs=1e-12)


def test_forest_plot_is_drawn(tmp_path, cli):
    out = tmp_path / "forest.png"
    code, _, err = cli("plot", "forest", "--measure", "pasi-75", "--timepoint-days", "112", "-o", str(out))
    assert code == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000


def test_forest_plot_without_comparative_data_is_one_line(tmp_path, cli):
    code, _, err = cli("plot", "forest", "--measure", "scorad", "-o", str(tmp_path / "f.png"))
    assert code == 2 and "nothing to plot" in err and err.count("\n") == 1


# ------------------------------------------------------------------ R round trip

R_SCRIPT = r"""
suppressMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
out <- list()
if (args[1] == "bcg") {
  write.csv(dat.bcg, args[2], row.names = FALSE)
  dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
  fits <- list(bcg = rma(yi, vi, data = dat, method = "DL"))
} else {
  d <- read.csv(args[2])
  fits <- list()
  for (g in unique(d$group)) {
    s <- d[d$group == g, ]
    dat <- escalc(measure = "RR", ai = event1, n1i = n1, ci = event2, n2i = n2, data = s)
    fits[[g]] <- rma(yi, vi, data = dat, method = "DL")
  }
}
for (g in names(fits)) {
  r <- fits[[g]]
  out[[g]] <- c(estimate = r$b[1], ci_lower = r$ci.lb, ci_upper = r$ci.ub, tau2 = r$tau2, k = r$k)
}
cat(paste0("{", paste(sprintf('"%s": [%s]', names(out),
  sapply(out, function(v) paste(sprintf("%.15g", v), collapse = ","))), collapse = ","), "}"))
"""


def _rscript():
    exe = shutil.which("Rscript")
    if exe is None:
        if os.environ.get("JAKDATA_REQUIRE_R") == "1":
            pytest.fail(
                "Rscript is not installed, and JAKDATA_REQUIRE_R=1 requires it (apt: r-base-core r-cran-metafor)"
            )
        pytest.skip("Rscript is not installed (apt: r-base-core r-cran-metafor); CI sets JAKDATA_REQUIRE_R=1")
    return exe


def _run_r(tmp_path, mode, csv):
    script = tmp_path / "roundtrip.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    done = subprocess.run([_rscript(), str(script), mode, str(csv)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {
        g: dict(zip(["estimate", "ci_lower", "ci_upper", "tau2", "k"], v)) for g, v in json.loads(done.stdout).items()
    }


def _agree(py, r):
    for key in ("estimate", "ci_lower", "ci_upper", "tau2"):
        assert getattr(py, key) == pytest.approx(r[key], abs=1e-6), key
    assert py.k == r["k"]


def test_r_and_python_agree_on_the_datasets_own_groups(ds, tmp_path):
    groups = []
    for (measure, days), _ in ds.outcomes[ds.outcomes["arm_id"].notna()].groupby(
        ["measure_id", "timepoint_days"], observed=True
    ):
        p = pairwise(ds, measure=measure, timepoint_days=int(days), derive_counts=True)
        if p.empty:
            continue
        p = p.dropna(subset=["event1", "n1", "event2", "n2"])
        for (t1, t2), g in p.groupby(["treat1", "treat2"]):
            if len(g) >= 2:
                groups.append(g.assign(group=f"{measure}@{int(days)}: {t1} vs {t2}"))
    assert groups, "no group of two or more trials with counts"
    assert max(len(g) for g in groups) >= 3, "no group of three or more trials"
    frame = pd.concat(groups)
    csv = tmp_path / "pairwise.csv"
    frame[["group", "study_label", "event1", "n1", "event2", "n2"]].to_csv(csv, index=False)
    r = _run_r(tmp_path, "pairwise", csv)
    assert set(r) == set(frame["group"])
    for name, g in frame.groupby("group"):
        yi, vi = log_risk_ratio(g["event1"], g["n1"], g["event2"], g["n2"])
        _agree(pool(yi, vi), r[name])


def test_r_and_python_agree_on_metafors_bcg_data(tmp_path):
    csv = tmp_path / "bcg.csv"
    r = _run_r(tmp_path, "bcg", csv)["bcg"]
    bcg = pd.read_csv(csv)
    assert len(bcg) == 13
    yi, vi = log_risk_ratio(bcg["tpos"], bcg["tpos"] + bcg["tneg"], bcg["cpos"], bcg["cpos"] + bcg["cneg"])
    _agree(pool(yi, vi), r)


def test_filters_and_frames_take_any_name_and_refuse_an_unknown_one(ds):
    assert len(jakdata.evidence(ds, drug="Rinvoq")) == len(jakdata.evidence(ds, drug="upadacitinib")) > 0
    assert set(pairwise(ds, measure="PASI 75", timepoint_days=112)["measure_id"]) == {"pasi-75"}
    with pytest.raises(jakdata.UnusableInput, match="no measure is called 'nope'"):
        pairwise(ds, measure="nope")
    with pytest.raises(jakdata.UnusableInput, match="no drug is called"):
        jakdata.evidence(ds, drug="no-such-drug")


def test_pairwise_without_comparisons_still_has_its_columns(ds):
    p = pairwise(ds, measure="scorad")  # case reports only: no trial comparison
    assert p.empty and {"treat1", "treat2", "event1", "n1", "event2", "n2"} <= set(p.columns)


# ------------------------------------------------------------------ what the frames leave out


def _reasons(frame, study_label):
    ex = frame.attrs["excluded"]
    assert list(ex.columns) == ["study_id", "study_label", "treat1", "treat2", "reported_in", "reason"]
    return ex[ex["study_label"] == study_label]


def test_news_only_trials_are_listed_not_dropped_silently(ds):
    p = pairwise(ds, measure="easi-75", timepoint_days=112, derive_counts=True)
    assert "AD Up" not in set(p["study_label"])
    ad_up = _reasons(p, "AD Up")
    assert set(ad_up["treat1"]) == {"upadacitinib 15 mg", "upadacitinib 30 mg"}
    assert set(ad_up["treat2"]) == {"placebo"} and set(ad_up["reason"]) == {"news only"}
    assert set(ds.sources.set_index("source_id").loc[list(ad_up["reported_in"]), "document_type"]) == {"news"}
    with_news = pairwise(ds, measure="easi-75", timepoint_days=112, derive_counts=True, include_news=True)
    assert "AD Up" in set(with_news["study_label"])
    assert "news only" not in set(_reasons(with_news, "AD Up")["reason"])  # in the frame (no arm n: no counts)


def test_comparisons_without_counts_stay_and_are_listed(ds):
    plain = pairwise(ds, measure="pasi-75", timepoint_days=112)
    pso3 = _reasons(plain, "POETYK PSO-3")
    assert list(pso3["reason"]) == ["no counts"] and list(pso3["treat1"]) == ["deucravacitinib 6 mg"]
    assert "POETYK PSO-3" in set(plain["study_label"])  # still in the frame: a plot may use a reported estimate
    derived = pairwise(ds, measure="pasi-75", timepoint_days=112, derive_counts=True)
    assert _reasons(derived, "POETYK PSO-3").empty
    arms = arms_frame(ds, measure="pasi-75", timepoint_days=112)
    assert "no counts" in set(_reasons(arms, "POETYK PSO-3")["reason"])


def test_conditional_results_only_when_asked(ds):
    a = arms_frame(ds, measure="viga-ad-0-1", timepoint_days=364)
    assert "BREEZE-AD-PEDS" not in set(a["study_label"])
    peds = _reasons(a, "BREEZE-AD-PEDS")
    assert len(peds) == 4 and set(peds["reason"]) == {"conditional on earlier response"}
    assert set(peds["treat2"]) == {""}
    asked = arms_frame(ds, measure="viga-ad-0-1", timepoint_days=364, include_conditional=True)
    peds_rows = asked[asked["study_label"] == "BREEZE-AD-PEDS"]
    assert len(peds_rows) == 4 and peds_rows["conditional_on"].str.contains("week-16 responders").all()
    p = pairwise(ds, measure="pga-0-1", timepoint_days=364)
    assert set(_reasons(p, "tofacitinib-psoriasis-phase3-asia")["reason"]) == {"conditional on earlier response"}


def test_subgroups_only_when_their_population_is_asked_for(ds):
    p = pairwise(ds, measure="hiscr-50", timepoint_days=84, include_news=True)
    stop = _reasons(p, "STOP-HS1")
    assert (stop["reason"] == "subgroup").sum() == 2
    assert len(p[p["study_label"] == "STOP-HS1"]) == 2  # the whole-population comparisons
    sub = pairwise(
        ds,
        measure="hiscr-50",
        timepoint_days=84,
        include_news=True,
        analysis_population="Predefined subgroup previously exposed to biologics",
    )
    assert len(sub) == 2 and set(sub["treat2"]) == {"placebo"}
    assert (_reasons(sub, "STOP-HS1")["reason"] == "other analysis population").sum() == 2


def test_case_data_is_listed_when_left_out(ds):
    a = arms_frame(ds, measure="viga-ad-0-1", timepoint_days=364)
    ad6 = _reasons(a, "BREEZE-AD6")
    assert list(ad6["reason"]) == ["case data"] and list(ad6["treat1"]) == ["baricitinib 2 mg"]
    # since 0.5.0 BREEZE-AD6's rows are also conditional (patients of BREEZE-AD5 who met the extension's criteria)
    asked = arms_frame(ds, measure="viga-ad-0-1", timepoint_days=364, include_case_data=True, include_conditional=True)
    assert "BREEZE-AD6" in set(asked["study_label"])
    assert "BREEZE-AD6" not in set(
        arms_frame(ds, measure="viga-ad-0-1", timepoint_days=364, include_case_data=True)["study_label"]
    )


def test_the_preferred_claim_comes_before_source_precedence():
    ds = jakdata.load()
    a = arms_frame(ds, measure="viga-ad-0-1", timepoint_days=112).set_index("arm_id")
    assert a.loc["breeze-ad1-baricitinib-4mg", "outcome_id"] == "breeze-ad1-out-001"  # preferred, a publication
    o = ds.outcomes
    o.loc[o["outcome_id"] == "breeze-ad1-out-001", "preferred"] = False
    o.loc[o["outcome_id"] == "breeze-ad1-out-005", "preferred"] = True  # a review: lower precedence
    swapped = arms_frame(ds, measure="viga-ad-0-1", timepoint_days=112).set_index("arm_id")
    row = swapped.loc["breeze-ad1-baricitinib-4mg"]
    assert row["outcome_id"] == "breeze-ad1-out-005" and row["percent"] == 16.4 and row["alternatives"] == 1


def test_frames_with_excluded_rows_still_concatenate(ds):
    a = pairwise(ds, measure="easi-75", timepoint_days=112, derive_counts=True)
    b = pairwise(ds, measure="pasi-75", timepoint_days=112, derive_counts=True)
    assert len(pd.concat([a, b])) == len(a) + len(b)
    assert len(pd.concat([a, a]).attrs["excluded"]) == len(a.attrs["excluded"])
