"""Rules of the jakdata data model: what a claim about drugs, doses,
results and safety must satisfy beyond its schema. Each finds its columns by
name, so it applies to any table that has them (a fork's too)."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from jakdata.validate.rules import is_in, lookup, rule, tables_with

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.validate.context import Context
    from jakdata.validate.findings import Finding


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


@rule("measure-range")
def measure_range(ctx: Context) -> list[Finding]:
    if not ctx.has("measures", "measure_id", "min", "max"):
        return []
    measures = ctx.typed("measures")
    out: list[Finding] = []
    for name in tables_with(ctx, "measure_id", "value", skip="measures"):
        t = ctx.typed(name)
        if not _numeric(t["value"]) or not _numeric(measures["min"]) or not _numeric(measures["max"]):
            continue
        ids = ctx.raws[name].frame["measure_id"]
        lo = lookup(ids, measures["measure_id"], measures["min"])
        hi = lookup(ids, measures["measure_id"], measures["max"])
        v = t["value"]
        for mask, word, bound in ((_true(v < lo), "below minimum", lo), (_true(v > hi), "above maximum", hi)):
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
