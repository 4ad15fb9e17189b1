"""Plots a clinician can read: the forest plot's title, column headers,
favours labels, heterogeneity, weights and its footer of what was not drawn
(with the reason), study names rather than ids; the evidence map's labels
clear of its footnote."""

from __future__ import annotations

import math

import pytest

import jakdata

pytest.importorskip("matplotlib")
pytest.importorskip("statsmodels")


@pytest.fixture(scope="module")
def ds():
    return jakdata.load()


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [ax.get_xlabel(), ax.get_title()]
    return [t for t in out if t]


def test_pasi75_pools_deucravacitinib_with_heterogeneity_and_weights(ds):
    from jakdata.tools.plot import forest_rows

    rows, pooled, excluded = forest_rows(ds, "pasi-75", 112)
    deuc = pooled.set_index("group").loc["deucravacitinib 6 mg vs placebo"]
    assert deuc["k"] == 3 and math.exp(deuc["y"]) == pytest.approx(5.44, abs=0.005)  # the README's worked example
    assert deuc["i2"] == 0 and deuc["tau2"] == 0
    apr = pooled.set_index("group").loc["apremilast 30 mg vs placebo"]
    assert apr["k"] == 2 and 0 < apr["i2"] < 1 and apr["tau2"] > 0
    for group, g in rows[rows["weight"].notna()].groupby("group"):
        assert g["weight"].sum() == pytest.approx(1), group
    # the Asian tofacitinib trial has no placebo count: listed, not dropped silently
    assert sorted(why for what, why in excluded) == ["no count for placebo, and no reported risk ratio"] * 2
    assert all(what.startswith("Tofacitinib in Asian patients") for what, _ in excluded)


def test_easi75_names_every_comparison_left_out_and_why(ds):
    from jakdata.tools.plot import forest_rows

    rows, pooled, excluded = forest_rows(ds, "easi-75", 112)
    assert pooled.empty  # no drug and dose with counts from two trials
    reasons = dict(excluded)
    assert reasons["Measure Up 1: upadacitinib 15 mg vs placebo"] == "news only"
    assert reasons["AD Up: upadacitinib 30 mg vs placebo"] == "news only"
    assert "no counts for baricitinib 4 mg or placebo" in reasons["BREEZE-AD1: baricitinib 4 mg vs placebo"]
    # a trial without an acronym goes by its publication's title, never its id
    assert any(k.startswith("Ivarmacitinib for Moderate to Severe Atopic") for k in reasons)
    ids = set(ds.studies["study_id"])
    assert not any(what.split(": ")[0] in ids for what, _ in excluded)
    assert not (set(rows["study"]) & ids)
    # with news, those comparisons are drawn and no longer listed
    _, _, with_news = forest_rows(ds, "easi-75", 112, include_news=True)
    assert "news only" not in dict(with_news).values()


def test_forest_figure_reads_like_a_journal_figure(ds):
    import matplotlib.pyplot as plt

    from jakdata.tools.plot import forest_figure

    fig = forest_figure(ds, "pasi-75", 112)
    try:
        texts = _texts(fig)
        joined = "\n".join(texts)
        assert texts.count("PASI 75 response, week 16: risk ratio") == 1  # name and week, not "pasi-75, day 112"
        for header in ("Study", "Treatment\nevents/total", "Comparator\nevents/total", "RR [95% CI]", "Weight"):
            assert header in texts, header
        assert "← favours the comparator" in texts and "favours the treatment →" in texts
        assert "Heterogeneity: I² = 0%, τ² = 0" in texts  # deucravacitinib
        assert "Heterogeneity: I² = 45%, τ² = 0.04" in texts  # apremilast
        assert "194/332" in texts and "21/166" in texts and "41.9%" in texts
        assert "Pooled: DerSimonian–Laird" in joined
        assert "Not drawn (2):" in joined and "tofacitinib 10 mg vs placebo — no count for placebo" in joined
        assert "None" not in joined and "tofacitinib-psoriasis-phase3-asia" not in joined
    finally:
        plt.close(fig)


def test_the_pooling_method_is_named_only_where_something_was_pooled(ds):
    import matplotlib.pyplot as plt

    from jakdata.tools.plot import forest_figure

    fig = forest_figure(ds, "easi-75", 112)
    try:
        joined = "\n".join(_texts(fig))
        assert "DerSimonian" not in joined and "Pooled," not in joined
        assert "Nothing is pooled" in joined
        assert "EASI-75 response, week 16: risk ratio" in joined
        assert "Measure Up 2: upadacitinib 30 mg vs placebo — news only" in joined
    finally:
        plt.close(fig)


def test_exclusions_the_frame_reports_are_listed_with_its_reasons(ds):
    """pairwise() lists what it left out (attrs["excluded"]); the footer shows
    those reasons, plus what the plot itself could not draw, each once."""
    from jakdata.frames import pairwise
    from jakdata.tools.plot import forest_rows

    frame_reasons = set(
        pairwise(ds, measure="easi-75", timepoint_days=112, derive_counts=True).attrs["excluded"].reason
    )
    assert "news only" in frame_reasons
    _, _, excluded = forest_rows(ds, "easi-75", 112)
    reasons = dict(excluded)
    assert len(reasons) == len(excluded)
    assert reasons["Measure Up 2: upadacitinib 30 mg vs placebo"] == "news only"
    assert "no counts" not in reasons.values()  # rows without counts: the plot says whether it could draw them
    assert reasons["BREEZE-AD1: baricitinib 4 mg vs placebo"].startswith("no count")


def test_forest_plot_by_measure_name(ds, tmp_path):
    from jakdata.tools.plot import forest

    out = forest(ds, tmp_path / "f.png", "EASI-75 response", 112)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evidence_map_labels_clear_the_footnote(ds):
    import matplotlib.pyplot as plt

    from jakdata.tools.plot import evidence_map_figure

    fig = evidence_map_figure(ds)
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        lowest = min(t.get_window_extent(renderer).y0 for t in ax.get_xticklabels() if t.get_text())
        note = next(t for t in fig.texts if t.get_text().startswith("st.:"))
        gap_px = lowest - note.get_window_extent(renderer).y1
        assert gap_px >= 0.1 * fig.dpi  # at least a tenth of an inch between the longest label and the note
    finally:
        plt.close(fig)
