"""`jakdata export`: every table to SQLite, Parquet or Excel.

Export refuses invalid data (the validator's first finding, one line) and
writes nothing then. Outputs are written atomically (a temporary file or
directory beside the target, renamed into place), never through a symlink.
``force`` replaces an existing file, or a directory that an earlier
``jakdata export --format parquet`` made (it holds our marker file); any
other directory — a package, a home folder — is never replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jakdata.errors import DataError, MissingExtra, OutputExists, UnusableInput
from jakdata.package.files import atomic_path, check_target, umask, write_atomic

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset

FORMATS = ("sqlite", "parquet", "xlsx")
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT", "string": "TEXT"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MARKER = ".jakdata-export.json"  # in a Parquet output directory: it is ours to replace
XLSX_SHEET_MAX = 31
ABOUT = "About"  # the first sheet of an Excel export: what the workbook is


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _names_fit(ds: Dataset, fmt: str) -> None:
    """Refuse table names the target format cannot hold as they are."""
    from jakdata.package.schema import check_file_name

    seen: dict[str, str] = {}
    for name in ds.tables:
        if fmt == "parquet":
            check_file_name(name)
        if fmt == "xlsx" and len(name) > XLSX_SHEET_MAX:
            raise UnusableInput(
                f"table name {name!r} is longer than an Excel sheet name can be "
                f"({XLSX_SHEET_MAX} characters); export to sqlite or parquet instead"
            )
        if fmt == "sqlite" and name.lower().startswith("sqlite_"):
            raise UnusableInput(f"table name {name!r} is reserved by SQLite (names starting with sqlite_)")
        folded = name.casefold()
        if fmt == "xlsx" and folded == ABOUT.casefold():
            raise UnusableInput(
                f"table name {name!r} is the Excel export's own first sheet; export to sqlite or parquet"
            )
        if folded in seen:  # SQLite tables and Excel sheets ignore case
            raise UnusableInput(
                f"table names {seen[folded]!r} and {name!r} differ only in case; {fmt} would merge them"
            )
        seen[folded] = name


def _rows(df: Any) -> list[list[Any]]:
    import pandas as pd

    rows = []
    for rec in df.astype(object).itertuples(index=False):
        row: list[Any] = []
        for v in rec:
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                row.append(None)
            elif isinstance(v, pd.Timestamp):
                row.append(v.date().isoformat())
            elif isinstance(v, bool):
                row.append(int(v))
            else:
                row.append(v)
        rows.append(row)
    return rows


def to_sqlite(ds: Dataset, output: Path) -> None:
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
                fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
                ref_fields = fk["reference"]["fields"]
                ref_fields = [ref_fields] if isinstance(ref_fields, str) else ref_fields
                target = fk["reference"].get("resource") or name
                cols.append(
                    f"FOREIGN KEY ({', '.join(map(_q, fields))}) REFERENCES {_q(target)} "
                    f"({', '.join(map(_q, ref_fields))})"
                )
            con.execute(f"CREATE TABLE {_q(name)} (\n  " + ",\n  ".join(cols) + "\n)")
        con.execute("PRAGMA defer_foreign_keys = ON")
        with con:
            for name in ds.tables:
                df = ds[name]
                marks = ", ".join("?" * len(df.columns))
                con.executemany(f"INSERT INTO {_q(name)} VALUES ({marks})", _rows(df))
            from jakdata.tools.site import add_to_sqlite

            add_to_sqlite(con, ds)  # search tables, full-text indexes, source links (for Datasette and others)
    except sqlite3.Error as exc:
        raise DataError(f"SQLite refused the data ({exc}); run `jakdata validate`") from None
    finally:
        con.close()


def to_parquet(ds: Dataset, output: Path) -> None:
    """``output`` is a new, empty directory."""
    for name in ds.tables:
        ds[name].to_parquet(output / f"{name}.parquet", index=False)
    (output / MARKER).write_text(json.dumps({"tables": ds.tables, "version": ds.version}) + "\n", encoding="utf-8")


def neutralise(value: Any) -> Any:
    """Prefix a quote to text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def about_rows(ds: Dataset) -> list[tuple[str, str, int | None]]:
    """The About sheet: (item, value, rows) — version, fingerprint, licence,
    how to cite, then one line per table with its description and row count."""
    from jakdata.package.hashing import fingerprint
    from jakdata.tools.citation import cite

    d = ds.descriptor
    licences = "; ".join(
        f"{lic.get('title') or lic.get('name') or ''} ({lic['path']})".replace(" ()", "").strip()
        if lic.get("path")
        else str(lic.get("title") or lic.get("name") or "")
        for lic in d.get("licenses") or []
    )
    rows: list[tuple[str, str, int | None]] = [
        ("dataset", str(d.get("title") or d.get("name") or ""), None),
        ("version", str(ds.version), None),
        ("content fingerprint", fingerprint(ds.path), None),
        ("licence", licences or "not stated in the descriptor", None),
        ("how to cite", cite(ds.path, "text").strip(), None),
        ("sheets", "this sheet, then one sheet per table below (header row frozen, filters on)", None),
    ]
    for name in ds.tables:
        rows.append((f"table: {name}", str(ds.schema(name).get("description", "")), len(ds[name])))
    return rows


def to_xlsx(ds: Dataset, output: Path) -> None:
    """One sheet per table after an "About" sheet; every sheet with its
    header row frozen and an autofilter over its data."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise MissingExtra("Excel export (openpyxl)", "xlsx") from None
    import pandas as pd

    with pd.ExcelWriter(output, engine="openpyxl") as writer:
        about = pd.DataFrame(about_rows(ds), columns=["item", "value", "rows"]).astype({"rows": "Int64"})
        about["value"] = about["value"].map(neutralise)
        about.to_excel(writer, sheet_name=ABOUT, index=False)
        for name in ds.tables:
            df = ds[name].copy()
            for col in df.columns:
                if df[col].dtype == "str" or isinstance(df[col].dtype, pd.CategoricalDtype):
                    df[col] = df[col].astype(object).map(neutralise)
            df.to_excel(writer, sheet_name=name, index=False)
        for ws in writer.book.worksheets:
            ws.freeze_panes = "A2"  # the header row stays in view
            ws.auto_filter.ref = ws.dimensions
            for cells in ws.iter_cols(min_row=1, max_row=1):
                cell = cells[0]
                width = max(len(str(cell.value or "")), 8) + 2
                ws.column_dimensions[cell.column_letter].width = min(width, 40)
        sheet = writer.book[ABOUT]
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 110
        sheet.column_dimensions["C"].width = 8


def _refuse_invalid(ds: Dataset) -> None:
    from jakdata.dataset import refuse_invalid
    from jakdata.validate.checker import validate_package

    refuse_invalid(validate_package(ds.path))


def _inside(a: Path, b: Path) -> bool:
    """``a`` is ``b`` or lies inside it."""
    try:
        a.resolve().relative_to(b.resolve())
        return True
    except ValueError:
        return False


def _replace_dir(output: Path, force: bool, fill: Any) -> None:
    """Fill a new directory beside ``output`` and rename it into place."""
    if output.is_symlink():
        raise OutputExists(f"{output} is a symbolic link; jakdata never writes through one")
    old = None
    if output.exists():
        if not output.is_dir():
            raise OutputExists(f"{output} exists and is not a directory; Parquet export writes a directory")
        if not force:
            raise OutputExists(f"{output} exists; use --force to replace it")
        if not (output / MARKER).is_file():
            raise OutputExists(
                f"{output} is a directory that `jakdata export` did not make; "
                "it is never replaced: choose a new output directory"
            )
        old = output
    parent = output.parent
    if not parent.is_dir():
        raise UnusableInput("the output directory does not exist", str(parent))
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=parent))
    try:
        os.chmod(tmp, 0o777 & ~umask())  # mkdtemp makes it 0700; the output is an ordinary directory
        fill(tmp)
        if old is not None:
            trash = Path(tempfile.mkdtemp(prefix=f".{output.name}.old.", dir=parent))
            os.replace(old, trash / "x")
            os.replace(tmp, output)
            shutil.rmtree(trash)
        else:
            os.replace(tmp, output)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def export(ds: Dataset, fmt: str, output: str | Path, force: bool = False, *, validated: bool = False) -> Path:
    """Write every table of ``ds`` as ``fmt``. Invalid data is refused: the
    package is validated unless the caller did (``validated``: a dataset
    from :func:`jakdata.dataset.load_valid`)."""
    if fmt not in FORMATS:
        raise UnusableInput(f"format must be one of {', '.join(FORMATS)}")
    output = Path(output)
    if _inside(ds.path.parent, output) or _inside(output, ds.path.parent):
        raise OutputExists(
            f"{output} is the package's own directory or lies inside it; export to a place outside the package"
        )
    _names_fit(ds, fmt)
    if fmt == "parquet":
        if output.exists() and not force and not output.is_symlink():
            raise OutputExists(f"{output} exists; use --force to replace it")
    else:
        check_target(output, force)
    if not validated:
        _refuse_invalid(ds)
    if fmt == "parquet":
        _replace_dir(output, force, lambda tmp: to_parquet(ds, tmp))
    else:
        meta = metadata_path(output) if fmt == "sqlite" else None
        if meta is not None:
            check_target(meta, force)
        with atomic_path(output, force) as tmp:
            tmp.unlink()  # sqlite3 and openpyxl create the file themselves
            (to_sqlite if fmt == "sqlite" else to_xlsx)(ds, tmp)
        if meta is not None:
            from jakdata.tools.site import metadata

            write_atomic(meta, json.dumps(metadata(ds, output.stem), indent=2, ensure_ascii=False) + "\n", force)
    return output


def metadata_path(output: Path) -> Path:
    """Where the Datasette metadata of a SQLite export goes: beside it,
    ``jak.sqlite`` -> ``jak.metadata.json``."""
    return output.with_name(output.stem + ".metadata.json")
