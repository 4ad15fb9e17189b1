"""Rules of the jakdata data model: what a claim about drugs, doses,
results and safety must satisfy beyond its schema. Each finds its columns by
name, so it applies to any table that has them (a fork's too)."""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any

from jakdata.validate.rules import is_in, lookup, rule, tables_with

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.findings import Finding
    from jakdata.validate.context import Context


def _numeric(series: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series)


def _true(mask: pd.Series) -> pd.Series:
    """A comparison's result with missing as false."""
    return mask.fillna(False).astype(bool)


@rule("drug-class-known")
def drug_class_known(ctx: Context) -> list[Finding]:
    if not ctx.has("drugs", "drug_class"):
        return []
    classes = set(ctx.raws["drugs"].frame["drug_class"])
    out: list[Finding] = []
    for name in tables_with(ctx, "drug_class", skip="drugs"):
        s = ctx.raws[name].frame["drug_class"]
        out += ctx.flag(
            name,
            (s != "") & ~is_in(s, classes),
            "drug_class",
            "drug-class-known",
            "no drug in drugs has this drug_class",
        )
    return out


#: statistics whose value lies on the measure's own scale (or a share in %)
ON_SCALE = frozenset({"value", "mean", "median", "percent"})
CHANGES = frozenset({"mean-change", "ls-mean-change", "median-change"})
PERCENT_CHANGES = frozenset({"percent-change", "ls-mean-percent-change"})


def _statistic(ctx: Context, name: str) -> pd.Series | None:
    return ctx.raws[name].frame["statistic"] if ctx.has(name, "statistic") else None


def _bounds(ctx: Context, name: str) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series] | None:
    """The row's value and its measure's min and max, or None where the
    measures table or the columns are missing."""
    if not ctx.has("measures", "measure_id", "min", "max") or not ctx.has(name, "measure_id", "value"):
        return None
    measures = ctx.typed("measures")
    t = ctx.typed(name)
    if not _numeric(t["value"]) or not _numeric(measures["min"]) or not _numeric(measures["max"]):
        return None
    ids = ctx.raws[name].frame["measure_id"]
    encoded = ctx.raws[name].distinct("measure_id")
    lo = lookup(ids, measures["measure_id"], measures["min"], encoded)
    hi = lookup(ids, measures["measure_id"], measures["max"], encoded)
    return t["value"], lo, hi, ids


@rule("measure-range")
def measure_range(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in tables_with(ctx, "measure_id", "value", skip="measures"):
        got = _bounds(ctx, name)
        if got is None:
            continue
        v, lo, hi, ids = got
        stat = _statistic(ctx, name)
        scale = stat.isin(ON_SCALE) | (stat == "") if stat is not None else True
        for mask, word, bound in (
            (_true(v < lo) & scale, "below minimum", lo),
            (_true(v > hi) & scale, "above maximum", hi),
        ):
            out += ctx.flag(
                name,
                mask,
                "value",
                "measure-range",
                "{word} {bound:g} of {measure}",
                word=word,
                bound=bound,
                measure=ids,
            )
    return out


@rule("change-range")
def change_range(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in tables_with(ctx, "measure_id", "value", "statistic", skip="measures"):
        got = _bounds(ctx, name)
        if got is None:
            continue
        v, lo, hi, ids = got
        stat = _statistic(ctx, name)
        assert stat is not None
        span = hi - lo
        change = stat.isin(CHANGES)
        out += ctx.flag(
            name,
            change & _true(v.abs() > span),
            "value",
            "change-range",
            "a change larger than the whole scale of {measure} (±{span:g})",
            measure=ids,
            span=span,
        )
        out += ctx.flag(
            name, stat.isin(PERCENT_CHANGES) & _true(v < -100), "value", "change-range", "a percent change below −100"
        )
    return out


@rule("percent-range")
def percent_range(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in tables_with(ctx, "statistic", "value"):
        v = ctx.typed(name)["value"]
        if _numeric(v):
            pct = ctx.raws[name].frame["statistic"] == "percent"
            out += ctx.flag(
                name, pct & _true((v < 0) | (v > 100)), "value", "percent-range", "a percentage outside 0–100"
            )
    return out


def _not_above(ctx: Context, small: str, big: str, check: str, message: str) -> list[Finding]:
    out: list[Finding] = []
    for name in tables_with(ctx, small, big):
        t = ctx.typed(name)
        if not _numeric(t[small]) or not _numeric(t[big]):
            continue
        raw_big = ctx.raws[name].frame[big]
        out += ctx.flag(name, _true(t[small] > t[big]), small, check, message, big=raw_big)
    return out


@rule("responders-within-n")
def responders_within_n(ctx: Context) -> list[Finding]:
    return _not_above(ctx, "responders", "n", "responders-within-n", "more responders than n = {big}")


@rule("affected-within-exposed")
def affected_within_exposed(ctx: Context) -> list[Finding]:
    return _not_above(
        ctx, "n_affected", "n_exposed", "affected-within-exposed", "more affected than exposed (n_exposed = {big})"
    )


@rule("dose-positive")
def dose_positive(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in tables_with(ctx, "dose"):
        d = ctx.typed(name)["dose"]
        if _numeric(d):
            out += ctx.flag(name, _true(d <= 0), "dose", "dose-positive", "dose must be greater than 0")
    return out


def release_year(ctx: Context) -> int:
    created = ctx.package.descriptor.get("created")
    if isinstance(created, str) and created[:4].isdigit():
        return int(created[:4])
    return _dt.date.today().year


@rule("year-range")
def year_range(ctx: Context) -> list[Finding]:
    last = release_year(ctx)
    out: list[Finding] = []
    for name in tables_with(ctx, "year"):
        y = ctx.typed(name)["year"]
        if _numeric(y):
            out += ctx.flag(name, _true((y < 1900) | (y > last)), "year", "year-range", f"year outside 1900..{last}")
    return out


@rule("arm-consistency")
def arm_consistency(ctx: Context) -> list[Finding]:
    if not ctx.has("arms", "arm_id", "study_id", "drug_id"):
        return []
    arms = ctx.raws["arms"].frame
    out: list[Finding] = []
    for name in tables_with(ctx, "arm_id", "study_id", "drug_id", skip="arms"):
        f = ctx.raws[name].frame
        encoded = ctx.raws[name].distinct("arm_id")
        arm_study = lookup(f["arm_id"], arms["arm_id"], arms["study_id"], encoded)
        arm_drug = lookup(f["arm_id"], arms["arm_id"], arms["drug_id"], encoded)
        named = (f["arm_id"] != "") & arm_study.notna()
        out += ctx.flag(
            name,
            named & (arm_study != f["study_id"]),
            "arm_id",
            "arm-consistency",
            "arm belongs to study {arm_study!r}, the row names study {study!r}",
            arm_study=arm_study,
            study=f["study_id"],
        )
        out += ctx.flag(
            name,
            named & (arm_drug != f["drug_id"]),
            "drug_id",
            "arm-consistency",
            "the arm {arm!r} gives drug {arm_drug!r}",
            arm=f["arm_id"],
            arm_drug=arm_drug,
        )
    return out


@rule("result-or-value")
def result_or_value(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in tables_with(ctx, "value", "result", "outcome_id"):
        f = ctx.raws[name].frame
        out += ctx.flag(
            name,
            (f["value"] == "") & (f["result"] == ""),
            "result",
            "result-or-value",
            "neither value nor result is given",
        )
    return out


@rule("derived-explained")
def derived_explained(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in tables_with(ctx, "derived", "note"):
        f = ctx.raws[name].frame
        out += ctx.flag(
            name,
            (f["derived"] == "true") & (f["note"] == ""),
            "note",
            "derived-explained",
            "derived value without a note saying how it was computed",
        )
    return out


CONTROL_ROLES = ("placebo", "vehicle")
ISO_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


@rule("control-arm-without-drug")
def control_arm_without_drug(ctx: Context) -> list[Finding]:
    if not ctx.has("arms", "role", "drug_id"):
        return []
    f = ctx.raws["arms"].frame
    return ctx.flag(
        "arms",
        f["role"].isin(CONTROL_ROLES) & (f["drug_id"] != ""),
        "drug_id",
        "control-arm-without-drug",
        "a {role} arm names no drug (leave drug_id empty)",
        role=f["role"],
    )


TREATED_ROLES = ("experimental", "active-comparator")


@rule("treated-arm-names-drug")
def treated_arm_names_drug(ctx: Context) -> list[Finding]:
    if not ctx.has("arms", "role", "drug_id"):
        return []
    f = ctx.raws["arms"].frame
    return ctx.flag(
        "arms",
        f["role"].isin(TREATED_ROLES) & (f["drug_id"] == ""),
        "drug_id",
        "treated-arm-names-drug",
        "an {role} arm names its drug",
        role=f["role"],
    )


@rule("results-within-arm")
def results_within_arm(ctx: Context) -> list[Finding]:
    if not ctx.has("arms", "arm_id", "n"):
        return []
    arms = ctx.typed("arms")
    if not _numeric(arms["n"]):
        return []
    out: list[Finding] = []
    for column in ("responders", "n_affected"):
        for name in tables_with(ctx, "arm_id", column, skip="arms"):
            t = ctx.typed(name)
            if not _numeric(t[column]):
                continue
            arm_n = lookup(ctx.raws[name].frame["arm_id"], arms["arm_id"], arms["n"], ctx.raws[name].distinct("arm_id"))
            out += ctx.flag(
                name, _true(t[column] > arm_n), column, "results-within-arm", "more than the arm's n = {n:g}", n=arm_n
            )
    return out


@rule("comparison-arms")
def comparison_arms(ctx: Context) -> list[Finding]:
    if not ctx.has("arms", "arm_id", "study_id"):
        return []
    arms = ctx.raws["arms"].frame
    out: list[Finding] = []
    for name in tables_with(ctx, "arm_id", "control_arm_id", "study_id", skip="arms"):
        f = ctx.raws[name].frame
        for column in ("arm_id", "control_arm_id"):
            study = lookup(f[column], arms["arm_id"], arms["study_id"], ctx.raws[name].distinct(column))
            out += ctx.flag(
                name,
                (f[column] != "") & study.notna() & (study != f["study_id"]),
                column,
                "comparison-arms",
                "the arm belongs to study {arm_study!r}, the comparison to {study!r}",
                arm_study=study,
                study=f["study_id"],
            )
        out += ctx.flag(
            name,
            (f["arm_id"] != "") & (f["arm_id"] == f["control_arm_id"]),
            "control_arm_id",
            "comparison-arms",
            "an arm compared with itself",
        )
    return out


@rule("ci-order")
def ci_order(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in tables_with(ctx, "ci_lower", "ci_upper"):
        t = ctx.typed(name)
        lo, hi = t["ci_lower"], t["ci_upper"]
        if not _numeric(lo) or not _numeric(hi):
            continue
        out += ctx.flag(name, _true(lo > hi), "ci_lower", "ci-order", "ci_lower is above ci_upper ({hi:g})", hi=hi)
        for column in ("value", "estimate"):
            if column in t.columns and _numeric(t[column]):
                outside = _true((t[column] < lo) | (t[column] > hi)) & _true(lo <= hi)
                out += ctx.flag(
                    name,
                    outside,
                    column,
                    "ci-order",
                    "{what} lies outside its confidence interval {lo:g} to {hi:g}",
                    what=column,
                    lo=lo,
                    hi=hi,
                )
    return out


@rule("date-not-after-created")
def date_not_after_created(ctx: Context) -> list[Finding]:
    created = ctx.package.descriptor.get("created")
    if not isinstance(created, str) or len(created) < 10:
        return []
    day = created[:10]
    out: list[Finding] = []
    for column in ("decision_date", "published_date"):
        for name in tables_with(ctx, column):
            s = ctx.raws[name].frame[column]
            # an ISO date of any precision sorts as text: compare with the same prefix of `created`
            # (a malformed date is the `type` or `pattern` check's)
            later = s.map(lambda v: bool(ISO_DATE.fullmatch(v)) and v > day[: len(v)])
            out += ctx.flag(
                name,
                later.astype(bool),
                column,
                "date-not-after-created",
                "after the package's created date {created}",
                created=day,
            )
    return out


# ---------------------------------------------------------------- model v3

#: a machine-readable arm period: `weeks 0-16`, `weeks 0–24 (remark)`, `from week 16 (remark)`
PERIOD = re.compile(r"(?:weeks? ([0-9]+) ?[-–] ?([0-9]+)|from week ([0-9]+))(?: \(.*\))?")


def period_days(period: str) -> tuple[float, float] | None:
    """The first and last day of a machine-readable arm period (week × 7),
    or None where the period is not in the documented form."""
    m = PERIOD.fullmatch(period)
    if not m:
        return None
    if m.group(3) is not None:
        return int(m.group(3)) * 7.0, float("inf")
    return int(m.group(1)) * 7.0, int(m.group(2)) * 7.0


def _span_text(span: tuple[float, float] | None) -> str:
    if span is None:
        return ""
    lo, hi = span
    return f"from day {lo:g}" if hi == float("inf") else f"days {lo:g} to {hi:g}"


@rule("timepoint-within-arm-period")
def timepoint_within_arm_period(ctx: Context) -> list[Finding]:
    if not ctx.has("arms", "arm_id", "period"):
        return []
    import pandas as pd

    arms = ctx.raws["arms"].frame
    spans = {p: period_days(p) for p in set(arms["period"])}
    lo_of = arms["period"].map(lambda p: (spans[p] or (None, None))[0])
    hi_of = arms["period"].map(lambda p: (spans[p] or (None, None))[1])
    said = arms["period"].map(lambda p: _span_text(spans[p]))
    out: list[Finding] = []
    for name in tables_with(ctx, "arm_id", "timepoint_days", skip="arms"):
        days = ctx.typed(name)["timepoint_days"]
        if not _numeric(days):
            continue
        f = ctx.raws[name].frame
        flagged = pd.Series(False, index=f.index)
        for column in ("arm_id", "control_arm_id"):
            if column not in f.columns:
                continue
            encoded = ctx.raws[name].distinct(column)
            lo = pd.to_numeric(lookup(f[column], arms["arm_id"], lo_of, encoded), errors="coerce")
            hi = pd.to_numeric(lookup(f[column], arms["arm_id"], hi_of, encoded), errors="coerce")
            period = lookup(f[column], arms["arm_id"], arms["period"], encoded)
            span = lookup(f[column], arms["arm_id"], said, encoded)
            outside = _true((days < lo) | (days > hi)) & ~flagged
            flagged |= outside
            out += ctx.flag(
                name,
                outside,
                "timepoint_days",
                "timepoint-within-arm-period",
                "day {day:g} lies outside the period of {arm!r}, {period!r} ({span}); a result of a later period "
                "belongs to the arm of that period",
                day=days,
                arm=f[column],
                period=period,
                span=span,
            )
    return out


def _noted_documents(ctx: Context) -> set[str] | None:
    """The documents some source note is about: ``source_id`` of every table
    of notes (found by its columns ``note_id`` and ``source_id``, whatever
    the resource is named); ``None`` when the package has no such table."""
    tables = tables_with(ctx, "note_id", "source_id")
    if not tables:
        return None
    return {v for name in tables for v in ctx.raws[name].frame["source_id"]}


@rule("outcome-n-within-arm-n")
def outcome_n_within_arm_n(ctx: Context) -> list[Finding]:
    if not ctx.has("arms", "arm_id", "n"):
        return []
    arms = ctx.typed("arms")
    if not _numeric(arms["n"]):
        return []
    noted = _noted_documents(ctx) or set()
    out: list[Finding] = []
    for name in tables_with(ctx, "arm_id", "n", skip="arms"):
        t = ctx.typed(name)
        if not _numeric(t["n"]):
            continue
        f = ctx.raws[name].frame
        arm_n = lookup(f["arm_id"], arms["arm_id"], arms["n"], ctx.raws[name].distinct("arm_id"))
        above = _true(t["n"] > arm_n)
        if "analysis_population" in f.columns and "reported_in" in f.columns:
            # a different analysis set says so (analysis_population) and why (a note on its document)
            above &= ~((f["analysis_population"] != "") & is_in(f["reported_in"], noted))
        out += ctx.flag(
            name,
            above,
            "n",
            "outcome-n-within-arm-n",
            "n analysed is above the arm's n = {arm_n:g}: name the other analysis set in analysis_population "
            "and say why in source_notes (on reported_in)",
            arm_n=arm_n,
        )
    return out


MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def iso_precision(date: str) -> int:
    """1 for `YYYY`, 2 for `YYYY-MM`, 3 for `YYYY-MM-DD`."""
    return {4: 1, 7: 2, 10: 3}.get(len(date), 3)


def printed_precision(text: str) -> int:
    """How precise a date is as printed: 0 no date, 1 a year, 2 a month, 3 a
    day. `YYYYMMDD` and ISO dates by their form; otherwise an English month
    name counts as the month and a 1-2 digit number beside it as the day;
    without a month name, one 1-2 digit number is a month (`06/2022`,
    `2023年10月`) and two are a month and a day (`20/07/2023`, `2023年10月28日`)."""
    t = text.strip()
    if re.fullmatch(r"[0-9]{8}", t):
        return 3
    if ISO_DATE.fullmatch(t):
        return iso_precision(t)
    small = [n for n in re.findall(r"[0-9]+", t) if len(n) <= 2]
    has_year = bool(re.search(r"[0-9]{4}", t))
    words = re.findall(r"[^\W\d_]+", t.lower())
    if any(w[:3] in MONTH_NAMES and len(w) >= 3 for w in words):
        return 3 if small else 2
    if len(small) >= 2 or "日" in t:
        return 3
    if small:
        return 2
    return 1 if has_year else 0


@rule("approval-date-precision")
def approval_date_precision(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    have_sources = ctx.has("sources", "source_id", "document_type", "published_date")
    for name in tables_with(ctx, "decision_date"):
        f = ctx.raws[name].frame
        date = f["decision_date"]
        dated = date.map(lambda v: bool(ISO_DATE.fullmatch(v))).astype(bool)
        printed = f["decision_date_as_printed"] if "decision_date_as_printed" in f.columns else None
        if printed is not None:
            finer = [
                bool(d) and bool(p) and bool(ISO_DATE.fullmatch(d)) and iso_precision(d) > printed_precision(p)
                for d, p in zip(date, printed)
            ]
            out += ctx.flag(
                name,
                finer,
                "decision_date",
                "approval-date-precision",
                "more precise than the record prints it ({printed!r})",
                printed=printed,
            )
        if have_sources and "reported_in" in f.columns:
            sources = ctx.raws["sources"].frame
            encoded = ctx.raws[name].distinct("reported_in")
            kind = lookup(f["reported_in"], sources["source_id"], sources["document_type"], encoded)
            published = lookup(f["reported_in"], sources["source_id"], sources["published_date"], encoded)
            own_date = dated & (kind == "news").fillna(False) & (date == published).fillna(False)
            if printed is not None:
                own_date &= printed == ""
            out += ctx.flag(
                name,
                own_date.astype(bool),
                "decision_date",
                "approval-date-precision",
                "the news item's own date ({source}) is not a decision date: give the date only as the item "
                "prints it for the decision (decision_date_as_printed), else leave it empty",
                source=f["reported_in"],
            )
    return out


#: the columns that make claims rivals, where a table has them
CONFLICT_KEYS = (
    "study_id",
    "arm_id",
    "control_arm_id",
    "measure_id",
    "timepoint_days",
    "statistic",
    "effect_measure",
    "analysis_population",
    "conditional_on",
)


@rule("one-preferred-per-conflict")
def one_preferred_per_conflict(ctx: Context) -> list[Finding]:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from jakdata.table import arrow as vector

    noted = _noted_documents(ctx)
    out: list[Finding] = []
    for name in tables_with(ctx, "preferred", "reported_in", "study_id", "arm_id", "measure_id"):
        f = ctx.raws[name].frame
        keys = [c for c in CONFLICT_KEYS if c in f.columns]
        raw = ctx.raws[name]
        # a group of rival claims: rows naming a study and an arm, equal in every key column
        named = vector.to_bool(pc.and_(pc.not_equal(raw.arrow("study_id"), ""), pc.not_equal(raw.arrow("arm_id"), "")))
        group = vector.group_ids([raw.arrow(c) for c in keys], [raw.distinct(c) for c in keys])
        groups = int(group.max()) + 1 if len(group) else 0
        pref = raw.arrow("preferred")
        is_true = vector.to_bool(pc.equal(pref, "true"))
        has_note = (
            vector.to_bool(vector.is_in(f["reported_in"], list(noted))) if noted else np.full(len(f), noted is None)
        )
        source = vector.group_ids([raw.arrow("reported_in")], [raw.distinct("reported_in")])
        pairs = vector.group_ids([pa.array(group), pa.array(source)])  # one per group and document
        first: np.ndarray = np.zeros(int(pairs.max()) + 1 if len(pairs) else 0, dtype=np.int64)
        first[pairs] = group  # each (group, document) pair's group
        sources = np.bincount(first, minlength=groups)[group]
        n_true = pd.Series(np.bincount(group, weights=is_true, minlength=groups)[group].astype(np.int64), index=f.index)
        explained = pd.Series(np.bincount(group, weights=has_note, minlength=groups)[group] > 0, index=f.index)
        rival = pd.Series((sources >= 2) & named, index=f.index)
        set_ = pd.Series(vector.to_bool(pc.not_equal(pref, "")), index=f.index)
        chosen = pd.Series(is_true, index=f.index)
        no_choice = rival & (n_true == 0)
        many = rival & (n_true > 1) & chosen
        unset = rival & (n_true == 1) & ~set_
        unexplained = rival & (n_true == 1) & chosen & ~explained
        flagged = no_choice | many | unset | unexplained
        members: Any = ""
        if flagged.any():  # the group's ids, for the message (in valid data, never needed)
            parts = [pc.cast(raw.arrow(c), pa.large_string()) for c in keys]
            joined = pc.binary_join_element_wise(*parts, pa.scalar("\x1f", pa.large_string()))
            key = pd.Series(_numpy(pc.if_else(pa.array(named), joined, "")), index=f.index)
            no_choice &= ~key.duplicated()  # reported once, on the group's first row
            members = _members(f, key, flagged)
        for mask, message in (
            (set_ & ~rival, "preferred is set, but no other document gives this result (leave it empty)"),
            (no_choice, "conflicting claims ({ids}) and none is preferred: mark one true, the others false"),
            (many, "more than one preferred row among conflicting claims ({ids})"),
            (unset, "empty in a group of conflicting claims ({ids}): write false"),
            (
                unexplained,
                "no source_notes row on the documents of these claims ({ids}) gives the reason for the preference",
            ),
        ):
            out += ctx.flag(name, mask, "preferred", "one-preferred-per-conflict", message, ids=members)
    return out


def _members(f: pd.DataFrame, key: pd.Series, flagged: pd.Series) -> pd.Series:
    """For each flagged row, the ids of its conflict group (the first six)."""
    import pandas as pd

    wanted = set(key[flagged]) - {""}
    ident = f[f.columns[0]]
    lists: dict[str, list[str]] = {}
    for k, i in zip(key[key.isin(wanted)], ident[key.isin(wanted)]):
        lists.setdefault(k, []).append(i)
    text = {k: ", ".join(v[:6]) + (", …" if len(v) > 6 else "") for k, v in lists.items()}
    return pd.Series([text.get(k, "") for k in key], index=f.index)


def _numpy(a: Any) -> Any:
    """An arrow array or chunked array as a numpy array."""
    import pyarrow as pa

    return a.to_numpy(zero_copy_only=False) if isinstance(a, pa.Array) else a.to_numpy()
