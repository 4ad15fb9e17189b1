"""What every check sees: the package, its raw tables and typed tables."""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from jakdata.errors import Finding

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.descriptor import Package, Resource
    from jakdata.read import RawTable


class Context:
    def __init__(self, package: "Package", raws: dict[str, "RawTable"]):
        self.package = package
        self.raws = raws
        self.type_findings: list[Finding] = []
        self._typed: dict[str, "pd.DataFrame"] = {}
        self._lock = threading.Lock()  # checks run in two threads

    def resource(self, name: str) -> "Resource":
        return self.package.resources[name]

    def columns(self, name: str) -> list[str]:
        """Schema columns that are present in the file."""
        raw = self.raws[name]
        return [f["name"] for f in self.resource(name).fields if f["name"] in raw.columns]

    def field(self, table: str, column: str) -> dict[str, Any] | None:
        for f in self.resource(table).fields:
            if f["name"] == column:
                return f
        return None

    def typed(self, name: str) -> "pd.DataFrame":
        """The table with declared dtypes (enum columns stay ``str``); cells
        that do not fit their type are missing here and reported once."""
        with self._lock:
            return self._typed_locked(name)

    def _typed_locked(self, name: str) -> "pd.DataFrame":
        if name not in self._typed:
            import pandas as pd

            from jakdata.types import EXPECTED, convert_column

            raw = self.raws[name]
            cols = {}
            for fld in self.resource(name).fields:
                col = fld["name"]
                if col not in raw.columns:
                    continue
                series, bad = convert_column(raw.frame[col], fld, raw.arrow(col))
                for i in bad.nonzero()[0]:
                    self.type_findings.append(
                        self.finding(name, int(i), col, raw.frame[col].iloc[i], "type",
                                     f"not {EXPECTED[fld['type']]}")
                    )
                cols[col] = series
            self._typed[name] = pd.DataFrame(cols, index=raw.frame.index)
        return self._typed[name]

    def line(self, table: str, position: int) -> int:
        return int(self.raws[table].lines[position])

    def finding(self, table: str, position: int | None, column: str | None, value: Any,
                check: str, message: str) -> Finding:
        row = None if position is None else self.line(table, position)
        return Finding(table, row, column, value, check, message, self.raws[table].relpath)

    @cached_property
    def id_columns(self) -> dict[str, set[str]]:
        """Per table, the key and reference columns that hold identifiers
        (those with a ``pattern``: a key like ``synonyms.name`` is free text)."""
        out: dict[str, set[str]] = {}
        for name, res in self.package.resources.items():
            s = res.schema
            cols = set(_as_list(s.get("primaryKey")))
            for fk in s.get("foreignKeys", []) or []:
                cols |= set(_as_list(fk.get("fields")))
            for fk in s.get("listForeignKeys", []) or []:
                cols |= set(_as_list(fk.get("fields")))
            ref = s.get("entityReference")
            if ref:
                cols.add(ref["field"])
            out[name] = {c for c in cols if "pattern" in ((self.field(name, c) or {}).get("constraints") or {})}
        return out


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)
