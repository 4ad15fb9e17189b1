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
from jakdata.tools.ctgov.fetch import FetchOptions, fetch_record, record_url
from jakdata.tools.ctgov.record import NUMBER, SOURCE_PREFIX, Doc, clean, parse_record, read_record
from jakdata.tools.ctgov.report import ImportReport, RecordSummary, account
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


def _load(
    records: Sequence[str | Path], skip_unusable: bool, fetch: FetchOptions | None
) -> list[tuple[str, Doc | None, str]]:
    """Each record read and checked: (as named, the record or None, why it
    cannot be used). Without ``skip_unusable`` the first unusable one ends
    the command before anything is written."""
    out: list[tuple[str, Doc | None, str]] = []
    for rec in records:
        shown = str(rec)
        try:
            if fetch is not None:
                shown = record_url(str(rec).strip().upper(), fetch)
                doc = parse_record(fetch_record(str(rec), fetch), shown)
            else:
                doc = read_record(rec)
            out.append((shown, Doc(doc, shown), ""))
        except UnusableInput as exc:
            if not skip_unusable:
                if len(records) > 1:
                    exc.args = (f"{exc.args[0]} (--skip-unusable imports the other records of the batch)",)
                raise
            out.append((shown, None, str(exc.args[0])))
    return out


def _skipped(report: ImportReport, shown: str, why: str, nct: str = "") -> None:
    report.records.append(RecordSummary(shown, nct=nct, status="skipped", reason=why))


def import_records(
    records: Sequence[str | Path],
    into: str | Path,
    *,
    dry_run: bool = False,
    skip_unusable: bool = False,
    any_condition: bool = False,
    fetch: FetchOptions | None = None,
) -> ImportReport:
    """Import ClinicalTrials.gov API v2 records into the package at ``into``.

    Every record is read and checked first: one that is not a v2 study
    record, has no results, is malformed or (without ``any_condition``)
    names no dermatologic condition raises :class:`UnusableInput` before
    anything is written; with ``skip_unusable`` it is listed as skipped and
    the rest is imported. With ``fetch``, ``records`` are NCT numbers,
    downloaded from the API."""
    if not records:
        raise UnusableInput("no record given: jakdata import ctgov RECORD.json [...] --into PKG")
    loaded = _load(records, skip_unusable, fetch)
    state = open_target(into)
    report = ImportReport(state.package.root, dry_run)
    plan = Plan(state)
    vocab = Vocab(state)
    docs: list[Doc] = []
    for shown, doc, why in loaded:
        if doc is not None and not any_condition:
            skin, conditions = dermatologic(doc, state, plan, vocab)
            if not skin:
                why = (
                    f"{doc.nct} names no dermatologic condition ({', '.join(map(repr, conditions)) or 'none'}); "
                    "import it with --any-condition"
                )
                if not skip_unusable:
                    raise UnusableInput(why, shown)
                doc = None
        if doc is None:
            _skipped(report, shown, why)
        else:
            docs.append(doc)
    by_nct: dict[str, RecordSummary] = {}
    builders: dict[str, Builder] = {}
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
            builder = Builder(doc, state, plan, vocab, summary)
            try:
                builder.build()
            except UnusableInput as exc:  # a malformed value deep in the record
                if not skip_unusable:
                    raise
                plan.drop([r for r in plan.rows if r.nct == doc.nct], "")
                summary.status, summary.reason = "skipped", str(exc.args[0])
                continue
            by_nct[doc.nct] = summary
            builders[doc.nct] = builder
        texts = settle(state, plan, baseline.result()) if plan.rows and baseline is not None else {}
    finally:
        pool.shutdown(wait=True)
    for row, why in plan.dropped:
        if why and row.nct in by_nct:
            by_nct[row.nct].skipped.append(f"{row.describe()}: {why}")
    for row in plan.rows:
        if row.nct in by_nct:
            by_nct[row.nct].added[row.table] += 1
    for nct, summary in by_nct.items():
        if summary.status == "imported" and not summary.added.get("sources"):
            summary.status = "skipped"
            summary.reason = summary.reason or "its source row was left out"
        account(summary, builders[nct].d, builders[nct].fate, plan)
    report.validated = bool(texts)
    if texts and not dry_run:
        report.written = write(state, texts)
    return report


def dermatologic(doc: Doc, state: State, plan: Plan, vocab: Vocab) -> tuple[bool, list[str]]:
    """Whether the record is about a skin disease: the trial is in the fork
    with a dermatologic indication, a condition is a dermatologic
    indication of the fork's vocabulary, or the record's MeSH condition tree
    includes Skin Diseases. Also the conditions as registered."""
    conditions = doc.texts(doc.at("protocolSection", "conditionsModule"), "conditions", "")
    skin = _skin_indications(state)
    for study in plan.all_rows("studies"):
        if study.get("registry_id") == doc.nct and study.get("indication_id") in skin:
            return True, conditions
    for cond in conditions:
        ids, _where = vocab.lookup("indication", cond, plan)
        if len(ids) == 1 and ids[0] in skin:
            return True, conditions
    browse = doc.at("derivedSection", "conditionBrowseModule")
    for key in ("ancestors", "meshes"):
        for p, item in doc.items(browse, key, "derivedSection.conditionBrowseModule"):
            if doc.text(item, "id", p) in SKIN_DISEASES or doc.text(item, "term", p) == "Skin Diseases":
                return True, conditions
    return False, conditions


#: MeSH Skin Diseases (C17.800), as API v2 prints the id and as MeSH does
SKIN_DISEASES = {"D000012871", "D012871"}


def _skin_indications(state: State) -> set[str]:
    rows = state.rows("indications")
    return {r["indication_id"] for r in rows if r.get("dermatologic", "").lower() == "true"}
