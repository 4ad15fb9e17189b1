"""Frames for meta-analysis: one row per study arm (:func:`arms_frame`) and
one row per experimental-versus-control comparison within a study
(:func:`pairwise`), in the shape R's metafor/netmeta and Python's
statsmodels take.

Rules the frames follow (documented in the README):

- One measure and one timepoint per frame: measures and timepoints are never
  mixed.
- Trials only (``studies.design == "rct"``) unless ``include_case_data``:
  single-arm case data is never pooled with trials by default.
- Where several documents report the same arm, measure and timepoint, the
  frame keeps one row by source precedence — registry record, then
  peer-reviewed publication, then drug label, then any other document;
  ``news`` only with ``include_news`` — and says which it took
  (``reported_in``, ``source_type``) and how many it left (``alternatives``).
- A row marked ``preferred`` among conflicting claims is taken first, then
  source precedence decides.
- Results conditional on an earlier response (``conditional_on``) only with
  ``include_conditional``; subgroup results (an ``analysis_population`` with
  the word "subgroup") only when ``analysis_population=`` asks for them.
- What was left out is returned with the frame: ``frame.attrs["excluded"]``
  (:data:`EXCLUDED_COLUMNS`), one row per arm or comparison and the reason.
- Nothing is inferred silently. A count computed from a printed percentage
  (``derive_counts=True``) is marked ``events_derived`` with the method; an
  SD computed from a printed SE is marked ``sd_derived`` with the formula.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.dataset import Dataset

#: source precedence (lower is preferred); news only when asked for
PRECEDENCE = {"registry-record": 0, "publication": 1, "drug-label": 2, "other": 3, "news": 4}
PUBLICATIONS = {"journal-article", "case-report", "case-series", "conference-abstract"}
BINARY = ("percent", "count")
CONTINUOUS = ("mean", "mean-change", "ls-mean-change", "percent-change", "ls-mean-percent-change", "median-change")
CONTROL_ROLES = ("placebo", "vehicle")
ROUNDING = "events = round(percent × n / 100), half away from zero"

PAIR_COLUMNS = {
    kind: [
        "study_id",
        "study_label",
        "treat1",
        "treat2",
        "arm1",
        "arm2",
        "drug1",
        "dose1",
        "dose_unit1",
        "measure_id",
        "timepoint_days",
        "n1",
        "n2",
        *extra,
        "derived",
        "reported_in1",
        "reported_in2",
    ]
    for kind, extra in (("binary", ["event1", "event2"]), ("continuous", ["mean1", "sd1", "mean2", "sd2"]))
}

#: the columns of ``frame.attrs["excluded"]``
EXCLUDED_COLUMNS = ["study_id", "study_label", "treat1", "treat2", "reported_in", "reason"]
#: why an arm or a comparison is not in the frame (or is, without counts)
REASONS = {
    "case": "case data",
    "conditional": "conditional on earlier response",
    "subgroup": "subgroup",
    "population": "other analysis population",
    "news": "news only",
    "no-counts": "no counts",
    "no-control": "no control arm result",
}
#: every analysis population (internal: what a frame could have held)
ALL_POPULATIONS = "\x00all"

ARM_COLUMNS = {
    "study_id": "the trial (studies.study_id)",
    "study_label": "the trial's acronym, else its id",
    "arm_id": "the arm",
    "arm_label": "arms.label",
    "analysis_population": "the population the result is for, as the source names it (a subgroup is its own row)",
    "drug_id": "the arm's drug (empty for placebo or vehicle)",
    "dose": "arms.dose",
    "dose_unit": "arms.dose_unit",
    "role": "arms.role (experimental, placebo, vehicle, active-comparator, single-arm)",
    "treatment": "drug and dose as one label ('upadacitinib 15 mg'; 'placebo')",
    "measure_id": "the measure",
    "timepoint": "as reported",
    "timepoint_days": "days from baseline",
    "statistic": "the outcome's statistic",
    "n": "number analysed for the result (outcomes.n), else the arm's n (see n_source)",
    "n_source": "'outcome' (n analysed) or 'arm' (n randomised or assigned)",
    "events": "responders (or the count) as printed, or derived (see events_derived)",
    "percent": "the percentage as printed",
    "events_derived": "true when events were computed from percent and n",
    "derivation": "how a derived value was computed",
    "mean": "the mean or mean change as printed",
    "sd": "standard deviation as printed, or derived from a printed SE (see sd_derived)",
    "sd_derived": "true when sd was computed from a printed SE",
    "outcome_id": "the outcome row taken",
    "reported_in": "the document it was taken from",
    "source_type": "sources.document_type of reported_in",
    "alternatives": "how many other rows reported the same arm, measure and timepoint (not taken)",
    "conditional_on": "the earlier condition the result is conditional on (only with include_conditional=True)",
    "preferred": "outcomes.preferred of the row taken (true: chosen among conflicting claims)",
}


def _source_rank(doc_type: str, peer_reviewed: Any) -> int:
    if doc_type == "registry-record":
        return PRECEDENCE["registry-record"]
    if doc_type in PUBLICATIONS and peer_reviewed is not False:
        return PRECEDENCE["publication"]
    if doc_type == "drug-label":
        return PRECEDENCE["drug-label"]
    if doc_type == "news":
        return PRECEDENCE["news"]
    return PRECEDENCE["other"]


def _round_half_away(x: float) -> int:
    import math

    return math.floor(abs(x) + 0.5) * (1 if x >= 0 else -1)


def arms_frame(
    ds: Dataset | None = None,
    *,
    measure: str,
    timepoint_days: int | None = None,
    kind: str = "binary",
    include_news: bool = False,
    include_case_data: bool = False,
    derive_counts: bool = False,
    include_conditional: bool = False,
    analysis_population: str | None = None,
) -> pd.DataFrame:
    """One row per study arm for ``measure`` (at ``timepoint_days``; if
    ``None``, the frame must still hold one timepoint per arm, else
    :class:`UnusableInput` asks for one). ``kind`` is ``binary`` (responders,
    percent) or ``continuous`` (mean or mean change with SD). Conditional
    results only with ``include_conditional``; subgroups only when
    ``analysis_population`` names one (then only that population, matched
    ignoring case). Columns: :data:`ARM_COLUMNS`; what was left out, and why,
    in ``frame.attrs["excluded"]`` (:data:`EXCLUDED_COLUMNS`)."""
    frame, excluded = _arms(
        ds,
        measure=measure,
        timepoint_days=timepoint_days,
        kind=kind,
        include_news=include_news,
        include_case_data=include_case_data,
        derive_counts=derive_counts,
        include_conditional=include_conditional,
        analysis_population=analysis_population,
    )
    missing = frame[frame["events"].isna()] if kind == "binary" and len(frame) else frame.iloc[0:0]
    frame.attrs["excluded"] = _concat(excluded, [_excluded_arm(r, REASONS["no-counts"]) for _, r in missing.iterrows()])
    return frame


def _arms(
    ds: Dataset | None,
    *,
    measure: str,
    timepoint_days: int | None,
    kind: str,
    include_news: bool,
    include_case_data: bool,
    derive_counts: bool,
    include_conditional: bool,
    analysis_population: str | None,
    strict: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The arms frame and the arms left out (one row per arm, population and
    condition, with the reason). ``strict=False`` never raises for several
    timepoints (the caller only wants to know what there was)."""
    import pandas as pd

    from jakdata.dataset import load
    from jakdata.errors import UnusableInput

    if kind not in ("binary", "continuous"):
        raise UnusableInput("kind must be 'binary' or 'continuous'")
    ds = ds if ds is not None else load()
    from jakdata.views import resolve

    measure = str(resolve(ds, "measure", measure))
    o = ds.outcomes
    o = o[(o["measure_id"].astype("str") == measure) & o["arm_id"].notna()]
    o = o[o["statistic"].astype("str").isin(BINARY if kind == "binary" else CONTINUOUS)]
    if timepoint_days is not None:
        o = o[o["timepoint_days"] == timepoint_days]
    studies = ds.studies.set_index("study_id")
    sources = ds.sources.set_index("source_id")
    doc_type = o["reported_in"].map(sources["document_type"]).astype("str")
    peer = o["reported_in"].map(sources["peer_reviewed"])
    rank = pd.Series([_source_rank(t, p if not pd.isna(p) else None) for t, p in zip(doc_type, peer)], index=o.index)
    population = _population(o)
    condition = _text(o, "conditional_on")
    reason = pd.Series("", index=o.index)
    if not include_news:
        reason = reason.mask(rank >= PRECEDENCE["news"], REASONS["news"])
    if analysis_population is None:
        reason = reason.mask(population.map(is_subgroup).astype(bool), REASONS["subgroup"])
    elif analysis_population != ALL_POPULATIONS:
        other = population.str.casefold() != analysis_population.strip().casefold()
        sub = population.map(is_subgroup).astype(bool)
        reason = reason.mask(other & ~sub, REASONS["population"]).mask(other & sub, REASONS["subgroup"])
    if not include_conditional:
        reason = reason.mask(condition != "", REASONS["conditional"])
    if not include_case_data:
        design = o["study_id"].map(studies["design"]).astype("str")
        reason = reason.mask(design != "rct", REASONS["case"])
    order = o.assign(
        _rank=rank,
        _pref=_preferred_rank(o),
        _pos=range(len(o)),
        xpop=population,
        xcond=condition,
        _reason=reason,
        _doc=doc_type,
    ).sort_values(["_pref", "_rank", "_pos"])
    kept, left = order[order["_reason"] == ""], order[order["_reason"] != ""]
    if timepoint_days is None and kept["timepoint_days"].nunique(dropna=False) > 1:
        if strict:
            raise UnusableInput(
                f"{measure} is reported at several timepoints: give timepoint_days (--timepoint-days) "
                f"(one of {sorted(int(d) for d in kept['timepoint_days'].dropna().unique())})"
            )
        kept = kept.iloc[0:0]
    if timepoint_days is None and len(kept):  # what was left out at the frame's own timepoint
        left = left[left["timepoint_days"].isin(kept["timepoint_days"].unique())]
    arms = ds.arms.set_index("arm_id")
    rows = []
    keys = ["_arm", "xpop", "xcond"]
    kept = kept.assign(_arm=kept["arm_id"].astype("str"))
    left = left.assign(_arm=left["arm_id"].astype("str"))
    # rows of one arm for different analysis populations (subgroups) or conditions
    # are different results, not alternatives: one row each
    for (arm_id, _pop, cond), group in kept.groupby(keys, sort=False):
        r = group.iloc[0]
        arm = arms.loc[arm_id]
        row: dict[str, Any] = {
            "study_id": r["study_id"],
            "study_label": _label(studies, r["study_id"]),
            "arm_id": arm_id,
            "arm_label": arm["label"],
            "drug_id": arm["drug_id"],
            "dose": arm["dose"],
            "dose_unit": arm["dose_unit"],
            "role": arm["role"] if "role" in arm.index else None,
            "treatment": _treatment(arm),
            "measure_id": measure,
            "timepoint": r["timepoint"],
            "timepoint_days": r["timepoint_days"],
            "statistic": r["statistic"],
            "outcome_id": r["outcome_id"],
            "reported_in": r["reported_in"],
            "source_type": r["_doc"],
            "alternatives": len(group) - 1,
            "analysis_population": r.get("analysis_population"),
            "conditional_on": cond,
            "preferred": r.get("preferred"),
            "events_derived": False,
            "sd_derived": False,
            "derivation": "",
        }
        n, n_source = (r["n"], "outcome") if not pd.isna(r["n"]) else (arm["n"], "arm")
        row["n"], row["n_source"] = n, n_source if not pd.isna(n) else ""
        if kind == "binary":
            _binary(row, r, n, derive_counts)
        else:
            _continuous(row, r, n)
        rows.append(row)
    taken = set(zip(kept["_arm"], kept["xpop"], kept["xcond"]))
    gone = []
    for key, group in left.groupby(keys, sort=False):
        if key in taken:
            continue  # the arm is in the frame from another document
        r = group.iloc[0]
        arm = arms.loc[key[0]]
        gone.append(
            {
                "study_id": r["study_id"],
                "study_label": _label(studies, r["study_id"]),
                "treat1": _treatment(arm),
                "treat2": "",
                "reported_in": r["reported_in"],
                "reason": r["_reason"],
                "arm_id": key[0],
                "analysis_population": key[1],
                "conditional_on": key[2],
            }
        )
    excluded = pd.DataFrame(gone, columns=[*EXCLUDED_COLUMNS, "arm_id", "analysis_population", "conditional_on"])
    if not rows:
        return pd.DataFrame(columns=list(ARM_COLUMNS)), excluded
    frame = pd.DataFrame(rows, columns=list(ARM_COLUMNS))
    for col in ("n", "events", "timepoint_days"):
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    for col in ("percent", "mean", "sd", "dose"):
        frame[col] = pd.to_numeric(frame[col]).astype("Float64")
    frame["events_derived"] = frame["events_derived"].astype("boolean")
    frame["sd_derived"] = frame["sd_derived"].astype("boolean")
    frame["preferred"] = frame["preferred"].astype("boolean")
    return frame.sort_values(["study_id", "role", "arm_id"], kind="stable").reset_index(drop=True), excluded


def is_subgroup(population: str) -> bool:
    """Whether an analysis population is a subgroup: it says so with the word
    "subgroup" (``predefined subgroup previously exposed to biologics``)."""
    import re

    return bool(re.search(r"\bsub-?groups?\b", population or "", re.IGNORECASE))


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column with missing as '' ('' everywhere where the column is absent)."""
    import pandas as pd

    if column not in frame.columns:
        return pd.Series("", index=frame.index)
    return frame[column].astype("str").where(frame[column].notna(), "")


def _preferred_rank(frame: pd.DataFrame) -> pd.Series:
    """0 for the preferred row of a conflict, 1 for a row without a conflict, 2 for a rival not preferred."""
    import pandas as pd

    if "preferred" not in frame.columns:
        return pd.Series(1, index=frame.index)
    p = frame["preferred"]
    return pd.Series([1 if pd.isna(v) else (0 if bool(v) else 2) for v in p], index=frame.index)


def _excluded_arm(r: pd.Series, reason: str) -> dict[str, Any]:
    return {
        "study_id": r["study_id"],
        "study_label": r["study_label"],
        "treat1": r["treatment"],
        "treat2": "",
        "reported_in": r["reported_in"],
        "reason": reason,
    }


def _concat(excluded: pd.DataFrame, more: list[dict[str, Any]]) -> pd.DataFrame:
    """The public excluded frame: :data:`EXCLUDED_COLUMNS` only, text, one row each."""
    import pandas as pd

    from jakdata.excluded import Excluded

    out = pd.concat(
        [pd.DataFrame(excluded[EXCLUDED_COLUMNS]), pd.DataFrame(more, columns=EXCLUDED_COLUMNS)], ignore_index=True
    )
    return Excluded(out.fillna("").astype("str").reset_index(drop=True))


def _population(frame: pd.DataFrame) -> pd.Series:
    """The analysis population of each row ('' where not stated), for grouping."""
    return _text(frame, "analysis_population")


def _label(studies: pd.DataFrame, study_id: str) -> str:
    import pandas as pd

    if "acronym" in studies.columns:
        acronym = studies.at[study_id, "acronym"]
        if not pd.isna(acronym) and acronym:
            return str(acronym)
    return str(study_id)


def _treatment(arm: pd.Series) -> str:
    import pandas as pd

    role = arm.get("role")
    if pd.isna(arm["drug_id"]) or not arm["drug_id"]:
        return str(role) if isinstance(role, str) and role else "no drug"
    dose = "" if pd.isna(arm["dose"]) else f" {arm['dose']:g}"
    unit = "" if pd.isna(arm["dose_unit"]) else f" {arm['dose_unit']}"
    return f"{arm['drug_id']}{dose}{unit}"


def _binary(row: dict[str, Any], r: pd.Series, n: Any, derive_counts: bool) -> None:
    import pandas as pd

    stat = str(r["statistic"])
    row["percent"] = r["value"] if stat == "percent" else None
    if not pd.isna(r["responders"]):
        row["events"] = r["responders"]
    elif stat == "count" and not pd.isna(r["value"]):
        row["events"] = r["value"]
    elif stat == "percent" and derive_counts and not pd.isna(r["value"]) and not pd.isna(n):
        row["events"] = _round_half_away(float(r["value"]) * float(n) / 100)
        row["events_derived"] = True
        row["derivation"] = f"{ROUNDING}, with n = {row['n_source']} n {int(n)}"
    else:
        row["events"] = None


def _continuous(row: dict[str, Any], r: pd.Series, n: Any) -> None:
    import math

    import pandas as pd

    row["mean"] = r["value"]
    kind = r.get("dispersion_type")
    disp = r.get("dispersion")
    if pd.isna(disp) or pd.isna(kind):
        row["sd"] = None
    elif str(kind) == "sd":
        row["sd"] = disp
    elif str(kind) == "se" and not pd.isna(n):
        row["sd"] = float(disp) * math.sqrt(float(n))
        row["sd_derived"] = True
        row["derivation"] = f"sd = se × √n, with n = {row['n_source']} n {int(n)}"
    else:
        row["sd"] = None


def pairwise(
    ds: Dataset | None = None,
    *,
    measure: str,
    timepoint_days: int | None = None,
    kind: str = "binary",
    include_news: bool = False,
    include_case_data: bool = False,
    derive_counts: bool = False,
    include_conditional: bool = False,
    analysis_population: str | None = None,
) -> pd.DataFrame:
    """One row per experimental-versus-control comparison within a study:
    each arm that is not a control (experimental or active comparator) against
    the study's placebo or vehicle arm; where a study has no placebo or
    vehicle arm, experimental arms against the active comparator.

    Binary: ``treat1, treat2, event1, n1, event2, n2``; continuous:
    ``mean1, sd1, n1, mean2, sd2, n2``; with ``study_label``, the arms, the
    drugs and doses, and whether a value was derived. The comparisons left
    out (and those without counts), with the reason, are in
    ``frame.attrs["excluded"]`` (:data:`EXCLUDED_COLUMNS`)."""
    options = {
        "measure": measure,
        "timepoint_days": timepoint_days,
        "kind": kind,
        "derive_counts": derive_counts,
    }
    arms, left = _arms(
        ds,
        include_news=include_news,
        include_case_data=include_case_data,
        include_conditional=include_conditional,
        analysis_population=analysis_population,
        **options,  # type: ignore[arg-type]
    )
    measure = str(arms["measure_id"].iloc[0]) if len(arms) else measure  # an id, also when given by name
    frame = _pairs(arms, measure, kind)
    # what the frame could have held with everything included, to say what it left out and why
    everything, _ = _arms(
        ds,
        include_news=True,
        include_case_data=True,
        include_conditional=True,
        analysis_population=ALL_POPULATIONS,
        strict=False,
        **{**options, "timepoint_days": timepoint_days if timepoint_days is not None else _days(arms)},  # type: ignore[arg-type]
    )
    frame.attrs["excluded"] = _left_out(frame, arms, left, everything, measure, kind)
    return frame


def _days(arms: pd.DataFrame) -> int | None:
    return int(arms["timepoint_days"].dropna().iloc[0]) if len(arms) and arms["timepoint_days"].notna().any() else None


def _pairs(arms: pd.DataFrame, measure: str, kind: str) -> pd.DataFrame:
    import pandas as pd

    rows = []
    cond = _text(arms, "conditional_on")
    for (study, _pop, _cond), group in arms.groupby(["study_id", _population(arms), cond], sort=True):
        roles = group["role"].astype("str")
        controls = group[roles.isin(CONTROL_ROLES)]
        if controls.empty:
            controls = group[roles == "active-comparator"]
            treated = group[roles == "experimental"]
        else:
            treated = group[~roles.isin(CONTROL_ROLES)]
        for _, c in controls.iterrows():
            for _, t in treated.iterrows():
                row = {
                    "study_id": study,
                    "study_label": t["study_label"],
                    "treat1": t["treatment"],
                    "treat2": c["treatment"],
                    "arm1": t["arm_id"],
                    "arm2": c["arm_id"],
                    "drug1": t["drug_id"],
                    "dose1": t["dose"],
                    "dose_unit1": t["dose_unit"],
                    "measure_id": measure,
                    "timepoint_days": t["timepoint_days"],
                    "n1": t["n"],
                    "n2": c["n"],
                    "xpop": _pop,
                    "xcond": _cond,
                }
                if kind == "binary":
                    row.update(
                        event1=t["events"],
                        event2=c["events"],
                        derived=bool(t["events_derived"]) or bool(c["events_derived"]),
                    )
                else:
                    row.update(
                        mean1=t["mean"],
                        sd1=t["sd"],
                        mean2=c["mean"],
                        sd2=c["sd"],
                        derived=bool(t["sd_derived"]) or bool(c["sd_derived"]),
                    )
                row["reported_in1"], row["reported_in2"] = t["reported_in"], c["reported_in"]
                rows.append(row)
    frame = pd.DataFrame(rows, columns=[*PAIR_COLUMNS[kind], "xpop", "xcond"])
    for col in ("n1", "n2", "event1", "event2", "timepoint_days"):
        if col in frame.columns and len(frame):
            frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    return frame


def _left_out(
    frame: pd.DataFrame,
    arms: pd.DataFrame,
    left: pd.DataFrame,
    everything: pd.DataFrame,
    measure: str,
    kind: str,
) -> pd.DataFrame:
    """One row per comparison (or lone arm) the pairwise frame does not give
    with counts, and why. ``frame`` loses its helper columns here."""
    why = {(r.arm_id, r.analysis_population, r.conditional_on): r for r in left.itertuples(index=False)}
    kept = set(zip(frame["arm1"], frame["arm2"], frame["xpop"], frame["xcond"]))
    out: list[dict[str, Any]] = []
    possible = _pairs(everything, measure, kind)
    paired = set(possible["arm1"]) | set(possible["arm2"])
    for p in possible.itertuples(index=False):
        if (p.arm1, p.arm2, p.xpop, p.xcond) in kept:
            continue
        r = why.get((p.arm1, p.xpop, p.xcond)) or why.get((p.arm2, p.xpop, p.xcond))
        if r is None:
            continue  # both arms are in the frame, paired otherwise
        out.append(
            {
                "study_id": p.study_id,
                "study_label": p.study_label,
                "treat1": p.treat1,
                "treat2": p.treat2,
                "reported_in": r.reported_in,
                "reason": r.reason,
            }
        )
    for r in left.itertuples(index=False):  # arms that pair with nothing at all (single-arm case data)
        if r.arm_id not in paired:
            out.append({c: getattr(r, c) for c in EXCLUDED_COLUMNS})
    in_pairs = set(frame["arm1"]) | set(frame["arm2"])
    for _, a in arms.iterrows():
        if a["arm_id"] not in in_pairs and str(a["role"]) not in CONTROL_ROLES:
            out.append(_excluded_arm(a, REASONS["no-control"]))
    if kind == "binary":
        for p in frame.itertuples(index=False):
            first = any(_missing(x) for x in (p.event1, p.n1))
            if first or any(_missing(x) for x in (p.event2, p.n2)):
                out.append(
                    {
                        "study_id": p.study_id,
                        "study_label": p.study_label,
                        "treat1": p.treat1,
                        "treat2": p.treat2,
                        "reported_in": p.reported_in1 if first else p.reported_in2,
                        "reason": REASONS["no-counts"],
                    }
                )
    del frame["xpop"], frame["xcond"]
    empty = left.iloc[0:0]
    return _concat(empty, out)


def _missing(x: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(x))
