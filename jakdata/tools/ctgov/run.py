"""The command: records in, a report out; versions of a record already
imported are compared, not imported."""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jakdata.errors import UnusableInput
from jakdata.tools.ctgov.builder import Builder
from jakdata.tools.ctgov.record import NUMBER, SOURCE_PREFIX, Doc, clean, read_record
from jakdata.tools.ctgov.report import ImportReport, RecordSummary
from jakdata.tools.ctgov.settle import baseline_findings, settle, write
from jakdata.tools.ctgov.target import COMPARED, Plan, Row, State, open_target
from jakdata.tools.ctgov.vocab import Vocab

# ----------------------------------------------------------------------------
# versions of a record already in the package


def _imported_versions(plan: Plan, nct: str) -> list[dict[str, str]]:
    pattern = re.compile(rf"^{re.escape(SOURCE_PREFIX + nct.lower())}-[0-9]{{4}}-[0-9]{{2}}(-[0-9]{{2}})?$")
    return [r for r in plan.all_rows("sources") if pattern.match(r.get("source_id", ""))]


def _changes(old_rows: Sequence[dict[str, str]], new_rows: Sequence[Row]) -> list[str]:
    old = {(r["_table"], r.get("locator", "")): r for r in old_rows}
    new = {(r.table, r.values.get("locator", "")): r.values for r in new_rows if r.table in COMPARED}
    out: list[str] = []
    for table, loc in sorted(old.keys() | new.keys()):
        if (table, loc) not in new:
            out.append(f"{table} at {loc}: no longer in the record")
        elif (table, loc) not in old:
            out.append(f"{table} at {loc}: new in this version")
        else:
            a, b = old[(table, loc)], new[(table, loc)]
            for col in COMPARED[table]:
                if a.get(col, "") != b.get(col, "") and not (
                    NUMBER.match(a.get(col, "") or "x")
                    and NUMBER.match(b.get(col, "") or "x")
                    and float(a[col]) == float(b[col])
                ):
                    out.append(f"{table} at {loc}: {col} {a.get(col, '')!r} -> {b.get(col, '')!r}")
    return out


def _other_version(
    doc: Doc, state: State, plan: Plan, vocab: Vocab, summary: RecordSummary, old: dict[str, str]
) -> None:
    """Report how this record differs from the version already imported."""
    old_id = old["source_id"]
    view = state.without(old_id)
    scratch = plan.fork(view)
    scratch.rows = [r for r in scratch.rows if r.values.get("reported_in") != old_id]
    probe = RecordSummary(summary.file)
    Builder(doc, view, scratch, vocab, probe).build()
    new_rows = [r for r in scratch.rows if r.nct == doc.nct]
    old_rows = [{**r, "_table": t} for t in COMPARED for r in plan.all_rows(t) if r.get("reported_in") == old_id]
    version = clean(doc.at("protocolSection", "statusModule")["lastUpdatePostDateStruct"]["date"])
    imported = old_id[len(SOURCE_PREFIX + doc.nct) + 1 :]
    changes = [f"sources: last update posted {imported} -> {version}"]
    changes += _changes(old_rows, new_rows)
    which = "a newer" if version > imported else "an older" if version < imported else "a different"
    summary.status = "other-version"
    summary.source_id = old_id
    summary.reason = f"{which} version of the record already imported as source {old_id} ({imported})"
    summary.changes = changes


# ----------------------------------------------------------------------------
# the command


def import_records(records: Sequence[str | Path], into: str | Path, *, dry_run: bool = False) -> ImportReport:
    """Import ClinicalTrials.gov API v2 records into the package at ``into``.

    Every record is read and checked first: one that is not a v2 study
    record, has no results or is malformed raises :class:`UnusableInput`
    before anything is written."""
    if not records:
        raise UnusableInput("no record given: jakdata import ctgov RECORD.json [...] --into PKG")
    docs = [Doc(read_record(p), str(p)) for p in records]
    state = open_target(into)
    report = ImportReport(state.package.root, dry_run)
    plan = Plan(state)
    vocab = Vocab(state)
    by_nct: dict[str, RecordSummary] = {}
    pool = ThreadPoolExecutor(max_workers=1)
    baseline: Future[set[tuple[Any, ...]]] | None = None
    try:
        for doc in docs:
            summary = RecordSummary(doc.file, nct=doc.nct)
            report.records.append(summary)
            version = clean(doc.at("protocolSection", "statusModule")["lastUpdatePostDateStruct"]["date"])
            summary.version = version
            source_id = f"{SOURCE_PREFIX}{doc.nct.lower()}-{version}"
            versions = _imported_versions(plan, doc.nct)
            if any(v["source_id"] == source_id for v in versions):
                summary.status, summary.source_id = "already-imported", source_id
                if not any(r.get("source_id") == source_id for r in state.rows("sources")):
                    summary.reason = "the same record was given earlier in this command"
                continue
            if versions:
                latest = max(versions, key=lambda v: v["source_id"])
                _other_version(doc, state, plan, vocab, summary, latest)
                continue
            if baseline is None:  # validated while the records are turned into rows
                baseline = pool.submit(baseline_findings, state)
            Builder(doc, state, plan, vocab, summary).build()
            by_nct[doc.nct] = summary
        texts = settle(state, plan, baseline.result()) if plan.rows and baseline is not None else {}
    finally:
        pool.shutdown(wait=True)
    for row, why in plan.dropped:
        if why and row.nct in by_nct:
            by_nct[row.nct].skipped.append(f"{row.describe()}: {why}")
    for row in plan.rows:
        if row.nct in by_nct:
            by_nct[row.nct].added[row.table] += 1
    for summary in by_nct.values():
        if summary.status == "imported" and not summary.added.get("sources"):
            summary.status = "skipped"
            summary.reason = summary.reason or "its source row was left out"
    report.validated = bool(texts)
    if texts and not dry_run:
        report.written = write(state, texts)
    return report
