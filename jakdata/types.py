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


def convert_column(raw: "pd.Series", field: dict[str, Any], arr=None) -> tuple["pd.Series", "np.ndarray"]:
    """Typed series and a boolean numpy mask of cells that failed conversion.

    ``arr`` is the same column as a pyarrow array, when the caller has it;
    conversion runs in pyarrow either way."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from jakdata import vector

    arr = vector.arrow(raw) if arr is None else arr
    t = field.get("type", "string")
    present = pc.greater(pc.binary_length(arr), 0)
    null = pa.scalar(None, arr.type)

    def series(values, dtype=None) -> "pd.Series":
        text = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' ``str``
        mapper = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype(),
                  pa.string(): text, pa.large_string(): text}
        out = values.to_pandas(types_mapper=mapper.get)
        out = pd.Series(out, name=raw.name)
        out.index = raw.index
        return out if dtype is None else out.astype(dtype)

    def fits(pattern: str):
        return pc.fill_null(pc.match_substring_regex(arr, f"^(?:{pattern})$"), False)

    if t in ("string", "any") or t not in EXPECTED:
        return series(vector.empty_as_null(arr), "str"), np.zeros(len(raw), bool)
    if t in ("integer", "number"):
        # an integer of more than 18 digits does not fit 64 bits: a type error
        ok = fits(r"[+-]?[0-9]{1,18}" if t == "integer" else NUMBER)
        target = pa.int64() if t == "integer" else pa.float64()
        values = pc.cast(pc.utf8_ltrim(pc.if_else(ok, arr, null), "+"), target)
        bad = pc.and_(present, pc.invert(ok))
        return series(values), vector.to_bool(bad)
    if t == "boolean":
        is_true = vector.is_in(arr, field.get("trueValues", ["true"]))
        is_false = vector.is_in(arr, field.get("falseValues", ["false"]))
        values = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
        bad = pc.and_(present, pc.invert(pc.or_(is_true, is_false)))
        return series(values), vector.to_bool(bad)
    # date: the pattern, then a real calendar date (strptime is lenient:
    # 2023-02-30 would become 2023-03-02, so the result must print back)
    ok = fits(DATE)
    parsed = pc.strptime(pc.if_else(ok, arr, null), format="%Y-%m-%d", unit="ns", error_is_null=True)
    same = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), pc.cast(arr, pa.string())), False)
    parsed = pc.if_else(same, parsed, pa.scalar(None, parsed.type))
    bad = pc.and_(present, pc.invert(same))
    return series(parsed, "datetime64[ns]"), vector.to_bool(bad)


def to_categorical(series: "pd.Series", field: dict[str, Any]) -> "pd.Series":
    """Categorical with the enum's categories (call after checking membership)."""
    import pandas as pd

    return pd.Series(
        pd.Categorical(series, categories=field["constraints"]["enum"]), index=series.index, name=series.name
    )
