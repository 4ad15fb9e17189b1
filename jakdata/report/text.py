"""Plain text: one summary line, then one line per error grouped by table."""

from __future__ import annotations

from jakdata.errors import shorten
from jakdata.report.common import shown, summary


def location(f) -> str:
    where = f.path or f.table or "datapackage.json"
    return f"{where}:{f.row}" if f.row is not None else where


def line(f) -> str:
    head = location(f)
    if f.column is not None:
        value = shorten(f.value)
        head += f" {f.column}={value}" if value not in (None, "") else f" {f.column}"
    return f"{head}: {f.message} [{f.check}]"


def render(outcome, max_errors=None) -> str:
    if outcome.error is not None:
        return f"error: {outcome.error}"
    r = outcome.result
    label = f"{r.package or 'package'} {r.version or ''}".strip()
    if r.valid:
        tables = len(r.rows)
        rows = sum(r.rows.values())
        out = [f"valid: {label} ({tables} tables, {rows} rows)"]
    else:
        counts = summary(r.findings)
        parts = ", ".join(f"{t} {sum(c.values())}" for t, c in counts.items())
        out = [f"invalid: {label}: {len(r.findings)} errors ({parts})"]
    out += [f"warning: {w}" for w in r.warnings]
    findings, left = shown(r.findings, max_errors)
    current = object()
    for f in findings:
        table = f.table or "(package)"
        if table != current:
            out.append(f"{table}:")
            current = table
        out.append("  " + line(f))
    if left:
        out.append(f"... {left} more errors not shown (--max-errors {max_errors})")
    if not r.valid:
        per = summary(r.findings)
        out.append("summary: " + "; ".join(
            f"{t}: " + ", ".join(f"{c} {n}" for c, n in checks.items()) for t, checks in per.items()))
    return "\n".join(out)
