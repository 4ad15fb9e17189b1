"""The figures of issue 20 ("synthesis-grade results"), measured on a
package: how much of the trial evidence a review team can pool with the
default frames, and what still stands in the way.

    python bench/synthesis_figures.py [PACKAGE] [--json]

PACKAGE is a package directory (default: the bundled one). The figures:

- poolable comparisons over the headline endpoints that reviews pool
  (``HEADLINE``), from ``jakdata.pairwise(..., derive_counts=True)`` with
  every other option at its default (no news, no case data, no conditional
  results, no subgroups): a comparison is poolable when event1, n1, event2
  and n2 are all present;
- trials (design ``rct``) with a result marked ``endpoint_role = primary``,
  and those whose every primary result comes from a ``news`` source;
- trial arms (arms of ``rct`` studies) with ``n``;
- trial result rows (outcomes of ``rct`` and ``non-randomised-trial``
  studies) without ``timepoint_days``;
- outcomes with ``imputation``, comparisons with ``analysis_population``.
"""

from __future__ import annotations

import json
import sys
import warnings

#: (measure, day) pairs of the endpoints reviews pool, as issue 20 lists them
HEADLINE = [
    *[(m, d) for m in ("easi-75", "viga-ad-0-1", "iga-0-1", "iga-ts") for d in (84, 112)],
    ("salt-20", 168),
    ("salt-20", 252),
    ("pasi-75", 112),
    ("spga-0-1", 112),
    ("pga-0-1", 112),
    ("f-vasi-75", 168),
    ("hiscr-50", 112),
    ("hecsi-75", 112),
    ("iga-che-ts", 112),
]
TRIAL_DESIGNS = ("rct", "non-randomised-trial")


def figures(path: str | None = None) -> dict:
    import jakdata
    from jakdata.frames import pairwise

    ds = jakdata.load(path) if path else jakdata.load()
    per_endpoint = {}
    for measure, day in HEADLINE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = pairwise(ds, measure=measure, timepoint_days=day, derive_counts=True)
        poolable = p.dropna(subset=["event1", "n1", "event2", "n2"]) if len(p) else p
        per_endpoint[f"{measure}@{day}"] = len(poolable)
    design = ds.studies.set_index("study_id")["design"].astype("str")
    doc = ds.sources.set_index("source_id")["document_type"].astype("str")
    o = ds.outcomes
    o_design = o["study_id"].map(design)
    primary = o[(o_design == "rct") & (o["endpoint_role"].astype("str") == "primary")]
    news_only = sorted(
        str(s) for s, g in primary.groupby("study_id", observed=True) if (g["reported_in"].map(doc) == "news").all()
    )
    trial_arms = ds.arms[ds.arms["study_id"].map(design) == "rct"]
    trial_rows = o[o_design.isin(TRIAL_DESIGNS)]
    return {
        "version": ds.version,
        "poolable_comparisons": sum(per_endpoint.values()),
        "poolable_by_endpoint": per_endpoint,
        "trials_with_primary_result": int(primary["study_id"].nunique()),
        "trials_primary_news_only": len(news_only),
        "trials_primary_news_only_ids": news_only,
        "trial_arms": len(trial_arms),
        "trial_arms_with_n": int(trial_arms["n"].notna().sum()),
        "trial_result_rows": len(trial_rows),
        "trial_result_rows_without_timepoint_days": int(trial_rows["timepoint_days"].isna().sum()),
        "outcomes_with_imputation": int(o["imputation"].notna().sum()),
        "comparisons_with_analysis_population": int(ds.comparisons["analysis_population"].notna().sum())
        if "analysis_population" in ds.comparisons.columns
        else 0,
        "conditional_outcome_rows": int(o["conditional_on"].notna().sum()) if "conditional_on" in o.columns else 0,
    }


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    got = figures(args[0] if args else None)
    if "--json" in argv:
        print(json.dumps(got, indent=2))
        return 0
    print(f"jakdata {got['version']}")
    print(f"poolable comparisons over the headline endpoints: {got['poolable_comparisons']}")
    for key, n in got["poolable_by_endpoint"].items():
        print(f"  {key}: {n}")
    print(
        f"trials whose primary result rests on news only: {got['trials_primary_news_only']} of "
        f"{got['trials_with_primary_result']} ({', '.join(got['trials_primary_news_only_ids'])})"
    )
    print(f"trial arms with n: {got['trial_arms_with_n']} of {got['trial_arms']}")
    print(
        f"trial result rows without timepoint_days: {got['trial_result_rows_without_timepoint_days']} of "
        f"{got['trial_result_rows']}"
    )
    print(f"outcomes with imputation: {got['outcomes_with_imputation']}")
    print(f"comparisons with analysis_population: {got['comparisons_with_analysis_population']}")
    print(f"conditional outcome rows: {got['conditional_outcome_rows']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
