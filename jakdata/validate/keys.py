"""Rules over the Table Schema's keys and references: they apply to any
package, whatever its tables (``primaryKey``, ``foreignKeys``,
``listForeignKeys``, ``entityReference``, ``exactlyOneOf``, ``parent_id``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jakdata.findings import Finding
from jakdata.validate.rules import as_list, is_in, rule, target_of

#: joins the cells of a composite key for comparison (a control character,
#: which the text checks keep out of cells; "|" may be data)
SEP = "\x1f"

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

    from jakdata.table.read import RawTable
    from jakdata.validate.context import Context


def joined(raw: RawTable, columns: list[str], sep: str) -> pa.ChunkedArray:
    """The cells of ``columns`` joined row by row with ``sep`` (pyarrow,
    whole columns; the same text as ``frame[columns].agg(sep.join, axis=1)``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = [raw.arrow(c) for c in columns]
    if len(cells) == 1:
        return cells[0]
    return pc.binary_join_element_wise(*cells, pa.scalar(sep, cells[0].type))


def as_series(raw: RawTable, arr: pa.ChunkedArray) -> pd.Series:
    """A text column of ``raw`` as a pandas ``str`` Series on its frame's index."""
    import pandas as pd

    return pd.Series(arr.to_pandas(), index=pd.RangeIndex(len(raw)))  # the raw frame's index


def all_present(raw: RawTable, columns: list[str]) -> pa.Array:
    """Rows where every cell of ``columns`` is non-empty."""
    import pyarrow.compute as pc

    from jakdata.table import arrow as vector

    mask = vector.nonempty(raw.arrow(columns[0]))
    for c in columns[1:]:
        mask = pc.and_(mask, vector.nonempty(raw.arrow(c)))
    return mask


@rule("primary-key")
def primary_key(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in ctx.raws:
        pk = as_list(ctx.resource(name).schema.get("primaryKey"))
        if not pk or not ctx.has(name, *pk):
            continue
        if len(pk) == 1 and (ctx.field(name, pk[0]) or {}).get("constraints", {}).get("unique"):
            continue  # reported as `unique`
        raw = ctx.raws[name]
        exact = as_series(raw, joined(raw, pk, SEP))  # a separator no text cell holds: keys compare cell by cell
        repeat = exact.duplicated(keep="first")
        if not repeat.any():
            continue
        keys = as_series(raw, joined(raw, pk, "|"))  # as reports show a composite key
        first = {k: ctx.line(name, i) for i, k in enumerate(exact) if not repeat.iloc[i]}
        out += ctx.flag(
            name,
            repeat,
            pk[-1],
            "primary-key",
            "duplicate primary key ({columns}) = {key} (first on line {first})",
            values=keys,
            columns=", ".join(pk),
            key=keys,
            first=exact.map(first),
        )
    return out


@rule("foreign-key")
def foreign_key(ctx: Context) -> list[Finding]:
    import pyarrow.compute as pc

    from jakdata.table import arrow as vector

    out: list[Finding] = []
    for name in ctx.raws:
        for fk in ctx.resource(name).schema.get("foreignKeys", []) or []:
            fields = as_list(fk.get("fields"))
            ref = fk.get("reference", {})
            target = target_of(name, ref)
            ref_fields = as_list(ref.get("fields"))
            if not ctx.has(name, *fields):
                continue
            if not ctx.has(target, *ref_fields):
                out.append(
                    Finding.of(
                        "foreign-key",
                        table=name,
                        column=fields[0],
                        path=ctx.raws[name].relpath,
                        message="references {target}.{fields}, which does not exist",
                        target=target,
                        fields=",".join(ref_fields),
                    )
                )
                continue
            raw = ctx.raws[name]
            allowed = joined(ctx.raws[target], ref_fields, SEP)
            encoded = raw.distinct(fields[0]) if len(fields) == 1 else None
            if encoded is not None:  # a repeating column: each distinct value looked up once
                absent = pc.and_(vector.nonempty(encoded.values), pc.invert(vector.is_in(encoded.values, allowed)))
                if not pc.any(absent).as_py():
                    continue
                missing = encoded.expand(absent)
            else:
                found = vector.is_in(joined(raw, fields, SEP), allowed)
                missing = pc.and_(all_present(raw, fields), pc.invert(found))
                if not pc.any(missing).as_py():
                    continue
            keys = raw.frame[fields[0]] if len(fields) == 1 else as_series(raw, joined(raw, fields, "|"))
            out += ctx.flag(
                name, missing, fields[-1], "foreign-key", f"not found in {target}.{','.join(ref_fields)}", values=keys
            )
    return out


@rule("list-foreign-key")
def list_foreign_key(ctx: Context) -> list[Finding]:
    import pyarrow.compute as pc

    from jakdata.table import arrow as vector

    out: list[Finding] = []
    for name in ctx.raws:
        for fk in ctx.resource(name).schema.get("listForeignKeys", []) or []:
            (field,) = as_list(fk.get("fields"))
            ref = fk.get("reference", {})
            target = target_of(name, ref)
            (ref_field,) = as_list(ref.get("fields"))
            if not ctx.has(name, field) or not ctx.has(target, ref_field):
                continue
            arr = ctx.raws[name].arrow(field)
            present = vector.nonempty(arr)
            rows = vector.positions(present)
            if not len(rows):
                continue
            items = pc.split_pattern(pc.filter(arr, present), fk.get("delimiter", "|"))
            flat = pc.list_flatten(items)
            owner = pc.list_parent_indices(items).to_numpy(zero_copy_only=False)
            missing = vector.positions(pc.invert(vector.is_in(flat, ctx.raws[target].arrow(ref_field))))
            for k in missing:
                item = flat[int(k)].as_py()
                out.append(
                    ctx.finding(
                        name,
                        int(rows[owner[k]]),
                        field,
                        item,
                        "list-foreign-key",
                        f"{item!r} not found in {target}.{ref_field}",
                    )
                )
    return out


@rule("entity-reference")
def entity_reference(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in ctx.raws:
        spec = ctx.resource(name).schema.get("entityReference")
        if not spec or not ctx.has(name, spec["field"], spec["typeField"]):
            continue
        frame = ctx.raws[name].frame
        for kind, target in spec["resources"].items():
            pk = as_list(ctx.resource(target).schema.get("primaryKey"))[:1] if target in ctx.raws else []
            if not pk or not ctx.has(target, pk[0]):
                continue  # the target's own key column is reported by `header`
            allowed = ctx.raws[target].arrow(pk[0])
            col = frame[spec["field"]]
            missing = (frame[spec["typeField"]] == kind) & (col != "") & ~is_in(col, allowed)
            out += ctx.flag(
                name, missing, spec["field"], "entity-reference", f"no {kind} with this id in {target}.{pk[0]}"
            )
    return out


@rule("drug-or-class")
def exactly_one_of(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in ctx.raws:
        for group in ctx.resource(name).schema.get("exactlyOneOf", []) or []:
            if not ctx.has(name, *group):
                continue
            frame = ctx.raws[name].frame[group]
            count = (frame != "").sum(axis=1)
            wrong = count != 1
            if ctx.has(name, "arm_id"):  # an arm's row (placebo, vehicle) may name neither
                wrong &= ~((count == 0) & (ctx.raws[name].frame["arm_id"] != ""))
            if not wrong.any():
                continue
            raw = ctx.raws[name]
            out += ctx.flag(
                name,
                wrong,
                group[0],
                "drug-or-class",
                "exactly one of {group} must be set, found {found}",
                values=as_series(raw, joined(raw, group, "|")),
                group=" / ".join(group),
                found=count.map({0: "neither"}).fillna("both"),
            )
    return out


@rule("parent-cycle")
def parent_cycle(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name in ctx.raws:
        pk = as_list(ctx.resource(name).schema.get("primaryKey"))
        if len(pk) != 1 or not ctx.has(name, "parent_id", pk[0]):
            continue
        f = ctx.raws[name].frame
        parent = dict(zip(f[pk[0]], f["parent_id"]))

        def loops(start: str, parent: dict[str, str] = parent) -> bool:
            seen, node = set(), start
            while node and node in parent and node not in seen:
                seen.add(node)
                node = parent[node]
            return bool(start) and node == start

        out += ctx.flag(
            name,
            f[pk[0]].map(loops).astype(bool),
            "parent_id",
            "parent-cycle",
            "parent_id chain loops back to this row",
        )
    return out
