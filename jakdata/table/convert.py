"""Table Schema types -> pandas dtypes, in one place for loader and checks.

string -> ``str`` (``category`` when the field has an ``enum``), integer ->
``Int64``, number -> ``Float64``, boolean -> ``boolean`` (``true``/``false``
unless the field declares ``trueValues``/``falseValues``), date ->
``datetime64``. Empty cells are missing. A cell that does not fit its type
becomes missing in the typed frame and a ``type`` finding.

Two paths, one result. The fields the data model uses (see :func:`native`)
convert column by column in pyarrow. Every other field — the other Table
Schema types (datetime, time, year, yearmonth, duration, geopoint, geojson,
object, array), string formats (email, uri, binary, uuid), number options
(``decimalChar``, ``groupChar``, ``bareNumber``), date ``format`` patterns,
integers beyond 64 bits, exclusive bounds and bounds or enums of other types
— is read by frictionless' own field reader, once per distinct value, so it
is enforced exactly as Frictionless enforces it. Its constraint findings
come from the same reader (:data:`CONSTRAINTS` names them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

import numpy as np

from jakdata.table import arrow as vector

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

    from jakdata.table.read import RawTable

NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


#: frictionless' constraint names -> the catalogue's check names
CONSTRAINTS = {
    "enum": "enum",
    "pattern": "pattern",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive-minimum",
    "exclusiveMaximum": "exclusive-maximum",
    "minLength": "min-length",
    "maxLength": "max-length",
}
_NUMERIC_BOUNDS = ("minimum", "maximum")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def native(field: dict[str, Any]) -> bool:
    """The field converts in pyarrow: string, integer, number, boolean and
    date without options, with numeric bounds on numbers only and an enum on
    strings only. Anything else goes to frictionless' reader."""
    t = field.get("type", "string")
    fmt = field.get("format", "default")
    c = field.get("constraints") or {}
    if any(k in c for k in ("exclusiveMinimum", "exclusiveMaximum")):
        return False
    if t == "any":
        return True
    if t == "string":
        return fmt in ("default", None)
    if "enum" in c or fmt not in ("default", None):
        return False
    if t in ("integer", "number"):
        plain = field.get("bareNumber", True) is True and "groupChar" not in field
        if t == "number":
            plain = plain and field.get("decimalChar", ".") == "."
        return plain and all(_is_number(c[k]) for k in _NUMERIC_BOUNDS if k in c)
    if t == "boolean":
        return True
    if t == "date":
        return not any(k in c for k in _NUMERIC_BOUNDS)
    return False


def pandas_types() -> dict:
    """pyarrow type -> pandas dtype, as the loader's dtypes are declared."""
    import pandas as pd
    import pyarrow as pa

    text = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' ``str``
    return {
        pa.int64(): pd.Int64Dtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.string(): text,
        pa.large_string(): text,
    }


def convert_arrow(
    arr: Any, field: dict[str, Any], encoded: vector.Distinct | None = None
) -> tuple[pa.ChunkedArray, np.ndarray]:
    """A text column converted to the field's type in pyarrow (empty cells
    and cells that do not fit become null) and a boolean numpy mask of the
    cells that did not fit. ``encoded``, the column's distinct values (see
    :meth:`RawTable.distinct`): each distinct value is converted once, and
    the rows take their value's result (no text is copied)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = field.get("type", "string")
    if t not in ("integer", "number", "boolean", "date"):
        return vector.empty_as_null(arr), np.zeros(len(arr), bool)
    if encoded is not None and len(encoded.column) == len(arr):
        values, bad = convert_arrow(encoded.values, field)
        return pc.take(values, encoded.indices), vector.to_bool(encoded.expand(pa.array(bad)))
    present = vector.nonempty(arr)
    null = pa.scalar(None, arr.type)

    def fits(pattern: str) -> Any:  # once per distinct value when the column repeats (numbers do)
        test = lambda a: pc.match_substring_regex(a, f"^(?:{pattern})$")  # noqa: E731
        return pc.fill_null(vector.per_value(arr, test), False)

    if t in ("integer", "number"):
        ok = fits(r"[+-]?[0-9]{1,18}" if t == "integer" else NUMBER)  # longer ones: see convert_table
        target = pa.int64() if t == "integer" else pa.float64()
        values = pc.cast(pc.utf8_ltrim(pc.if_else(ok, arr, null), "+"), target)
        if t == "number":  # 1e309 overflows to infinity: not a number a source printed
            finite = pc.fill_null(pc.is_finite(values), True)
            ok = pc.and_(ok, finite)
            values = pc.if_else(finite, values, pa.scalar(None, target))
        return values, vector.to_bool(pc.and_(present, pc.invert(ok)))
    if t == "boolean":
        is_true = vector.is_in(arr, field.get("trueValues", ["true"]))
        is_false = vector.is_in(arr, field.get("falseValues", ["false"]))
        values = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
        return values, vector.to_bool(pc.and_(present, pc.invert(pc.or_(is_true, is_false))))
    # date: the pattern, then a real calendar date (strptime is lenient:
    # 2023-02-30 would become 2023-03-02, so the result must print back)
    ok = fits(DATE)
    parsed = pc.strptime(pc.if_else(ok, arr, null), format="%Y-%m-%d", unit="ns", error_is_null=True)
    same = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), pc.cast(arr, pa.string())), False)
    parsed = pc.if_else(same, parsed, pa.scalar(None, parsed.type))
    return parsed, vector.to_bool(pc.and_(present, pc.invert(same)))


def categorical(arr: Any, field: dict[str, Any]) -> pa.ChunkedArray:
    """A dictionary array whose dictionary is the field's ``enum`` (pandas
    reads it as a categorical with exactly those categories). Call after
    checking membership: values outside the enum become null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    enum = pa.array(field["constraints"]["enum"], type=arr.type)
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    return pa.chunked_array(
        [pa.DictionaryArray.from_arrays(pc.index_in(c, value_set=enum), enum) for c in chunks],
        type=pa.dictionary(pa.int32(), arr.type),
    )


def reader(field: dict[str, Any]) -> Callable[[str], tuple[Any, dict[str, str] | None]]:
    """frictionless' reader of one cell of ``field``: (value, notes), notes
    naming the type or the constraints the cell fails. ``required`` and
    ``unique`` are left to the checks that see the whole column."""
    from frictionless import Field

    from jakdata.errors import UnusableInput

    desc = {k: v for k, v in field.items() if k not in ("missingValues", "constraints")}
    desc["constraints"] = {k: v for k, v in (field.get("constraints") or {}).items() if k not in ("required", "unique")}
    try:
        return Field.from_descriptor(desc).read_cell
    except Exception as exc:  # frictionless refuses the field descriptor
        raise UnusableInput(f"field {field.get('name')!r}: {' '.join(str(exc).split())}") from None


@dataclass
class Column:
    """One converted column: its values, the cells that do not fit the type,
    and (read by frictionless) the cells that fail each constraint."""

    values: Any  # a pyarrow array, or a pandas Series for the frictionless path
    bad: np.ndarray
    violations: dict[str, np.ndarray] = dc_field(default_factory=dict)


def read_python(arr: Any, field: dict[str, Any]) -> Column:
    """Convert a text column with frictionless' reader, once per distinct
    present value; the values as a pandas Series of the best dtype."""
    import pandas as pd
    import pyarrow.compute as pc

    read = reader(field)
    c = field.get("constraints") or {}
    pattern_check = "identifier-format" if "identifierScheme" in field else "pattern"
    cells = pc.cast(arr, "large_string").to_pandas()
    present = cells.str.len().fillna(0).to_numpy() > 0
    parsed: dict[str, tuple[Any, list[str]]] = {}
    try:
        for cell in pd.unique(cells[present]):
            value, notes = read(cell)
            names = [pattern_check if k == "pattern" else CONSTRAINTS[k] for k in (notes or {}) if k in CONSTRAINTS]
            parsed[cell] = (None, ["type"]) if notes and "type" in notes else (value, names)
    except Exception as exc:  # frictionless cannot compare a bound with a value
        from jakdata.errors import UnusableInput

        raise UnusableInput(f"field {field.get('name')!r}: its constraints cannot be applied ({exc})") from None
    failed = [parsed.get(x, (None, []))[1] if p else [] for x, p in zip(cells, present)]
    bad = np.array(["type" in f for f in failed], dtype=bool)
    violations = {}
    for name in {n for f in failed for n in f if n != "type"}:
        violations[name] = np.array([name in f for f in failed], dtype=bool)
    values = [parsed[x][0] if p and x in parsed else None for x, p in zip(cells, present)]
    series = _series(values, field)
    if c.get("unique"):
        keys = pd.Series([_hashable(v) for v in values], index=cells.index)
        dup = keys.notna() & keys.duplicated(keep="first")
        if dup.any():
            violations["unique"] = dup.to_numpy()
    return Column(series, bad, violations)


def _hashable(value: Any) -> Any:
    """A value as a key for ``unique``: itself, or (objects, arrays,
    geopoints) its canonical JSON."""
    import json

    try:
        hash(value)
    except TypeError:
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _series(values: list[Any], field: dict[str, Any]) -> pd.Series:
    """Typed values as a Series: Int64, Float64, boolean, datetime64 where
    they fit; otherwise Python objects (times, year-months, durations,
    geopoints, objects, arrays, integers beyond 64 bits, strings)."""
    import pandas as pd

    t = field.get("type", "string")
    try:
        if t in ("integer", "year") and all(v is None or -(2**63) <= v < 2**63 for v in values):
            return pd.Series(values, dtype="Int64")
        if t == "number":
            return pd.Series([None if v is None else float(v) for v in values], dtype="Float64")
        if t == "boolean":
            return pd.Series(values, dtype="boolean")
        if t == "date":
            return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]")
        if t == "datetime":
            aware = any(getattr(v, "tzinfo", None) is not None for v in values if v is not None)
            return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), utc=aware))
        if t == "string":
            return pd.Series(values, dtype="str")
    except (TypeError, ValueError, OverflowError):
        pass  # e.g. an integer beyond 64 bits, a date beyond pandas' range: kept as Python objects
    return pd.Series(values, dtype=object)


PARALLEL_FROM = 50_000  # rows from which a table's columns are converted on two threads


def convert_table(
    raw: RawTable, fields: list[dict[str, Any]], *, loader: bool = False
) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, dict[str, np.ndarray]]]:
    """The one type conversion, shared by the loader and the validator.

    Returns the typed frame of ``fields`` (those present in ``raw``), per
    column a boolean mask of cells that do not fit their type (missing in
    the frame) and, for the fields frictionless reads, per column the masks
    of cells failing each constraint. With ``loader``, enum columns of
    strings become categoricals whose categories are the enum (call it on
    a table whose enum membership is checked)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    present = [f for f in fields if f["name"] in raw.columns]

    def one(fld: dict[str, Any]) -> Column:
        text = raw.arrow(fld["name"])
        if not native(fld):
            return read_python(text, fld)
        encoded = raw.distinct(fld["name"])
        if fld.get("type") == "integer":  # a 19-digit integer may not fit 64 bits: read it exactly
            longest = pc.max(pc.binary_length(text if encoded is None else encoded.values)).as_py() or 0
            if longest >= 19:
                return read_python(text, fld)
        values, bad = convert_arrow(text, fld, encoded)
        enum = (fld.get("constraints") or {}).get("enum")
        if loader and enum and fld.get("type", "string") == "string":
            values = categorical(values, fld)
        return Column(values, bad)

    if len(raw) < PARALLEL_FROM:
        done = [one(fld) for fld in present]
    else:  # columns convert on both cores (pyarrow compute releases the GIL)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            done = list(pool.map(one, present))
    names = [f["name"] for f in present]
    arrow_cols = [(n, c.values) for n, c in zip(names, done) if not hasattr(c.values, "iloc")]
    if arrow_cols:
        table = pa.table([v for _, v in arrow_cols], names=[n for n, _ in arrow_cols])
        frame = table.to_pandas(types_mapper=pandas_types().get)  # index 0..n-1, as the raw frame's
    else:  # every field read by frictionless
        frame = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for i, (n, c) in enumerate(zip(names, done)):
        if hasattr(c.values, "iloc"):
            frame.insert(i, n, c.values.to_numpy() if c.values.dtype == object else c.values.array)
    return frame, {n: c.bad for n, c in zip(names, done)}, {n: c.violations for n, c in zip(names, done)}
