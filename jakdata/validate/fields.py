"""Per-field rules, as a pandera schema derived from each Table Schema.

The Table Schema JSON is the single source of truth for a field: its type,
``required``, ``unique``, ``enum``, ``pattern``, ``minimum``/``maximum``
and ``maxLength`` become pandera checks here, named after the constraint.
A pattern on a field with an ``identifierScheme`` is reported as
``identifier-format``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from jakdata.findings import Finding
from jakdata.table import arrow as vector
from jakdata.table.convert import native

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pa

    from jakdata.table.read import RawTable
    from jakdata.validate.context import Context


def import_pandera(without_hypothesis: bool = False) -> None:
    """Import pandera with the pandas backend its validation loads lazily.

    ``without_hypothesis`` (for a fresh CLI process only) imports pandera as
    if hypothesis were not installed: pandera then leaves out its
    data-synthesis strategies, which import hypothesis (~0.3 s), and
    validates exactly as before. Later imports of hypothesis work as usual."""
    import importlib
    import sys

    block = without_hypothesis and "hypothesis" not in sys.modules and "pandera" not in sys.modules
    if block:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]  # makes `import hypothesis` fail
    try:
        for module in ("pandera.pandas", "pandera.backends.pandas.builtin_checks"):
            importlib.import_module(module)
    finally:
        if block:
            del sys.modules["hypothesis"]


#: the raw text column of a field as :meth:`RawTable.distinct` encodes it (or None)
Encoded = Callable[[], "vector.Distinct | None"]


def _vectorised(name: str, test: Callable[[Any], Any], encoded: Encoded | None = None) -> pa.Check:
    """A pandera check named ``name`` (pandera reports it under that name)
    computing ``test`` on the column in pyarrow. Missing cells pass
    (``required`` is a check of its own), so pandera need not drop them
    first (``ignore_na=False`` saves a copy of every column).

    ``encoded``, for a text field (whose typed column is its raw text with
    empty cells missing), gives the raw column's distinct values, shared by
    every check of the column: ``test`` then runs once per distinct value."""

    def check(series: Any) -> Any:
        import pandas as pd
        import pyarrow.compute as pc

        enc = encoded() if encoded is not None else None
        if enc is not None and len(enc.column) == len(series):
            empty = pc.equal(pc.binary_length(enc.values), 0)  # missing in the typed column: passes
            ok = pc.or_(pc.fill_null(test(enc.values), False), empty)
            if pc.all(ok).as_py():  # the usual case: nothing to map back to the rows
                return True
            result = enc.expand(ok)
        else:
            arr = vector.arrow(series)
            result = pc.or_(pc.fill_null(vector.per_value(arr, test), True), pc.is_null(arr))
            if pc.all(result).as_py():
                return True  # pandera takes a passing check's True as it is: no column of booleans
        return pd.Series(result.to_numpy(zero_copy_only=False), index=series.index)

    import pandera.pandas as pa

    return pa.Check(check, ignore_na=False, name=name, error=name)


def _bound(name: str, op: str, bound: Any) -> pa.Check:
    """``minimum`` (``op`` "ge") or ``maximum`` ("le") on a numeric column,
    missing cells passing: pandera's ``Check.ge``/``le`` drop the missing
    cells first, a copy of the column."""
    import operator

    import pandera.pandas as pa

    def check(series: Any) -> Any:
        import pandas as pd

        compare = getattr(operator, op)
        if isinstance(series.dtype, (pd.Int64Dtype, pd.Float64Dtype)):
            ok = compare(series, bound)  # missing where the cell is
            if ok.all():  # skips the missing cells
                return True
            return ok.fillna(True).astype(bool)
        present = series.dropna()  # Python objects (an integer beyond 64 bits): as pandera does it
        ok = compare(present, bound)
        if ok.all():
            return True
        out = pd.Series(True, index=series.index)
        out[present.index] = ok.astype(bool)
        return out

    return pa.Check(check, ignore_na=False, name=name, error=name)


def _fullmatch(name: str, pattern: str, encoded: Encoded | None = None) -> pa.Check:
    return _vectorised(name, lambda arr: vector.fullmatch(arr, pattern), encoded)


def _length(name: str, op: str, bound: int, encoded: Encoded | None = None) -> pa.Check:
    def test(arr: Any) -> Any:
        import pyarrow.compute as pc

        if op == "less_equal":  # bytes bound characters: count characters only if needed
            nbytes = pc.binary_length(arr)
            longest = pc.max(nbytes).as_py()
            if longest is None or longest <= bound:
                return pc.less_equal(nbytes, bound)
        return getattr(pc, op)(pc.utf8_length(arr), bound)

    return _vectorised(name, test, encoded)


def check_names(field: dict[str, Any]) -> list[str]:
    """Names of a field's constraint checks, in the order pandera runs them."""
    c = field.get("constraints", {})
    names = []
    if "enum" in c:
        names.append("enum")
    if "pattern" in c:
        names.append("identifier-format" if "identifierScheme" in field else "pattern")
    for key, name in (
        ("minimum", "minimum"),
        ("maximum", "maximum"),
        ("maxLength", "max-length"),
        ("minLength", "min-length"),
    ):
        if key in c:
            names.append(name)
    return names


def column_checks(field: dict[str, Any], encoded: Encoded | None = None) -> list[pa.Check]:
    """The pandera checks of a field's constraints, each named after its
    catalogue entry (``encoded``: see :func:`_vectorised`)."""
    import pandera.pandas as pa

    c = field.get("constraints", {})
    numeric = field.get("type") in ("integer", "number")  # typed as pandas' nullable Int64/Float64
    make = {
        "enum": lambda n: _vectorised(n, lambda arr: vector.is_in(arr, c["enum"]), encoded),
        "identifier-format": lambda n: _fullmatch(n, c["pattern"], encoded),
        "pattern": lambda n: _fullmatch(n, c["pattern"], encoded),
        "minimum": lambda n: _bound(n, "ge", c["minimum"]) if numeric else pa.Check.ge(c["minimum"], name=n, error=n),
        "maximum": lambda n: _bound(n, "le", c["maximum"]) if numeric else pa.Check.le(c["maximum"], name=n, error=n),
        "max-length": lambda n: _length(n, "less_equal", c["maxLength"], encoded),
        "min-length": lambda n: _length(n, "greater_equal", c["minLength"], encoded),
    }
    return [make[name](name) for name in check_names(field)]


def pandera_schema(
    schema: dict[str, Any],
    present: list[str] | None = None,
    only: set[str] | None = None,
    raw: RawTable | None = None,
) -> pa.DataFrameSchema:
    """A pandera ``DataFrameSchema`` for the typed frame of a Table Schema
    (of the checks named in ``only``, when given). Fields that frictionless'
    reader converts keep only ``required`` here: the reader checked their
    other constraints (see :meth:`Context.violations`). With ``raw`` (the
    table the typed frame was converted from), checks of text fields run on
    its columns' distinct values."""
    import pandera.pandas as pa

    columns = {}
    for fld in schema["fields"]:
        name = fld["name"]
        if present is not None and name not in present:
            continue
        c = dict(fld.get("constraints", {}))
        if not native(fld):
            c = {"required": c.get("required", False)}
        if only is not None:
            c = {k: v for k, v in c.items() if k in only or (k == "pattern" and "identifier-format" in only)}
        encoded = None
        if raw is not None and name in raw.columns and native(fld) and fld.get("type", "string") == "string":
            encoded = partial(raw.distinct, name)
        checks = column_checks({**fld, "constraints": c}, encoded)
        if not (checks or c.get("required") or c.get("unique")):
            continue  # nothing to check: its type is checked on conversion
        columns[name] = pa.Column(
            checks=checks,
            nullable=not c.get("required", False),
            unique=bool(c.get("unique", False)),
            report_duplicates="exclude_first",
            name=name,
        )
    return pa.DataFrameSchema(columns, name=schema.get("title"))


def details(field: dict[str, Any], check: str) -> dict[str, Any]:
    """The fields of the catalogue's message template of ``check`` on ``field``."""
    c = field.get("constraints", {})
    if check == "enum":
        allowed = [str(v) for v in c["enum"]]
        return {"allowed": ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")}
    if check == "pattern":
        return {"pattern": c["pattern"]}
    if check == "identifier-format":
        return {"scheme": field["identifierScheme"]}
    key = {
        "minimum": "minimum",
        "maximum": "maximum",
        "exclusive-minimum": "exclusiveMinimum",
        "exclusive-maximum": "exclusiveMaximum",
    }.get(check)
    if key:
        return {"bound": c[key]}
    if check in ("max-length", "min-length"):
        bound = c["maxLength" if check == "max-length" else "minLength"]
        unit = "characters" if field.get("type", "string") == "string" else "items"
        return {"bound": f"{bound} {unit}"}
    return {}


#: pandera's own names for the checks it builds in, and ours
PANDERA_BUILTIN = {"not_nullable": "required", "field_uniqueness": "unique"}
PROVENANCE = ("reported_in", "locator")


def check(ctx: Context, only: set[str] | None = None) -> list[Finding]:
    """Type findings, then every constraint of every field (or those named
    in ``only``): pandera's checks, and those frictionless' reader found."""
    import pandera.errors

    out: list[Finding] = []
    for name in ctx.raws:
        typed = ctx.typed(name)
        out += ctx.type_findings(name)
        raw = ctx.raws[name]
        for col, masks in ctx.violations(name).items():
            fld = ctx.field(name, col) or {}
            for chk, mask in masks.items():
                if only is None or chk in only:
                    extra = {"first": 0} if chk == "unique" else details(fld, chk)
                    found = ctx.flag(name, mask, col, chk, **extra)
                    if chk == "unique":
                        found = [_with_first(ctx, name, col, f) for f in found]
                    out += found
        schema = pandera_schema(ctx.resource(name).schema, list(typed.columns), only, raw)
        if not schema.columns:
            continue  # no column has a check pandera runs
        try:
            # Only the columns with checks, as a new frame over the same data
            # (copy-on-write: no copy), validated in place: pandera would
            # otherwise copy every column first. Nothing is coerced or added.
            schema.validate(typed[list(schema.columns)], lazy=True, inplace=True)
        except pandera.errors.SchemaErrors as exc:
            fc = exc.failure_cases
            fc = fc[fc["index"].notna()]
            for col, chk, idx in zip(fc["column"], fc["check"], fc["index"]):
                fld = ctx.field(name, col) or {}
                chk = PANDERA_BUILTIN.get(chk, chk)
                pos = int(idx)
                raw_value = raw.frame[col].iloc[pos]
                if chk == "required" and raw_value != "":
                    continue  # present but not of its type: reported as `type`
                if chk == "required" and col in PROVENANCE:
                    out.append(ctx.finding(name, pos, col, raw_value, "provenance", field=col))
                elif chk == "unique":
                    out.append(
                        ctx.finding(name, pos, col, raw_value, chk, first=_first_line(ctx, name, col, raw_value))
                    )
                else:
                    out.append(ctx.finding(name, pos, col, raw_value, chk, **details(fld, chk)))
    return out


def _with_first(ctx: Context, table: str, column: str, found: Finding) -> Finding:
    from dataclasses import replace

    first = _first_line(ctx, table, column, found.value)
    return replace(found, message=found.message.replace("(first on line 0)", f"(first on line {first})"))


def _first_line(ctx: Context, table: str, column: str, value: str) -> int:
    col = ctx.raws[table].frame[column]
    return ctx.line(table, int((col == value).to_numpy().nonzero()[0][0]))
