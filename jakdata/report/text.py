"""Plain text: one summary line, then one line per error grouped by table."""

from __future__ import annotations

from jakdata.report.common import plural, safe, shown, summary
from jakdata.validate.checker import Outcome


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
        out.append("  " + str(f))
    if left:
        out.append(f"... {plural(left, 'more error')} not shown (--max-errors {max_errors})")
    if not r.valid:
        per = summary(r.findings)
        out.append(
            "summary: "
            + "; ".join(f"{safe(t)}: " + ", ".join(f"{c} {n}" for c, n in checks.items()) for t, checks in per.items())
        )
    return "\n".join(out)
