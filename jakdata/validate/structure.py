"""Schema drift: the CSV header must list the schema's columns, in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jakdata.findings import Finding

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.validate.context import Context


def check(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for name, raw in ctx.raws.items():
        schema = ctx.resource(name).schema
        out += _header(
            name, raw.relpath, raw.header, ctx.resource(name).field_names, schema.get("fieldsMatch", "exact")
        )
    return out


def _header(name: str, path: str, header: list[str], expected: list[str], match: str = "exact") -> list[Finding]:
    """The header against the schema's fields, as ``fieldsMatch`` asks
    (Table Schema v2): ``exact`` (the default: the same fields in the same
    order), ``equal`` (the same fields in any order), ``subset`` (every
    field, perhaps more columns), ``superset`` (only fields, perhaps not all)
    or ``partial`` (at least one field)."""
    out: list[Finding] = []

    def f(column: str, message: str, value: str | None = None) -> None:
        out.append(Finding.of("header", table=name, row=1, column=column, value=value, path=path, detail=message))

    if len(header) == 1 and len(expected) > 1:
        for sep, what in ((";", "semicolon"), ("\t", "tab")):
            if sep in header[0]:  # one column whose name holds the others: the wrong separator
                f(
                    header[0],
                    f"the header is one column holding {what}s: the file looks {what}-separated; "
                    "jakdata reads comma-separated CSV (save it as 'CSV UTF-8 (comma delimited)')",
                    header[0],
                )
                return out
    seen = set()
    for col in header:
        if col in seen:
            f(col, f"column {col!r} appears more than once in the header", col)
        seen.add(col)
    if match == "partial":
        if not seen & set(expected):
            f(header[0], "no column of the header is a field of the schema (fieldsMatch: partial)", header[0])
        return out
    if match != "subset":
        for col in header:
            if col not in expected:
                f(col, f"extra column {col!r} is not in the schema", col)
    if match != "superset":
        for col in expected:
            if col not in seen:
                f(col, f"missing column {col!r} declared by the schema")
    if match != "exact":
        return out
    common_header = [c for c in dict.fromkeys(header) if c in expected]
    common_expected = [c for c in expected if c in seen]
    for got, want in zip(common_header, common_expected):
        if got != want:
            f(got, f"columns out of order: {got!r} stands where the schema has {want!r}", got)
            break
    return out
