"""Validation in a temporary copy (rows the validator rejects are left out),
then the atomic write."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from jakdata.errors import DataError, UnusableInput
from jakdata.package.files import check_target, read_bytes, write_atomic
from jakdata.tools.ctgov.record import shorten
from jakdata.tools.ctgov.target import WRITE_ORDER

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.findings import Finding
    from jakdata.tools.ctgov.target import Plan, Row, State

# ----------------------------------------------------------------------------
# validation in a temporary copy, then the write


def materialise(state: State, plan: Plan) -> dict[str, bytes]:
    """The new bytes of each table that gets rows; sets each row's line."""
    out: dict[str, bytes] = {}
    for name in WRITE_ORDER:
        rows = plan.of(name)
        if not rows:
            continue
        table = state.tables[name]
        nl = table.newline
        data = table.data
        if data and not data.endswith(b"\n"):
            data += nl
        first = data.count(b"\n") + 1
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator=nl.decode("ascii"))
        for i, row in enumerate(rows):
            row.line = first + i
            writer.writerow([row.values.get(c, "") for c in table.header])
        out[name] = data + buf.getvalue().encode("utf-8")
    return out


def _finding_key(f: Finding) -> tuple[Any, ...]:
    return (f.table, f.row, f.column, f.check, f.message)


def _findings_of_copy(state: State, texts: dict[str, bytes]) -> list[Finding]:
    """What validation finds in the package with ``texts`` in place of its
    files, validated in memory (no copy on disk). The changed files' declared
    hash and size are refreshed on write, so those two checks are left out."""
    from jakdata.table.read import read_table
    from jakdata.validate.checker import validate_tables

    package = state.package
    raws = {name: read_table(res, texts.get(name)) for name, res in package.resources.items()}
    findings = validate_tables(package, raws)[0].findings
    return [f for f in findings if not (f.check in ("hash", "bytes") and f.table in texts)]


def baseline_findings(state: State) -> set[tuple[Any, ...]]:
    """What validation finds in the package before the import."""
    from jakdata.validate.checker import validate_package

    return {_finding_key(f) for f in validate_package(state.package.path).findings}


def settle(state: State, plan: Plan, baseline: set[tuple[Any, ...]]) -> dict[str, bytes]:
    """Validate the package with the planned rows in a temporary copy; leave
    out each row the validator rejects (and what depends on it), until the
    package validates. Findings the package had before (``baseline``) are
    not the import's. Nothing is written here."""
    for _ in range(8):
        texts = materialise(state, plan)
        if not texts:
            return {}
        new = [f for f in _findings_of_copy(state, texts) if _finding_key(f) not in baseline]
        if not new:
            return texts
        at: dict[tuple[str | None, int | None], Row] = {(r.table, r.line): r for r in plan.rows}
        stray = [f for f in new if (f.table, f.row) not in at]
        if stray:
            f = stray[0]
            where = f"{f.table}" + (f" line {f.row}" if f.row else "") + (f" {f.column}" if f.column else "")
            raise DataError(
                f"the import would make the package invalid ({where}: {f.message} [{f.check}]); nothing written"
            )
        rejected: dict[int, tuple[Row, str]] = {}
        for f in new:
            row = at[(f.table, f.row)]
            rejected.setdefault(id(row), (row, f"{f.column}={_value_text(f.value)}: {f.message} [{f.check}]"))
        for row, why in rejected.values():
            plan.drop([row], f"rejected by validation: {why}")
        plan.cascade()
    raise DataError("the import does not settle into a valid package; nothing written")


def _value_text(value: Any) -> str:
    text = "" if value is None else str(value)
    return repr(shorten(text, 40))


def write(state: State, texts: dict[str, bytes]) -> list[str]:
    from jakdata.tools.hashes import refresh

    for name in texts:  # each file can be replaced, and nobody changed it since it was read
        table = state.tables[name]
        check_target(table.path, force=True)
        if read_bytes(table.path, table.relpath) != table.data:
            raise UnusableInput("changed while the import ran; nothing written, run the import again", table.relpath)
    check_target(state.package.path, force=True)  # the descriptor gets the new hashes
    for name in WRITE_ORDER:
        if name in texts:
            write_atomic(state.tables[name].path, texts[name], force=True)
    refresh(state.package.path)
    return [n for n in WRITE_ORDER if n in texts]
