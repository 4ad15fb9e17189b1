"""Table Schema types -> pandas dtypes, in one place for loader and checks.

string -> ``str`` (``category`` when the field has an ``enum``), integer ->
``Int64``, number -> ``Float64``, boolean -> ``boolean`` (``true``/``false``
unless the field declares ``trueValues``/``falseValues``), date ->
``datetime64``. Empty cells are missing. A cell that does not fit its type
becomes missing in the typed frame and a ``type`` finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from jakdata.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

    from jakdata.table.read import RawTable

INTEGER = r"[+-]?[0-9]+"
NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

EXPECTED = {
    "integer": "an integer",
    "number": "a number with '.' as decimal separator",
    "boolean": "true or false",
    "date": "a date YYYY-MM-DD",
}


def dtype_of(field: dict[str, Any]) -> str:
    t = field.get("type", "string")
    if t == "string":
        return "category" if field.get("constraints", {}).get("enum") else "str"
    return {"integer": "Int64", "number": "Float64", "boolean": "boolean", "date": "datetime64[ns]"}.get(t, "str")


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


def convert_arrow(arr, field: dict[str, Any]) -> tuple[pa.ChunkedArray, np.ndarray]:
    """A text column converted to the field's type in pyarrow (empty cells
    and cells that do not fit become null) and a boolean numpy mask of the
    cells that did not fit."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from jakdata.table import arrow as vector

    t = field.get("type", "string")
    if t in ("string", "any") or t not in EXPECTED:
        return vector.empty_as_null(arr), np.zeros(len(arr), bool)
    present = pc.greater(pc.binary_length(arr), 0)
    null = pa.scalar(None, arr.type)

    def fits(pattern: str):  # once per distinct value when the column repeats (numbers do)
        test = lambda a: pc.match_substring_regex(a, f"^(?:{pattern})$")  # noqa: E731
        return pc.fill_null(vector.per_value(arr, test), False)

    if t in ("integer", "number"):
        # an integer of more than 18 digits does not fit 64 bits: a type error
        ok = fits(r"[+-]?[0-9]{1,18}" if t == "integer" else NUMBER)
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


def categorical(arr, field: dict[str, Any]):
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


PARALLEL_FROM = 50_000  # rows from which a table's columns are converted on two threads


def convert_table(
    raw: RawTable, fields: list[dict[str, Any]], *, loader: bool = False
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The one type conversion, shared by the loader and the validator.

    Returns the typed frame of ``fields`` (those present in ``raw``) and,
    per column, a boolean mask of cells that do not fit their type (missing
    in the frame). With ``loader``, the first such cell — or a value outside
    an ``enum`` — raises :class:`DataError` naming file, line and column,
    and enum columns become categoricals whose categories are the enum."""
    import pyarrow as pa

    from jakdata.table import arrow as vector

    present = [f for f in fields if f["name"] in raw.columns]

    def one(fld: dict[str, Any]) -> tuple[pa.ChunkedArray, np.ndarray]:
        name = fld["name"]
        text = raw.arrow(name)
        values, bad = convert_arrow(text, fld)
        if not loader:
            return values, bad
        if bad.any():
            i = int(bad.nonzero()[0][0])
            raise _data_error(
                raw, i, name, text[i].as_py(), f"not {EXPECTED[fld['type']]} (the validator's `type` check)"
            )
        enum = fld.get("constraints", {}).get("enum")
        if enum and fld.get("type", "string") == "string":
            outside = vector.positions(_outside_enum(values, enum))
            if len(outside):
                i = int(outside[0])
                raise _data_error(raw, i, name, text[i].as_py(), f"not one of {enum}")
            values = categorical(values, fld)
        return values, bad

    if len(raw) < PARALLEL_FROM:
        done = [one(fld) for fld in present]
    else:  # columns convert on both cores (pyarrow compute releases the GIL)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            done = list(pool.map(one, present))  # the first error in column order is raised
    names = [f["name"] for f in present]
    table = pa.table([values for values, _ in done], names=names)
    frame = table.to_pandas(types_mapper=pandas_types().get)
    if not loader:
        frame.index = raw.frame.index
    return frame, {name: bad for name, (_, bad) in zip(names, done)}


def _data_error(raw: RawTable, i: int, column: str, value: Any, message: str) -> DataError:
    return DataError(f"{raw.relpath}:{raw.lines[i]} {column}={value!r}: {message}; run `jakdata validate`")


def _outside_enum(typed: pa.ChunkedArray, enum: list[str]) -> pa.ChunkedArray:
    """Present values not in ``enum``."""
    import pyarrow.compute as pc

    from jakdata.table import arrow as vector

    return pc.and_(pc.is_valid(typed), pc.invert(vector.is_in(typed, enum)))
