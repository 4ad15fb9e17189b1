#!/usr/bin/env python3
"""Merge the reconciled model-v2 rows into the package's data/*.csv.

Reads the four folders ``docs/curation/v2/rows-*/`` (one CSV per table, plus
``drugs-updates.csv``), and

1. appends their rows to ``data/<table>.csv`` in the column order of
   ``schemas/<table>.json`` (a column the group file lacks is written empty);
2. keeps one row per id in the vocabulary tables (drugs, measures,
   indications, sources, synonyms): an id already in ``data/`` wins; where two
   groups define the same id, the first group's row is kept, its empty cells
   are filled from the later row and every differing cell is logged;
3. rewrites ids listed in ``ALIASES`` (different ids for the same thing) in
   every column that references them;
4. applies the explicit, reasoned fixes and drops below, and nothing else
   (no number is ever changed: a row whose number cannot stand is dropped);
5. applies ``drugs-updates.csv`` to ``data/drugs.csv``, filling empty cells
   only (a non-empty cell is never overwritten; a conflict is logged);
6. checks the merged rows against the schemas (types, required, enum,
   pattern, maxLength, keys, foreign keys) and lists whatever is left;
7. writes everything it did into ``merge-log.md`` between the markers
   ``<!-- merge.py: begin -->`` and ``<!-- merge.py: end -->``; text outside
   the markers (written by hand) is kept.

Existing rows of ``data/*.csv`` stay byte-identical: files are appended to,
except ``data/drugs.csv`` where the drugs-updates cells are filled (the file is
rewritten only after checking that it round-trips byte for byte).

Run from a clean state: ``git checkout data/ && python docs/curation/v2/merge.py``.
The script refuses to run on a data/ folder that already holds merged rows.
Standard library only.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DATA = ROOT / "data"
SCHEMAS = ROOT / "schemas"
LOG = HERE / "merge-log.md"
GROUPS = sorted(p for p in HERE.glob("rows-*") if p.is_dir())
BEGIN, END = "<!-- merge.py: begin -->", "<!-- merge.py: end -->"

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Vocabulary tables: one row per key, the first definition wins.
VOCAB = {
    "drugs": ("drug_id",),
    "measures": ("measure_id",),
    "indications": ("indication_id",),
    "sources": ("source_id",),
    "synonyms": ("entity_type", "entity_id", "name", "language"),
}

# Different ids for the same thing: table -> {id to retire: id to keep}.
# Every reference to a retired id is rewritten (FKs, list FKs,
# synonyms.entity_id, measures.based_on / defined_in, sources.cited_in).
# The candidates examined and why none of them is the same thing are in
# merge-log.md ("Unification").
ALIASES: dict[str, dict[str, str]] = {}

# Values outside a schema enum that mean the same as an allowed value:
# (table, column) -> {value: allowed value}. A value outside the enum that is
# not listed here is dropped from its cell and logged.
ENUM_MAP: dict[tuple[str, str], dict[str, str]] = {
    ("studies", "phase"): {"2b/3": "2/3", "2b-3": "2/3", "3b": "3", "3b/4": "3"},
    ("precautions", "kind"): {"warnings-and-precautions": "warning", "warning-precaution": "warning"},
}

# Rows that cannot stand as written (no id/format fix is possible).
DROP_ROWS: dict[tuple[str, str], str] = {
    ("comparisons", "ritlecitinib-vitiligo-phase2b-cmp-001"): (
        "arm_id is empty because the abstract does not say which loading-dose arm the -21.2 belongs to; "
        "comparisons.arm_id is required (a comparison needs both arms), and naming an arm would be an "
        "inference. The value itself stays in outcomes (arm-less row ritlecitinib-vitiligo-phase2b-out-001); "
        "the P < .001 against placebo printed for it is recorded only in this log."
    ),
}

# Title placeholders: the schema requires sources.title; rows whose excerpt
# printed no title get a bracketed, curator-worded placeholder built from the
# row's own document type, URL and ids (as group g2 did for its own rows).
TITLE_PLACEHOLDER = "[Title not printed in the excerpt read: {what}]"
KIND_WORDS = {
    "registry-record": "registry record",
    "news": "secondary report",
    "journal-article": "journal article",
    "conference-abstract": "conference abstract",
    "review": "review article",
    "web-page": "web page",
    "drug-label": "drug label",
    "regulatory-decision": "regulatory record",
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


# ------------------------------------------------------------------- fixes


def placeholder_title(r: dict[str, str]) -> str:
    kind = KIND_WORDS.get(r.get("document_type", ""), "document")
    url = r.get("url", "")
    text = " ".join([url, r.get("source_id", "").upper()])
    ids: list[str] = []
    nct = re.search(r"NCT[0-9]{8}", text)
    if nct:
        ids.append(nct.group(0))
    eudract = re.search(r"(?<![0-9])(20[0-9]{2}-[0-9]{6}-[0-9]{2})(?![0-9])", text)
    if eudract and not nct:
        ids.append("EudraCT " + eudract.group(1))
    pmc = re.search(r"PMC[0-9]+", url)
    if pmc:
        ids.append(pmc.group(0))
    if r.get("doi") and not ids:
        ids.append("doi " + r["doi"])
    host = urlparse(url).netloc.lower()
    host = host[4:] if host.startswith("www.") else host
    what = kind + (" " + ", ".join(ids) if ids else "") + (f" on {host}" if host else "")
    return TITLE_PLACEHOLDER.format(what=what)


def fix_row(table: str, r: dict[str, str], fields: dict[str, dict], key: str, group: str, log: Log) -> None:
    """Format fixes that change no number and no reconciler wording."""
    for col, v in list(r.items()):
        if v is None:
            r[col] = v = ""
        nv = unicodedata.normalize("NFC", v.strip())
        if nv != v:
            log.add("fix", f"| {group} | {table} | {key} | {col} | whitespace/NFC normalised | {md(v)} -> {md(nv)} |")
            r[col] = v = nv
        fld = fields.get(col)
        if fld is None or not v:
            continue
        allowed = fld.get("constraints", {}).get("enum")
        if allowed and v not in allowed:
            mapped = ENUM_MAP.get((table, col), {}).get(v)
            if mapped:
                r[col] = mapped
                log.add(
                    "fix",
                    f"| {group} | {table} | {key} | {col} | enum value mapped (same meaning) | {md(v)} -> {md(mapped)} |",
                )
            else:
                r[col] = ""
                log.add(
                    "drop-cell",
                    f"| {group} | {table} | {key} | {col} | {md(v)} | not in the vocabulary {allowed} and no allowed value means the same |",
                )
        if fld.get("type") == "date" and cell_problems(fld, r[col]):
            old = r[col]
            r[col] = ""
            log.add(
                "drop-cell",
                f"| {group} | {table} | {key} | {col} | {md(old)} | a `date` column takes a full YYYY-MM-DD date and the record "
                "prints only year and month; padding a day would invent one. The row's note keeps the printed revision date |",
            )
    if table == "sources" and not r.get("title"):
        r["title"] = placeholder_title(r)
        log.add(
            "fix",
            f"| {group} | sources | {key} | title | required title empty (not printed in the excerpt) | (empty) -> {md(r['title'])} |",
        )


# -------------------------------------------------------------------- main


def main() -> int:
    order, schemas = load_schemas()
    cols = {t: [f["name"] for f in s["fields"]] for t, s in schemas.items()}
    fields = {t: {f["name"]: f for f in s["fields"]} for t, s in schemas.items()}
    pks = {t: pk_of(s) for t, s in schemas.items()}
    refs = references(schemas)
    log = Log()

    # existing rows
    existing: dict[str, list[dict[str, str]]] = {}
    for t in order:
        header, rows = read_csv(DATA / f"{t}.csv")
        if header != cols[t]:
            sys.exit(f"data/{t}.csv: header differs from schemas/{t}.json")
        existing[t] = rows
    ex_keys = {t: {tuple(r[c] for c in pks[t]) for r in existing[t]} for t in order}

    # group rows, in group order
    incoming: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    read_counts: Counter = Counter()
    updates: list[tuple[str, dict[str, str]]] = []
    for gdir in GROUPS:
        g = gdir.name.split("-")[1]
        for p in sorted(gdir.glob("*.csv")):
            t = p.stem
            header, rows = read_csv(p)
            if t == "drugs-updates":
                updates += [(g, r) for r in rows]
                continue
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
        if t in VOCAB:
            continue
        for _g, r in rows:
            if tuple(r[c] for c in pks[t]) in ex_keys[t]:
                sys.exit(f"data/{t}.csv already holds {r[pks[t][0]]!r}: run `git checkout data/` first")

    # 1. format fixes, enum mapping, placeholders
    for t, rows in incoming.items():
        for g, r in rows:
            fix_row(t, r, fields[t], "|".join(r[c] for c in pks[t]), g, log)

    # 2. id unification (ALIASES) in every referencing column
    def rewrite(t: str, r: dict[str, str], g: str) -> None:
        for table, col, ref, delim in refs:
            if table != t or not r.get(col) or ref not in ALIASES:
                continue
            parts = r[col].split(delim) if delim else [r[col]]
            new = [ALIASES[ref].get(x, x) for x in parts]
            if new != parts:
                v = delim.join(new) if delim else new[0]
                log.add("unify", f"| {g} | {t} | {col} | {md(r[col])} -> {md(v)} |")
                r[col] = v
        if t == "synonyms":
            target = {"drug": "drugs", "target": "targets", "indication": "indications", "measure": "measures"}.get(
                r["entity_type"]
            )
            if target in ALIASES and r["entity_id"] in ALIASES[target]:
                log.add(
                    "unify",
                    f"| {g} | synonyms | entity_id | {md(r['entity_id'])} -> {md(ALIASES[target][r['entity_id']])} |",
                )
                r["entity_id"] = ALIASES[target][r["entity_id"]]
        if t in ALIASES and len(pks[t]) == 1 and r[pks[t][0]] in ALIASES[t]:
            old = r[pks[t][0]]
            r[pks[t][0]] = ALIASES[t][old]
            log.add(
                "unify", f"| {g} | {t} | {pks[t][0]} | {md(old)} -> {md(r[pks[t][0]])} (row merged into the kept id) |"
            )

    for t, rows in incoming.items():
        for g, r in rows:
            rewrite(t, r, g)

    # 3. explicit row drops
    for t in list(incoming):
        kept = []
        for g, r in incoming[t]:
            reason = DROP_ROWS.get((t, r[pks[t][0]]))
            if reason:
                log.add("drop-row", f"| {g} | {t} | {r[pks[t][0]]} | {reason} |")
            else:
                kept.append((g, r))
        incoming[t] = kept

    # 4. vocabulary dedupe (existing wins; then first group; fill empties)
    existing_by_key = {t: {tuple(r[c] for c in pks[t]): r for r in existing[t]} for t in VOCAB}
    for t in VOCAB:
        first: dict[tuple, tuple[str, dict[str, str]]] = {}
        kept = []
        for g, r in incoming.get(t, []):
            k = tuple(r[c] for c in pks[t])
            ks = "\\|".join(k)
            if k in existing_by_key[t]:
                old = existing_by_key[t][k]
                diffs = [c for c in cols[t] if r[c] != old[c]]
                log.add(
                    "dedupe",
                    f"| {t} | {ks} | data/ (existing) | {g} | existing row kept unchanged; {len(diffs)} differing cell(s) |",
                )
                for c in diffs:
                    log.add(
                        "dedupe-cell", f"| {t} | {ks} | {c} | data: {md(old[c])} | {g}: {md(r[c])} | existing kept |"
                    )
                continue
            if k in first:
                g0, r0 = first[k]
                log.add("dedupe", f"| {t} | {ks} | {g0} | {g} | first kept; later row dropped |")
                for c in cols[t]:
                    if r[c] == r0[c]:
                        continue
                    if not r0[c]:
                        r0[c] = r[c]
                        log.add(
                            "dedupe-cell", f"| {t} | {ks} | {c} | {g0}: (empty) | {g}: {md(r[c])} | filled from {g} |"
                        )
                    elif r[c]:
                        log.add(
                            "dedupe-cell", f"| {t} | {ks} | {c} | {g0}: {md(r0[c])} | {g}: {md(r[c])} | {g0} kept |"
                        )
                    else:
                        log.add("dedupe-cell", f"| {t} | {ks} | {c} | {g0}: {md(r0[c])} | {g}: (empty) | {g0} kept |")
                continue
            first[k] = (g, r)
            kept.append((g, r))
        incoming[t] = kept

    # 5. drugs-updates: fill empty cells only
    drugs_changed = False
    new_drugs = {r["drug_id"]: r for _, r in incoming.get("drugs", [])}
    ex_drugs = {r["drug_id"]: r for r in existing["drugs"]}
    for g, u in updates:
        d, col, val = u["drug_id"], u["column"], u["value"]
        target = ex_drugs.get(d) or new_drugs.get(d)
        where = "data/drugs.csv" if d in ex_drugs else "merged drugs row"
        if target is None:
            log.add("update", f"| {g} | {d} | {col} | {md(val)} | not applied: no drug {d!r} |")
        elif col not in cols["drugs"]:
            log.add("update", f"| {g} | {d} | {col} | {md(val)} | not applied: no column {col!r} |")
        elif cell_problems(fields["drugs"][col], val):
            log.add(
                "update", f"| {g} | {d} | {col} | {md(val)} | not applied: {cell_problems(fields['drugs'][col], val)} |"
            )
        elif target[col] == val:
            log.add("update", f"| {g} | {d} | {col} | {md(val)} | already set to this value in {where} |")
        elif target[col]:
            log.add(
                "update", f"| {g} | {d} | {col} | {md(val)} | CONFLICT, not applied: {where} has {md(target[col])} |"
            )
        else:
            target[col] = val
            drugs_changed = drugs_changed or d in ex_drugs
            log.add(
                "update",
                f"| {g} | {d} | {col} | {md(val)} | filled the empty cell in {where} (record: {u.get('record', '')}; {u.get('locator', '')}) |".replace(
                    "\n", " "
                ),
            )

    # 6. checks on the merged rows (reported, never silently fixed)
    merged = {t: existing[t] + [r for _, r in incoming.get(t, [])] for t in order}
    origin = {t: ["data"] * len(existing[t]) + [g for g, _ in incoming.get(t, [])] for t in order}
    keys = {t: {r[pks[t][0]] for r in merged[t]} for t in order if len(pks[t]) == 1}
    for t in order:
        seen: dict[tuple, int] = {}
        for i, r in enumerate(merged[t]):
            if origin[t][i] == "data":
                seen[tuple(r[c] for c in pks[t])] = i
                continue
            g, k = origin[t][i], "|".join(r[c] for c in pks[t])
            for col, fld in fields[t].items():
                v = r[col]
                if not v:
                    if fld.get("constraints", {}).get("required"):
                        log.add("left", f"| {g} | {t} | {k} | {col} | required value missing |")
                    continue
                for prob in cell_problems(fld, v):
                    log.add("left", f"| {g} | {t} | {k} | {col} | {prob} ({md(v[:80])}) |")
            kk = tuple(r[c] for c in pks[t])
            if kk in seen:
                log.add("left", f"| {g} | {t} | {k} | (key) | duplicate key |")
            seen[kk] = i
            for table, col, ref, delim in refs:
                if table != t or not r[col]:
                    continue
                for x in r[col].split(delim) if delim else [r[col]]:
                    if x not in keys[ref]:
                        log.add("left", f"| {g} | {t} | {k} | {col} | {md(x)} not in {ref} |")
            if t == "synonyms":
                ref = {"drug": "drugs", "target": "targets", "indication": "indications", "measure": "measures"}[
                    r["entity_type"]
                ]
                if r["entity_id"] not in keys[ref]:
                    log.add("left", f"| {g} | synonyms | {k} | entity_id | not in {ref} |")
            if t == "outcomes" and not r["value"] and not r["result"]:
                log.add("left", f"| {g} | outcomes | {k} | value/result | neither value nor result |")

    # 7. write the files
    for t in order:
        new = [r for _, r in incoming.get(t, [])]
        if t == "drugs" and drugs_changed:
            path = DATA / "drugs.csv"
            raw = path.read_bytes()
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
            if serialise(rows).encode("utf-8") != raw:
                sys.exit("data/drugs.csv does not round-trip through csv; not rewriting it")
            body = [cols[t]] + [[r[c] for c in cols[t]] for r in existing[t]]
            path.write_bytes(serialise(body).encode("utf-8"))
        if new:
            path = DATA / f"{t}.csv"
            raw = path.read_bytes()
            prefix = "" if raw.endswith(b"\n") or not raw else "\n"
            with path.open("a", newline="", encoding="utf-8") as f:
                f.write(prefix + serialise([[r[c] for c in cols[t]] for r in new]))

    # 8. the log
    added = Counter((t, g) for t in order for g, _ in incoming.get(t, []))
    gnames = [p.name.split("-")[1] for p in GROUPS]
    out = [BEGIN, "", "## Rows added (generated by merge.py)", ""]
    out.append(
        "| table | before | "
        + " | ".join(f"{g} read" for g in gnames)
        + " | "
        + " | ".join(f"{g} added" for g in gnames)
        + " | added | after |"
    )
    out.append("|---" * (4 + 2 * len(gnames)) + "|")
    for t in order:
        n_add = sum(added[(t, g)] for g in gnames)
        out.append(
            f"| {t} | {len(existing[t])} | "
            + " | ".join(str(read_counts[(t, g)]) for g in gnames)
            + " | "
            + " | ".join(str(added[(t, g)]) for g in gnames)
            + f" | {n_add} | {len(existing[t]) + n_add} |"
        )
    tot_b = sum(len(existing[t]) for t in order)
    tot_a = sum(len(merged[t]) for t in order)
    out += ["", f"Total rows: {tot_b} before, {tot_a} after ({tot_a - tot_b} added).", ""]

    def section(title: str, name: str, header: str, empty: str) -> None:
        out.extend([f"## {title}", ""])
        lines = log.sections.get(name, [])
        if lines:
            out.extend([header, "|" + "---|" * (header.count("|") - 1), *lines])
        else:
            out.append(empty)
        out.append("")

    section(
        "Vocabulary dedupe: rows",
        "dedupe",
        "| table | key | kept | dropped | decision |",
        "No duplicate vocabulary rows.",
    )
    section(
        "Vocabulary dedupe: differing cells",
        "dedupe-cell",
        "| table | key | column | kept row | other row | result |",
        "No differing cells.",
    )
    section(
        "Id unification (ALIASES)",
        "unify",
        "| group | table | column | change |",
        "No id was rewritten: ALIASES is empty (see the hand-written section on unification).",
    )
    section("Format fixes", "fix", "| group | table | key | column | fix | change |", "No format fixes.")
    section("Dropped cells", "drop-cell", "| group | table | key | column | value | why |", "No cell dropped.")
    section("Dropped rows", "drop-row", "| group | table | key | why |", "No row dropped.")
    section("drugs-updates.csv", "update", "| group | drug | column | value | result |", "No updates.")
    section(
        "Left after the merge (schema checks of merge.py)",
        "left",
        "| group | table | key | column | problem |",
        "None: every merged row passes the schema checks of merge.py (types, required, enum, pattern, maxLength, keys, foreign keys).",
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
        LOG.write_text("# Merge log: release 2 (model v2)\n\n" + generated, encoding="utf-8")

    print(f"merged: {tot_b} -> {tot_a} rows; log: {LOG.relative_to(ROOT)}")
    for name in ("dedupe", "fix", "drop-cell", "drop-row", "update", "left"):
        print(f"  {name}: {len(log.sections.get(name, []))}")
    return 1 if log.sections.get("left") else 0


if __name__ == "__main__":
    raise SystemExit(main())
