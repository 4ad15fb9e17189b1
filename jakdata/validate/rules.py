"""The rule registry and the helpers rules share.

A rule is a function ``rule(ctx) -> list[Finding]`` registered with
:func:`rule` under the name of its catalogue entry (the description lives
in :mod:`jakdata.catalogue`, once). Rules find their columns by
name (``drug_id``, ``dose``...) or through the schema (``foreignKeys``...),
so a fork's new table is checked without code changes. A rule computes a
boolean mask of offending rows and hands it to :meth:`Context.flag`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from jakdata.catalogue import CATALOGUE
from jakdata.package.schema import as_list

__all__ = ["Rule", "as_list", "collect", "is_in", "lookup", "rule", "tables_with", "target_of"]

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.findings import Finding
    from jakdata.table.arrow import Distinct
    from jakdata.validate.context import Context

Rule = Callable[["Context"], list["Finding"]]


def rule(name: str) -> Callable[[Rule], Rule]:
    """Mark a function as the rule of catalogue entry ``name``."""
    if name not in CATALOGUE:  # pragma: no cover - a programming error, caught by the tests
        raise KeyError(f"rule {name!r} has no catalogue entry")

    def mark(func: Rule) -> Rule:
        func.check = name  # type: ignore[attr-defined]
        return func

    return mark


def collect(*modules: ModuleType) -> dict[str, Rule]:
    """The rules defined in ``modules``, by catalogue name, in order."""
    out: dict[str, Rule] = {}
    for module in modules:
        for value in vars(module).values():
            name = getattr(value, "check", None)
            if callable(value) and isinstance(name, str):
                out[name] = value
    return out


def is_in(values: pd.Series, allowed: Any) -> pd.Series:
    """Membership test, vectorised with pyarrow (much faster than
    ``Series.isin`` on pandas ``str`` columns)."""
    import pandas as pd

    from jakdata.table import arrow as vector

    if not isinstance(allowed, (list, tuple, set, frozenset)):
        allowed = vector.arrow(allowed)
    return pd.Series(vector.to_bool(vector.is_in(values, allowed)), index=values.index)


def lookup(keys: pd.Series, ref_keys: pd.Series, ref_values: pd.Series, encoded: Distinct | None = None) -> pd.Series:
    """For each key, the value of the first ``ref_keys`` row with that key
    (missing where there is none): a vectorised ``Series.map``.

    ``encoded``: the distinct values of the very raw column ``keys`` holds,
    when it repeats itself (:meth:`RawTable.distinct` of that column; only
    its length can be checked here): each distinct key is then looked up
    once, and the rows take their key's position."""
    import pandas as pd
    import pyarrow.compute as pc

    from jakdata.table import arrow as vector

    def text(series: Any) -> Any:  # missing as "": a missing key finds a missing ref key
        if isinstance(series, pd.Series):
            series = vector.arrow(series if series.dtype == "str" else series.astype("str"))
        return pc.fill_null(series, "") if series.null_count else series  # no copy of a column with no gaps

    def positions(of: Any) -> Any:
        return pc.fill_null(pc.index_in(text(of), value_set=text(ref_keys)), -1).to_numpy(zero_copy_only=False)

    if encoded is not None and len(encoded.column) == len(keys):
        pos = positions(encoded.values)[encoded.codes]
    else:
        pos = positions(keys)
    # what ``reindex`` by position gives (-1: missing, the dtype widened as
    # reindex widens it), without its cost on a long column
    values = pd.api.extensions.take(ref_values.array, pos, allow_fill=True)
    return pd.Series(values, index=keys.index, name=ref_values.name)


def target_of(table: str, ref: dict[str, Any]) -> str:
    """The table a reference points at (its own table when ``resource`` is empty)."""
    res = ref.get("resource")
    return table if res in (None, "") else str(res)


def tables_with(ctx: Context, *cols: str, skip: str | None = None) -> list[str]:
    """Tables that have every column of ``cols`` (``skip`` left out)."""
    return [name for name in ctx.raws if name != skip and ctx.has(name, *cols)]
