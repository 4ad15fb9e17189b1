"""Text hygiene on every text cell: no surrounding whitespace, Unicode NFC,
no spreadsheet-formula cells, ASCII identifiers.

Each test runs over whole columns (pyarrow); Python's own definitions
(``str.isspace``, ``unicodedata``, ``re``) decide, applied once per distinct
first/last character or distinct value, so results are exactly Python's.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from jakdata.findings import Finding
from jakdata.table import arrow as vector

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.validate.context import Context

FORMULA_START = ("=", "+", "-", "@")
# Every character for which Python's str.isspace() is true (what str.strip()
# removes); a unit test keeps this equal to Python's definition.
WHITESPACE = tuple(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
NUMBER = r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?%?"
_NUMBER = re.compile(NUMBER)


def check(ctx: Context) -> list[Finding]:
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[Finding] = []
    for name, raw in ctx.raws.items():
        ids = ctx.id_columns.get(name, set())
        for fld in ctx.resource(name).fields:
            col = fld["name"]
            if col not in raw.columns:
                continue
            arr = raw.arrow(col)
            cell = lambda i, arr=arr: arr[int(i)].as_py()  # noqa: E731  (the raw cell, for a finding)
            # Every test here depends on the value alone: a column that
            # repeats itself is tested once per distinct value.
            encoded = raw.distinct(col)
            if encoded is not None:
                values, rows = encoded.values, encoded.rows
            else:
                values, rows = arr, vector.positions  # type: ignore[assignment]

            edge = pa.array(vector.edge_chars(values, WHITESPACE, WHITESPACE))
            for i in rows(edge):
                out.append(ctx.finding(name, int(i), col, cell(i), "whitespace", "leading or trailing whitespace"))
            if fld.get("type", "string") != "string":
                continue
            non_ascii = pc.invert(pc.string_is_ascii(values))
            if pc.any(non_ascii).as_py():
                not_nfc = vector.by_distinct(values, lambda v: not unicodedata.is_normalized("NFC", v), where=non_ascii)
                for i in rows(not_nfc):
                    out.append(
                        ctx.finding(name, int(i), col, cell(i), "unicode-nfc", "text is not in Unicode NFC form")
                    )
                if col in ids:
                    for i in rows(non_ascii):
                        v = cell(i)
                        bad = next(ch for ch in v if ord(ch) > 127)
                        out.append(
                            ctx.finding(
                                name,
                                int(i),
                                col,
                                v,
                                "ascii-id",
                                f"identifier contains the non-ASCII character {bad!r} (U+{ord(bad):04X})",
                            )
                        )
            starts = vector.edge_chars(values, FORMULA_START)
            if starts.any():
                risky = pa.array(starts)
                formula = vector.by_distinct(values, lambda v: not _NUMBER.fullmatch(v), where=risky)
                for i in rows(formula):
                    v = cell(i)
                    out.append(
                        ctx.finding(
                            name,
                            int(i),
                            col,
                            v,
                            "formula-injection",
                            f"text starts with {v[0]!r}: a spreadsheet would run it as a formula",
                        )
                    )
    return out
