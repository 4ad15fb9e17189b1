"""The loader: a package's tables as typed pandas DataFrames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jakdata.errors import DataError, UnknownTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.package.descriptor import Package, Resource
    from jakdata.validate.checker import Result


class Dataset:
    """All tables of one package. ``ds.outcomes`` is ``ds["outcomes"]``."""

    def __init__(self, package: Package, tables: dict[str, pd.DataFrame]):
        self._package = package
        self._tables = tables

    @property
    def tables(self) -> list[str]:
        """Table names, in descriptor order."""
        return list(self._tables)

    @property
    def version(self) -> str | None:
        """The data version (``datapackage.json`` ``version``)."""
        return self._package.version

    @property
    def name(self) -> str | None:
        return self._package.name

    @property
    def descriptor(self) -> dict[str, Any]:
        return self._package.descriptor

    @property
    def path(self) -> Path:
        """The package's ``datapackage.json``."""
        return self._package.path

    def schema(self, table: str) -> dict[str, Any]:
        """The Table Schema of ``table``."""
        return self._package.resources[table].schema

    def __getitem__(self, table: str) -> pd.DataFrame:
        try:
            return self._tables[table]
        except KeyError:
            raise UnknownTable(f"no table {table!r}; tables: {', '.join(self._tables)}") from None

    def __getattr__(self, table: str) -> pd.DataFrame:
        if table.startswith("_"):
            raise AttributeError(table)
        try:
            return self._tables[table]
        except KeyError:
            raise AttributeError(f"Dataset has no table {table!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __contains__(self, table: object) -> bool:
        return table in self._tables

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._tables))

    def __repr__(self) -> str:
        rows = ", ".join(f"{t}={len(df)}" for t, df in self._tables.items())
        return f"<jakdata.Dataset {self.name} {self.version}: {rows}>"


def typed_frame(package: Package, resource: Resource) -> pd.DataFrame:
    """Read one resource with its declared dtypes. The validator's own
    checks of the file's shape, header, types and enums run first, with a
    strict collector: the first finding raises :class:`DataError` carrying
    it (file, line, column, value, check)."""
    from jakdata.table.convert import convert_table
    from jakdata.table.read import read_table
    from jakdata.validate.checker import load_checks

    raw = read_table(resource)
    load_checks(package, raw)
    frame, _, _ = convert_table(raw, resource.fields, loader=True)
    return frame


def refuse_invalid(result: Result) -> None:
    """Raise :class:`DataError` naming the first finding of an invalid result."""
    if not result.valid:
        raise DataError(
            f"the package is not valid ({len(result.findings)} errors; the first: {result.findings[0]}); "
            "run `jakdata validate`; nothing was written"
        )


def load_valid(path: str | Path | None = None) -> tuple[Dataset, Result]:
    """Read a package once, validate it in memory, and (when it is valid)
    build its :class:`Dataset` from the same tables: for commands that
    refuse invalid data (export), one read and one validation. Raises
    :class:`DataError` naming the first finding when the package is invalid."""
    from jakdata.package.descriptor import open_package
    from jakdata.table.convert import convert_table
    from jakdata.validate.checker import validate_tables

    package = open_package(path)
    result, ctx = validate_tables(package)
    refuse_invalid(result)
    tables = {
        name: convert_table(ctx.raws[name], res.fields, loader=True)[0] for name, res in package.resources.items()
    }
    return Dataset(package, tables), result


def load(what: str | Path | None = None) -> Dataset | pd.DataFrame:
    """See :func:`jakdata.load`."""
    from jakdata.package.descriptor import open_package

    path = what
    if isinstance(what, str) and not isinstance(what, Path):
        from jakdata.package.descriptor import bundled_root

        # a name of a bundled table is that table, never a path (even where
        # the current directory holds a folder of that name)
        bundled = open_package(bundled_root())
        if what in bundled.resources:
            return typed_frame(bundled, bundled.resources[what])
        looks_like_table = "/" not in what and "\\" not in what and not what.endswith(".json")
        if looks_like_table and not Path(what).exists():
            raise UnknownTable(f"no table {what!r}; tables: {', '.join(bundled.resources)}")
    package = open_package(path)
    return Dataset(package, {name: typed_frame(package, res) for name, res in package.resources.items()})
