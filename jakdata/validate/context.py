"""What every check sees: the package, its raw tables and typed tables, and
the one way a check turns offending rows into findings (:meth:`Context.flag`)."""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from jakdata.validate.catalogue import CATALOGUE
from jakdata.validate.findings import Finding

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.package.descriptor import Package, Resource
    from jakdata.table.read import RawTable


class Context:
    def __init__(self, package: Package, raws: dict[str, RawTable]):
        self.package = package
        self.raws = raws
        self._typed: dict[str, tuple[pd.DataFrame, list[Finding]]] = {}
        self._lock = threading.Lock()  # checks run in two threads

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

    def _convert(self, name: str) -> tuple[pd.DataFrame, list[Finding]]:
        with self._lock:
            if name not in self._typed:
                from jakdata.table.convert import EXPECTED, convert_table

                raw = self.raws[name]
                fields = self.resource(name).fields
                frame, bad = convert_table(raw, fields)
                findings = []
                for fld in fields:
                    col = fld["name"]
                    if col in bad and bad[col].any():
                        findings += self.flag(
                            name,
                            bad[col],
                            col,
                            "type",
                            "not {expected}{hint}",
                            expected=EXPECTED[fld["type"]],
                            hint=_type_hint(fld, raw.frame[col], bad[col]),
                        )
                self._typed[name] = (frame, findings)
            return self._typed[name]

    def line(self, table: str, position: int) -> int:
        return int(self.raws[table].lines[position])

    def finding(
        self, table: str, position: int | None, column: str | None, value: Any, check: str, message: str
    ) -> Finding:
        if check not in CATALOGUE:  # pragma: no cover - a programming error, caught by the tests
            raise KeyError(f"check {check!r} has no catalogue entry")
        row = None if position is None else self.line(table, position)
        return Finding(table, row, column, value, check, message, self.raws[table].relpath)

    def flag(
        self,
        table: str,
        mask: Any,
        column: str,
        check: str,
        message: str,
        values: pd.Series | None = None,
        **details: Any,
    ) -> list[Finding]:
        """One finding per row where ``mask`` is true. The offending value is
        the raw cell of ``column`` (or of ``values``); ``message`` is a
        ``str.format`` template whose fields come from ``details`` — a Series
        is read at the row, anything else used as it is."""
        from jakdata.table.arrow import positions

        hits = positions(mask)
        if not len(hits):
            return []
        shown = self.raws[table].frame[column] if values is None else values
        out = []
        for i in (int(i) for i in hits):
            fields = {k: (v.iloc[i] if hasattr(v, "iloc") else v) for k, v in details.items()}
            out.append(self.finding(table, i, column, shown.iloc[i], check, message.format(**fields)))
        return out

    @cached_property
    def id_columns(self) -> dict[str, set[str]]:
        """Per table, the key and reference columns that hold identifiers
        (those with a ``pattern``: a key like ``synonyms.name`` is free text)."""
        from jakdata.validate.rules import as_list

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


def _type_hint(field: dict[str, Any], cells: pd.Series, bad: Any) -> Any:
    """Why a common spreadsheet value does not fit, at the cells that do not."""
    import numpy as np
    import pandas as pd

    kind = field.get("type")
    if kind not in ("boolean", "number"):
        return ""
    accepted = set(field.get("trueValues", ["true"])) | set(field.get("falseValues", ["false"]))
    hints: Any = np.full(len(cells), "", dtype=object)
    for i in np.flatnonzero(bad):
        v = str(cells.iloc[i])
        if kind == "boolean" and v.lower() in accepted:  # Excel's TRUE/FALSE where the schema wants true/false
            hints[i] = f" (lowercase: write {v.lower()!r}; a spreadsheet writes TRUE/FALSE)"
        elif kind == "number" and "," in v:
            hints[i] = " (use '.' as the decimal separator, no thousands separator)"
        elif kind == "number" and v.lstrip("+-")[:1].isdigit():
            hints[i] = " (too large to be a finite number)"
    return pd.Series(hints, index=cells.index)
