"""jakdata: an evidence dataset on JAK inhibitors in dermatology.

The public surface::

    import jakdata
    ds = jakdata.load()                 # the whole dataset (a Dataset)
    outcomes = jakdata.load("outcomes") # one table (a DataFrame)
    fork = jakdata.load("path/to/fork") # another package following the model
    jakdata.find("乌帕替尼"); jakdata.evidence(); jakdata.cite()

``import jakdata`` stays cheap: pandas, pandera, frictionless and click are
imported only by the functions that need them. Every error jakdata raises
on purpose is a :class:`jakdata.errors.JakdataError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from jakdata.errors import DataError, JakdataError, MissingExtra, OutputExists, UnknownTable, UnusableInput

__all__ = [
    "DataError",
    "Dataset",
    "JakdataError",
    "MissingExtra",
    "OutputExists",
    "UnknownTable",
    "UnusableInput",
    "__version__",
    "arms_frame",
    "cite",
    "evidence",
    "find",
    "load",
    "pairwise",
]

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.dataset import Dataset
    from jakdata.frames import arms_frame, pairwise
    from jakdata.lookup import find
    from jakdata.tools.citation import cite
    from jakdata.views import evidence

    __version__: str

_LAZY = {
    "cite": "jakdata.tools.citation",
    "evidence": "jakdata.views",
    "find": "jakdata.lookup",
    "Dataset": "jakdata.dataset",
    "arms_frame": "jakdata.frames",
    "pairwise": "jakdata.frames",
}


@overload
def load(what: None = None) -> Dataset: ...
@overload
def load(what: Path) -> Dataset: ...
@overload
def load(what: str) -> Dataset | pd.DataFrame: ...


def load(what: str | Path | None = None) -> Dataset | pd.DataFrame:
    """Load the bundled dataset, one of its tables, or another package.

    ``load()`` -> :class:`Dataset`; ``load("outcomes")`` -> DataFrame (a
    name of a bundled table is always that table, never a path: give a
    folder of the same name as ``Path("outcomes")`` or ``"./outcomes"``);
    ``load(path)`` -> :class:`Dataset` of the package at ``path`` (a
    directory or its ``datapackage.json``). A :class:`DataError` carries
    its :class:`~jakdata.findings.Finding` (``.finding``: table, line,
    column, value, check). Raises only
    :class:`jakdata.errors.JakdataError` subclasses: :class:`UnusableInput`
    (no such package or table, unreadable files) and :class:`DataError` (a
    value that does not fit its schema).
    """
    from jakdata.dataset import load as _load

    return _load(what)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from jakdata.package.descriptor import bundled_version

        return bundled_version()
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'jakdata' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public surface, lazy functions included (``dir(jakdata)``)."""
    return sorted(set(__all__) | {n for n in globals() if n.startswith("__")})
