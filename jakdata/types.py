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

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

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
    return {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype(),
            pa.string(): text, pa.large_string(): text}


def convert_arrow(arr, field: dict[str, Any]) -> tuple["pa.ChunkedArray", "np.ndarray"]:
    """A text column converted to the field's type in pyarrow (empty cells
    and cells that do not fit become null) and a boolean numpy mask of the
    cells that did not fit."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from jakdata import vector

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


def convert_column(raw: "pd.Series", field: dict[str, Any], arr=None) -> tuple["pd.Series", "np.ndarray"]:
    """Typed series and a boolean numpy mask of cells that failed conversion.

    ``arr`` is the same column as a pyarrow array, when the caller has it."""
    import pandas as pd

    from jakdata import vector

    typed, bad = convert_arrow(vector.arrow(raw) if arr is None else arr, field)
    out = pd.Series(typed.to_pandas(types_mapper=pandas_types().get), name=raw.name)
    out.index = raw.index
    if field.get("type") == "date":
        out = out.astype("datetime64[ns]")
    return out, bad


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
