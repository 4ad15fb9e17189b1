"""What every check sees: the package, its raw tables and typed tables, and
the one way a check turns offending rows into findings (:meth:`Context.flag`)."""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from jakdata.findings import Collector, Finding

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.package.descriptor import Package, Resource
    from jakdata.table.read import RawTable


class Context:
    """``collector`` decides what a finding does: a lazy one (the
    validator's) lets checks return them all; a strict one (the loader's)
    raises :class:`~jakdata.errors.DataError` at the first."""

    def __init__(self, package: Package, raws: dict[str, RawTable], collector: Collector | None = None):
        self.package = package
        self.raws = raws
        self.collector = collector if collector is not None else Collector(lazy=True)
        self._typed: dict[str, tuple[pd.DataFrame, list[Finding], dict[str, dict[str, Any]]]] = {}
        self._lock = threading.Lock()  # checks run on several threads

    def resource(self, name: str) -> Resource:
        return self.package.resources[name]

    def has(self, table: str, *cols: str) -> bool:
        """The table exists and its file has every column of ``cols``."""
        return table in self.raws and all(c in self.raws[table].columns for c in cols)

    def field(self, table: str, column: str) -> dict[str, Any] | None:
        for f in self.resource(table).fields:
            if f["name"] == column:
                return f
        return None

    def typed(self, name: str) -> pd.DataFrame:
        """The table with declared dtypes (enum columns stay ``str``); cells
        that do not fit their type are missing here (see :meth:`type_findings`)."""
        return self._convert(name)[0]

    def type_findings(self, name: str) -> list[Finding]:
        """One ``type`` finding per cell that does not fit its field's type."""
        return self._convert(name)[1]

    def violations(self, name: str) -> dict[str, dict[str, Any]]:
        """Per column, per constraint check, the mask of cells failing it —
        for the fields frictionless' reader converts (see
        :mod:`jakdata.table.convert`); the others' constraints are pandera's."""
        return self._convert(name)[2]

    def _convert(self, name: str) -> tuple[pd.DataFrame, list[Finding], dict[str, dict[str, Any]]]:
        with self._lock:
            if name not in self._typed:
                from jakdata.table.convert import convert_table

                raw = self.raws[name]
                fields = self.resource(name).fields
                frame, bad, violations = convert_table(raw, fields)
                findings = []
                for fld in fields:
                    col = fld["name"]
                    if col in bad and bad[col].any():
                        findings += self.flag(
                            name,
                            bad[col],
                            col,
                            "type",
                            expected=expected(fld),
                            hint=_type_hint(fld, raw.frame[col], bad[col]),
                        )
                self._typed[name] = (frame, findings, violations)
            return self._typed[name]

    def line(self, table: str, position: int) -> int:
        return int(self.raws[table].lines[position])

    def finding(
        self,
        table: str,
        position: int | None,
        column: str | None,
        value: Any,
        check: str,
        message: str | None = None,
        **details: Any,
    ) -> Finding:
        """The finding of ``check`` at a row position of ``table`` (its
        message: ``message`` or the catalogue's template, from ``details``),
        handed to the collector (which raises if it is strict)."""
        row = None if position is None else self.line(table, position)
        path = self.raws[table].relpath if table in self.raws else None
        found = Finding.of(
            check, table=table, row=row, column=column, value=value, path=path, message=message, **details
        )
        return self.collector.add(found) if not self.collector.lazy else found

    def flag(
        self,
        table: str,
        mask: Any,
        column: str,
        check: str,
        message: str | None = None,
        values: pd.Series | None = None,
        **details: Any,
    ) -> list[Finding]:
        """One finding per row where ``mask`` is true. The offending value is
        the raw cell of ``column`` (or of ``values``); ``message`` is a
        ``str.format`` template (default: the catalogue's) whose fields come
        from ``details`` — a Series is read at the row, anything else used as
        it is."""
        from jakdata.table.arrow import positions

        hits = positions(mask)
        if not len(hits):
            return []
        shown = self.raws[table].frame[column] if values is None else values
        out = []
        for i in (int(i) for i in hits):
            fields = {k: (v.iloc[i] if hasattr(v, "iloc") else v) for k, v in details.items()}
            out.append(self.finding(table, i, column, shown.iloc[i], check, message, **fields))
        return out

    @cached_property
    def id_columns(self) -> dict[str, set[str]]:
        """Per table, the key and reference columns that hold identifiers
        (those with a ``pattern``: a key like ``synonyms.name`` is free text)."""
        from jakdata.package.schema import as_list

        out: dict[str, set[str]] = {}
        for name, res in self.package.resources.items():
            s = res.schema
            cols = set(as_list(s.get("primaryKey")))
            for fk in s.get("foreignKeys", []) or []:
                cols |= set(as_list(fk.get("fields")))
            for fk in s.get("listForeignKeys", []) or []:
                cols |= set(as_list(fk.get("fields")))
            ref = s.get("entityReference")
            if ref:
                cols.add(ref["field"])
            out[name] = {c for c in cols if "pattern" in ((self.field(name, c) or {}).get("constraints") or {})}
        return out


#: what a cell of each type must be, for the ``type`` message
EXPECTED = {
    "integer": "an integer",
    "number": "a number with '.' as decimal separator",
    "boolean": "true or false",
    "date": "a date YYYY-MM-DD",
}


def expected(field: dict[str, Any]) -> str:
    """What a cell of ``field`` must be, in words."""
    t = field.get("type", "string")
    fmt = field.get("format", "default")
    if t == "number" and field.get("decimalChar", ".") != ".":
        return f"a number with {field['decimalChar']!r} as decimal separator"
    if t in EXPECTED and fmt in ("default", None):
        return EXPECTED[t]
    if t == "string":
        return f"a string of format {fmt}"
    return f"a {t}" + ("" if fmt in ("default", None) else f" of format {fmt!r}")


def _type_hint(field: dict[str, Any], cells: pd.Series, bad: Any) -> Any:
    """Why a common spreadsheet value does not fit, at the cells that do not."""
    import re

    import numpy as np
    import pandas as pd

    from jakdata.table.convert import NUMBER

    kind = field.get("type")
    if kind not in ("boolean", "number", "integer"):
        return ""
    accepted = set(field.get("trueValues", ["true"])) | set(field.get("falseValues", ["false"]))
    hints: Any = np.full(len(cells), "", dtype=object)
    for i in np.flatnonzero(bad):
        v = str(cells.iloc[i])
        if kind == "boolean" and v.lower() in accepted:  # Excel's TRUE/FALSE where the schema wants true/false
            hints[i] = f" (lowercase: write {v.lower()!r}; a spreadsheet writes TRUE/FALSE)"
        elif kind == "number" and re.fullmatch(r"[+-]?[0-9]+,[0-9]+", v):
            hints[i] = " (use '.' as the decimal separator, no thousands separator)"
        elif kind in ("number", "integer") and v.endswith("%") and re.fullmatch(NUMBER, v[:-1].strip()):
            hints[i] = " (write the number without '%'; the unit goes in its own column)"
        elif kind == "number" and re.fullmatch(NUMBER, v):
            hints[i] = " (too large to be a finite number)"
    return pd.Series(hints, index=cells.index)
