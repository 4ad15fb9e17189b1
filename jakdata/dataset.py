"""The loader: a package's tables as typed pandas DataFrames."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from jakdata.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.descriptor import Package, Resource


class Dataset:
    """All tables of one package. ``ds.outcomes`` is ``ds["outcomes"]``."""

    def __init__(self, package: "Package", tables: dict[str, "pd.DataFrame"]):
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

    def __getitem__(self, table: str) -> "pd.DataFrame":
        try:
            return self._tables[table]
        except KeyError:
            raise KeyError(f"no table {table!r}; tables: {', '.join(self._tables)}") from None

    def __getattr__(self, table: str) -> "pd.DataFrame":
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


PARALLEL_FROM = 50_000  # rows from which a table's columns are converted on two threads


def typed_frame(resource: "Resource") -> "pd.DataFrame":
    """Read one resource with its declared dtypes; raise :class:`DataError`
    naming file, line and column for a value that does not fit."""
    import pyarrow as pa

    from jakdata import vector
    from jakdata.read import read_table
    from jakdata.types import EXPECTED, categorical, convert_arrow, pandas_types

    raw = read_table(resource)
    if raw.findings:
        f = raw.findings[0]
        raise DataError(f"{raw.relpath}:{f.row}: {f.message}; run `jakdata validate`")
    expected = resource.field_names
    if raw.header != expected:
        raise DataError(
            f"{raw.relpath}:1: columns {raw.header} differ from the schema's {expected}; run `jakdata validate`"
        )
    def typed(fld):
        name = fld["name"]
        text = raw.arrow(name)
        values, bad = convert_arrow(text, fld)
        if bad.any():
            i = int(bad.nonzero()[0][0])
            raise DataError(
                f"{raw.relpath}:{raw.lines[i]} {name}={text[i].as_py()!r}: not {EXPECTED[fld['type']]} "
                "(the validator's `type` check); run `jakdata validate`"
            )
        enum = fld.get("constraints", {}).get("enum")
        if enum and fld.get("type", "string") == "string":
            outside = vector.positions(_outside_enum(values, enum))
            if len(outside):
                i = int(outside[0])
                raise DataError(
                    f"{raw.relpath}:{raw.lines[i]} {name}={text[i].as_py()!r}: not one of {enum}; "
                    "run `jakdata validate`"
                )
            values = categorical(values, fld)
        return values

    if raw.table.num_rows < PARALLEL_FROM:
        columns = [typed(fld) for fld in resource.fields]
    else:  # columns convert on both cores (pyarrow compute releases the GIL)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            columns = list(pool.map(typed, resource.fields))  # the first error in column order is raised
    table = pa.table(columns, names=expected)
    return table.to_pandas(types_mapper=pandas_types().get)


def _outside_enum(typed, enum):
    """Present values not in ``enum``."""
    import pyarrow.compute as pc

    from jakdata import vector

    return pc.and_(pc.is_valid(typed), pc.invert(vector.is_in(typed, enum)))


def load(what: Any = None) -> "Dataset | pd.DataFrame":
    from jakdata.descriptor import open_package

    table = None
    path = what
    if isinstance(what, str) and "/" not in what and "\\" not in what and not what.endswith(".json"):
        if not Path(what).exists():
            table, path = what, None
    package = open_package(path)
    if table is not None:
        if table not in package.resources:
            raise KeyError(f"no table {table!r}; tables: {', '.join(package.resources)}")
        return typed_frame(package.resources[table])
    return Dataset(package, {name: typed_frame(res) for name, res in package.resources.items()})
