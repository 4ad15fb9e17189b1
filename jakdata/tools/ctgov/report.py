"""The report: per record what was added, mapped and skipped, and where
every measurement and analysis of the record went."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from jakdata.errors import EXIT_INVALID, EXIT_VALID
from jakdata.tools.ctgov.target import WRITE_ORDER

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
    reason: str = ""


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
        head = f"{r.nct or r.file} ({Path(r.file).name}"
        head += f", last update posted {r.version})" if r.version else ")"
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
