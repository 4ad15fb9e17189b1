"""Rules that span columns or tables, each named after what it checks.

Every rule is a function ``rule(ctx) -> list[Finding]`` registered with
:func:`rule`; its name appears in reports and its docstring in the docs.
Rules find their columns by name (``drug_id``, ``measure_id``, ``dose``...)
or through the schema (``foreignKeys``, ``listForeignKeys``,
``entityReference``, ``exactlyOneOf``), so a fork's new table is checked
without code changes.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Callable

from jakdata.errors import Finding

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.checks.context import Context

RULES: dict[str, Callable[["Context"], list[Finding]]] = {}


def rule(name: str):
    def register(func):
        func.rule_name = name
        RULES[name] = func
        return func

    return register


def check(ctx: "Context") -> list[Finding]:
    out: list[Finding] = []
    for func in RULES.values():
        out += func(ctx)
    return out


def _as_list(v) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def _is_in(values: "pd.Series", allowed) -> "pd.Series":
    """Membership test, vectorised with pyarrow (much faster than
    ``Series.isin`` on pandas ``str`` columns)."""
    import pandas as pd

    from jakdata import vector

    if not isinstance(allowed, (list, tuple, set, frozenset)):
        allowed = vector.arrow(allowed)
    return pd.Series(vector.to_bool(vector.is_in(values, allowed)), index=values.index)


def _lookup(keys: "pd.Series", ref_keys: "pd.Series", ref_values: "pd.Series") -> "pd.Series":
    """For each key, the value of the first ``ref_keys`` row with that key
    (missing where there is none): a vectorised ``Series.map``."""
    import pyarrow.compute as pc

    from jakdata import vector

    ref = vector.arrow(ref_keys.astype("str").where(ref_keys.notna(), ""))
    pos = pc.fill_null(pc.index_in(vector.arrow(keys.where(keys.notna(), "")), value_set=ref), -1)
    out = ref_values.reset_index(drop=True).reindex(pos.to_numpy(zero_copy_only=False))
    return out.set_axis(keys.index)


def _target(ctx: "Context", table: str, ref: dict) -> str:
    res = ref.get("resource")
    return table if res in (None, "") else res


def _has(ctx: "Context", table: str, *cols: str) -> bool:
    return table in ctx.raws and all(c in ctx.raws[table].columns for c in cols)


@rule("primary-key")
def primary_key(ctx: "Context") -> list[Finding]:
    """The primary key (single or composite) is unique. Single-field keys
    that also carry a ``unique`` constraint are reported as ``unique``."""
    out = []
    for name in ctx.raws:
        schema = ctx.resource(name).schema
        pk = _as_list(schema.get("primaryKey"))
        if not pk or not _has(ctx, name, *pk):
            continue
        if len(pk) == 1 and ctx.field(name, pk[0]).get("constraints", {}).get("unique"):
            continue
        frame = ctx.raws[name].frame[pk]
        dup = frame.duplicated(keep="first")
        for i in dup.to_numpy().nonzero()[0]:
            key = "|".join(frame.iloc[i])
            out.append(ctx.finding(name, int(i), pk[-1], key, "primary-key",
                                   f"duplicate primary key ({', '.join(pk)}) = {key}"))
    return out


@rule("foreign-key")
def foreign_keys(ctx: "Context") -> list[Finding]:
    """Every value of a ``foreignKeys`` field exists in the referenced table."""
    out = []
    for name in ctx.raws:
        for fk in ctx.resource(name).schema.get("foreignKeys", []) or []:
            fields = _as_list(fk.get("fields"))
            ref = fk.get("reference", {})
            target = _target(ctx, name, ref)
            ref_fields = _as_list(ref.get("fields"))
            if not _has(ctx, name, *fields):
                continue
            if not _has(ctx, target, *ref_fields):
                out.append(Finding(name, None, fields[0], None, "foreign-key",
                                   f"references {target}.{','.join(ref_fields)}, which does not exist",
                                   ctx.raws[name].relpath))
                continue
            frame = ctx.raws[name].frame[fields]
            present = (frame != "").all(axis=1)
            if len(fields) == 1:
                keys = frame[fields[0]]
                allowed = ctx.raws[target].arrow(ref_fields[0])
            else:
                keys = frame.agg("\x1f".join, axis=1)
                allowed = set(ctx.raws[target].frame[ref_fields].agg("\x1f".join, axis=1))
            missing = present & ~_is_in(keys, allowed)
            for i in missing.to_numpy().nonzero()[0]:
                out.append(ctx.finding(name, int(i), fields[-1], keys.iloc[i].replace("\x1f", "|"), "foreign-key",
                                       f"not found in {target}.{','.join(ref_fields)}"))
    return out


@rule("list-foreign-key")
def list_foreign_keys(ctx: "Context") -> list[Finding]:
    """Each id in a delimited list (``listForeignKeys``, e.g. ``cites``)
    exists in the referenced table."""
    out = []
    for name in ctx.raws:
        for fk in ctx.resource(name).schema.get("listForeignKeys", []) or []:
            (field,) = _as_list(fk.get("fields"))
            ref = fk.get("reference", {})
            target = _target(ctx, name, ref)
            (ref_field,) = _as_list(ref.get("fields"))
            if not _has(ctx, name, field) or not _has(ctx, target, ref_field):
                continue
            out += _list_items_missing(ctx, name, field, fk.get("delimiter", "|"), target, ref_field)
    return out


def _list_items_missing(ctx: "Context", name: str, field: str, delimiter: str, target: str,
                        ref_field: str) -> list[Finding]:
    import pyarrow.compute as pc

    from jakdata import vector

    arr = ctx.raws[name].arrow(field)
    present = vector.nonempty(arr)
    rows = vector.positions(present)
    if not len(rows):
        return []
    items = pc.split_pattern(pc.filter(arr, present), delimiter)
    flat = pc.list_flatten(items)
    owner = pc.list_parent_indices(items).to_numpy(zero_copy_only=False)
    missing = vector.positions(pc.invert(vector.is_in(flat, ctx.raws[target].arrow(ref_field))))
    out = []
    for k in missing:
        item = flat[int(k)].as_py()
        out.append(ctx.finding(name, int(rows[owner[k]]), field, item, "list-foreign-key",
                               f"{item!r} not found in {target}.{ref_field}"))
    return out


@rule("entity-reference")
def entity_reference(ctx: "Context") -> list[Finding]:
    """An id resolves in the table its type column names
    (``synonyms.entity_id`` in the table ``entity_type`` names)."""
    out = []
    for name in ctx.raws:
        spec = ctx.resource(name).schema.get("entityReference")
        if not spec or not _has(ctx, name, spec["field"], spec["typeField"]):
            continue
        frame = ctx.raws[name].frame
        for kind, target in spec["resources"].items():
            if target not in ctx.raws:
                continue
            pk = _as_list(ctx.resource(target).schema.get("primaryKey"))[0]
            allowed = set(ctx.raws[target].frame[pk])
            rows = frame[spec["typeField"]] == kind
            missing = rows & (frame[spec["field"]] != "") & ~_is_in(frame[spec["field"]], allowed)
            for i in missing.to_numpy().nonzero()[0]:
                out.append(ctx.finding(name, int(i), spec["field"], frame[spec["field"]].iloc[i],
                                       "entity-reference", f"no {kind} with this id in {target}.{pk}"))
    return out


@rule("drug-class-known")
def drug_class_known(ctx: "Context") -> list[Finding]:
    """A class-level ``drug_class`` is a class some drug in ``drugs`` has."""
    out = []
    if not _has(ctx, "drugs", "drug_class"):
        return out
    classes = set(ctx.raws["drugs"].frame["drug_class"])
    for name in ctx.raws:
        if name == "drugs" or not _has(ctx, name, "drug_class"):
            continue
        s = ctx.raws[name].frame["drug_class"]
        for i in ((s != "") & ~_is_in(s, classes)).to_numpy().nonzero()[0]:
            out.append(ctx.finding(name, int(i), "drug_class", s.iloc[i], "drug-class-known",
                                   "no drug in drugs has this drug_class"))
    return out


@rule("drug-or-class")
def exactly_one_of(ctx: "Context") -> list[Finding]:
    """Exactly one of the columns of each ``exactlyOneOf`` group is set
    (``drug_id`` or ``drug_class``)."""
    out = []
    for name in ctx.raws:
        for group in ctx.resource(name).schema.get("exactlyOneOf", []) or []:
            if not _has(ctx, name, *group):
                continue
            frame = ctx.raws[name].frame[group]
            count = (frame != "").sum(axis=1)
            for i in (count != 1).to_numpy().nonzero()[0]:
                what = "both" if count.iloc[i] > 1 else "neither"
                out.append(ctx.finding(name, int(i), group[0], "|".join(frame.iloc[i]), "drug-or-class",
                                       f"exactly one of {' / '.join(group)} must be set, found {what}"))
    return out


@rule("measure-range")
def measure_range(ctx: "Context") -> list[Finding]:
    """A ``value`` lies within its measure's ``min``/``max`` (from the
    ``measures`` table: a new instrument needs no code change)."""
    import pandas as pd

    out = []
    if not _has(ctx, "measures", "measure_id", "min", "max"):
        return out
    measures = ctx.typed("measures")
    for name in ctx.raws:
        if name == "measures" or not _has(ctx, name, "measure_id", "value"):
            continue
        t = ctx.typed(name)
        if not pd.api.types.is_numeric_dtype(t["value"]):
            continue
        lo = _lookup(ctx.raws[name].frame["measure_id"], measures["measure_id"], measures["min"])
        hi = _lookup(ctx.raws[name].frame["measure_id"], measures["measure_id"], measures["max"])
        v = t["value"]
        below = (v < lo).fillna(False).astype(bool)
        above = (v > hi).fillna(False).astype(bool)
        for mask, word, bound in ((below, "below minimum", lo), (above, "above maximum", hi)):
            for i in mask.to_numpy().nonzero()[0]:
                b = bound.iloc[i]
                b = int(b) if float(b).is_integer() else b
                out.append(ctx.finding(name, int(i), "value", ctx.raws[name].frame["value"].iloc[i],
                                       "measure-range", f"{word} {b} of {t['measure_id'].iloc[i]}"))
    return out


def _pair_rule(ctx, table_cols: tuple[str, str], check: str, message: str) -> list[Finding]:
    small, big = table_cols
    out = []
    for name in ctx.raws:
        if not _has(ctx, name, small, big):
            continue
        t = ctx.typed(name)
        bad = (t[small] > t[big]).fillna(False).astype(bool)
        for i in bad.to_numpy().nonzero()[0]:
            out.append(ctx.finding(name, int(i), small, ctx.raws[name].frame[small].iloc[i], check,
                                   message.format(big=ctx.raws[name].frame[big].iloc[i])))
    return out


@rule("responders-within-n")
def responders_within_n(ctx: "Context") -> list[Finding]:
    """``responders`` is at most ``n``."""
    return _pair_rule(ctx, ("responders", "n"), "responders-within-n", "more responders than n = {big}")


@rule("affected-within-exposed")
def affected_within_exposed(ctx: "Context") -> list[Finding]:
    """``n_affected`` is at most ``n_exposed``."""
    return _pair_rule(ctx, ("n_affected", "n_exposed"), "affected-within-exposed",
                      "more affected than exposed (n_exposed = {big})")


@rule("dose-positive")
def dose_positive(ctx: "Context") -> list[Finding]:
    """A ``dose`` is greater than 0."""
    out = []
    for name in ctx.raws:
        if not _has(ctx, name, "dose"):
            continue
        d = ctx.typed(name)["dose"]
        try:
            bad = (d <= 0).fillna(False).astype(bool)
        except TypeError:
            continue
        for i in bad.to_numpy().nonzero()[0]:
            out.append(ctx.finding(name, int(i), "dose", ctx.raws[name].frame["dose"].iloc[i], "dose-positive",
                                   "dose must be greater than 0"))
    return out


def release_year(ctx: "Context") -> int:
    created = ctx.package.descriptor.get("created")
    if isinstance(created, str) and created[:4].isdigit():
        return int(created[:4])
    return _dt.date.today().year


@rule("year-range")
def year_range(ctx: "Context") -> list[Finding]:
    """A ``year`` lies between 1900 and the package's release year
    (the year of ``created`` in the descriptor)."""
    out = []
    last = release_year(ctx)
    for name in ctx.raws:
        if not _has(ctx, name, "year"):
            continue
        y = ctx.typed(name)["year"]
        try:
            bad = ((y < 1900) | (y > last)).fillna(False).astype(bool)
        except TypeError:
            continue
        for i in bad.to_numpy().nonzero()[0]:
            out.append(ctx.finding(name, int(i), "year", ctx.raws[name].frame["year"].iloc[i], "year-range",
                                   f"year outside 1900..{last}"))
    return out


@rule("arm-consistency")
def arm_consistency(ctx: "Context") -> list[Finding]:
    """Where a row names an arm, the arm belongs to the row's study and
    gives the row's drug."""
    out = []
    if not _has(ctx, "arms", "arm_id", "study_id", "drug_id"):
        return out
    arms = ctx.raws["arms"].frame
    for name in ctx.raws:
        if name == "arms" or not _has(ctx, name, "arm_id", "study_id", "drug_id"):
            continue
        f = ctx.raws[name].frame
        arm_study = _lookup(f["arm_id"], arms["arm_id"], arms["study_id"])
        arm_drug = _lookup(f["arm_id"], arms["arm_id"], arms["drug_id"])
        named = (f["arm_id"] != "") & arm_study.notna()
        for i in (named & (arm_study != f["study_id"])).to_numpy().nonzero()[0]:
            out.append(ctx.finding(name, int(i), "arm_id", f["arm_id"].iloc[i], "arm-consistency",
                                   f"arm belongs to study {arm_study.iloc[i]!r}, "
                                   f"the row names study {f['study_id'].iloc[i]!r}"))
        for i in (named & (arm_drug != f["drug_id"])).to_numpy().nonzero()[0]:
            out.append(ctx.finding(name, int(i), "drug_id", f["drug_id"].iloc[i], "arm-consistency",
                                   f"the arm {f['arm_id'].iloc[i]!r} gives drug {arm_drug.iloc[i]!r}"))
    return out


@rule("result-or-value")
def result_or_value(ctx: "Context") -> list[Finding]:
    """A result row has a numeric ``value`` or a ``result`` in words."""
    out = []
    for name in ctx.raws:
        if not _has(ctx, name, "value", "result", "outcome_id"):
            continue
        f = ctx.raws[name].frame
        for i in ((f["value"] == "") & (f["result"] == "")).to_numpy().nonzero()[0]:
            out.append(ctx.finding(name, int(i), "result", "", "result-or-value",
                                   "neither value nor result is given"))
    return out


@rule("derived-explained")
def derived_explained(ctx: "Context") -> list[Finding]:
    """A value marked ``derived`` has a ``note`` saying how it was computed."""
    out = []
    for name in ctx.raws:
        if not _has(ctx, name, "derived", "note"):
            continue
        f = ctx.raws[name].frame
        for i in ((f["derived"] == "true") & (f["note"] == "")).to_numpy().nonzero()[0]:
            out.append(ctx.finding(name, int(i), "note", "", "derived-explained",
                                   "derived value without a note saying how it was computed"))
    return out


@rule("parent-cycle")
def parent_cycle(ctx: "Context") -> list[Finding]:
    """Following ``parent_id`` never returns to where it started."""
    out = []
    for name in ctx.raws:
        pk = _as_list(ctx.resource(name).schema.get("primaryKey"))
        if len(pk) != 1 or not _has(ctx, name, "parent_id", pk[0]):
            continue
        f = ctx.raws[name].frame
        parent = dict(zip(f[pk[0]], f["parent_id"]))
        for i, start in enumerate(f[pk[0]]):
            seen, node = set(), start
            while node and node in parent and node not in seen:
                seen.add(node)
                node = parent[node]
            if node == start and start:
                out.append(ctx.finding(name, i, "parent_id", f["parent_id"].iloc[i], "parent-cycle",
                                       "parent_id chain loops back to this row"))
    return out
