"""Schema drift: the CSV header must list the schema's columns, in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jakdata.errors import Finding

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.checks.context import Context


def check(ctx: "Context") -> list[Finding]:
    out: list[Finding] = []
    for name, raw in ctx.raws.items():
        expected = ctx.resource(name).field_names
        header = raw.header
        path = raw.relpath

        def f(column, message, value=None):
            out.append(Finding(name, 1, column, value, "header", message, path))

        seen = set()
        for col in header:
            if col in seen:
                f(col, f"column {col!r} appears more than once in the header", col)
            seen.add(col)
        for col in header:
            if col not in expected:
                f(col, f"extra column {col!r} is not in the schema", col)
        for col in expected:
            if col not in seen:
                f(col, f"missing column {col!r} declared by the schema")
        common_header = [c for c in dict.fromkeys(header) if c in expected]
        common_expected = [c for c in expected if c in seen]
        if common_header != common_expected:
            for pos, (got, want) in enumerate(zip(common_header, common_expected)):
                if got != want:
                    f(got, f"columns out of order: {got!r} stands where the schema has {want!r}", got)
                    break
    return out
