"""Table Schema types -> pandas dtypes, in one place for loader and checks.

string -> ``str`` (``category`` when the field has an ``enum``), integer ->
``Int64``, number -> ``Float64``, boolean -> ``boolean`` (``true``/``false``
unless the field declares ``trueValues``/``falseValues``), date ->
``datetime64``. Empty cells are missing. A cell that does not fit its type
becomes missing in the typed frame and a ``type`` finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


def convert_column(raw: "pd.Series", field: dict[str, Any]) -> tuple["pd.Series", "pd.Series"]:
    """Typed series and a boolean mask of cells that failed conversion."""
    import pandas as pd

    t = field.get("type", "string")
    present = raw != ""
    if t in ("string", "any") or t not in EXPECTED:
        out = raw.where(present, None).astype("str")
        return out, pd.Series(False, index=raw.index)
    if t == "integer":
        ok = raw.str.fullmatch(INTEGER)
        bad = present & ~ok
        out = pd.to_numeric(raw.where(present & ok, None), errors="coerce").astype("Int64")
        return out, bad
    if t == "number":
        ok = raw.str.fullmatch(NUMBER)
        bad = present & ~ok
        out = pd.to_numeric(raw.where(present & ok, None), errors="coerce").astype("Float64")
        return out, bad
    if t == "boolean":
        trues = set(field.get("trueValues", ["true"]))
        falses = set(field.get("falseValues", ["false"]))
        is_true = raw.isin(trues)
        is_false = raw.isin(falses)
        bad = present & ~(is_true | is_false)
        out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        out[is_true] = True
        out[is_false] = False
        return out, bad
    # date
    ok = raw.str.fullmatch(DATE)
    parsed = pd.to_datetime(raw.where(present & ok, None), format="%Y-%m-%d", errors="coerce")
    bad = present & (~ok | parsed.isna())
    return parsed.astype("datetime64[ns]"), bad


def to_categorical(series: "pd.Series", field: dict[str, Any]) -> "pd.Series":
    """Categorical with the enum's categories (call after checking membership)."""
    import pandas as pd

    return pd.Series(
        pd.Categorical(series, categories=field["constraints"]["enum"]), index=series.index, name=series.name
    )
