"""`jakdata import ctgov`: ClinicalTrials.gov API v2 study records become
draft rows of a fork, each value traceable to its place in the record.

One record gives a ``sources`` row (``registry-record``, ``review_status =
draft``), the trial's ``studies`` row (or the study already in the package
with the same ``registry_id``, or EudraCT or CTIS number), ``arms``,
``outcomes``, ``comparisons`` and
``adverse_events``. Every row names the registry source in ``reported_in``
and the JSON path it came from in ``locator``
(``resultsSection.outcomeMeasuresModule.outcomeMeasures[3].classes[0]
.categories[0].measurements[1]``).

What is copied: titles, terms (arm labels, conditions, event terms) and
numbers, exactly as printed. What is not: the record's descriptive
paragraphs (summaries, arm, group, population and analysis descriptions,
eligibility criteria, comments); notes are the importer's own words.

Vocabulary: conditions, interventions and outcome measures are looked up
as :func:`jakdata.lookup.find` looks them up (the names, codes and
synonyms of the fork's own vocabulary, with its normalisation). A measure is matched through the names the outcome title
gives it (its abbreviation, its spelled-out name, a responder threshold such
as "EASI-75" or "IGA 0/1"), never through a list of known titles; what the
vocabulary does not know unambiguously becomes a new entry, never a guess
into an existing one.

Safety: nothing existing is changed (rows are appended); a record whose
source is already in the package adds nothing; another version of an
imported record is reported with what changed and not imported; the
bundled package is refused; the result is validated in a temporary copy
first (a row the validator rejects is left out and reported, and nothing
is written when the rest would not validate); ``dry_run`` writes nothing.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import shutil
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jakdata.errors import EXIT_INVALID, EXIT_VALID, DataError, UnusableInput
from jakdata.package.files import check_target, read_bytes, write_atomic

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset
    from jakdata.findings import Finding
    from jakdata.package.descriptor import Package

API = "https://clinicaltrials.gov/api/v2/studies/"
SOURCE_PREFIX = "ctgov-"
#: the class a drug the vocabulary did not know gets until a curator sets it
UNCLASSIFIED = "unclassified"
#: how many changes of another version are listed (the count is always given)
CHANGES_SHOWN = 25

_NCT = re.compile(r"^NCT[0-9]{8}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_INTEGER = re.compile(r"^[0-9]{1,12}$")

#: the tables written, in an order where every reference exists first
WRITE_ORDER = (
    "sources",
    "drugs",
    "indications",
    "measures",
    "synonyms",
    "studies",
    "arms",
    "outcomes",
    "comparisons",
    "adverse_events",
)
KEYS = {
    "sources": "source_id",
    "drugs": "drug_id",
    "indications": "indication_id",
    "measures": "measure_id",
    "studies": "study_id",
    "arms": "arm_id",
    "outcomes": "outcome_id",
    "comparisons": "comparison_id",
    "adverse_events": "ae_id",
}
#: model v2 columns the import needs (a fork still on model v1 is refused)
NEEDED = {
    "sources": ("source_id", "document_type", "url", "published_date", "review_status"),
    "drugs": ("drug_id", "inn", "drug_class"),
    "indications": ("indication_id", "name", "dermatologic"),
    "measures": ("measure_id", "name", "description"),
    "synonyms": ("entity_type", "entity_id", "name", "language", "kind"),
    "studies": ("study_id", "registry_id", "acronym", "phase", "allocation", "masking", "secondary_ids"),
    "arms": ("arm_id", "study_id", "drug_id", "role", "background", "n"),
    "outcomes": ("outcome_id", "statistic", "endpoint_role", "ci_lower", "ci_upper", "dispersion", "dispersion_type"),
    "comparisons": ("comparison_id", "arm_id", "control_arm_id", "effect_measure", "p_value_as_reported"),
    "adverse_events": ("ae_id", "arm_id", "category", "n_affected", "n_exposed"),
}
#: column -> the table its value refers to (a row depends on those rows)
REFERS = {
    "drug_id": "drugs",
    "indication_id": "indications",
    "measure_id": "measures",
    "based_on": "measures",
    "parent_id": "indications",
    "study_id": "studies",
    "arm_id": "arms",
    "control_arm_id": "arms",
    "reported_in": "sources",
    "source_id": "sources",
}
ENTITY_TABLES = {"drug": "drugs", "indication": "indications", "measure": "measures", "target": "targets"}
#: what is compared between two versions of a record (columns drawn from it)
COMPARED = {
    "studies": ("n_participants", "phase", "allocation", "masking", "acronym", "secondary_ids", "country"),
    "arms": ("label", "role", "dose", "dose_unit", "frequency", "n"),
    "outcomes": (
        "measure_id",
        "timepoint",
        "statistic",
        "value_as_reported",
        "unit",
        "n",
        "responders",
        "dispersion",
        "dispersion_type",
        "ci_lower",
        "ci_upper",
        "ci_level",
        "endpoint_role",
    ),
    "comparisons": (
        "effect_measure",
        "estimate",
        "ci_lower",
        "ci_upper",
        "ci_level",
        "p_value_as_reported",
        "method",
    ),
    "adverse_events": ("event", "category", "n_affected", "n_exposed"),
}

# ----------------------------------------------------------------------------
# text


_ESCAPED = re.compile(r"\\([\\\[\](){}*_#<>|~`.!+\-])")  # the registry escapes Markdown punctuation
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FORMULA = ("=", "+", "-", "@")


def clean(value: Any) -> str:
    """The record's text as a cell: NFC, Markdown escapes and control
    characters removed, runs of whitespace as one space, no edges."""
    s = unicodedata.normalize("NFC", str(value))
    s = _ESCAPED.sub(r"\1", s)
    s = _CONTROL.sub(" ", s)
    return " ".join(s.split())


def slug(text: str, limit: int = 60) -> str:
    """A lowercase ASCII identifier from ``text`` (at most ``limit``
    characters, cut at a hyphen)."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > limit:
        words = s[: limit + 1].split("-")[:-1] or [s[:limit]]
        while len(words) > 1 and words[-1] in ("a", "an", "the", "of", "to", "in", "on", "and", "or", "for", "with"):
            words.pop()
        s = "-".join(words)
    return s.strip("-") or "x"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _formula_like(text: str) -> bool:
    return text.startswith(_FORMULA) and not _NUMBER.match(text)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ----------------------------------------------------------------------------
# the record


def read_record(path: str | Path) -> dict[str, Any]:
    """A ClinicalTrials.gov API v2 study record with posted results, or
    :class:`UnusableInput` in one line saying why not."""
    shown = str(path)
    data = read_bytes(path, shown, "JSON file")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"not UTF-8 text (byte {exc.start}); expected a ClinicalTrials.gov record", shown) from None
    except json.JSONDecodeError as exc:
        raise UnusableInput(
            f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); expected a ClinicalTrials.gov API v2 "
            "study record",
            shown,
        ) from None
    except RecursionError:
        raise UnusableInput("JSON nested too deeply to be a study record", shown) from None
    if isinstance(doc, dict) and isinstance(doc.get("studies"), list):
        raise UnusableInput(
            f"a search result listing {len(doc['studies'])} studies, not one study record; download each "
            f"record from {API}NCT…",
            shown,
        )
    if isinstance(doc, dict) and ({"FullStudiesResponse", "StudyFieldsResponse", "Study", "clinical_study"} & set(doc)):
        raise UnusableInput(
            f"a record of the retired classic API (v1), not an API v2 study record; download it again from {API}NCT…",
            shown,
        )
    if not isinstance(doc, dict) or not isinstance(doc.get("protocolSection"), dict):
        raise UnusableInput("not a ClinicalTrials.gov API v2 study record (no protocolSection object)", shown)
    ident = doc["protocolSection"].get("identificationModule")
    nct = ident.get("nctId") if isinstance(ident, dict) else None
    if not isinstance(nct, str) or not _NCT.match(nct):
        raise UnusableInput(
            "not a ClinicalTrials.gov API v2 study record (no NCT number in "
            "protocolSection.identificationModule.nctId)",
            shown,
        )
    status = doc["protocolSection"].get("statusModule")
    status = status if isinstance(status, dict) else {}
    results = doc.get("resultsSection")
    if doc.get("hasResults") is False or results is None:
        overall = status.get("overallStatus")
        said = f" (overall status {overall})" if isinstance(overall, str) else ""
        raise UnusableInput(f"{nct} has no posted results{said}; only a record with results can be imported", shown)
    if not isinstance(results, dict):
        raise UnusableInput(f"malformed record {nct}: resultsSection is not an object", shown)
    last = status.get("lastUpdatePostDateStruct")
    date = last.get("date") if isinstance(last, dict) else None
    if not isinstance(date, str) or not _DATE.match(date):
        raise UnusableInput(
            f"malformed record {nct}: no protocolSection.statusModule.lastUpdatePostDateStruct.date", shown
        )
    return doc


class _Doc:
    """Typed access to a record: a value of the wrong type is unusable input
    naming its JSON path."""

    def __init__(self, doc: dict[str, Any], file: str):
        self.doc = doc
        self.file = file
        self.nct: str = doc["protocolSection"]["identificationModule"]["nctId"]

    def bad(self, path: str, what: str) -> UnusableInput:
        return UnusableInput(f"malformed record {self.nct}: {path} {what}", self.file)

    def obj(self, node: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        v = node.get(key)
        if v is None:
            return {}
        if not isinstance(v, dict):
            raise self.bad(_join(path, key), "is not an object")
        return v

    def items(self, node: dict[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
        v = node.get(key)
        if v is None:
            return []
        where = _join(path, key)
        if not isinstance(v, list):
            raise self.bad(where, "is not a list")
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                raise self.bad(f"{where}[{i}]", "is not an object")
        return [(f"{where}[{i}]", item) for i, item in enumerate(v)]

    def text(self, node: dict[str, Any], key: str, path: str) -> str:
        v = node.get(key)
        if v is None:
            return ""
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise self.bad(_join(path, key), "is not text or a number")
        return clean(v)

    def texts(self, node: dict[str, Any], key: str, path: str) -> list[str]:
        v = node.get(key)
        if v is None:
            return []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.bad(_join(path, key), "is not a list of strings")
        return [clean(x) for x in v if clean(x)]

    def at(self, *keys: str) -> dict[str, Any]:
        """The object at a path of keys from the top (empty when absent)."""
        node, path = self.doc, ""
        for k in keys:
            node = self.obj(node, k, path)
            path = _join(path, k)
        return node


# ----------------------------------------------------------------------------
# the package


@dataclass
class _Table:
    name: str
    path: Path
    relpath: str
    fields: dict[str, dict[str, Any]]
    header: list[str]
    data: bytes
    rows: list[dict[str, str]]

    @property
    def newline(self) -> bytes:
        return b"\r\n" if b"\r\n" in self.data[:4096] else b"\n"


class _State:
    """The target package as it is on disk (never changed by the import
    until the final write)."""

    def __init__(self, package: Package, tables: dict[str, _Table], ds: Dataset):
        self.package = package
        self.tables = tables
        self.ds = ds
        self.hidden: str | None = None  # a source whose rows are left out (to rebuild another version)

    @property
    def root(self) -> Path:
        return self.package.root

    def rows(self, table: str) -> list[dict[str, str]]:
        rows = self.tables[table].rows
        if self.hidden is None:
            return rows
        return [r for r in rows if r.get("reported_in") != self.hidden and r.get("source_id") != self.hidden]

    def without(self, source_id: str) -> _State:
        view = _State(self.package, self.tables, self.ds)
        view.hidden = source_id
        return view


def open_target(into: str | Path) -> _State:
    """The package at ``into``, ready to be added to; refused when it is the
    bundled copy or does not follow model v2."""
    from jakdata.dataset import Dataset, load
    from jakdata.package.descriptor import bundled_root, open_package

    package = open_package(into)
    if package.root.resolve() == bundled_root().resolve():
        raise UnusableInput(
            "is the bundled package, which jakdata never changes; import into a fork (a copy of the package "
            "you can edit and release)",
            str(into),
        )
    tables: dict[str, _Table] = {}
    for name, cols in NEEDED.items():
        res = package.resources.get(name)
        if res is None:
            raise UnusableInput(
                f"has no {name!r} table: `jakdata import ctgov` writes rows of data model v2", str(package.path)
            )
        data = read_bytes(res.path, res.relpath)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnusableInput("not UTF-8 text; run `jakdata validate`", res.relpath) from None
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, [])
        missing = [c for c in cols if c not in header]
        if missing:
            raise UnusableInput(
                f"has no column {', '.join(missing)} (data model v1?); `jakdata import ctgov` writes rows of "
                "data model v2",
                res.relpath,
            )
        rows = [dict(zip(header, r)) for r in reader if r]
        fields = {f["name"]: f for f in res.fields}
        tables[name] = _Table(name, res.path, res.relpath, fields, header, data, rows)
    try:
        ds = load(package.path)
    except DataError as exc:
        raise DataError(f"the package does not load, fix it first (`jakdata validate`): {exc}") from None
    assert isinstance(ds, Dataset)
    return _State(package, tables, ds)


# ----------------------------------------------------------------------------
# the plan: rows to append


@dataclass(eq=False)
class _Row:
    table: str
    values: dict[str, str]
    nct: str
    line: int = 0

    @property
    def key(self) -> str:
        return self.values.get(KEYS.get(self.table, ""), "")

    def describe(self) -> str:
        where = self.values.get("locator", "")
        ident = self.key or (self.values.get("entity_id", "") + " " + self.values.get("name", "")).strip()
        return f"{self.table} {ident}" + (f" ({where})" if where else "")


class _Plan:
    def __init__(self, state: _State):
        self.state = state
        self.rows: list[_Row] = []
        #: names of vocabulary entries made in this run: etype -> normalised name -> ids
        self.names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.dropped: list[tuple[_Row, str]] = []

    def add(self, table: str, values: dict[str, str], nct: str) -> _Row:
        row = _Row(table, {k: v for k, v in values.items() if v is not None}, nct)
        self.rows.append(row)
        return row

    def of(self, table: str) -> list[_Row]:
        return [r for r in self.rows if r.table == table]

    def all_rows(self, table: str) -> list[dict[str, str]]:
        """Existing rows of ``table`` and the planned ones."""
        return self.state.rows(table) + [r.values for r in self.of(table)]

    def taken(self, table: str) -> set[str]:
        key = KEYS[table]
        return {r.get(key, "") for r in self.all_rows(table)}

    def unique_id(self, table: str, base: str) -> str:
        taken = self.taken(table)
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def register(self, etype: str, ident: str, names: Iterable[str]) -> None:
        from jakdata.lookup import normalise

        for name in names:
            if name:
                self.names[etype][normalise(name)].add(ident)

    def fork(self, state: _State) -> _Plan:
        """An empty plan over ``state`` that knows this plan's new vocabulary."""
        other = _Plan(state)
        other.names = copy.deepcopy(self.names)
        other.rows = [r for r in self.rows if r.table in ("drugs", "indications", "measures")]
        return other

    def drop(self, rows: Iterable[_Row], reason: str) -> None:
        gone = set(map(id, rows))
        for r in self.rows:
            if id(r) in gone:
                self.dropped.append((r, reason))
        self.rows = [r for r in self.rows if id(r) not in gone]

    def cascade(self) -> None:
        """Leave out every planned row that names a row left out."""
        while True:
            present = {(r.table, r.key) for r in self.rows if r.key}
            gone = {(r.table, r.key) for r, _ in self.dropped if r.key}
            victims: list[tuple[_Row, str]] = []
            for r in self.rows:
                for col, target in _references(r):
                    ident = r.values.get(col, "")
                    if ident and (target, ident) in gone and (target, ident) not in present:
                        victims.append((r, f"depends on {target} {ident}, which was left out"))
                        break
            if not victims:
                return
            for r, why in victims:
                self.drop([r], why)


def _references(row: _Row) -> list[tuple[str, str]]:
    out = [(col, REFERS[col]) for col in row.values if col in REFERS and col != KEYS.get(row.table)]
    if row.table == "synonyms":
        out.append(("entity_id", ENTITY_TABLES.get(row.values.get("entity_type", ""), "")))
    return out


# ----------------------------------------------------------------------------
# the vocabulary: find() over the fork, and the entries this run adds


class _Vocab:
    """:func:`jakdata.lookup.find` over the fork, for many names: the same
    columns (``lookup.SEARCHED`` and ``synonyms.name``) and the same
    normalisation, indexed once instead of scanned per name."""

    def __init__(self, state: _State):
        import pandas as pd

        from jakdata.lookup import SEARCHED, normalise

        ds = state.ds
        self.index: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)

        def put(etype: str, ids: Any, values: Any, where: str) -> None:
            for ident, value in zip(ids, values.astype("string")):
                if pd.isna(value):
                    continue
                key = normalise(value)
                if key and (str(ident), where) not in self.index[(etype, key)]:
                    self.index[(etype, key)].append((str(ident), where))

        for etype, (table, id_col, _label, cols) in SEARCHED.items():
            if table not in ds:
                continue
            frame = ds[table]
            for col in cols:
                if col in frame.columns:
                    put(etype, frame[id_col], frame[col], f"{table}.{col}")
        if "synonyms" in ds:
            syn = ds["synonyms"]
            for etype in SEARCHED:
                part = syn[syn["entity_type"].astype(str) == etype]
                put(etype, part["entity_id"], part["name"], "synonyms.name")

    def lookup(self, etype: str, name: str, plan: _Plan) -> tuple[list[str], str]:
        """Ids of ``etype`` entries called ``name`` (by any name, code or
        synonym, as ``find()`` matches them; or made earlier in this import),
        and where the first match was found."""
        from jakdata.lookup import normalise

        key = normalise(name)
        if not key:
            return [], ""
        found = self.index.get((etype, key), [])
        ids = {i for i, _ in found} | plan.names[etype].get(key, set())
        where = found[0][1] if found else ("this import" if ids else "")
        return sorted(ids), where


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


# ----------------------------------------------------------------------------
# mapping helpers


_INERT = re.compile(r"\b(placebo|vehicle|sham|dummy)\b", re.I)
_VEHICLE = re.compile(r"\bvehicle\b", re.I)
_DRUG_TYPES = {"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT"}
_DOSE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(mg/kg|mg/g|mg|µg|mcg|μg|g|%|IU|units?)(?![\w/])", re.I)
_FREQUENCY = re.compile(
    r"\b(q\.?d\.?|b\.?i\.?d\.?|t\.?i\.?d\.?|qw|q[1-9]w|qod|once daily|twice daily|once weekly|"
    r"every other week|every [1-9] weeks)\b",
    re.I,
)
_CODE = re.compile(r"^[A-Z]{1,6}[- ]?[0-9]{2,}[A-Z0-9-]*$")
_STRIP_FORM = re.compile(
    r"\s+(?:\d+(?:\.\d+)?\s*(?:mg/kg|mg/g|mg|µg|mcg|g|%|IU)\b.*|(?:oral\s+)?(?:tablets?|capsules?|cream|ointment|"
    r"gel|solution|injection|foam|lotion)\b.*)$",
    re.I,
)


def _strip_form(name: str) -> str:
    return _STRIP_FORM.sub("", name).strip() or name


PHASES = {
    frozenset({"PHASE1"}): "1",
    frozenset({"PHASE1", "PHASE2"}): "1/2",
    frozenset({"PHASE2"}): "2",
    frozenset({"PHASE2", "PHASE3"}): "2/3",
    frozenset({"PHASE3"}): "3",
    frozenset({"PHASE4"}): "4",
}
MASKING = {"NONE": "none", "SINGLE": "single", "DOUBLE": "double", "TRIPLE": "triple", "QUADRUPLE": "quadruple"}
ALLOCATION = {"RANDOMIZED": "randomised", "NON_RANDOMIZED": "non-randomised"}
ENDPOINT = {"PRIMARY": "primary", "SECONDARY": "secondary", "POST_HOC": "post-hoc"}

#: ClinicalTrials.gov location country names -> ISO 3166-1 alpha-2
COUNTRIES = {
    "Argentina": "AR",
    "Australia": "AU",
    "Austria": "AT",
    "Bangladesh": "BD",
    "Belarus": "BY",
    "Belgium": "BE",
    "Bosnia and Herzegovina": "BA",
    "Brazil": "BR",
    "Bulgaria": "BG",
    "Canada": "CA",
    "Chile": "CL",
    "China": "CN",
    "Colombia": "CO",
    "Costa Rica": "CR",
    "Croatia": "HR",
    "Cyprus": "CY",
    "Czechia": "CZ",
    "Czech Republic": "CZ",
    "Denmark": "DK",
    "Dominican Republic": "DO",
    "Ecuador": "EC",
    "Egypt": "EG",
    "Estonia": "EE",
    "Finland": "FI",
    "France": "FR",
    "Georgia": "GE",
    "Germany": "DE",
    "Greece": "GR",
    "Guatemala": "GT",
    "Hong Kong": "HK",
    "Hungary": "HU",
    "Iceland": "IS",
    "India": "IN",
    "Indonesia": "ID",
    "Iran, Islamic Republic of": "IR",
    "Ireland": "IE",
    "Israel": "IL",
    "Italy": "IT",
    "Japan": "JP",
    "Jordan": "JO",
    "Kazakhstan": "KZ",
    "Korea, Republic of": "KR",
    "South Korea": "KR",
    "Kuwait": "KW",
    "Latvia": "LV",
    "Lebanon": "LB",
    "Lithuania": "LT",
    "Luxembourg": "LU",
    "Malaysia": "MY",
    "Malta": "MT",
    "Mexico": "MX",
    "Moldova, Republic of": "MD",
    "Morocco": "MA",
    "Netherlands": "NL",
    "New Zealand": "NZ",
    "North Macedonia": "MK",
    "Norway": "NO",
    "Pakistan": "PK",
    "Panama": "PA",
    "Peru": "PE",
    "Philippines": "PH",
    "Poland": "PL",
    "Portugal": "PT",
    "Puerto Rico": "PR",
    "Qatar": "QA",
    "Romania": "RO",
    "Russian Federation": "RU",
    "Russia": "RU",
    "Saudi Arabia": "SA",
    "Serbia": "RS",
    "Singapore": "SG",
    "Slovakia": "SK",
    "Slovenia": "SI",
    "South Africa": "ZA",
    "Spain": "ES",
    "Sri Lanka": "LK",
    "Sweden": "SE",
    "Switzerland": "CH",
    "Taiwan": "TW",
    "Thailand": "TH",
    "Tunisia": "TN",
    "Turkey": "TR",
    "Türkiye": "TR",
    "Ukraine": "UA",
    "United Arab Emirates": "AE",
    "United Kingdom": "GB",
    "United States": "US",
    "Uruguay": "UY",
    "Venezuela": "VE",
    "Vietnam": "VN",
}

# outcome titles: the statistic words before and the time words after the
# name of what was measured
_LEAD = re.compile(
    r"^(?:the\s+)?(?:(?:least[- ]squares?|ls)\s+)?(?:mean\s+|median\s+|adjusted\s+)?"
    r"(?:(?:percent(?:age)?|%)\s+)?changes?\s+(?:from\s+baseline\s+)?(?:in|of|for)\s+(?:the\s+)?"
    r"|^(?:the\s+)?(?:percentage|percent|proportion|number|count)\s+of\s+(?:participants|subjects|patients)\s+"
    r"(?:who\s+)?(?:achieving|achieved|with|reaching|reached|having|had|that\s+achieved)?\s*(?:an?\s+|the\s+)?",
    re.I,
)
_TAIL = re.compile(
    r"\s+(?:(?:from\s+baseline\s+)?(?:at|to|through|by|up\s+to|until|over|during)\s+"
    r"(?:week|day|month|year|visit|hour)s?\b.*|from\s+baseline\b.*)$",
    re.I,
)
_ABBR = re.compile(r"\(([^()]{1,25})\)")
# words that end the spelled-out name of a scale, read backwards from its abbreviation
_STOP = frozenset(
    re.findall(
        r"\w+",
        "in at to from with by an a the achieving achieved who reaching having had baseline change changes "
        "percent percentage number participants proportion mean",
    )
)
_CONNECT = {"and", "of", "for", "on", "&"}
#: a grade pair ("score of 0 or 1", "IGA) 0/1"): 0 to 5, after "of"/"score" or right after the name
_PAIR = re.compile(
    r"(?:^\)?|\b(?:score|grade|rating|of)|[=:])\s*[\"“']?([0-5])[\"”']?\s*(?:or|/|to|-|,)\s*[\"“']?([0-5])[\"”']?(?!\d)",
    re.I,
)
_PCT = re.compile(r"≥\s*(\d+(?:\.\d+)?)\s*%|(?:at\s+least|>=)\s*(\d+(?:\.\d+)?)\s*%", re.I)
_POINTS = re.compile(r"(?:≥|>=|at\s+least)\s*(\d+(?:\.\d+)?)[- ]?points?", re.I)


def _measure_text(title: str) -> str:
    """The part of an outcome title that names what was measured."""
    t = _LEAD.sub("", title, count=1)
    t = _TAIL.sub("", t)
    return t.strip(" ,;:") or title


def _abbreviations(text: str) -> list[tuple[str, int]]:
    out = []
    for m in _ABBR.finditer(text):
        a = m.group(1).strip()
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9\-/ ]*", a) and sum(c.isupper() for c in a) >= 2 and len(a.split()) <= 2:
            out.append((a, m.start()))
    return out


def _phrase_before(text: str, pos: int) -> str:
    words = text[:pos].split()
    kept: list[str] = []
    for w in reversed(words):
        bare = w.strip(",;:").lower()
        if bare in _CONNECT:
            kept.append(w)
            continue
        if bare in _STOP or not (w[0].isupper() or w[0].isdigit()):
            break
        kept.append(w)
    while kept and kept[-1].lower() in _CONNECT:
        kept.pop()
    return " ".join(reversed(kept)).strip(" ,;:")


@dataclass
class _MeasureNames:
    text: str  # what was measured, as the title words it
    candidates: list[str]  # names to look up, most specific first
    label: str  # the name a new entry is built from


def measure_names(title: str, responder: bool) -> _MeasureNames:
    """Names an outcome title gives its measure. For a share of responders
    only names that carry the threshold ("EASI-75", "IGA 0/1"): the bare
    scale ("EASI", "IGA") is another measure."""
    text = _measure_text(title)
    abbrs = _abbreviations(text)
    bases: list[str] = []
    digits: list[str] = []
    for a, pos in abbrs:
        (digits if re.search(r"\d", a) else bases).append(a)
        phrase = _phrase_before(text, pos)
        if phrase:
            (digits if re.search(r"\d", phrase) else bases).append(phrase)
    if not responder:
        stripped = re.sub(r"\s+scores?$", "", text, flags=re.I)
        cands = [*bases, *digits, text, stripped]
        label = next((p for a, pos in abbrs if (p := _phrase_before(text, pos))), "") or stripped
        return _MeasureNames(text, list(dict.fromkeys(c for c in cands if c)), label)
    cands = list(digits)
    pair = _PAIR.search(text[abbrs[0][1] + len(abbrs[0][0]) + 1 :]) if abbrs else None
    pct = _PCT.search(text)
    pts = _POINTS.search(text)
    for b in bases:
        if pair:
            a, z = pair.group(1), pair.group(2)
            cands += [f"{b} {a}/{z}", f"{b} {a}-{z}", f"{b} {a} or {z}"]
        if pct:
            n = pct.group(1) or pct.group(2)
            cands += [f"{b}-{n}", f"{b} {n}"]
        if pts:
            cands += [f"{b}-{pts.group(1)}", f"{b} {pts.group(1)}"]
    label = cands[0] if cands else text
    cands.append(text)
    return _MeasureNames(text, list(dict.fromkeys(c for c in cands if c)), label)


_PARAM_NAMES = {
    "MEAN": "mean",
    "LEAST_SQUARES_MEAN": "least-squares mean",
    "MEDIAN": "median",
    "NUMBER": "number",
    "COUNT_OF_PARTICIPANTS": "count of participants",
    "COUNT_OF_UNITS": "count of units",
    "GEOMETRIC_MEAN": "geometric mean",
    "GEOMETRIC_LEAST_SQUARES_MEAN": "geometric least-squares mean",
    "LOG_MEAN": "log mean",
}


def statistic(param: str, unit: str, title: str) -> tuple[str | None, bool, str]:
    """``(statistic or None, responder, why not)`` from the parameter type,
    the unit and the title."""
    p = param.upper().replace(" ", "_")
    responder = p == "COUNT_OF_PARTICIPANTS" or (
        p == "NUMBER"
        and bool(
            re.search(r"participant|patient|subject", unit, re.I)
            or re.match(r"^(?:the\s+)?(?:percentage|percent|proportion|number|count)\s+of\s+", title, re.I)
        )
    )
    percent_unit = bool(re.search(r"percent|%", unit, re.I))
    if responder:
        if p == "NUMBER" and percent_unit:
            return "percent", True, ""
        return "count", True, ""
    pct_change = bool(re.search(r"\b(?:percent(?:age)?|%)\s*changes?\b", title, re.I))
    change = pct_change or bool(re.search(r"\bchanges?\b", title, re.I))
    table: dict[str, tuple[str | None, str | None, str | None]] = {
        # param: (no change, change, percent change)
        "MEAN": ("mean", "mean-change", "percent-change"),
        "LEAST_SQUARES_MEAN": (None, "ls-mean-change", "ls-mean-percent-change"),
        "MEDIAN": ("median", "median-change", None),
        "NUMBER": ("percent" if percent_unit else "value", None, "percent-change"),
        "COUNT_OF_UNITS": ("count", None, None),
    }
    if p not in table:
        return None, False, f"parameter type {_PARAM_NAMES.get(p, param)!r} has no statistic in the data model"
    stat = table[p][2 if pct_change else 1 if change else 0]
    if stat is None:
        kind = "a percent change" if pct_change else "a change" if change else "a value"
        return None, False, f"a {_PARAM_NAMES.get(p, param)} of {kind} has no statistic in the data model"
    return stat, False, ""


def dispersion_kind(text: str) -> tuple[str, str]:
    """``(kind, level)``: kind sd, se, ci, iqr, range, other or '' (none)."""
    t = re.sub(r"[^a-z0-9.%]+", "_", text.lower()).strip("_")
    if not t or t == "na":
        return "", ""
    if "standard_error" in t:
        return "se", ""
    if "standard_deviation" in t:
        return "sd", ""
    if "confidence" in t:
        m = re.search(r"(\d+(?:\.\d+)?)", t)
        level = m.group(1) if m else ""
        if level == "975":
            level = "97.5"
        return "ci", level
    if "inter_quartile" in t or "interquartile" in t:
        return "iqr", ""
    if "range" in t:
        return "range", ""
    return "other", ""


def effect_measure(param: str) -> str:
    p = param.lower()
    if "hazard" in p:
        return "hazard-ratio"
    if "odds" in p:
        return "odds-ratio"
    if "risk ratio" in p or "relative risk" in p:
        return "risk-ratio"
    if "risk difference" in p:
        return "risk-difference"
    if "standardi" in p and "difference" in p:
        return "standardised-mean-difference"
    if re.search(r"least[- ]squares?|\bls\b|lsmean", p) and "difference" in p:
        return "ls-mean-difference"
    if "mean difference" in p:
        return "mean-difference"
    if re.search(r"percent|proportion", p) and "difference" in p:
        return "percent-difference"
    return ""


_WEEK = re.compile(r"^(?:(?:from\s+)?baseline\s+(?:to|through|until)\s+|at\s+)?week\s*(\d{1,3})$", re.I)
_VISIT = re.compile(r"^(?:day|week|month|year)\s*\d{1,3}$", re.I)
_AT_BASELINE = re.compile(r"^(?:at\s+)?baseline(?:\s*\([^()]*\))?$", re.I)


def timepoint_days(frame: str) -> str:
    """Days after baseline, only where the time frame says it one way:
    ``Week 16`` and ``Baseline to Week 16`` are 112, ``Baseline`` is 0.
    Days (day 1 may be baseline), months and lists stay empty."""
    m = _WEEK.match(frame)
    if m:
        return str(int(m.group(1)) * 7)
    return "0" if _AT_BASELINE.match(frame) else ""


def _number(text: str) -> str:
    t = text.strip()
    return t if _NUMBER.match(t) else ""


# ----------------------------------------------------------------------------
# one record -> rows


@dataclass
class _Arm:
    arm_id: str
    drug_id: str
    role: str
    label: str


class _Builder:
    """Turns one record into planned rows (and its summary)."""

    def __init__(self, doc: _Doc, state: _State, plan: _Plan, vocab: _Vocab, summary: RecordSummary):
        self.d = doc
        self.state = state
        self.plan = plan
        self.vocab = vocab
        self.s = summary
        self.nct = doc.nct
        self.ident = doc.at("protocolSection", "identificationModule")
        self.status = doc.at("protocolSection", "statusModule")
        self.design = doc.at("protocolSection", "designModule")
        self.results = doc.at("resultsSection")
        self.version = clean(self.status["lastUpdatePostDateStruct"]["date"])
        self.source_id = f"{SOURCE_PREFIX}{self.nct.lower()}-{self.version}"
        self.prefix = f"{SOURCE_PREFIX}{self.nct.lower()}"
        self.study_id = ""
        self.indication_id = ""
        self.arms: dict[str, _Arm] = {}  # normalised title -> arm
        self.measures: dict[str, tuple[str, str]] = {}  # outcome title -> (measure_id, message)
        self.observational = False
        self._refused: set[str] = set()  # results groups that could not become arms
        self._warned: set[str] = set()  # arms whose rows were skipped (said once)

    # -- helpers

    def add(self, table: str, values: dict[str, str]) -> _Row | None:
        """Plan a row, unless a value cannot be a cell as printed (too long for
        its column, or text a spreadsheet would run as a formula)."""
        fields = self.state.tables[table].fields
        row = {k: v for k, v in values.items() if v != ""}
        for col, v in list(row.items()):
            limit = fields.get(col, {}).get("constraints", {}).get("maxLength")
            if col in ("note", "regimen_note", "population", "description") and isinstance(limit, int):
                row[col] = v = _shorten(v, limit)
            if isinstance(limit, int) and len(v) > limit:
                self.s.skipped.append(
                    f"{table} at {values.get('locator', '?')}: {col} is longer than {limit} characters"
                )
                return None
            if _formula_like(v):
                self.s.skipped.append(
                    f"{table} at {values.get('locator', '?')}: {col} {v[:30]!r} would run as a spreadsheet formula"
                )
                return None
        return self.plan.add(table, row, self.nct)

    def skip(self, what: str) -> None:
        self.s.skipped.append(what)

    # -- the source and the study

    def source(self) -> None:
        brief = self.d.text(self.ident, "briefTitle", "protocolSection.identificationModule")
        official = self.d.text(self.ident, "officialTitle", "protocolSection.identificationModule")
        sponsor = self.d.text(
            self.d.at("protocolSection", "sponsorCollaboratorsModule", "leadSponsor"),
            "name",
            "protocolSection.sponsorCollaboratorsModule.leadSponsor",
        )
        first = self.d.text(
            self.d.obj(self.status, "resultsFirstPostDateStruct", "protocolSection.statusModule"), "date", ""
        )
        note = (
            f"ClinicalTrials.gov API v2 study record of {self.nct}, imported by `jakdata import ctgov`: a draft "
            f"until a curator has read it. Last update posted {self.version}"
            + (f"; results first posted {first}" if first else "")
            + (f"; lead sponsor {sponsor}" if sponsor else "")
            + (f"; official title: {official}" if official and official != brief else "")
            + ". Locators of the rows drawn from it are JSON paths into this record."
        )
        self.add(
            "sources",
            {
                "source_id": self.source_id,
                "document_type": "registry-record",
                "title": brief or official or self.nct,
                "year": self.version[:4],
                "url": f"{API}{self.nct}",
                "language": "en",
                "published_date": self.version if len(self.version) == 10 else "",
                "peer_reviewed": "false",
                "note": note,
                "review_status": "draft",
            },
        )
        self.s.source_id = self.source_id

    def existing_study(self) -> tuple[dict[str, str] | None, str]:
        """The trial's study already in the package: the one with the same
        registry_id, else the one that shares an EudraCT or CTIS number with
        the record (a study curated before its NCT was known). Sponsors'
        protocol numbers are not unique enough to decide it."""
        studies = self.plan.all_rows("studies")
        same = [r for r in studies if r.get("registry_id") == self.nct]
        if same:
            return same[0], "same registry_id"
        ours = {x for x in self.secondary_ids().split("|") if x.startswith(("EudraCT:", "CTIS:"))}
        if not ours:
            return None, ""
        sharing = [r for r in studies if ours & set(r.get("secondary_ids", "").split("|"))]
        if len(sharing) == 1:
            shared = sorted(ours & set(sharing[0]["secondary_ids"].split("|")))
            note = f"shares {', '.join(shared)}"
            if not sharing[0].get("registry_id"):
                note += f"; its registry_id is empty, a curator may add {self.nct}"
            return sharing[0], note
        if sharing:
            ids = ", ".join(r["study_id"] for r in sharing)
            return {}, f"studies {ids} share the record's trial identifiers"
        return None, ""

    def study(self) -> bool:
        existing, why = self.existing_study()
        if existing == {}:
            self.s.status, self.s.reason = "skipped", f"which study it is, is unclear: {why}"
            return False
        if existing:
            self.study_id = existing["study_id"]
            self.indication_id = existing.get("indication_id", "")
            self.s.mapped.append(f"{self.nct} -> existing study {self.study_id} ({why})")
            self.observational = self.design.get("studyType") == "OBSERVATIONAL"
            return True
        path = "protocolSection.designModule"
        info = self.d.obj(self.design, "designInfo", path)
        study_type = self.d.text(self.design, "studyType", path)
        allocation = self.d.text(info, "allocation", f"{path}.designInfo")
        design = ""
        if study_type == "INTERVENTIONAL":
            design = "rct" if allocation == "RANDOMIZED" else "non-randomised-trial"
        elif study_type == "OBSERVATIONAL":
            self.observational = True
            model = self.d.text(info, "observationalModel", f"{path}.designInfo")
            design = {"COHORT": "cohort", "CASE_ONLY": "case-series"}.get(model, "")
            if not design:
                self.s.status, self.s.reason = (
                    "skipped",
                    (f"the observational model {model or '(none)'} has no equivalent among the study designs"),
                )
                return False
        else:
            self.s.status, self.s.reason = (
                "skipped",
                (f"study type {study_type or '(none)'} has no equivalent among the study designs"),
            )
            return False
        if not self.indication():
            return False
        phases = frozenset(self.d.texts(self.design, "phases", path))
        phase = PHASES.get(phases, "")
        masking = self.d.text(self.d.obj(info, "maskingInfo", f"{path}.designInfo"), "masking", "")
        enrol = self.d.obj(self.design, "enrollmentInfo", path)
        count = self.d.text(enrol, "count", f"{path}.enrollmentInfo")
        countries, unknown = self.countries()
        secondary = self.secondary_ids()
        notes = [f"Draft from the registry record (last update posted {self.version})."]
        notes.append(
            "Design as registered: "
            + ", ".join(
                x
                for x in (
                    study_type,
                    self.d.text(info, "interventionModel", "") or self.d.text(info, "observationalModel", ""),
                    allocation,
                    self.d.text(info, "primaryPurpose", ""),
                )
                if x
            )
            + "."
        )
        if phases and not phase:
            notes.append(f"Phase as registered: {'/'.join(sorted(phases))} (no equivalent in the phase column).")
        if count:
            notes.append(f"Enrolment {count} ({self.d.text(enrol, 'type', '') or 'type not stated'}).")
        conditions = self.d.texts(self.d.at("protocolSection", "conditionsModule"), "conditions", "")
        if len(conditions) > 1:
            notes.append(f"Conditions as registered: {'; '.join(conditions)}.")
        if unknown:
            notes.append(f"Countries as registered: {'; '.join(unknown)} (country left empty: not all are known).")
        if design == "rct":
            notes.append("Evidence level 2 (CEBM 2011, a randomised trial) from the design, as for curated trials.")
        self.study_id = self.plan.unique_id("studies", self.nct.lower())
        self.add(
            "studies",
            {
                "study_id": self.study_id,
                "source_id": self.source_id,
                "design": design,
                "species": "human",
                "n_participants": count if _INTEGER.match(count) else "",
                "indication_id": self.indication_id,
                "population": self.population(conditions),
                "country": "" if unknown else countries,
                "registry_id": self.nct,
                "evidence_level": "2" if design == "rct" else "",
                "reported_in": self.source_id,
                "locator": "protocolSection.identificationModule; protocolSection.designModule; "
                "protocolSection.conditionsModule",
                "note": " ".join(notes),
                "acronym": self.d.text(self.ident, "acronym", ""),
                "phase": phase,
                "allocation": ALLOCATION.get(allocation, ""),
                "masking": MASKING.get(masking, ""),
                "secondary_ids": secondary,
            },
        )
        return True

    def population(self, conditions: list[str]) -> str:
        elig = self.d.at("protocolSection", "eligibilityModule")
        low = self.d.text(elig, "minimumAge", "protocolSection.eligibilityModule")
        high = self.d.text(elig, "maximumAge", "protocolSection.eligibilityModule")
        sex = self.d.text(elig, "sex", "protocolSection.eligibilityModule")
        parts = [f"Participants with {', '.join(conditions)}"] if conditions else ["Participants"]
        if low and high:
            parts.append(f"aged {low} to {high}")
        elif low:
            parts.append(f"aged {low} or older")
        elif high:
            parts.append(f"aged up to {high}")
        if sex in ("FEMALE", "MALE"):
            parts.append(f"{sex.lower()} only")
        return ", ".join(parts) + " (eligibility as registered)"

    def countries(self) -> tuple[str, list[str]]:
        path = "protocolSection.contactsLocationsModule"
        names = sorted(
            {
                self.d.text(loc, "country", p)
                for p, loc in self.d.items(self.d.at("protocolSection", "contactsLocationsModule"), "locations", path)
            }
            - {""}
        )
        codes = sorted({COUNTRIES[n] for n in names if n in COUNTRIES})
        unknown = [n for n in names if n not in COUNTRIES]
        return "|".join(codes), (names if unknown else [])

    def secondary_ids(self) -> str:
        path = "protocolSection.identificationModule"
        out: list[str] = []
        for p, info in self.d.items(self.ident, "secondaryIdInfos", path):
            ident, kind = self.d.text(info, "id", p), self.d.text(info, "type", p)
            if kind == "EUDRACT_NUMBER" and ident:
                out.append(f"EudraCT:{ident}")
            elif kind == "CTIS" and ident:
                out.append(f"CTIS:{ident}")
        org = self.d.text(self.d.obj(self.ident, "orgStudyIdInfo", path), "id", "")
        if org:
            out.append(f"Protocol:{org}")
        good = [x for x in dict.fromkeys(out) if "|" not in x]
        return "|".join(good)

    def indication(self) -> bool:
        conditions = self.d.texts(self.d.at("protocolSection", "conditionsModule"), "conditions", "")
        if not conditions:
            self.s.status, self.s.reason = "skipped", "the record names no condition (a study needs an indication)"
            return False
        for cond in conditions:
            ids, where = self.vocab.lookup("indication", cond, self.plan)
            if len(ids) == 1:
                self.indication_id = ids[0]
                self.s.mapped.append(f"condition {cond!r} -> indication {ids[0]} (matched in {where})")
                return True
            if len(ids) > 1:
                self.s.mapped.append(f"condition {cond!r} matches several indications ({', '.join(ids)}): not used")
        meshes = self.d.items(self.d.at("derivedSection", "conditionBrowseModule"), "meshes", "")
        cond = conditions[0]
        ident = self.plan.unique_id("indications", slug(cond))
        skin = any(
            self.d.text(a, "id", p) == "D000012871" or self.d.text(a, "term", p) == "Skin Diseases"
            for p, a in self.d.items(self.d.at("derivedSection", "conditionBrowseModule"), "ancestors", "") + meshes
        )
        row = self.add(
            "indications",
            {
                "indication_id": ident,
                "name": cond,
                "dermatologic": "true" if skin else "false",
                "note": f"Added by `jakdata import ctgov` from the condition of {self.nct} as registered; "
                f"dermatologic = {'true' if skin else 'false'} from whether the record's MeSH condition tree "
                "includes Skin Diseases. Parent and identifiers await a curator.",
            },
        )
        if row is None:
            self.s.status, self.s.reason = "skipped", f"the condition {cond!r} cannot be an indication name"
            return False
        self.plan.register("indication", ident, [cond, ident])
        self.indication_id = ident
        self.s.vocabulary.append(f"indication {ident} ({cond!r}; dermatologic {row.values['dermatologic']})")
        return True

    # -- arms

    def interventions(self) -> list[tuple[str, dict[str, Any]]]:
        return self.d.items(
            self.d.at("protocolSection", "armsInterventionsModule"),
            "interventions",
            "protocolSection.armsInterventionsModule",
        )

    def drug_for(self, path: str, iv: dict[str, Any]) -> str:
        """The drug an intervention gives (mapped or new); '' when ambiguous."""
        from jakdata.lookup import normalise

        name = self.d.text(iv, "name", path)
        others = self.d.texts(iv, "otherNames", path)
        ids: set[str] = set()
        where = ""
        for cand in dict.fromkeys([name, _strip_form(name), *others, *map(_strip_form, others)]):
            found, w = self.vocab.lookup("drug", cand, self.plan)
            if found and not where:
                where = f"{cand!r} in {w}"
            ids |= set(found)
        if len(ids) == 1:
            (ident,) = ids
            self.s.mapped.append(f"intervention {name!r} -> drug {ident} (matched {where})")
            return ident
        if len(ids) > 1:
            self.s.mapped.append(
                f"intervention {name!r} matches several drugs ({', '.join(sorted(ids))}): no drug_id set"
            )
            return ""
        inn = _strip_form(name)
        ident = self.plan.unique_id("drugs", slug(inn))
        row = self.add(
            "drugs",
            {
                "drug_id": ident,
                "inn": inn,
                "drug_class": UNCLASSIFIED,
                "note": f"Added by `jakdata import ctgov` from the intervention {name!r} of {self.nct} "
                f"(type {self.d.text(iv, 'type', path) or 'not stated'}"
                + (f"; other names as registered: {', '.join(others)}" if others else "")
                + "). The INN, drug class (set to unclassified), routes and identifiers await a curator.",
            },
        )
        if row is None:
            return ""
        self.plan.register("drug", ident, [name, inn, ident, *others])
        codes = [o for o in others if _CODE.match(o) and normalise(o) not in (normalise(inn), normalise(ident))]
        for code in codes:
            self.add(
                "synonyms",
                {
                    "entity_type": "drug",
                    "entity_id": ident,
                    "name": code,
                    "language": "en",
                    "kind": "code",
                    "reported_in": self.source_id,
                },
            )
        self.s.vocabulary.append(
            f"drug {ident} ({name!r}; class {UNCLASSIFIED}" + (f"; codes {', '.join(codes)}" if codes else "") + ")"
        )
        return ident

    def arm_groups(self) -> None:
        from jakdata.lookup import normalise

        mod = self.d.at("protocolSection", "armsInterventionsModule")
        groups = self.d.items(mod, "armGroups", "protocolSection.armsInterventionsModule")
        interventions = self.interventions()
        linked: dict[int, list[int]] = {}
        for gi, (gpath, g) in enumerate(groups):
            label = self.d.text(g, "label", gpath)
            names = {normalise(n.split(":", 1)[-1]) for n in self.d.texts(g, "interventionNames", gpath)}
            linked[gi] = [
                ii
                for ii, (ipath, iv) in enumerate(interventions)
                if normalise(self.d.text(iv, "name", ipath)) in names
                or normalise(label) in {normalise(x) for x in self.d.texts(iv, "armGroupLabels", ipath)}
            ]
        # given to every arm, a control arm included: background, not the arm's drug
        has_control = any(
            _INERT.search(self.d.text(interventions[i][1], "name", interventions[i][0]))
            for v in linked.values()
            for i in v
        )
        common = set.intersection(*(set(v) for v in linked.values())) if len(groups) > 1 and has_control else set()
        drugs: dict[int, str] = {}
        flow = self.flow_counts()
        for gi, (gpath, g) in enumerate(groups):
            label = self.d.text(g, "label", gpath)
            if not label:
                self.skip(f"arm at {gpath}: no label")
                continue
            kind = self.d.text(g, "type", gpath)
            ivs = [interventions[i] for i in linked[gi]]
            inert = [(p, iv) for p, iv in ivs if _INERT.search(self.d.text(iv, "name", p))]
            active = [
                (p, iv)
                for i, (p, iv) in zip(linked[gi], ivs)
                if not _INERT.search(self.d.text(iv, "name", p)) and i not in common
            ]
            active_drugs = [(p, iv) for p, iv in active if self.d.text(iv, "type", p) in _DRUG_TYPES]
            background = [
                self.d.text(iv, "name", p)
                for i, (p, iv) in zip(linked[gi], ivs)
                if i in common and not _INERT.search(self.d.text(iv, "name", p))
            ]
            why = ""
            if inert and (not active or kind == "PLACEBO_COMPARATOR"):
                role = "vehicle" if any(_VEHICLE.search(self.d.text(iv, "name", p)) for p, iv in inert) else "placebo"
                inert_names = ", ".join(repr(self.d.text(iv, "name", p)) for p, iv in inert)
                why = (
                    f"its intervention {inert_names} is inert"
                    if not active
                    else "the record types it PLACEBO_COMPARATOR"
                )
                if kind not in ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR"):
                    why += f"; the record types the arm {kind or 'without a type'}"
                background += [self.d.text(iv, "name", p) for p, iv in active]
                active_drugs = []
            elif kind in ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR") and not active:
                role, why = "placebo", f"the record types it {kind}"
            elif kind == "NO_INTERVENTION":
                self.skip(f"arm {label!r} ({gpath}): an untreated (NO_INTERVENTION) arm has no role in the data model")
                continue
            elif kind == "ACTIVE_COMPARATOR":
                role = "active-comparator"
            elif len(groups) == 1:
                role = "single-arm"
            else:
                role = "experimental"
            drug = ""
            if active_drugs:
                chosen = active_drugs
                if len(active_drugs) > 1:
                    chosen = [a for a in active_drugs if self._is_jak(a)] or active_drugs
                if len(chosen) == 1:
                    key = id(chosen[0][1])
                    if key not in drugs:
                        drugs[key] = self.drug_for(*chosen[0])
                    drug = drugs[key]
                    background += [self.d.text(iv, "name", p) for p, iv in active_drugs if iv is not chosen[0][1]]
                else:
                    self.s.mapped.append(
                        f"arm {label!r} combines {', '.join(repr(self.d.text(iv, 'name', p)) for p, iv in chosen)}: "
                        "no drug_id set"
                    )
            dose = unit = freq = ""
            if drug:
                doses = _DOSE.findall(label)
                if len(doses) == 1:
                    dose, unit = doses[0]
                freqs = _FREQUENCY.findall(label)
                if len(freqs) == 1:
                    freq = freqs[0]
            n, npath = flow.get(normalise(label), ("", ""))
            iv_names = [
                f"{self.d.text(iv, 'type', p).title().replace('_', ' ')}: {self.d.text(iv, 'name', p)}" for p, iv in ivs
            ]
            note = f"Arm group type as registered: {kind or 'not stated'}; role {role}" + (
                f" because {why}" if why else ""
            )
            note += "." + (f" Interventions as registered: {'; '.join(iv_names)}." if iv_names else "")
            if npath:
                note += " n is the number who started the first period of the participant flow."
            if why and kind not in ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR"):
                self.s.mapped.append(f"arm {label!r} -> role {role} ({why})")
            self.arm(
                label,
                {
                    "drug_id": drug,
                    "dose": dose,
                    "dose_unit": unit,
                    "frequency": freq,
                    "n": n,
                    "locator": gpath + (f"; {npath}" if npath else ""),
                    "note": note,
                    "role": role,
                    "background": "; ".join(dict.fromkeys(b for b in background if b)),
                },
            )

    def _is_jak(self, item: tuple[str, dict[str, Any]]) -> bool:
        name = self.d.text(item[1], "name", item[0])
        ids, _ = self.vocab.lookup("drug", _strip_form(name), self.plan)
        if len(ids) != 1 or "drugs" not in self.state.ds:
            return False
        drugs = self.state.ds["drugs"]
        cls = drugs.loc[drugs["drug_id"] == ids[0], "drug_class"].astype(str).tolist()
        return bool(cls) and cls[0] in ("jak-inhibitor", "tyk2-inhibitor")

    def arm(self, label: str, values: dict[str, str]) -> _Arm | None:
        """Plan an arm (or reuse the trial's existing arm with the same role,
        drug and dose) and remember it under its label."""
        from jakdata.lookup import normalise

        key = normalise(label)
        same = [
            r
            for r in self.plan.all_rows("arms")
            if r.get("study_id") == self.study_id
            and r.get("role") == values["role"]
            and r.get("drug_id", "") == values["drug_id"]
            and _same_number(r.get("dose", ""), values["dose"])
        ]
        if len(same) == 1 and same[0].get("reported_in") != self.source_id:
            arm = _Arm(same[0]["arm_id"], same[0].get("drug_id", ""), values["role"], label)
            self.s.mapped.append(f"arm {label!r} -> existing arm {arm.arm_id} (same study, role, drug and dose)")
            self.arms[key] = arm
            return arm
        arm_id = self.plan.unique_id("arms", f"{self.study_id}-{slug(label, 50)}")
        row = self.add(
            "arms",
            {
                "arm_id": arm_id,
                "study_id": self.study_id,
                "label": label,
                "reported_in": self.source_id,
                **values,
            },
        )
        if row is None:
            return None
        arm = _Arm(arm_id, values["drug_id"], values["role"], label)
        self.arms[key] = arm
        return arm

    def flow_counts(self) -> dict[str, tuple[str, str]]:
        """Normalised group title -> (number started, its JSON path), from the
        first period of the participant flow."""
        from jakdata.lookup import normalise

        base = "resultsSection.participantFlowModule"
        mod = self.d.at("resultsSection", "participantFlowModule")
        titles = {self.d.text(g, "id", p): self.d.text(g, "title", p) for p, g in self.d.items(mod, "groups", base)}
        periods = self.d.items(mod, "periods", base)
        out: dict[str, tuple[str, str]] = {}
        if not periods:
            return out
        ppath, period = periods[0]
        for mpath, milestone in self.d.items(period, "milestones", ppath):
            if self.d.text(milestone, "type", mpath) != "STARTED":
                continue
            for apath, ach in self.d.items(milestone, "achievements", mpath):
                n = self.d.text(ach, "numSubjects", apath)
                title = titles.get(self.d.text(ach, "groupId", apath), "")
                if title and _INTEGER.match(n):
                    out[normalise(title)] = (n, apath)
        return out

    def group_arm(self, title: str, path: str) -> _Arm | None:
        """The arm of a results group: the arm group with the same title, or
        an arm made from the results group when its title says what it is."""
        from jakdata.lookup import normalise

        key = normalise(title)
        if key in self.arms:
            return self.arms[key]
        if key in self._refused:
            return None
        interventions = self.interventions()
        named = [
            (p, iv)
            for p, iv in interventions
            if normalise(self.d.text(iv, "name", p)) and normalise(self.d.text(iv, "name", p)) in key
        ]
        drugs = [
            (p, iv)
            for p, iv in named
            if self.d.text(iv, "type", p) in _DRUG_TYPES and not _INERT.search(self.d.text(iv, "name", p))
        ]
        flow = self.flow_counts()
        n, npath = flow.get(key, ("", ""))
        values = {
            "drug_id": "",
            "dose": "",
            "dose_unit": "",
            "frequency": "",
            "n": n,
            "locator": path + (f"; {npath}" if npath else ""),
            "background": "",
        }
        if _INERT.search(title) and not drugs:
            role = "vehicle" if _VEHICLE.search(title) else "placebo"
            values["note"] = f"Made from a results group (no arm group has its title); role {role} from its title."
        elif len(drugs) == 1:
            role = "experimental"
            values["drug_id"] = self.drug_for(*drugs[0])
            values["note"] = (
                "Made from a results group (no arm group has its title); drug from the intervention its title names."
            )
        elif self.observational or not self.arms:
            role = "single-arm"
            values["note"] = "Made from a results group of a record that registers no arm groups for it; no drug."
        else:
            self._refused.add(key)
            self.skip(f"results group {title!r} ({path}): matches no arm group and names no single drug")
            return None
        values["role"] = role
        arm = self.arm(title, values)
        if arm is not None:
            drug = f"drug {values['drug_id']}" if values["drug_id"] else "no drug"
            self.s.mapped.append(
                f"results group {title!r} (no arm group has its title) -> arm {arm.arm_id}, {role}, {drug}"
            )
        return arm

    def _usable_arm(self, arm: _Arm, where: str) -> bool:
        if arm.drug_id or arm.role in ("placebo", "vehicle"):
            return True
        if arm.arm_id not in self._warned:
            self._warned.add(arm.arm_id)
            self.skip(
                f"{where} of arm {arm.arm_id}: the arm gives no drug and is not a placebo or vehicle arm "
                "(the data model needs a drug on those rows)"
            )
        return False

    # -- outcomes

    def measure(self, index: int, title: str, responder: bool, path: str) -> str:
        if title in self.measures:
            return self.measures[title][0]
        names = measure_names(title, responder)
        found: dict[str, str] = {}
        for cand in names.candidates:
            ids, where = self.vocab.lookup("measure", cand, self.plan)
            for i in ids:
                found.setdefault(i, f"{cand!r} in {where}")
        short = _shorten(title, 90)
        if len(found) == 1:
            ((ident, where),) = found.items()
            msg = f"outcome measure [{index}] {short!r} -> measure {ident} (matched {where})"
            self.s.mapped.append(msg)
            self.measures[title] = (ident, msg)
            return ident
        if found:
            self.s.mapped.append(
                f"outcome measure [{index}] {short!r} matches several measures ({', '.join(sorted(found))}): "
                "a new measure is added instead"
            )
        ident = self.plan.unique_id("measures", slug(names.label))
        name = names.text if len(names.text) <= 200 else names.label[:200]
        row = self.add(
            "measures",
            {
                "measure_id": ident,
                "name": name,
                "description": f"Added by `jakdata import ctgov` from outcome measure [{index}] of {self.nct} "
                f"({'a share or count of responders' if responder else 'a scale or quantity'} named in the "
                "outcome title). Range, unit, direction, based_on and definition await a curator.",
            },
        )
        if row is None:
            self.measures[title] = ("", "")
            return ""
        self.plan.register("measure", ident, [ident, *names.candidates])
        self.s.vocabulary.append(f"measure {ident} ({_shorten(name, 80)!r})")
        self.measures[title] = (ident, "")
        return ident

    def outcomes(self) -> None:
        base = "resultsSection.outcomeMeasuresModule"
        mod = self.d.at("resultsSection", "outcomeMeasuresModule")
        for index, (mpath, om) in enumerate(self.d.items(mod, "outcomeMeasures", base)):
            title = self.d.text(om, "title", mpath)
            if self.d.text(om, "reportingStatus", mpath) == "NOT_POSTED":
                self.skip(f"outcome measure [{index}] {_shorten(title, 60)!r}: results not posted")
                continue
            param = self.d.text(om, "paramType", mpath)
            unit = self.d.text(om, "unitOfMeasure", mpath)
            stat, responder, why = statistic(param, unit, title)
            if stat is None:
                self.skip(f"outcome measure [{index}] {_shorten(title, 60)!r}: {why}")
                continue
            frame = self.d.text(om, "timeFrame", mpath)
            kind = self.d.text(om, "type", mpath)
            common = {
                "indication_id": self.indication_id,
                "study_id": self.study_id,
                "statistic": stat,
                "unit": unit if len(unit) <= 40 else "",
                "derived": "false",
                "reported_in": self.source_id,
                "endpoint_role": ENDPOINT.get(kind, ""),
            }
            notes = [f"Registry outcome measure [{index}]: {title}"]
            if len(unit) > 40:
                notes.append(f"unit: {unit}")
            if kind and kind not in ENDPOINT:
                notes.append(f"registered as {kind}")
            groups = {
                self.d.text(g, "id", p): (self.d.text(g, "title", p), p) for p, g in self.d.items(om, "groups", mpath)
            }
            denoms = self.denominators(om, mpath)
            spread = dispersion_kind(self.d.text(om, "dispersionType", mpath))
            for c, (cpath, cls) in enumerate(self.d.items(om, "classes", mpath)):
                class_title = self.d.text(cls, "title", cpath)
                cdenoms = self.denominators(cls, cpath) or denoms
                for k, (kpath, cat) in enumerate(self.d.items(cls, "categories", cpath)):
                    cat_title = self.d.text(cat, "title", kpath)
                    # a class or category that names one visit ("Week 4") is the rows' timepoint
                    when = next((t for t in (cat_title, class_title) if _VISIT.match(t)), "") or frame
                    where = [*notes]
                    where += [f"class: {class_title}"] if class_title else []
                    where += [f"category: {cat_title}"] if cat_title else []
                    if when != frame or len(frame) > 100:
                        where.append(f"time frame: {frame}")
                    for x, (xpath, m) in enumerate(self.d.items(cat, "measurements", kpath)):
                        gid = self.d.text(m, "groupId", xpath)
                        gtitle, gpath = groups.get(gid, ("", ""))
                        arm = self.group_arm(gtitle, gpath) if gtitle else None
                        if arm is None:
                            self.skip(f"outcomes at {xpath}: group {gid!r} is not an arm that was imported")
                            continue
                        if not self._usable_arm(arm, "outcomes"):
                            continue
                        raw = self.d.text(m, "value", xpath)
                        value = _number(raw)
                        if not value:
                            self.skip(f"outcomes at {xpath}: value {raw or '(empty)'!r} is not a number")
                            continue
                        measure = self.measure(index, title, responder, mpath)  # made once, when first used
                        if not measure:
                            continue
                        n, units = cdenoms.get(gid, ("", ""))
                        row_notes = list(where)
                        if units and units.lower() != "participants":
                            row_notes.append(f"denominator counts {units}, not participants ({n})")
                            n = ""
                        disp, more = self.dispersion(m, xpath, spread)
                        row = {
                            **common,
                            "outcome_id": self.plan.unique_id("outcomes", f"{self.prefix}-om{index}-c{c}-k{k}-m{x}"),
                            "drug_id": arm.drug_id,
                            "arm_id": arm.arm_id,
                            "measure_id": measure,
                            "timepoint": when if len(when) <= 100 else "",
                            "timepoint_days": timepoint_days(when),
                            "value": value,
                            "n": n,
                            "responders": value
                            if param.upper() == "COUNT_OF_PARTICIPANTS" and _INTEGER.match(value)
                            else "",
                            "value_as_reported": raw,
                            "locator": xpath,
                            **disp,
                            "note": "; ".join(row_notes + more) + ".",
                        }
                        self.add("outcomes", row)
            self.comparisons_of(index, om, mpath, (title, responder), frame, groups)

    def dispersion(self, m: dict[str, Any], path: str, spread: tuple[str, str]) -> tuple[dict[str, str], list[str]]:
        """The dispersion or interval of one measurement, as columns (and
        notes for what no column holds)."""
        kind, level = spread
        value = self.d.text(m, "spread", path)
        low, high = self.d.text(m, "lowerLimit", path), self.d.text(m, "upperLimit", path)
        if kind in ("sd", "se"):
            if _number(value) and not value.startswith("-"):
                return {"dispersion": _number(value), "dispersion_type": kind}, []
            return {}, [f"{kind.upper()} printed as {value!r}"] if value else []
        if kind == "ci":
            cols = {"ci_lower": _number(low), "ci_upper": _number(high)}
            notes = (
                [f"confidence limits printed as {low!r} to {high!r}"]
                if (low and not cols["ci_lower"]) or (high and not cols["ci_upper"])
                else []
            )
            if (cols["ci_lower"] or cols["ci_upper"]) and _number(level) and 50 <= float(level) <= 99.99:
                cols["ci_level"] = level
            return cols, notes
        if kind and (low or high or value):
            what = {"iqr": "interquartile range", "range": "full range"}.get(kind, "dispersion")
            return {}, [f"{what} as registered: {f'{low} to {high}' if (low or high) else value}"]
        return {}, []

    def denominators(self, node: dict[str, Any], path: str) -> dict[str, tuple[str, str]]:
        """Group id -> (count, units) of the denominator the measurements use."""
        selected = self.d.text(node, "denomUnitsSelected", path)
        chosen: list[tuple[str, dict[str, Any]]] = []
        denoms = self.d.items(node, "denoms", path)
        for p, den in denoms:
            units = self.d.text(den, "units", p)
            if (selected and units == selected) or (not selected and units.lower() == "participants"):
                chosen = [(p, den)]
                break
        if not chosen and len(denoms) == 1:
            chosen = denoms
        out: dict[str, tuple[str, str]] = {}
        for p, den in chosen:
            units = self.d.text(den, "units", p)
            for cp, count in self.d.items(den, "counts", p):
                n = self.d.text(count, "value", cp)
                out[self.d.text(count, "groupId", cp)] = (n if _INTEGER.match(n) else "", units)
        return out

    # -- comparisons

    def comparisons_of(
        self,
        index: int,
        om: dict[str, Any],
        mpath: str,
        named: tuple[str, bool],
        frame: str,
        groups: dict[str, tuple[str, str]],
    ) -> None:
        from jakdata.lookup import normalise

        for ai, (apath, an) in enumerate(self.d.items(om, "analyses", mpath)):
            ids = self.d.texts(an, "groupIds", apath)
            if len(ids) != 2:
                self.skip(f"comparisons at {apath}: an analysis of {len(ids)} groups (two are needed)")
                continue
            arms = []
            for gid in ids:
                gtitle, gpath = groups.get(gid, ("", ""))
                arms.append(self.group_arm(gtitle, gpath) if gtitle else None)
            a, b = arms
            if a is None or b is None:
                self.skip(f"comparisons at {apath}: a group is not an arm that was imported")
                continue
            controls = [x for x in (a, b) if x.role in ("placebo", "vehicle", "active-comparator")]
            arm, control = None, None
            if len(controls) == 1:
                control = controls[0]
                arm = b if control is a else a
            else:
                said = self.d.text(an, "estimateComment", apath)
                m = re.match(r"^(.*?)\s+(?:vs\.?|versus)\s+(.*?)\.?$", said, re.I)
                if m:
                    first, second = normalise(m.group(1)), normalise(m.group(2))
                    by = {normalise(x.label): x for x in (a, b)}
                    if first in by and second in by and by[first] is not by[second]:
                        arm, control = by[first], by[second]
            if arm is None or control is None:
                self.skip(f"comparisons at {apath}: which group is the control is not stated")
                continue
            measure = self.measure(index, named[0], named[1], mpath)
            if not measure:
                continue
            param = self.d.text(an, "paramType", apath)
            effect = effect_measure(param)
            estimate = _number(self.d.text(an, "paramValue", apath))
            low = _number(self.d.text(an, "ciLowerLimit", apath))
            high = _number(self.d.text(an, "ciUpperLimit", apath))
            level = _number(self.d.text(an, "ciPctValue", apath))
            sides = self.d.text(an, "ciNumSides", apath)
            p = self.d.text(an, "pValue", apath)
            notes = [f"Registry analysis of outcome measure [{index}]"]
            if param:
                notes.append(f"parameter as registered: {param}")
            if not effect and (estimate or low or high):
                notes.append(
                    f"estimate {estimate or '-'} ({low or '-'} to {high or '-'}) not stored: its parameter has no "
                    "effect measure in the data model"
                )
                estimate = low = high = ""
            disp = self.d.text(an, "dispersionType", apath)
            dval = self.d.text(an, "dispersionValue", apath)
            if dval:
                notes.append(f"{disp.replace('_', ' ').lower() or 'dispersion'} of the estimate {dval}")
            if sides == "ONE_SIDED":
                notes.append("one-sided confidence interval")
            ni = self.d.text(an, "nonInferiorityType", apath)
            if ni:
                notes.append(f"hypothesis type {ni}")
            exact = p if re.fullmatch(r"(?:0?\.[0-9]+|0|1(?:\.0+)?)", p) else ""
            if len(p) > 40:  # longer than the column: kept in the note
                notes.append(f"p-value as registered: {p}")
                p = ""
            self.add(
                "comparisons",
                {
                    "comparison_id": self.plan.unique_id("comparisons", f"{self.prefix}-om{index}-an{ai}"),
                    "study_id": self.study_id,
                    "arm_id": arm.arm_id,
                    "control_arm_id": control.arm_id,
                    "measure_id": measure,
                    "timepoint": frame if len(frame) <= 100 else "",
                    "timepoint_days": timepoint_days(frame),
                    "effect_measure": effect,
                    "estimate": estimate,
                    "ci_lower": low,
                    "ci_upper": high,
                    "ci_level": level if (low or high) and level and 50 <= float(level) <= 99.99 else "",
                    "p_value": exact,
                    "p_value_as_reported": p,
                    "method": self.d.text(an, "statisticalMethod", apath),
                    "reported_in": self.source_id,
                    "locator": apath,
                    "note": "; ".join(notes) + ".",
                },
            )

    # -- adverse events

    def adverse_events(self) -> None:
        base = "resultsSection.adverseEventsModule"
        mod = self.d.at("resultsSection", "adverseEventsModule")
        if not mod:
            self.skip("adverse events: the record has no adverseEventsModule")
            return
        threshold = self.d.text(mod, "frequencyThreshold", base)
        groups: dict[str, tuple[_Arm | None, int]] = {}
        for gi, (gpath, g) in enumerate(self.d.items(mod, "eventGroups", base)):
            gid, title = self.d.text(g, "id", gpath), self.d.text(g, "title", gpath)
            arm = self.group_arm(title, gpath) if title else None
            groups[gid] = (arm, gi)
            if arm is None or not self._usable_arm(arm, "adverse events"):
                continue
            for prefix, category, event, note in (
                ("deaths", "death", "Death (all causes)", "Deaths from any cause in this event group, as counted"),
                (
                    "serious",
                    "serious",
                    "Any serious adverse event",
                    "Participants with one or more serious adverse events in this event group",
                ),
                (
                    "other",
                    "common",
                    "Any other (not serious) adverse event",
                    "Participants with one or more other (not serious) adverse events"
                    + (
                        f" reported above the record's frequency threshold of {threshold}%"
                        if threshold not in ("", "0")
                        else ""
                    ),
                ),
            ):
                affected = self.d.text(g, f"{prefix}NumAffected", gpath)
                at_risk = self.d.text(g, f"{prefix}NumAtRisk", gpath)
                if not _INTEGER.match(affected):
                    continue
                self.ae(
                    f"{self.prefix}-eg{gi}-{prefix}",
                    arm,
                    event,
                    category,
                    affected,
                    at_risk,
                    f"{gpath}.{prefix}NumAffected",
                    note + ".",
                )
        for key, category, short, what in (
            ("seriousEvents", "serious", "se", "Serious adverse event"),
            ("otherEvents", "common", "oe", "Other (not serious) adverse event"),
        ):
            for ei, (epath, ev) in enumerate(self.d.items(mod, key, base)):
                term = self.d.text(ev, "term", epath)
                if not term:
                    self.skip(f"adverse events at {epath}: no term")
                    continue
                details = [
                    x
                    for x in (
                        self.d.text(ev, "organSystem", epath),
                        self.d.text(ev, "sourceVocabulary", epath),
                        self.d.text(ev, "assessmentType", epath).replace("_", " ").lower(),
                    )
                    if x
                ]
                for si, (spath, st) in enumerate(self.d.items(ev, "stats", epath)):
                    arm, _ = groups.get(self.d.text(st, "groupId", spath), (None, 0))
                    if arm is None or not self._usable_arm(arm, "adverse events"):
                        continue
                    affected = self.d.text(st, "numAffected", spath)
                    if not _INTEGER.match(affected):
                        self.skip(f"adverse events at {spath}: number affected {affected or '(empty)'!r}")
                        continue
                    events = self.d.text(st, "numEvents", spath)
                    note = f"{what} term as registered" + (f" ({'; '.join(details)})" if details else "")
                    note += f"; {events} events." if events else "."
                    self.ae(
                        f"{self.prefix}-{short}{ei}-s{si}",
                        arm,
                        term,
                        category,
                        affected,
                        self.d.text(st, "numAtRisk", spath),
                        spath,
                        note,
                        original=term,
                    )

    def ae(
        self,
        base: str,
        arm: _Arm,
        event: str,
        category: str,
        affected: str,
        at_risk: str,
        locator: str,
        note: str,
        original: str = "",
    ) -> None:
        self.add(
            "adverse_events",
            {
                "ae_id": self.plan.unique_id("adverse_events", base),
                "drug_id": arm.drug_id,
                "study_id": self.study_id,
                "event": event,
                "event_original": original,
                "category": category,
                "n_affected": affected,
                "n_exposed": at_risk if _INTEGER.match(at_risk) else "",
                "reported_in": self.source_id,
                "locator": locator,
                "note": note,
                "arm_id": arm.arm_id,
            },
        )

    # -- all of it

    def build(self) -> None:
        self.s.nct, self.s.version = self.nct, self.version
        self.source()
        if not self.study():
            self.plan.drop([r for r in self.plan.rows if r.nct == self.nct and r.table == "sources"], "")
            return
        self.arm_groups()
        self.outcomes()
        self.adverse_events()
        self.skip(
            "baseline characteristics and the participant flow beyond the number started per arm: not imported "
            "(no table for them)"
        )
        self.skip(
            "descriptions (summary, arm, intervention, group, population and analysis descriptions, eligibility "
            "text, comments): not copied; the dataset's text is its own words"
        )


def _same_number(a: str, b: str) -> bool:
    if not a or not b:
        return a == b
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


# ----------------------------------------------------------------------------
# validation in a temporary copy, then the write


def _materialise(state: _State, plan: _Plan) -> dict[str, bytes]:
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


def _findings_of_copy(state: _State, texts: dict[str, bytes]) -> list[Finding]:
    from jakdata.tools.hashes import refresh
    from jakdata.validate.checker import validate_package

    package = state.package
    with tempfile.TemporaryDirectory(prefix="jakdata-import-") as tmp:
        root = Path(tmp)
        shutil.copyfile(package.path, root / package.path.name)
        for name, res in package.resources.items():
            dest = root / res.relpath
            dest.parent.mkdir(parents=True, exist_ok=True)
            if name in texts:
                dest.write_bytes(texts[name])
            else:
                shutil.copyfile(res.path, dest)
            schema = res.descriptor.get("schema")
            if isinstance(schema, str):
                sdest = root / schema
                sdest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(package.root / schema, sdest)
        refresh(root)
        return validate_package(root / package.path.name).findings


def _baseline(state: _State) -> set[tuple[Any, ...]]:
    """What validation finds in the package before the import."""
    from jakdata.validate.checker import validate_package

    return {_finding_key(f) for f in validate_package(state.package.path).findings}


def _settle(state: _State, plan: _Plan, baseline: set[tuple[Any, ...]]) -> dict[str, bytes]:
    """Validate the package with the planned rows in a temporary copy; leave
    out each row the validator rejects (and what depends on it), until the
    package validates. Findings the package had before (``baseline``) are
    not the import's. Nothing is written here."""
    for _ in range(8):
        texts = _materialise(state, plan)
        if not texts:
            return {}
        new = [f for f in _findings_of_copy(state, texts) if _finding_key(f) not in baseline]
        if not new:
            return texts
        at: dict[tuple[str | None, int | None], _Row] = {(r.table, r.line): r for r in plan.rows}
        stray = [f for f in new if (f.table, f.row) not in at]
        if stray:
            f = stray[0]
            where = f"{f.table}" + (f" line {f.row}" if f.row else "") + (f" {f.column}" if f.column else "")
            raise DataError(
                f"the import would make the package invalid ({where}: {f.message} [{f.check}]); nothing written"
            )
        rejected: dict[int, tuple[_Row, str]] = {}
        for f in new:
            row = at[(f.table, f.row)]
            rejected.setdefault(id(row), (row, f"{f.column}={_value_text(f.value)}: {f.message} [{f.check}]"))
        for row, why in rejected.values():
            plan.drop([row], f"rejected by validation: {why}")
        plan.cascade()
    raise DataError("the import does not settle into a valid package; nothing written")


def _value_text(value: Any) -> str:
    text = "" if value is None else str(value)
    return repr(_shorten(text, 40))


def _write(state: _State, texts: dict[str, bytes]) -> list[str]:
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


# ----------------------------------------------------------------------------
# versions of a record already in the package


def _imported_versions(plan: _Plan, nct: str) -> list[dict[str, str]]:
    pattern = re.compile(rf"^{re.escape(SOURCE_PREFIX + nct.lower())}-[0-9]{{4}}-[0-9]{{2}}(-[0-9]{{2}})?$")
    return [r for r in plan.all_rows("sources") if pattern.match(r.get("source_id", ""))]


def _changes(old_rows: Sequence[dict[str, str]], new_rows: Sequence[_Row]) -> list[str]:
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
                    _NUMBER.match(a.get(col, "") or "x")
                    and _NUMBER.match(b.get(col, "") or "x")
                    and float(a[col]) == float(b[col])
                ):
                    out.append(f"{table} at {loc}: {col} {a.get(col, '')!r} -> {b.get(col, '')!r}")
    return out


def _other_version(
    doc: _Doc, state: _State, plan: _Plan, vocab: _Vocab, summary: RecordSummary, old: dict[str, str]
) -> None:
    """Report how this record differs from the version already imported."""
    old_id = old["source_id"]
    view = state.without(old_id)
    scratch = plan.fork(view)
    scratch.rows = [r for r in scratch.rows if r.values.get("reported_in") != old_id]
    probe = RecordSummary(summary.file)
    _Builder(doc, view, scratch, vocab, probe).build()
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
    docs = [_Doc(read_record(p), str(p)) for p in records]
    state = open_target(into)
    report = ImportReport(state.package.root, dry_run)
    plan = _Plan(state)
    vocab = _Vocab(state)
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
                baseline = pool.submit(_baseline, state)
            _Builder(doc, state, plan, vocab, summary).build()
            by_nct[doc.nct] = summary
        texts = _settle(state, plan, baseline.result()) if plan.rows and baseline is not None else {}
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
        report.written = _write(state, texts)
    return report
