"""The report: per record what was added, mapped and skipped, and where
every measurement and analysis of the record went."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jakdata.errors import EXIT_INVALID, EXIT_VALID
from jakdata.tools.ctgov.target import WRITE_ORDER

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.tools.ctgov.record import Doc
    from jakdata.tools.ctgov.target import Plan

#: how many changes of another version are listed (the count is always given)
CHANGES_SHOWN = 25

# ----------------------------------------------------------------------------
# report


@dataclass
class RecordSummary:
    """What happened to one record."""

    file: str
    nct: str = ""
    version: str = ""
    #: imported | already-imported | other-version | skipped
    status: str = "imported"
    source_id: str = ""
    added: Counter[str] = field(default_factory=Counter)
    vocabulary: list[str] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    #: results groups: title, locator, arm_id and how it was matched
    groups: list[dict[str, str]] = field(default_factory=list)
    reason: str = ""
    #: every measurement, analysis and event count of the record: where it went
    items: list[dict[str, str]] = field(default_factory=list)

    @property
    def accounting(self) -> dict[str, float | int]:
        total = len(self.items)
        imported = sum(i["status"] == "imported" for i in self.items)
        skipped = sum(i["status"] == "skipped" for i in self.items)
        done = imported + skipped
        return {
            "total": total,
            "imported": imported,
            "skipped": skipped,
            "unaccounted": total - done,
            "percent": round(100.0 * done / total, 2) if total else 100.0,
        }


@dataclass
class ImportReport:
    package: Path
    dry_run: bool
    records: list[RecordSummary] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    validated: bool = False

    @property
    def exit_code(self) -> int:
        """1 when a record differs from the version already imported (the
        changes are reported, not imported), else 0."""
        return EXIT_INVALID if any(r.status == "other-version" for r in self.records) else EXIT_VALID

    @property
    def rows_added(self) -> int:
        return sum(sum(r.added.values()) for r in self.records)


def render(report: ImportReport) -> str:
    """The summary a person reads: per record what was added, mapped and
    skipped (with reasons)."""
    lines: list[str] = []
    for r in report.records:
        head = f"{r.nct} ({Path(r.file).name}" if r.nct else r.file
        head += f", last update posted {r.version})" if r.version else (")" if r.nct else "")
        if r.status == "imported":
            lines.append(f"{head}: imported as draft source {r.source_id}")
        elif r.status == "already-imported" and r.reason:
            lines.append(f"{head}: nothing added: {r.reason}")
        elif r.status == "already-imported":
            lines.append(f"{head}: already in the package as source {r.source_id}; nothing added")
        elif r.status == "other-version":
            lines.append(f"{head}: NOT imported: {r.reason}")
        else:
            lines.append(f"{head}: skipped: {r.reason}")
        if r.items:
            a = r.accounting
            lines.append(
                f"  accounted for: {a['imported'] + a['skipped']} of {a['total']} measurements, analyses and event "
                f"counts ({a['imported']} imported, {a['skipped']} skipped with the reason; `--format json` lists them)"
            )
        if r.added:
            lines.append("  added: " + ", ".join(f"{t} {r.added[t]}" for t in WRITE_ORDER if r.added.get(t)))
        for title, items in (
            ("new vocabulary (awaiting a curator)", r.vocabulary),
            ("mapped", r.mapped),
            ("skipped", r.skipped),
        ):
            if items:
                lines.append(f"  {title}:")
                lines += [f"    {item}" for item in items]
        if r.changes:
            lines.append(f"  changes against the imported version ({len(r.changes)}):")
            lines += [f"    {c}" for c in r.changes[:CHANGES_SHOWN]]
            if len(r.changes) > CHANGES_SHOWN:
                lines.append(f"    … and {len(r.changes) - CHANGES_SHOWN} more")
            lines.append(
                "  to take this version: a curator removes (or updates) the rows whose reported_in is the "
                "imported source, then imports again"
            )
    total = report.rows_added
    if report.dry_run:
        verdict = "; the package would validate" if report.validated else ""
        lines.append(f"dry run: {total} rows would be added to {report.package}{verdict}; nothing written")
    elif report.written:
        lines.append(
            f"wrote {total} rows to {report.package} ({', '.join(report.written)}); hashes refreshed; "
            "the package validates. Review the draft rows, then `jakdata validate` and release"
        )
    else:
        lines.append(f"nothing written to {report.package}")
    return "\n".join(lines)


def render_json(report: ImportReport) -> str:
    """The report as data for scripts: per record its status, the rows
    added, what was mapped (each results group and how it was matched) and
    skipped, and where every measurement and analysis went."""
    import json

    doc = {
        "package": str(report.package),
        "dry_run": report.dry_run,
        "validated": report.validated,
        "written": report.written,
        "rows_added": report.rows_added,
        "exit_code": report.exit_code,
        "records": [
            {
                "file": r.file,
                "nct": r.nct,
                "version": r.version,
                "status": r.status,
                "source_id": r.source_id,
                "reason": r.reason,
                "added": {t: r.added[t] for t in WRITE_ORDER if r.added.get(t)},
                "vocabulary": r.vocabulary,
                "mapped": r.mapped,
                "groups": r.groups,
                "skipped": r.skipped,
                "changes": r.changes,
                "accounting": r.accounting,
                "items": r.items,
            }
            for r in report.records
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


# ----------------------------------------------------------------------------
# accounting


_VALUE = {"outcomes": "value", "comparisons": "estimate", "adverse_events": "n_affected"}


def inventory(doc: Doc) -> list[tuple[str, str]]:
    """(JSON path, kind) of every measurement, analysis and event count the
    record's results hold."""
    out: list[tuple[str, str]] = []
    om_base = "resultsSection.outcomeMeasuresModule"
    for mpath, om in doc.items(doc.at("resultsSection", "outcomeMeasuresModule"), "outcomeMeasures", om_base):
        for cpath, cls in doc.items(om, "classes", mpath):
            for kpath, cat in doc.items(cls, "categories", cpath):
                out += [(x, "measurement") for x, _ in doc.items(cat, "measurements", kpath)]
        out += [(a, "analysis") for a, _ in doc.items(om, "analyses", mpath)]
    ae_base = "resultsSection.adverseEventsModule"
    ae = doc.at("resultsSection", "adverseEventsModule")
    for gpath, g in doc.items(ae, "eventGroups", ae_base):
        out += [
            (f"{gpath}.{x}NumAffected", "adverse-event")
            for x in ("deaths", "serious", "other")
            if f"{x}NumAffected" in g
        ]
    for key in ("seriousEvents", "otherEvents"):
        for epath, ev in doc.items(ae, key, ae_base):
            out += [(s, "adverse-event") for s, _ in doc.items(ev, "stats", epath)]
    return out


def account(summary: RecordSummary, doc: Doc, fate: dict[str, str], plan: Plan) -> None:
    """Where each measurement, analysis and event count of the record went:
    imported (the row, its locator and value) or skipped (why)."""
    kept = {r.values.get("locator", ""): r for r in plan.rows if r.nct == doc.nct and r.table in _VALUE}
    dropped = {r.values.get("locator", ""): why for r, why in plan.dropped if r.nct == doc.nct and r.table in _VALUE}
    items: list[dict[str, str]] = []
    for path, kind in inventory(doc):
        item = {"locator": path, "kind": kind}
        row = kept.get(path)
        if summary.status != "imported":
            item.update(status="skipped", reason=f"the record was not imported: {summary.reason}")
        elif row is not None:
            item.update(status="imported", table=row.table, id=row.key, value=row.values.get(_VALUE[row.table], ""))
        elif path in fate:
            item.update(status="skipped", reason=fate[path])
        elif path in dropped:
            item.update(status="skipped", reason=dropped[path] or "left out with the rows it depends on")
        else:
            item.update(status="unaccounted", reason="")
        items.append(item)
    summary.items = items
