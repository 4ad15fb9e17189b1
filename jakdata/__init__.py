"""jakdata: an evidence dataset on JAK inhibitors in dermatology.

``import jakdata`` stays cheap: pandas, pandera, frictionless and click are
imported only by the functions that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Dataset", "cite", "evidence", "find", "load", "__version__"]

_LAZY = {"cite": "jakdata.citation", "evidence": "jakdata.views", "find": "jakdata.lookup"}

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset


def load(what: Any = None) -> Any:
    """Load the bundled dataset, one of its tables, or another package.

    ``load()`` -> :class:`Dataset`; ``load("outcomes")`` -> DataFrame;
    ``load(path)`` -> :class:`Dataset` of the package at ``path`` (a
    directory or its ``datapackage.json``).
    """
    from jakdata.dataset import load as _load

    return _load(what)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from jakdata.descriptor import bundled_version

        return bundled_version()
    if name == "Dataset":
        from jakdata.dataset import Dataset

        return Dataset
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'jakdata' has no attribute {name!r}")
