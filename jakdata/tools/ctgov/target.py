"""The fork being added to (its tables as read) and the plan: the rows to
append, with their references, so a row left out takes its dependants."""

from __future__ import annotations

import copy
import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jakdata.errors import DataError, UnusableInput
from jakdata.package.files import read_bytes

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset
    from jakdata.package.descriptor import Package

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
# the package


@dataclass
class Table:
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


class State:
    """The target package as it is on disk (never changed by the import
    until the final write)."""

    def __init__(self, package: Package, tables: dict[str, Table], ds: Dataset):
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

    def without(self, source_id: str) -> State:
        view = State(self.package, self.tables, self.ds)
        view.hidden = source_id
        return view


def open_target(into: str | Path) -> State:
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
    tables: dict[str, Table] = {}
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
        tables[name] = Table(name, res.path, res.relpath, fields, header, data, rows)
    try:
        ds = load(package.path)
    except DataError as exc:
        raise DataError(f"the package does not load, fix it first (`jakdata validate`): {exc}") from None
    assert isinstance(ds, Dataset)
    return State(package, tables, ds)


# ----------------------------------------------------------------------------
# the plan: rows to append


@dataclass(eq=False)
class Row:
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


class Plan:
    def __init__(self, state: State):
        self.state = state
        self.rows: list[Row] = []
        #: names of vocabulary entries made in this run: etype -> normalised name -> ids
        self.names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.dropped: list[tuple[Row, str]] = []

    def add(self, table: str, values: dict[str, str], nct: str) -> Row:
        row = Row(table, {k: v for k, v in values.items() if v is not None}, nct)
        self.rows.append(row)
        return row

    def of(self, table: str) -> list[Row]:
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

    def fork(self, state: State) -> Plan:
        """An empty plan over ``state`` that knows this plan's new vocabulary."""
        other = Plan(state)
        other.names = copy.deepcopy(self.names)
        other.rows = [r for r in self.rows if r.table in ("drugs", "indications", "measures")]
        return other

    def drop(self, rows: Iterable[Row], reason: str) -> None:
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
            victims: list[tuple[Row, str]] = []
            for r in self.rows:
                for col, target in references(r):
                    ident = r.values.get(col, "")
                    if ident and (target, ident) in gone and (target, ident) not in present:
                        victims.append((r, f"depends on {target} {ident}, which was left out"))
                        break
            if not victims:
                return
            for r, why in victims:
                self.drop([r], why)


def references(row: Row) -> list[tuple[str, str]]:
    out = [(col, REFERS[col]) for col in row.values if col in REFERS and col != KEYS.get(row.table)]
    if row.table == "synonyms":
        out.append(("entity_id", ENTITY_TABLES.get(row.values.get("entity_type", ""), "")))
    return out
