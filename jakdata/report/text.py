"""Plain text: one summary line, then one line per error grouped by table."""

from __future__ import annotations

from jakdata.findings import Finding
from jakdata.report.common import plural, safe, show_value, shown, summary
from jakdata.validate.checker import Outcome


def location(f: Finding) -> str:
    where = safe(f.path or f.table or "datapackage.json")  # a file name may hold any character but NUL
    return f"{where}:{f.row}" if f.row is not None else where


def line(f: Finding) -> str:
    head = location(f)
    if f.column is not None:
        value = show_value(f.value) if f.value not in (None, "") else ""
        head += f" {safe(f.column)}={value}" if value else f" {safe(f.column)}"
    return f"{head}: {safe(f.message)} [{f.check}]"


def headline(outcome: Outcome) -> str:
    """The first line: valid or invalid, the package, and which one it is."""
    if outcome.error is not None:
        return f"error: {safe(str(outcome.error))}"
    r = outcome.result
    assert r is not None
    label = safe(f"{r.package or 'package'} {r.version or ''}".strip())
    which = f" — {outcome.source}" if outcome.source else ""
    if r.valid:
        return f"valid: {label} ({plural(len(r.rows), 'table')}, {plural(sum(r.rows.values()), 'row')}){which}"
    parts = ", ".join(f"{t} {sum(c.values())}" for t, c in summary(r.findings).items())
    return f"invalid: {label}: {plural(len(r.findings), 'error')} ({parts}){which}"


def render(outcome: Outcome, max_errors: int | None = None) -> str:
    out = [headline(outcome)]
    r = outcome.result
    if r is None:
        return out[0]
    out += [f"warning: {safe(w)}" for w in r.warnings]
    findings, left = shown(r.findings, max_errors)
    current: str | None = None
    for f in findings:
        table = f.table or "(package)"
        if table != current:
            out.append(f"{safe(table)}:")
            current = table
        out.append("  " + line(f))
    if left:
        out.append(f"... {plural(left, 'more error')} not shown (--max-errors {max_errors})")
    if not r.valid:
        per = summary(r.findings)
        out.append(
            "summary: "
            + "; ".join(f"{safe(t)}: " + ", ".join(f"{c} {n}" for c, n in checks.items()) for t, checks in per.items())
        )
    return "\n".join(out)
