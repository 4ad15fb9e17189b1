"""Fault injection: each class of defect is injected into a copy of the
bundled package (hashes refreshed, so only the real rule can catch it) and
must be reported at the right table, CSV line and column, under the right
check. Hypothesis chooses the table, row and column among those where the
defect can occur, so every run tries other places."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import copy_bundled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jakdata.tools.hashes import refresh
from jakdata.validate.checker import validate_package

HERE = Path(__file__).parent


@dataclass
class Table:
    name: str
    schema: dict
    header: list[str]
    rows: list[list[str]]
    extra_lines: list[tuple[int, str]] = field(default_factory=list)  # (after record k, raw text)
    extra_at: list[int] = field(default_factory=list)  # where write() put them

    def col(self, name: str) -> int:
        return self.header.index(name)

    def fields(self, pred) -> list[dict]:
        return [f for f in self.schema["fields"] if pred(f, f.get("constraints", {}))]

    def write(self, path: Path) -> list[int]:
        """Write the CSV; return the line number of each record."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.header)
        line, lines = 2, []
        extra = dict(self.extra_lines)
        for k, row in enumerate(self.rows):
            start = buf.tell()
            w.writerow(row)
            lines.append(line)
            line += buf.getvalue()[start:].count("\n")
            if k in extra:
                buf.write(extra[k] + "\n")
                self.extra_at.append(line)
                line += 1
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        return lines


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    return copy_bundled(tmp_path_factory.mktemp("bundled") / "pkg")


def load_tables(root: Path) -> dict[str, Table]:
    desc = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    out = {}
    for res in desc["resources"]:
        schema = json.loads((root / res["schema"]).read_text(encoding="utf-8"))
        ids = set(schema.get("primaryKey", []))
        for key in ("foreignKeys", "listForeignKeys"):
            ids |= {f for fk in schema.get(key, []) for f in fk["fields"]}
        if schema.get("entityReference"):
            ids.add(schema["entityReference"]["field"])
        for f in schema["fields"]:
            f["_is_id"] = f["name"] in ids  # a key or reference column: ids must be ASCII
        with open(root / res["path"], encoding="utf-8", newline="") as fh:
            header, *rows = list(csv.reader(fh))
        out[res["name"]] = Table(res["name"], schema, header, rows)
    return out


def fresh(bundled: Path, tmp: Path) -> tuple[Path, dict[str, Table]]:
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(bundled, tmp)
    return tmp, load_tables(tmp)


def findings(root: Path, tables: dict[str, Table], changed: str, refresh_hashes: bool = True) -> tuple[list, list[int]]:
    lines = tables[changed].write(root / "data" / f"{changed}.csv")
    if refresh_hashes:
        refresh(root)
    result = validate_package(root)
    return [(f.table, f.row, f.column, f.check) for f in result.findings], lines


def pick(draw, options: list, label: str):
    assert options, f"no place for {label} in the bundled data"
    return draw(st.sampled_from(options), label=label)


def pick_row(draw, tables: dict[str, Table], label: str = "row") -> tuple[Table, int]:
    """A table that has rows, and the index of one of them."""
    t = pick(draw, [t for t in tables.values() if t.rows], "table")
    return t, draw(st.integers(0, len(t.rows) - 1), label=label)


def cells(tables: dict[str, Table], col_pred, row_pred=lambda t, r: True) -> list[tuple[str, int, str]]:
    """(table, row index, column) for every cell where a defect can go."""
    out = []
    for t in tables.values():
        for f in t.fields(col_pred):
            c = t.col(f["name"])
            out += [(t.name, k, f["name"]) for k, r in enumerate(t.rows) if row_pred(t, r) and r[c] != ""]
    return out


def is_free_text(f, c) -> bool:
    return f.get("type", "string") == "string" and not ({"pattern", "enum"} & set(c))


# A few places per run (each run tries others); JAKDATA_FAULT_EXAMPLES=50 searches harder.
SETTINGS = settings(
    max_examples=int(os.environ.get("JAKDATA_FAULT_EXAMPLES", "3")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# ---------------------------------------------------------------- cell defects


def _set(tables, table, k, column, value):
    tables[table].rows[k][tables[table].col(column)] = value


CELL_DEFECTS = {
    # check: (which cells, how to corrupt the value, which other checks may
    # also fire on that cell; None: any, as with a broken id's references)
    "whitespace": (is_free_text, lambda v: v + " ", set()),
    "unicode-nfc": (is_free_text, lambda v: v + unicodedata.normalize("NFD", " é"), set()),
    "formula-injection": (is_free_text, lambda v: '=HYPERLINK("http://x")', set()),
    "max-length": (lambda f, c: "maxLength" in c and is_free_text(f, c), lambda v: "x" * 2_000_000, set()),
    "identifier-format": (lambda f, c: "identifierScheme" in f, lambda v: "x" + v, {"max-length"}),
    "enum": (
        lambda f, c: "enum" in c and f["name"] not in ("entity_type",),
        lambda v: "not-a-listed-value",
        {"max-length"},
    ),
    "type": (lambda f, c: f.get("type") in ("number", "integer", "boolean", "date"), lambda v: "n/a", set()),
    "ascii-id": (lambda f, c: f["_is_id"] and "pattern" in c, lambda v: "а" + v, None),  # Cyrillic а
}


#: the key of a group of conflicting claims (data model v3), per table
CONFLICT_KEY = {
    "outcomes": ("study_id", "arm_id", "measure_id", "timepoint_days", "statistic", "analysis_population",
                 "conditional_on"),
    "comparisons": ("study_id", "arm_id", "control_arm_id", "measure_id", "timepoint_days", "effect_measure",
                    "analysis_population", "conditional_on"),
}  # fmt: skip


def in_conflict_group(t, k: int) -> bool:
    """The row is among conflicting claims (it has `preferred` set), or it
    shares the conflict key with another row of the same document (ALLEGRO-LT's
    observed and LOCF rows): a changed `reported_in` then makes a group."""
    if "preferred" in t.header and t.rows[k][t.col("preferred")]:
        return True
    key = CONFLICT_KEY.get(t.name)
    if not key or not all(c in t.header for c in key):
        return False
    idx = [t.col(c) for c in key]
    mine = [t.rows[k][i] for i in idx]
    return any(j != k and [r[i] for i in idx] == mine for j, r in enumerate(t.rows))


def feeds_v3_rule(tables, table: str, k: int, column: str) -> bool:
    """A cell whose corruption also changes what a model-v3 rule sees in
    another cell: a cell of a row among conflicting claims, or one that can
    join such a group (its group changes: one-preferred-per-conflict reports
    the group's other rows), or the printed decision date
    (approval-date-precision reports decision_date). Those consequences are
    tested by the rules' own cases."""
    if in_conflict_group(tables[table], k):
        return True
    return column == "decision_date_as_printed"


@pytest.mark.parametrize("check", sorted(CELL_DEFECTS))
@SETTINGS
@given(data=st.data())
def test_cell_defect_is_reported_at_its_cell(bundled, tmp_path, check, data):
    root, tables = fresh(bundled, tmp_path / "pkg")
    col_pred, corrupt, also = CELL_DEFECTS[check]
    table, k, column = pick(data.draw, [c for c in cells(tables, col_pred) if not feeds_v3_rule(tables, *c)], check)
    old = tables[table].rows[k][tables[table].col(column)]
    _set(tables, table, k, column, corrupt(old))
    got, lines = findings(root, tables, table)
    where = (table, lines[k], column, check)
    assert where in got, got
    if also is not None:
        assert set(got) <= {where} | {(table, lines[k], column, other) for other in also}, got


# --------------------------------------------------------- references and rules


def test_foreign_key(bundled, tmp_path):
    _each_reference(bundled, tmp_path, "foreignKeys", "foreign-key")


def test_list_foreign_key(bundled, tmp_path):
    _each_reference(bundled, tmp_path, "listForeignKeys", "list-foreign-key")


def absent_id(field: dict) -> str:
    """An id no table has, in the column's own format (only the reference
    may fail, not the pattern)."""
    import re

    pattern = (field.get("constraints") or {}).get("pattern")
    for candidate in ("no-such-id", "NO-SUCH-ID", "nosuchid"):
        if not pattern or re.fullmatch(pattern, candidate) or re.fullmatch(pattern, "x|" + candidate):
            return candidate
    raise AssertionError(f"no absent id fits {pattern}")


def _each_reference(bundled, tmp_path, key, check):
    """Every declared reference, one at a time, at a row chosen by hypothesis."""
    refs = [(t, fk["fields"][0]) for t in load_tables(bundled).values() for fk in t.schema.get(key, [])]
    assert refs

    @SETTINGS
    @given(data=st.data())
    def run(data):
        root, tables = fresh(bundled, tmp_path / "pkg")
        t, column = pick(data.draw, refs, "reference")
        c = tables[t.name].col(column)
        rows = [k for k, r in enumerate(tables[t.name].rows) if r[c]]
        if not rows:
            return
        k = pick(data.draw, rows, "row")
        old = tables[t.name].rows[k][c]
        missing = absent_id(t.schema["fields"][c])
        tables[t.name].rows[k][c] = old + "|" + missing if check == "list-foreign-key" else missing
        # a row among conflicting claims leaves its group when a key cell changes
        grouped = {"one-preferred-per-conflict"} if in_conflict_group(tables[t.name], k) else set()
        got, lines = findings(root, tables, t.name)
        assert (t.name, lines[k], column, check) in got, got
        assert {g[3] for g in got} <= {check, "arm-consistency", "drug-class-known", "comparison-arms"} | grouped, got

    run()


RULE_DEFECTS = {}


def rule_defect(check):
    def register(fn):
        RULE_DEFECTS[check] = fn
        return fn

    return register


@rule_defect("entity-reference")
def _(tables, draw):
    t = tables["synonyms"]
    k = pick(draw, range(len(t.rows)), "synonym")
    _set(tables, "synonyms", k, "entity_id", "no-such-entity")
    return "synonyms", k, "entity_id"


@rule_defect("arm-consistency")
def _(tables, draw):
    t = tables["outcomes"]
    rows = [k for k, r in enumerate(t.rows) if r[t.col("arm_id")]]
    k = pick(draw, rows, "outcome with an arm")
    if draw(st.booleans(), label="drug rather than study"):
        drug = t.rows[k][t.col("drug_id")]
        other = pick(draw, [r[0] for r in tables["drugs"].rows if r[0] != drug], "other drug")
        _set(tables, "outcomes", k, "drug_id", other)
        return "outcomes", k, "drug_id"
    study = t.rows[k][t.col("study_id")]
    other = pick(draw, [r[0] for r in tables["studies"].rows if r[0] != study], "other study")
    _set(tables, "outcomes", k, "study_id", other)
    return "outcomes", k, "arm_id"


@rule_defect("measure-range")
def _(tables, draw):
    t, m = tables["outcomes"], tables["measures"]
    bounds = {r[m.col("measure_id")]: r[m.col("max")] for r in m.rows if r[m.col("max")]}
    on_scale = ("value", "mean", "median")  # a percent above the maximum is a percent-range defect too
    rows = [
        k
        for k, r in enumerate(t.rows)
        if r[t.col("value")]
        and r[t.col("measure_id")] in bounds
        and r[t.col("statistic")] in on_scale
        and not r[t.col("ci_lower")]
    ]
    k = pick(draw, rows, "outcome with a bounded measure")
    _set(tables, "outcomes", k, "value", str(float(bounds[t.rows[k][t.col("measure_id")]]) + 1))
    return "outcomes", k, "value"


# Defects made by setting cells of any one row: check -> (table, cells, where it is reported)
ROW_DEFECTS = {
    "responders-within-n": ("outcomes", {"n": "3", "responders": "4"}, "responders"),
    "affected-within-exposed": ("adverse_events", {"n_exposed": "2", "n_affected": "5"}, "n_affected"),
    "minimum": ("outcomes", {"timepoint_days": "-1"}, "timepoint_days"),
    "result-or-value": ("outcomes", {"value": "", "result": ""}, "result"),
    "derived-explained": ("outcomes", {"derived": "true", "note": ""}, "note"),
}


def _row_defect(check):
    table, values, column = ROW_DEFECTS[check]

    def inject(tables, draw):
        k = pick(draw, range(len(tables[table].rows)), f"row of {table}")
        for col, value in values.items():
            _set(tables, table, k, col, value)
        return table, k, column

    return inject


for _check in ROW_DEFECTS:
    rule_defect(_check)(_row_defect(_check))


@rule_defect("dose-positive")
def _(tables, draw):
    k = pick(draw, range(len(tables["arms"].rows)), "arm")
    _set(tables, "arms", k, "dose", draw(st.sampled_from(["0", "-5", "0.0"]), label="dose"))
    return "arms", k, "dose"


@rule_defect("year-range")
def _(tables, draw):
    t = tables["sources"]
    k = pick(draw, [k for k, r in enumerate(t.rows) if r[t.col("year")]], "source with a year")
    _set(tables, "sources", k, "year", draw(st.sampled_from(["1899", "2027", "2999"]), label="year"))
    return "sources", k, "year"


@rule_defect("drug-or-class")
def _(tables, draw):
    t = tables["precautions"]
    k = pick(draw, range(len(t.rows)), "precaution")
    row = t.rows[k]
    if row[t.col("drug_id")]:
        _set(tables, "precautions", k, "drug_class", tables["drugs"].rows[0][tables["drugs"].col("drug_class")])
    else:
        _set(tables, "precautions", k, "drug_class", "")
    return "precautions", k, "drug_id"


PROVENANCE = ("reported_in", "locator")


def _blank_required(provenance: bool):
    """Empty a required cell: a claim row's provenance, or any other
    required cell outside the primary key."""

    def inject(tables, draw):
        options = [
            (t.name, k, f["name"])
            for t in tables.values()
            for f in t.fields(
                lambda f, c, t=t: (
                    c.get("required")
                    and (f["name"] in PROVENANCE) == provenance
                    and f["name"] not in t.schema.get("primaryKey", [])
                )
            )
            for k in range(len(t.rows))
        ]
        table, k, column = pick(draw, options, "required cell")
        _set(tables, table, k, column, "")
        return table, k, column

    return inject


rule_defect("provenance")(_blank_required(provenance=True))
rule_defect("required")(_blank_required(provenance=False))


@rule_defect("drug-class-known")
def _(tables, draw):
    t = tables["precautions"]
    k = pick(draw, [k for k, r in enumerate(t.rows) if r[t.col("drug_class")]], "class-level precaution")
    _set(tables, "precautions", k, "drug_class", "no-such-class")
    return "precautions", k, "drug_class"


@rule_defect("unique")
def _(tables, draw):
    options = [t for t in tables.values() if len(t.schema.get("primaryKey", [])) == 1 and len(t.rows) > 1]
    t = pick(draw, options, "table with a single-column key")
    a, b = draw(st.lists(st.integers(0, len(t.rows) - 1), min_size=2, max_size=2, unique=True), label="rows")
    key = t.schema["primaryKey"][0]
    first, dup = min(a, b), max(a, b)
    _set(tables, t.name, dup, key, t.rows[first][t.col(key)])
    return t.name, dup, key


@rule_defect("primary-key")
def _(tables, draw):
    options = [t for t in tables.values() if len(t.schema.get("primaryKey", [])) > 1 and len(t.rows) > 1]
    t = pick(draw, options, "table with a composite key")
    k = pick(draw, range(1, len(t.rows)), "row")
    t.rows.append(list(t.rows[k]))
    return t.name, len(t.rows) - 1, t.schema["primaryKey"][-1]


# Model v2 rules
@rule_defect("change-range")
def _(tables, draw):
    t, m = tables["outcomes"], tables["measures"]
    span = {
        r[m.col("measure_id")]: float(r[m.col("max")]) - float(r[m.col("min")])
        for r in m.rows
        if r[m.col("max")] and r[m.col("min")]
    }
    rows = [k for k, r in enumerate(t.rows) if r[t.col("measure_id")] in span and not r[t.col("ci_lower")]]
    k = pick(draw, rows, "outcome with a bounded measure")
    _set(tables, "outcomes", k, "statistic", "mean-change")
    _set(tables, "outcomes", k, "value", str(-(span[t.rows[k][t.col("measure_id")]] + 1)))
    return "outcomes", k, "value"


@rule_defect("percent-range")
def _(tables, draw):
    t, m = tables["outcomes"], tables["measures"]
    unbounded = {r[m.col("measure_id")] for r in m.rows if not r[m.col("max")] and not r[m.col("min")]}
    rows = [k for k, r in enumerate(t.rows) if r[t.col("measure_id")] in unbounded and not r[t.col("ci_lower")]]
    k = pick(draw, rows, "outcome on a measure without a maximum")
    _set(tables, "outcomes", k, "statistic", "percent")
    _set(tables, "outcomes", k, "value", draw(st.sampled_from(["101", "-1", "250.5"]), label="percent"))
    return "outcomes", k, "value"


@rule_defect("control-arm-without-drug")
def _(tables, draw):
    t = tables["arms"]
    k = pick(draw, [k for k, r in enumerate(t.rows) if r[t.col("role")] in ("placebo", "vehicle")], "control arm")
    _set(tables, "arms", k, "drug_id", tables["drugs"].rows[0][0])
    return "arms", k, "drug_id"


@rule_defect("treated-arm-names-drug")
def _(tables, draw):
    t = tables["arms"]
    rows = [k for k, r in enumerate(t.rows) if r[t.col("role")] in ("experimental", "active-comparator")]
    k = pick(draw, rows, "treated arm")
    _set(tables, "arms", k, "drug_id", "")
    return "arms", k, "drug_id"


@rule_defect("results-within-arm")
def _(tables, draw):
    t, a = tables["outcomes"], tables["arms"]
    arm_n = {r[a.col("arm_id")]: int(r[a.col("n")]) for r in a.rows if r[a.col("n")]}
    k = pick(draw, [k for k, r in enumerate(t.rows) if r[t.col("arm_id")] in arm_n], "outcome of an arm with n")
    _set(tables, "outcomes", k, "n", "")
    _set(tables, "outcomes", k, "responders", str(arm_n[t.rows[k][t.col("arm_id")]] + 1))
    return "outcomes", k, "responders"


@rule_defect("comparison-arms")
def _(tables, draw):
    t = tables["comparisons"]
    k = pick(draw, range(len(t.rows)), "comparison")
    _set(tables, "comparisons", k, "control_arm_id", t.rows[k][t.col("arm_id")])
    return "comparisons", k, "control_arm_id"


@rule_defect("ci-order")
def _(tables, draw):
    table = draw(st.sampled_from(["outcomes", "comparisons"]), label="table")
    k = pick(draw, range(len(tables[table].rows)), f"row of {table}")
    _set(tables, table, k, "ci_lower", "5")
    _set(tables, table, k, "ci_upper", "1")
    return table, k, "ci_lower"


@rule_defect("date-not-after-created")
def _(tables, draw):
    t = tables["approvals"]
    k = pick(draw, range(len(t.rows)), "approval")
    _set(
        tables, "approvals", k, "decision_date", draw(st.sampled_from(["2099", "2099-01", "2099-01-31"]), label="date")
    )
    return "approvals", k, "decision_date"


@rule_defect("timepoint-within-arm-period")
def _(tables, draw):
    from jakdata.validate.domain import period_days

    t, a = tables["outcomes"], tables["arms"]
    spans = {r[a.col("arm_id")]: period_days(r[a.col("period")]) for r in a.rows}
    rows = [
        k
        for k, r in enumerate(t.rows)
        if (spans.get(r[t.col("arm_id")]) or (0, float("inf")))[1] != float("inf") and not r[t.col("preferred")]
    ]
    k = pick(draw, rows, "outcome of an arm with a bounded period")
    last = spans[t.rows[k][t.col("arm_id")]][1]
    _set(tables, "outcomes", k, "timepoint_days", str(int(last) + draw(st.integers(1, 200), label="days after")))
    return "outcomes", k, "timepoint_days"


@rule_defect("outcome-n-within-arm-n")
def _(tables, draw):
    t, a = tables["outcomes"], tables["arms"]
    arm_n = {r[a.col("arm_id")]: int(r[a.col("n")]) for r in a.rows if r[a.col("n")]}
    rows = [k for k, r in enumerate(t.rows) if r[t.col("arm_id")] in arm_n and not r[t.col("analysis_population")]]
    k = pick(draw, rows, "outcome of an arm with n, whole population")
    n = arm_n[t.rows[k][t.col("arm_id")]]
    _set(tables, "outcomes", k, "n", str(n + draw(st.integers(1, 50), label="excess")))
    return "outcomes", k, "n"


@rule_defect("approval-date-precision")
def _(tables, draw):
    t, s = tables["approvals"], tables["sources"]
    if draw(st.booleans(), label="news item's own date"):
        news = [r for r in s.rows if r[s.col("document_type")] == "news" and len(r[s.col("published_date")]) == 10]
        src = pick(draw, news, "dated news item")
        k = pick(draw, range(len(t.rows)), "approval")
        _set(tables, "approvals", k, "reported_in", src[s.col("source_id")])
        _set(tables, "approvals", k, "decision_date", src[s.col("published_date")])
        _set(tables, "approvals", k, "decision_date_as_printed", "")
    else:
        k = pick(draw, [k for k, r in enumerate(t.rows) if r[t.col("decision_date")]], "dated approval")
        year = t.rows[k][t.col("decision_date")][:4]
        _set(
            tables,
            "approvals",
            k,
            "decision_date_as_printed",
            draw(st.sampled_from([year, f"06/{year}"]), label="as printed"),
        )
        _set(tables, "approvals", k, "decision_date", f"{year}-06-15")
    return "approvals", k, "decision_date"


@rule_defect("one-preferred-per-conflict")
def _(tables, draw):
    table = draw(st.sampled_from(["outcomes", "comparisons"]), label="table")
    t = tables[table]
    pref = t.col("preferred")
    if draw(st.booleans(), label="a second preferred row") and any(r[pref] == "false" for r in t.rows):
        k = pick(draw, [k for k, r in enumerate(t.rows) if r[pref] == "false"], "rival not preferred")
    else:
        rivals = {(r[t.col("arm_id")], r[t.col("measure_id")]) for r in t.rows if r[pref]}
        rows = [
            k
            for k, r in enumerate(t.rows)
            if not r[pref] and (r[t.col("arm_id")], r[t.col("measure_id")]) not in rivals
        ]
        k = pick(draw, rows, "row without rivals")
    _set(tables, table, k, "preferred", "true")
    return table, k, "preferred"


EXPECTED_ALSO = {  # consequences a defect may legitimately have elsewhere
    "unique": {
        "foreign-key",
        "arm-consistency",
        "entity-reference",
        "list-foreign-key",
        "comparison-arms",
        "results-within-arm",
        "one-preferred-per-conflict",
    },
    # an arm without its study; a claim taken out of its group of conflicting claims
    "required": {"arm-consistency", "drug-class-known", "comparison-arms", "one-preferred-per-conflict"},
    "arm-consistency": {"one-preferred-per-conflict"},  # the row leaves its group of conflicting claims
    "minimum": {"timepoint-within-arm-period"},  # a negative day lies before every period
    "date-not-after-created": {"approval-date-precision"},  # 2099-01 is also finer than a printed year
    "dose-positive": {"minimum"},  # the schema's minimum says the same
    "responders-within-n": {"results-within-arm", "outcome-n-within-arm-n"},  # n 3, 4 responders: a small arm
    "affected-within-exposed": {"results-within-arm"},
    "control-arm-without-drug": {"arm-consistency"},  # the arm's rows now name another drug than the arm
    "treated-arm-names-drug": {"arm-consistency"},
    "ci-order": {"ci-order"},
}


@pytest.mark.parametrize("check", sorted(RULE_DEFECTS))
@SETTINGS
@given(data=st.data())
def test_rule_defect_is_reported_at_its_cell(bundled, tmp_path, check, data):
    root, tables = fresh(bundled, tmp_path / "pkg")
    table, k, column = RULE_DEFECTS[check](tables, data.draw)
    t = tables[table]
    # a row among conflicting claims may leave its group (or join another) when its cells change
    grouped = {"one-preferred-per-conflict"} if in_conflict_group(t, k) else set()
    got, lines = findings(root, tables, table)
    where = (table, lines[k], column, check)
    assert where in got, got
    assert {g[3] for g in got} <= {check} | EXPECTED_ALSO.get(check, set()) | grouped, got


# ---------------------------------------------------------------- file defects


@SETTINGS
@given(data=st.data())
def test_blank_row(bundled, tmp_path, data):
    root, tables = fresh(bundled, tmp_path / "pkg")
    t, k = pick_row(data.draw, tables, "after row")
    t.extra_lines.append((k, "," * (len(t.header) - 1)))
    got, _ = findings(root, tables, t.name)
    assert got == [(t.name, t.extra_at[0], None, "blank-row")]


@SETTINGS
@given(data=st.data())
def test_row_shape(bundled, tmp_path, data):
    root, tables = fresh(bundled, tmp_path / "pkg")
    t, k = pick_row(data.draw, tables)
    t.rows[k] = t.rows[k] + ["surplus"]
    got, lines = findings(root, tables, t.name)
    assert (t.name, lines[k], None, "row-shape") in got


@pytest.mark.parametrize("drift", ["extra", "missing", "reordered"])
@SETTINGS
@given(data=st.data())
def test_schema_drift(bundled, tmp_path, drift, data):
    root, tables = fresh(bundled, tmp_path / "pkg")
    t = pick(data.draw, list(tables.values()), "table")
    if drift == "extra":
        t.header.append("surplus_column")
        t.rows = [[*r, ""] for r in t.rows]
        column = "surplus_column"
    elif drift == "missing":
        i = data.draw(st.integers(1, len(t.header) - 1), label="column")
        column = t.header.pop(i)
        t.rows = [r[:i] + r[i + 1 :] for r in t.rows]
    else:
        i = data.draw(st.integers(0, len(t.header) - 2), label="column")
        t.header[i], t.header[i + 1] = t.header[i + 1], t.header[i]
        t.rows = [[*r[:i], r[i + 1], r[i], *r[i + 2 :]] for r in t.rows]
        column = t.header[i]
    got, _ = findings(root, tables, t.name)
    assert (t.name, 1, column, "header") in got, got


@SETTINGS
@given(data=st.data())
def test_stale_hash_names_the_file(bundled, tmp_path, data):
    root, tables = fresh(bundled, tmp_path / "pkg")
    t = pick(data.draw, [t for t in tables.values() if t.rows], "table")
    t.rows.append(list(t.rows[0]))  # any change; a duplicate row keeps the rest plausible
    got, _ = findings(root, tables, t.name, refresh_hashes=False)
    assert (t.name, None, None, "hash") in got and (t.name, None, None, "bytes") in got, got


# ------------------------------------------------------- each rule is load-bearing


def test_every_injected_check_is_one_the_validator_knows():
    from jakdata.catalogue import CATALOGUE
    from jakdata.validate.checker import RULES

    injected = set(CELL_DEFECTS) | set(RULE_DEFECTS) | {"foreign-key", "list-foreign-key"}
    assert injected <= set(CATALOGUE)
    missing = set(RULES) - injected - {"parent-cycle"}  # a cycle needs two rows: tests/examples
    assert not missing, f"rules with no injected fault: {sorted(missing)}"
