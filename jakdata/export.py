"""Exports to other tools: SQLite, Parquet, Excel. Never overwrites an
existing output unless asked to."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset

FORMATS = ("sqlite", "parquet", "xlsx")
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT", "string": "TEXT"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class OutputExists(Exception):
    pass


def _claim(output: Path, force: bool) -> None:
    if output.exists():
        if not force:
            raise OutputExists(f"{output} exists; use --force to replace it")
        if output.is_dir():
            shutil.rmtree(output)
        else:
            output.unlink()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def to_sqlite(ds: "Dataset", output: Path) -> None:
    import pandas as pd

    con = sqlite3.connect(output)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        for name in ds.tables:
            schema = ds.schema(name)
            cols = []
            for f in schema["fields"]:
                c = f"{_q(f['name'])} {SQL_TYPES.get(f.get('type', 'string'), 'TEXT')}"
                if f.get("constraints", {}).get("required"):
                    c += " NOT NULL"
                cols.append(c)
            pk = schema.get("primaryKey")
            if pk:
                pk = [pk] if isinstance(pk, str) else pk
                cols.append(f"PRIMARY KEY ({', '.join(map(_q, pk))})")
            for fk in schema.get("foreignKeys", []) or []:
                target = fk["reference"].get("resource") or name
                cols.append(f"FOREIGN KEY ({', '.join(map(_q, fk['fields']))}) REFERENCES {_q(target)} "
                            f"({', '.join(map(_q, fk['reference']['fields']))})")
            con.execute(f"CREATE TABLE {_q(name)} (\n  " + ",\n  ".join(cols) + "\n)")
        con.execute("PRAGMA defer_foreign_keys = ON")
        with con:
            for name in ds.tables:
                df = ds[name]
                rows = []
                for rec in df.astype(object).itertuples(index=False):
                    row = []
                    for v in rec:
                        if v is None or v is pd.NA or (isinstance(v, float) and v != v) or v is pd.NaT:
                            row.append(None)
                        elif isinstance(v, pd.Timestamp):
                            row.append(v.date().isoformat())
                        elif isinstance(v, bool):
                            row.append(int(v))
                        else:
                            row.append(v)
                    rows.append(row)
                marks = ", ".join("?" * len(df.columns))
                con.executemany(f"INSERT INTO {_q(name)} VALUES ({marks})", rows)
    finally:
        con.close()


def to_parquet(ds: "Dataset", output: Path) -> None:
    output.mkdir(parents=True)
    for name in ds.tables:
        ds[name].to_parquet(output / f"{name}.parquet", index=False)


def neutralise(value):
    """Prefix a quote to text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def to_xlsx(ds: "Dataset", output: Path) -> None:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise RuntimeError('Excel export needs openpyxl: pip install "jakdata[xlsx]"') from None
    import pandas as pd

    with pd.ExcelWriter(output, engine="openpyxl") as writer:
        for name in ds.tables:
            df = ds[name].copy()
            for col in df.columns:
                if df[col].dtype == "str" or isinstance(df[col].dtype, pd.CategoricalDtype):
                    df[col] = df[col].astype(object).map(neutralise)
            df.to_excel(writer, sheet_name=name[:31], index=False)


def export(ds: "Dataset", fmt: str, output: str | Path, force: bool = False) -> Path:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    output = Path(output)
    _claim(output, force)
    {"sqlite": to_sqlite, "parquet": to_parquet, "xlsx": to_xlsx}[fmt](ds, output)
    return output
