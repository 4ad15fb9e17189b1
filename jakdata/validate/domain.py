"""Rules of the jakdata data model: what a claim about drugs, doses,
results and safety must satisfy beyond its schema. Each finds its columns by
name, so it applies to any table that has them (a fork's too)."""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING

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
    lo = lookup(ids, measures["measure_id"], measures["min"])
    hi = lookup(ids, measures["measure_id"], measures["max"])
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
        arm_study = lookup(f["arm_id"], arms["arm_id"], arms["study_id"])
        arm_drug = lookup(f["arm_id"], arms["arm_id"], arms["drug_id"])
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
            arm_n = lookup(ctx.raws[name].frame["arm_id"], arms["arm_id"], arms["n"])
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
            study = lookup(f[column], arms["arm_id"], arms["study_id"])
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
