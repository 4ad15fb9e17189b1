#!/usr/bin/env python3
"""Merge the reconciled model-v3 rows (release 0.5.0, issue 20) into data/*.csv.

Reads the three folders ``docs/curation/v3/rows-*/`` and

1. appends their new rows (``<table>.csv``) to ``data/<table>.csv`` in the
   column order of ``schemas/<table>.json`` (a column the group file lacks is
   written empty);
2. applies the cell updates of ``<table>-updates.csv`` to existing rows. Two
   forms are read: *wide* (gA, gC: the row id, then one column per field; an
   empty cell means "leave as is") and *long* (gB: ``id, column, value,
   old_value, basis``; an update whose ``old_value`` differs from the cell in
   ``data/`` is not applied and is logged as a conflict);
3. applies the lead's decisions on the reconcilers' open questions
   (``LEAD``: skipped updates, dropped rows, one wording for a population,
   cells emptied, notes extended) and nothing else. No number is changed
   except where a reconcile log decides it from a record;
4. checks the merged rows against the schemas (types, required, enum,
   pattern, maxLength, keys, foreign keys) and lists whatever is left;
5. writes what it did into ``merge-log.md`` between the markers
   ``<!-- merge.py: begin -->`` and ``<!-- merge.py: end -->``; text outside
   the markers (written by hand) is kept.

Existing rows of ``data/*.csv`` stay byte-identical except the updated ones: a
file with updates is rewritten only after checking that it round-trips through
the csv module byte for byte, and the script verifies afterwards that exactly
the updated rows changed. Files without updates are appended to.

Run from the data before the merge: ``git checkout 460ae52 -- data/ && python docs/curation/v3/merge.py``
(460ae52 is the tip of branch i20 before the merge).
The script refuses to run on a data/ folder that already holds merged rows.
Standard library only.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DATA = ROOT / "data"
SCHEMAS = ROOT / "schemas"
LOG = HERE / "merge-log.md"
GROUPS = sorted(p for p in HERE.glob("rows-*") if p.is_dir())
BEGIN, END = "<!-- merge.py: begin -->", "<!-- merge.py: end -->"
LONG_FORM = ["column", "value", "old_value", "basis"]

# ---------------------------------------------------------------- the lead's decisions
# (docs/curation/v3/merge-log.md, "Decisions on the open questions", says why)

HEADS_UP_POPULATION = "intent-to-treat, original randomised set of 692 (348/344)"

#: (table, id, column) -> reason: a reconciled update that is not applied.
SKIP_UPDATE: dict[tuple[str, str, str], str] = {}
for col in ("n", "reported_in", "locator", "note"):
    SKIP_UPDATE[("arms", "allegro-2b-3-placebo", col)] = (
        "lead: the arm keeps its record (king-2023-allegro-2b-3), which does not print the placebo n; "
        "n stays empty rather than come from another document (the sponsor page's 131 is in allegro-2b-3-sn-005)"
    )
for i in range(1, 7):
    SKIP_UPDATE[("outcomes", f"poetyk-pso-1-out-00{i}", "imputation")] = (
        "lead: a row's cells come from its own document; NRI is printed only by the UK sponsor page "
        "(sotyktu-uk-pso-1), not by the row's journal abstract"
    )
    SKIP_UPDATE[("outcomes", f"poetyk-pso-2-out-00{i}", "imputation")] = (
        "lead: a row's cells come from its own document; NRI is printed only by the UK sponsor page "
        "(sotyktu-uk-pso-2), not by the row's journal abstract"
    )
    SKIP_UPDATE[("outcomes", f"poetyk-pso-2-out-00{i}", "n")] = (
        "lead: n only where the row's own record prints it; the analysed n 511/255/254 is printed by the UK "
        "sponsor page (sotyktu-uk-pso-2), while the row's abstract (strober-2023-poetyk-pso-2) prints percentages only"
    )

#: (table, id, column) -> (new value, reason): a reconciled update replaced.
OVERRIDE_UPDATE: dict[tuple[str, str, str], tuple[str, str]] = {}
for i in range(1, 7):
    OVERRIDE_UPDATE[("outcomes", f"heads-up-out-00{i}", "analysis_population")] = (
        HEADS_UP_POPULATION,
        "lead: one wording for the nine Heads Up rows",
    )
for i in range(1, 4):
    OVERRIDE_UPDATE[("comparisons", f"heads-up-cmp-00{i}", "analysis_population")] = (
        HEADS_UP_POPULATION,
        "lead: one wording for the nine Heads Up rows",
    )

_PSO1_NOTE = (
    " n (added in 0.5.0) is the randomised n that this abstract prints in its Methods; the printed count and "
    "percentage agree with it. The imputation (NRI) is printed only by the UK sponsor page and is not entered here."
)
_FDA_AD_NOTE = (
    " decision_date emptied in 0.5.0: 2022-01 was the month of this item's own date (14 Jan 2022), not a decision "
    "date it prints; the item prints no decision date, so decision_date_as_printed is empty too (empty beats wrong)."
)

#: (table, id, column) -> (how, value, reason): cells the lead's decisions change
#: beyond the reconciled updates. how: "set" (may empty a cell) or "append".
LEAD_CELLS: dict[tuple[str, str, str], tuple[str, str, str]] = {
    ("approvals", "upadacitinib-fda-atopic-dermatitis", "decision_date"): (
        "set",
        "",
        "lead: the month came from the news item's own dateline, not a printed decision date",
    ),
    ("approvals", "upadacitinib-fda-atopic-dermatitis", "note"): ("append", _FDA_AD_NOTE, "lead: say why"),
    ("approvals", "abrocitinib-fda-atopic-dermatitis", "decision_date"): (
        "set",
        "",
        "lead: the month came from the news item's own dateline, not a printed decision date",
    ),
    ("approvals", "abrocitinib-fda-atopic-dermatitis", "note"): ("append", _FDA_AD_NOTE, "lead: say why"),
}
for i in range(1, 7):
    LEAD_CELLS[("outcomes", f"poetyk-pso-1-out-00{i}", "note")] = (
        "append",
        _PSO1_NOTE,
        "the note said the analysed n is not printed; it now says what the n is (reconcile-gB open question 2)",
    )

#: (table, id) -> reason: a reconciled new row that is not merged.
DROP_ROWS: dict[tuple[str, str], str] = {
    ("outcomes", "up-aa-out-007"): (
        "lead: 'approximately 45.2%' SALT 20 or less for Study 1 comes from a paragraph that does not name the "
        "study; its attribution is uncertain (reconcile-gB open question 3)"
    ),
    ("outcomes", "up-aa-out-008"): (
        "lead: '55%' SALT 20 or less for Study 1 comes from a paragraph that does not name the study; its "
        "attribution is uncertain (reconcile-gB open question 3)"
    ),
}

#: (table, id, column) -> (new value, reason): a cell of a new row changed at the merge.
ROW_FIX: dict[tuple[str, str, str], tuple[str, str]] = {
    ("source_notes", "allegro-2b-3-sn-005", "resolution"): (
        (
            "Arm n of allegro-2b-3-placebo left empty: the arm's record (king-2023-allegro-2b-3) does not print it, and "
            "an arm's n is not taken from another document. The outcome keeps its printed denominator 130."
        ),
        "the reconciled resolution said the arm n was set to 131; the lead kept the arm as it is",
    ),
}

# --------------------------------------------------------------------- I/O


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = [dict(r) for r in reader]
        return list(reader.fieldnames or []), rows


def serialise(rows: list[list[str]]) -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


class Log:
    def __init__(self) -> None:
        self.sections: dict[str, list[str]] = defaultdict(list)

    def add(self, section: str, line: str) -> None:
        self.sections[section].append(line)


def md(v: str) -> str:
    """A cell value shown in a Markdown table."""
    v = v.replace("|", "\\|").replace("\n", " ")
    return f"`{v}`" if v else "(empty)"


# ------------------------------------------------------------------ schema


def load_schemas() -> tuple[list[str], dict[str, dict]]:
    desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    order = [r["name"] for r in desc["resources"]]
    schemas = {name: json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8")) for name in order}
    return order, schemas


def pk_of(schema: dict) -> tuple[str, ...]:
    pk = schema.get("primaryKey", [])
    return (pk,) if isinstance(pk, str) else tuple(pk)


def references(schemas: dict[str, dict]) -> list[tuple[str, str, str, str | None]]:
    """(table, column, referenced table, delimiter) for every reference."""
    out = []
    for t, s in schemas.items():
        for fk in s.get("foreignKeys", []):
            ref = fk["reference"].get("resource") or t
            out.append((t, fk["fields"][0], ref, None))
        for fk in s.get("listForeignKeys", []):
            out.append((t, fk["fields"][0], fk["reference"]["resource"], fk.get("delimiter", "|")))
    return out


def cell_problems(field: dict, v: str) -> list[str]:
    """What is wrong with one non-empty cell against its field definition."""
    c = field.get("constraints", {})
    typ = field.get("type", "string")
    out = []
    if typ == "integer" and not re.fullmatch(r"[+-]?[0-9]+", v):
        out.append("type: not an integer")
    elif typ == "number":
        try:
            float(v)
        except ValueError:
            out.append("type: not a number")
    elif typ == "boolean" and v not in ("true", "false"):
        out.append("type: not true/false")
    elif typ == "date":
        try:
            date.fromisoformat(v)
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):
                raise ValueError
        except ValueError:
            out.append("type: not a date YYYY-MM-DD")
    if "enum" in c and v not in c["enum"]:
        out.append("enum: not an allowed value")
    if "pattern" in c and not re.fullmatch(c["pattern"], v):
        out.append("pattern: does not match " + c["pattern"])
    if "maxLength" in c and len(v) > c["maxLength"]:
        out.append(f"maxLength: {len(v)} > {c['maxLength']}")
    if typ in ("integer", "number") and not out:
        x = float(v)
        if "minimum" in c and x < c["minimum"]:
            out.append("minimum")
        if "maximum" in c and x > c["maximum"]:
            out.append("maximum")
    return out


def short(v: str, k: int = 140) -> str:
    return md(v if len(v) <= k else v[:k] + "…")


def main() -> int:
    order, schemas = load_schemas()
    cols = {t: [f["name"] for f in s["fields"]] for t, s in schemas.items()}
    fields = {t: {f["name"]: f for f in s["fields"]} for t, s in schemas.items()}
    pks = {t: pk_of(s) for t, s in schemas.items()}
    refs = references(schemas)
    log = Log()

    existing: dict[str, list[dict[str, str]]] = {}
    for t in order:
        header, rows = read_csv(DATA / f"{t}.csv")
        if header != cols[t]:
            sys.exit(f"data/{t}.csv: header differs from schemas/{t}.json")
        existing[t] = rows
    ex_index = {t: {"|".join(r[c] for c in pks[t]): r for r in existing[t]} for t in order}

    incoming: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    read_counts: Counter = Counter()
    # updates: (group, table, id, column, value, old_value or None, basis)
    updates: list[tuple[str, str, str, str, str, str | None, str]] = []
    for gdir in GROUPS:
        g = gdir.name.split("-")[1]
        for p in sorted(gdir.glob("*.csv")):
            header, rows = read_csv(p)
            if p.stem.endswith("-updates"):
                t = p.stem[: -len("-updates")]
                if t not in schemas:
                    sys.exit(f"{p}: no schema for table {t!r}")
                idcol = header[0]
                if idcol != pks[t][0]:
                    sys.exit(f"{p}: first column {idcol!r} is not the key of {t}")
                if header[1:] == LONG_FORM:
                    for r in rows:
                        updates.append((g, t, r[idcol], r["column"], r["value"], r["old_value"], r["basis"]))
                else:
                    for r in rows:
                        for c in header[1:]:
                            if r[c]:
                                updates.append((g, t, r[idcol], c, r[c], None, ""))
                read_counts[(t + " (updates)", g)] += len(rows)
                continue
            t = p.stem
            if t not in schemas:
                sys.exit(f"{p}: no schema for table {t!r}")
            extra = [c for c in header if c not in cols[t]]
            if extra:
                sys.exit(f"{p}: columns not in the schema: {extra}")
            for r in rows:
                incoming[t].append((g, {c: (r.get(c) or "") for c in cols[t]}))
            read_counts[(t, g)] += len(rows)

    # refuse a data/ folder that already holds merged rows
    for t, rows in incoming.items():
        for _g, r in rows:
            if "|".join(r[c] for c in pks[t]) in ex_index[t]:
                sys.exit(f"data/{t}.csv already holds {r[pks[t][0]]!r}: run `git checkout data/` first")

    # 1. dropped rows and fixes of new rows
    for t in list(incoming):
        kept = []
        for g, r in incoming[t]:
            k = r[pks[t][0]]
            reason = DROP_ROWS.get((t, k))
            if reason:
                log.add("drop-row", f"| {g} | {t} | {k} | {reason} |")
                continue
            for (ft, fid, fcol), (val, why) in ROW_FIX.items():
                if ft == t and fid == k:
                    log.add("row-fix", f"| {g} | {t} | {k} | {fcol} | {short(r[fcol])} -> {short(val)} | {why} |")
                    r[fcol] = val
            kept.append((g, r))
        incoming[t] = kept

    # 2. updates of existing rows
    changed: dict[str, set[str]] = defaultdict(set)
    before = {t: {k: dict(r) for k, r in ex_index[t].items()} for t in order}

    def apply(g: str, t: str, k: str, c: str, v: str, why: str, shown: str | None = None) -> None:
        row = ex_index[t].get(k)
        old = row[c]
        if old == v:
            log.add("update", f"| {g} | {t} | {k} | {c} | {short(old)} | (unchanged) | already this value |")
            return
        row[c] = v
        changed[t].add(k)
        log.add("update", f"| {g} | {t} | {k} | {c} | {short(old)} | {shown or short(v)} | {why} |")

    for g, t, k, c, v, old, basis in updates:
        if k not in ex_index[t]:
            log.add("left", f"| {g} | {t} | {k} | {c} | update of a row that is not in data/ |")
            continue
        if c not in cols[t]:
            log.add("left", f"| {g} | {t} | {k} | {c} | update of a column that is not in the schema |")
            continue
        if (t, k, c) in SKIP_UPDATE:
            log.add("skip", f"| {g} | {t} | {k} | {c} | {short(v)} | {SKIP_UPDATE[(t, k, c)]} |")
            continue
        if old is not None and ex_index[t][k][c] != old:
            log.add(
                "skip",
                f"| {g} | {t} | {k} | {c} | {short(v)} | CONFLICT: data/ has {short(ex_index[t][k][c])}, "
                f"the update expected {short(old)} |",
            )
            continue
        why = basis or f"reconcile-{g}"
        if (t, k, c) in OVERRIDE_UPDATE:
            nv, reason = OVERRIDE_UPDATE[(t, k, c)]
            log.add("override", f"| {g} | {t} | {k} | {c} | {short(v)} | {short(nv)} | {reason} |")
            v, why = nv, reason
        apply(g, t, k, c, v, why)
    for (t, k, c), (nv, _reason) in OVERRIDE_UPDATE.items():
        if ex_index[t][k][c] != nv:
            sys.exit(f"override {t}/{k}/{c} did not apply: no reconciled update names it")
    for (t, k, c), (how, val, reason) in LEAD_CELLS.items():
        cur = ex_index[t][k][c]
        nv = val if how == "set" else cur.rstrip() + val
        apply("lead", t, k, c, nv, reason, None if how == "set" else "(was) + " + md(val.strip()))

    # 3. checks on the merged rows (reported, never silently fixed)
    merged = {t: existing[t] + [r for _, r in incoming.get(t, [])] for t in order}
    origin = {t: ["data"] * len(existing[t]) + [g for g, _ in incoming.get(t, [])] for t in order}
    keys = {t: {r[pks[t][0]] for r in merged[t]} for t in order if len(pks[t]) == 1}
    for t in order:
        seen: set[tuple] = set()
        for i, r in enumerate(merged[t]):
            kk = tuple(r[c] for c in pks[t])
            k = "|".join(kk)
            is_new = origin[t][i] != "data"
            if not is_new and k not in changed[t]:
                seen.add(kk)
                continue
            g = origin[t][i] if is_new else "update"
            for col, fld in fields[t].items():
                v = r[col]
                if not v:
                    if fld.get("constraints", {}).get("required"):
                        log.add("left", f"| {g} | {t} | {k} | {col} | required value missing |")
                    continue
                for prob in cell_problems(fld, v):
                    log.add("left", f"| {g} | {t} | {k} | {col} | {prob} ({short(v, 80)}) |")
            if kk in seen:
                log.add("left", f"| {g} | {t} | {k} | (key) | duplicate key |")
            seen.add(kk)
            for table, col, ref, delim in refs:
                if table != t or not r[col]:
                    continue
                for x in r[col].split(delim) if delim else [r[col]]:
                    if x not in keys[ref]:
                        log.add("left", f"| {g} | {t} | {k} | {col} | {md(x)} not in {ref} |")

    # 4. write the files
    for t in order:
        new = [r for _, r in incoming.get(t, [])]
        path = DATA / f"{t}.csv"
        if changed[t]:
            raw = path.read_bytes()
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
            if serialise(rows).encode("utf-8") != raw:
                sys.exit(f"data/{t}.csv does not round-trip through csv; not rewriting it")
            body = [cols[t]] + [[r[c] for c in cols[t]] for r in existing[t]] + [[r[c] for c in cols[t]] for r in new]
            path.write_bytes(serialise(body).encode("utf-8"))
            # exactly the updated rows differ
            diff = {
                "|".join(r[c] for c in pks[t])
                for r in existing[t]
                if serialise([[r[c] for c in cols[t]]])
                != serialise([[before[t]["|".join(r[c] for c in pks[t])][c] for c in cols[t]]])
            }
            if diff != changed[t]:
                sys.exit(f"data/{t}.csv: rows changed {sorted(diff ^ changed[t])} differ from the updates")
        elif new:
            raw = path.read_bytes()
            prefix = "" if raw.endswith(b"\n") or not raw else "\n"
            with path.open("a", newline="", encoding="utf-8") as f:
                f.write(prefix + serialise([[r[c] for c in cols[t]] for r in new]))

    # 5. the log
    added = Counter((t, g) for t in order for g, _ in incoming.get(t, []))
    gnames = [p.name.split("-")[1] for p in GROUPS]
    out = [BEGIN, "", "## Rows added and rows updated (generated by merge.py)", ""]
    out.append(
        "| table | before | "
        + " | ".join(f"{g} read" for g in gnames)
        + " | "
        + " | ".join(f"{g} added" for g in gnames)
        + " | added | after | rows updated |"
    )
    out.append("|---" * (5 + 2 * len(gnames)) + "|")
    for t in order:
        n_add = sum(added[(t, g)] for g in gnames)
        out.append(
            f"| {t} | {len(existing[t])} | "
            + " | ".join(str(read_counts[(t, g)]) for g in gnames)
            + " | "
            + " | ".join(str(added[(t, g)]) for g in gnames)
            + f" | {n_add} | {len(existing[t]) + n_add} | {len(changed[t])} |"
        )
    tot_b = sum(len(existing[t]) for t in order)
    tot_a = sum(len(merged[t]) for t in order)
    n_cells = len(log.sections.get("update", []))
    out += [
        "",
        (
            f"Total rows: {tot_b} before, {tot_a} after ({tot_a - tot_b} added); "
            f"{sum(len(v) for v in changed.values())} existing rows updated ({n_cells} cell updates logged below)."
        ),
        "",
    ]

    def section(title: str, name: str, header: str, empty: str) -> None:
        out.extend([f"## {title}", ""])
        lines = log.sections.get(name, [])
        if lines:
            out.extend([header, "|" + "---|" * (header.count("|") - 1), *lines])
        else:
            out.append(empty)
        out.append("")

    section("Dropped rows", "drop-row", "| group | table | key | why |", "No row dropped.")
    section(
        "Cells of new rows changed at the merge", "row-fix", "| group | table | key | column | change | why |", "None."
    )
    section(
        "Reconciled updates not applied",
        "skip",
        "| group | table | key | column | value | why |",
        "Every reconciled update was applied.",
    )
    section(
        "Reconciled updates replaced by the lead's decision",
        "override",
        "| group | table | key | column | reconciled value | merged value | why |",
        "None.",
    )
    section(
        "Cell updates applied to existing rows",
        "update",
        "| group | table | key | column | was | now | basis |",
        "No updates.",
    )
    section(
        "Left after the merge (schema checks of merge.py)",
        "left",
        "| group | table | key | column | problem |",
        "None: every merged and updated row passes the schema checks of merge.py (types, required, enum, pattern, "
        "maxLength, keys, foreign keys).",
    )
    out.append(END)
    generated = "\n".join(out) + "\n"

    if LOG.exists():
        text = LOG.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            tail = rest.split(END, 1)[1].lstrip("\n")
            LOG.write_text(head + generated + ("\n" + tail if tail else ""), encoding="utf-8")
        else:
            LOG.write_text(text.rstrip("\n") + "\n\n" + generated, encoding="utf-8")
    else:
        LOG.write_text("# Merge log: release 0.5.0 (model v3)\n\n" + generated, encoding="utf-8")

    print(
        f"merged: {tot_b} -> {tot_a} rows, {sum(len(v) for v in changed.values())} rows updated; log: {LOG.relative_to(ROOT)}"
    )
    for name in ("drop-row", "row-fix", "skip", "override", "update", "left"):
        print(f"  {name}: {len(log.sections.get(name, []))}")
    return 1 if log.sections.get("left") else 0


if __name__ == "__main__":
    raise SystemExit(main())
