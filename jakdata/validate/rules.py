"""The rule registry and the helpers rules share.

A rule is a function ``rule(ctx) -> list[Finding]`` registered with
:func:`rule` under the name of its catalogue entry (the description lives
in :mod:`jakdata.validate.catalogue`, once). Rules find their columns by
name (``drug_id``, ``dose``...) or through the schema (``foreignKeys``...),
so a fork's new table is checked without code changes. A rule computes a
boolean mask of offending rows and hands it to :meth:`Context.flag`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from jakdata.validate.catalogue import CATALOGUE

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.validate.context import Context
    from jakdata.validate.findings import Finding

Rule = Callable[["Context"], list["Finding"]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a rule under its catalogue name."""
    if name not in CATALOGUE:  # pragma: no cover - a programming error, caught by the tests
        raise KeyError(f"rule {name!r} has no catalogue entry")

    def register(func: Rule) -> Rule:
        RULES[name] = func
        return func

    return register


def run(ctx: Context, names: Iterable[str] | None = None) -> list[Finding]:
    """Findings of every registered rule (or of ``names`` only)."""
    out: list[Finding] = []
    for name in RULES if names is None else names:
        out += RULES[name](ctx)
    return out


def as_list(v: Any) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def is_in(values: pd.Series, allowed: Any) -> pd.Series:
    """Membership test, vectorised with pyarrow (much faster than
    ``Series.isin`` on pandas ``str`` columns)."""
    import pandas as pd

    from jakdata.table import arrow as vector

    if not isinstance(allowed, (list, tuple, set, frozenset)):
        allowed = vector.arrow(allowed)
    return pd.Series(vector.to_bool(vector.is_in(values, allowed)), index=values.index)


def lookup(keys: pd.Series, ref_keys: pd.Series, ref_values: pd.Series) -> pd.Series:
    """For each key, the value of the first ``ref_keys`` row with that key
    (missing where there is none): a vectorised ``Series.map``."""
    import pyarrow.compute as pc

    from jakdata.table import arrow as vector

    ref = vector.arrow(ref_keys.astype("str").where(ref_keys.notna(), ""))
    pos = pc.fill_null(pc.index_in(vector.arrow(keys.where(keys.notna(), "")), value_set=ref), -1)
    out = ref_values.reset_index(drop=True).reindex(pos.to_numpy(zero_copy_only=False))
    return out.set_axis(keys.index)


def target_of(table: str, ref: dict[str, Any]) -> str:
    """The table a reference points at (its own table when ``resource`` is empty)."""
    res = ref.get("resource")
    return table if res in (None, "") else str(res)


def tables_with(ctx: Context, *cols: str, skip: str | None = None) -> list[str]:
    """Tables that have every column of ``cols`` (``skip`` left out)."""
    return [name for name in ctx.raws if name != skip and ctx.has(name, *cols)]


# The rules themselves, registered on import (after the helpers they use).
from jakdata.validate import domain as _domain  # noqa: E402, F401
from jakdata.validate import keys as _keys  # noqa: E402, F401
