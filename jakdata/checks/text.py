"""Text hygiene on every text cell: no surrounding whitespace, Unicode NFC,
no spreadsheet-formula cells, ASCII identifiers, no line breaks in ids."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from jakdata.errors import Finding

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.checks.context import Context

FORMULA_START = ("=", "+", "-", "@")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?%?$")


def check(ctx: "Context") -> list[Finding]:
    out: list[Finding] = []
    for name, raw in ctx.raws.items():
        ids = ctx.id_columns.get(name, set())
        for fld in ctx.resource(name).fields:
            col = fld["name"]
            if col not in raw.frame.columns:
                continue
            s = raw.frame[col]
            nonempty = s != ""
            if not nonempty.any():
                continue
            stripped = s.str.strip()
            for i in (nonempty & (stripped != s)).to_numpy().nonzero()[0]:
                out.append(ctx.finding(name, int(i), col, s.iloc[i], "whitespace",
                                       "leading or trailing whitespace"))
            if fld.get("type", "string") != "string":
                continue
            ascii_mask = s.str.isascii()
            if not ascii_mask.all():
                for i in (~ascii_mask).to_numpy().nonzero()[0]:
                    v = s.iloc[i]
                    if unicodedata.normalize("NFC", v) != v:
                        out.append(ctx.finding(name, int(i), col, v, "unicode-nfc",
                                               "text is not in Unicode NFC form"))
                    if col in ids:
                        bad = next(ch for ch in v if ord(ch) > 127)
                        out.append(ctx.finding(name, int(i), col, v, "ascii-id",
                                               f"identifier contains the non-ASCII character {bad!r} "
                                               f"(U+{ord(bad):04X})"))
            first = s.str[:1]
            risky = first.isin(FORMULA_START)
            if risky.any():
                for i in risky.to_numpy().nonzero()[0]:
                    v = s.iloc[i]
                    if not _NUMBER.match(v):
                        out.append(ctx.finding(name, int(i), col, v, "formula-injection",
                                               f"text starts with {v[0]!r}: a spreadsheet would run it as "
                                               "a formula"))
    return out
