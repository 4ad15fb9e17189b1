"""The SQLite export as a website: full-text search tables, source links and
Datasette's metadata, all generated from the Table Schemas and the
descriptor (one source of truth: nothing here is written by hand per
column).

- ``search_names`` lists every name of a drug, target, indication, measure
  and trial — INN, synonyms in every language, brands, development codes,
  acronyms, registry ids — with a full-text index, so typing 乌帕替尼,
  упадацитиниб or Rinvoq finds upadacitinib; its ``key`` column is the name
  as :func:`jakdata.lookup.normalise` folds it, which the canned queries
  match with the SQL function ``jakdata_key()`` (the site's plugin), so the
  site resolves a name exactly as :func:`jakdata.find` does.
- ``studies`` gets a ``label`` column: the name a reader sees (acronym, else
  the publication's title, shortened; :mod:`jakdata.tools.labels`).
- Claim tables with result or statement text get a full-text index on it.
- Claim tables get a ``source_link`` column: the URL of ``reported_in`` (its
  ``url``, else its DOI or PMID as a link).
- :func:`metadata` is Datasette's ``metadata.json``: title, version and
  content fingerprint, licence, source, table and column descriptions,
  units, facets, label columns and canned queries.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset

DATABASE = "jakdata"

#: text columns indexed for full-text search, per table (where present)
FTS_COLUMNS = {
    "outcomes": ("result", "note"),
    "precautions": ("statement", "note"),
    "adverse_events": ("event", "event_original", "note"),
    "studies": ("acronym", "population", "note"),
    "approvals": ("product", "population", "note"),
    "sources": ("title", "title_original", "authors", "journal"),
    "search_names": ("name",),
}

#: facets that fit each table (only those whose column exists are used)
FACETS = {
    "drugs": ("drug_class", "selectivity", "routes"),
    "indications": ("parent_id", "dermatologic"),
    "studies": ("indication_id", "design", "phase", "masking", "evidence_level"),
    "arms": ("role", "drug_id", "study_id"),
    "outcomes": ("drug_id", "indication_id", "measure_id", "statistic", "endpoint_role"),
    "comparisons": ("measure_id", "effect_measure", "study_id"),
    "adverse_events": ("drug_id", "category", "study_id"),
    "precautions": ("drug_id", "drug_class", "kind"),
    "approvals": ("regulator", "drug_id", "indication_id", "decision_kind"),
    "sources": ("document_type", "language", "review_status", "peer_reviewed"),
    "drug_indications": ("drug_id", "indication_id", "status"),
    "drug_targets": ("drug_id", "target_id"),
    "synonyms": ("entity_type", "language", "kind"),
    "search_names": ("entity_type", "language", "kind"),
    "source_notes": ("kind", "source_id"),
}

#: the column a foreign key to this table shows instead of the raw id
LABELS = {
    "drugs": "inn",
    "indications": "name",
    "measures": "name",
    "targets": "name",
    "sources": "title",
    "arms": "label",
    "studies": "label",
}

#: resolve a drug (``:drug``) or an indication (``:indication``) given by any
#: name, exactly as jakdata.find does (``jakdata_key`` is lookup.normalise)
_DRUG = "select entity_id from search_names where entity_type = 'drug' and key = jakdata_key(:drug)"
_INDICATION = "select entity_id from search_names where entity_type = 'indication' and key = jakdata_key(:indication)"

QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "title": "Search every name",
        "description": "Drugs, indications, measures, targets and trials by any of their names, in any language: "
        "INN, brand, development code, Chinese or Russian name, acronym, registry id. Case, width, spaces and "
        "dashes do not matter; part of a name is enough.",
        "hide_sql": True,
        "sql": """
with q as (select jakdata_key(:q) as k),
hits as (
  select n.entity_type, n.entity_id, n.name, n.language,
         case when n.key = q.k then 0 when substr(n.key, 1, length(q.k)) = q.k then 1 else 2 end as rank
  from search_names n, q
  where q.k != '' and instr(n.key, q.k) > 0
),
best as (select entity_type, entity_id, min(rank) as rank from hits group by entity_type, entity_id)
select b.entity_type as type,
       coalesce(d.inn, i.name, m.name, t.name, s.label, b.entity_id) as name,
       (select group_concat(name, ' · ') from (select distinct h.name || case when coalesce(h.language, '') = ''
               then '' else ' (' || h.language || ')' end as name from hits h
         where h.entity_type = b.entity_type and h.entity_id = b.entity_id and h.rank = b.rank)) as matched,
       case b.entity_type when 'drug' then 'drugs' when 'indication' then 'indications' when 'measure' then 'measures'
            when 'target' then 'targets' else 'studies' end || '/' || b.entity_id as page
from best b
left join drugs d on b.entity_type = 'drug' and d.drug_id = b.entity_id
left join indications i on b.entity_type = 'indication' and i.indication_id = b.entity_id
left join measures m on b.entity_type = 'measure' and m.measure_id = b.entity_id
left join targets t on b.entity_type = 'target' and t.target_id = b.entity_id
left join studies s on b.entity_type = 'study' and s.study_id = b.entity_id
order by b.rank, case b.entity_type when 'drug' then 0 when 'indication' then 1 when 'study' then 2
         when 'measure' then 3 else 4 end, name
limit 200""",
    },
    "evidence_for_a_drug_in_an_indication": {
        "title": "Evidence for a drug in an indication",
        "description": "Every result for a drug in an indication and its subtypes, with the document it comes "
        "from. Both by any name: INN, brand, code, Chinese or Russian name; atopic dermatitis, 特应性皮炎.",
        "hide_sql": True,
        "sql": f"""
with ind as ({_INDICATION}),
inds as (select entity_id as indication_id from ind
         union select i.indication_id from indications i join ind on i.parent_id = ind.entity_id)
select coalesce(s.label, '') as trial, coalesce(a.label, '') as arm, d.inn as drug, i.name as indication,
       m.name as measure, o.timepoint, o.statistic, o.value, o.n, o.responders, o.result, o.endpoint_role,
       o.analysis_population, src.document_type as source_type, o.source_link, o.locator
from outcomes o
left join studies s on s.study_id = o.study_id
left join arms a on a.arm_id = o.arm_id
left join drugs d on d.drug_id = o.drug_id
left join indications i on i.indication_id = o.indication_id
left join measures m on m.measure_id = o.measure_id
left join sources src on src.source_id = o.reported_in
where o.drug_id in ({_DRUG})
  and o.indication_id in (select indication_id from inds)
order by i.name, s.label, m.name, o.timepoint_days""",
    },
    "trials_of_a_drug_with_primary_results": {
        "title": "The trials of a drug with their primary results",
        "description": "Every trial with an arm of the drug (any name), and the primary-endpoint results of all "
        "its arms.",
        "hide_sql": True,
        "sql": f"""
select s.label as trial, s.registry_id, i.name as indication, s.phase, a.label as arm, a.role,
       a.n as n_arm,
       m.name as measure, o.timepoint, o.statistic, o.value, o.responders, o.n,
       src.document_type as source_type, o.source_link
from studies s
join arms a on a.study_id = s.study_id
left join indications i on i.indication_id = s.indication_id
left join outcomes o on o.arm_id = a.arm_id and o.endpoint_role = 'primary'
left join measures m on m.measure_id = o.measure_id
left join sources src on src.source_id = o.reported_in
where (s.design in ('rct', 'non-randomised-trial') or s.registry_id is not null)
  and s.study_id in (select study_id from arms where drug_id in ({_DRUG}))
order by i.name, trial, a.role, a.label, m.name""",
    },
    "approvals_by_regulator_and_date": {
        "title": "Approvals by regulator and date",
        "description": "Regulatory decisions as their records state them, newest first; leave the regulator "
        "empty for all.",
        "hide_sql": True,
        "sql": """
select ap.regulator, ap.decision_date, ap.decision_kind, d.inn as drug, ap.product, i.name as indication,
       ap.application_number, ap.population, src.document_type as source_type, ap.source_link
from approvals ap
left join drugs d on d.drug_id = ap.drug_id
left join indications i on i.indication_id = ap.indication_id
left join sources src on src.source_id = ap.reported_in
where :regulator = '' or jakdata_key(ap.regulator) = jakdata_key(:regulator)
order by ap.regulator, ap.decision_date desc""",
    },
    "safety_findings_of_a_drug": {
        "title": "Safety findings of a drug, class-level included",
        "description": "Adverse events and precautions of a drug (any name) and of its drug class.",
        "hide_sql": True,
        "sql": f"""
with drug as (select drug_id, drug_class from drugs where drug_id in ({_DRUG}))
select 'adverse event' as kind, coalesce(d.inn, 'class: ' || e.drug_class) as applies_to, e.category as detail,
       e.event as finding, e.n_affected, e.n_exposed, e.frequency, e.source_link
from adverse_events e join drug on e.drug_id = drug.drug_id or e.drug_class = drug.drug_class
left join drugs d on d.drug_id = e.drug_id
union all
select 'precaution', coalesce(d.inn, 'class: ' || p.drug_class), p.kind, p.statement, null, null, null, p.source_link
from precautions p join drug on p.drug_id = drug.drug_id or p.drug_class = drug.drug_class
left join drugs d on d.drug_id = p.drug_id
order by kind, detail""",
    },
}

#: the questions offered on the home page, with the names their fields take
QUESTIONS = {
    "evidence_for_a_drug_in_an_indication": {"drug": "Rinvoq", "indication": "atopic dermatitis"},
    "trials_of_a_drug_with_primary_results": {"drug": "乌帕替尼"},
    "approvals_by_regulator_and_date": {"regulator": "FDA"},
    "safety_findings_of_a_drug": {"drug": "baricitinib"},
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def search_names(ds: Dataset) -> list[tuple[str, str, str, str, str, str]]:
    """(entity_type, entity_id, name, language, kind, key) for every name and
    code :func:`jakdata.find` searches (the same columns, the same folding)."""
    import pandas as pd

    from jakdata.lookup import LISTS, SEARCHED, normalise

    rows: set[tuple[str, str, str, str, str, str]] = set()
    for etype, (table, id_col, label_col, cols) in SEARCHED.items():
        if table not in ds:
            continue
        frame = ds[table]
        for col in cols:
            if col not in frame.columns:
                continue
            kind = "id" if col == id_col else col
            language = "en" if col in (label_col, "name") and col != id_col else ""
            for eid, name in zip(frame[id_col], frame[col]):
                if not pd.isna(name) and str(name):
                    rows.add((etype, str(eid), str(name), language, kind, normalise(name)))
    for etype, (table, id_col, col) in LISTS.items():
        if table in ds and col in ds[table].columns:
            for eid, cell in zip(ds[table][id_col], ds[table][col]):
                if isinstance(cell, str):
                    for item in cell.split("|"):
                        if item:
                            rows.add((etype, str(eid), item, "", col, normalise(item)))
                            if ":" in item:  # EudraCT:2016-... is found with or without its scheme
                                bare = item.partition(":")[2]
                                rows.add((etype, str(eid), bare, "", col, normalise(bare)))
    if "synonyms" in ds:
        s = ds.synonyms
        for etype, eid, name, lang, kind in zip(s["entity_type"], s["entity_id"], s["name"], s["language"], s["kind"]):
            lang = "" if pd.isna(lang) else str(lang)
            rows.add((str(etype), str(eid), str(name), lang, str(kind), normalise(name)))
    return sorted(rows)


def source_link(url: Any, doi: Any, pmid: Any) -> str | None:
    """A link for a source: its URL, else its DOI, else its PubMed record."""
    if isinstance(url, str) and url:
        return url
    if isinstance(doi, str) and doi:
        return f"https://doi.org/{doi}"
    if isinstance(pmid, str) and pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    return None


def add_to_sqlite(con: sqlite3.Connection, ds: Dataset) -> None:
    """Search tables, FTS indexes and source links, in an exported database."""
    con.execute(
        "CREATE TABLE search_names (entity_type TEXT NOT NULL, entity_id TEXT NOT NULL, name TEXT NOT NULL, "
        "language TEXT, kind TEXT, key TEXT NOT NULL)"
    )
    con.executemany("INSERT INTO search_names VALUES (?, ?, ?, ?, ?, ?)", search_names(ds))
    con.execute("CREATE INDEX search_names_key ON search_names (key)")
    if "studies" in ds:
        from jakdata.tools.labels import study_labels

        con.execute('ALTER TABLE "studies" ADD COLUMN label TEXT')
        con.executemany(
            'UPDATE "studies" SET label = ? WHERE study_id = ?', [(v, k) for k, v in study_labels(ds).items()]
        )
    if "sources" in ds:
        s = ds.sources
        links = {sid: source_link(u, d, p) for sid, u, d, p in zip(s["source_id"], s["url"], s["doi"], s["pmid"])}
        for table in ds.tables:
            if "reported_in" in ds[table].columns and table != "sources":
                con.execute(f"ALTER TABLE {_q(table)} ADD COLUMN source_link TEXT")
                con.executemany(
                    f"UPDATE {_q(table)} SET source_link = ? WHERE reported_in = ?",
                    [(link, sid) for sid, link in links.items() if link],
                )
    for table, cols in FTS_COLUMNS.items():
        present = [c for c in cols if table == "search_names" or (table in ds and c in ds[table].columns)]
        if not present:
            continue
        fts = _q(f"{table}_fts")
        names = ", ".join(_q(c) for c in present)
        con.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content={_q(table)})")
        con.execute(f"INSERT INTO {fts} (rowid, {names}) SELECT rowid, {names} FROM {_q(table)}")


def metadata(ds: Dataset, database: str = DATABASE) -> dict[str, Any]:
    """Datasette's metadata for the exported database, from the descriptor
    and the Table Schemas."""
    from jakdata.package.hashing import fingerprint

    d = ds.descriptor
    licence = (d.get("licenses") or [{}])[0]
    tables: dict[str, Any] = {}
    for name in ds.tables:
        schema = ds.schema(name)
        fields = schema["fields"]
        present = {f["name"] for f in fields}
        entry: dict[str, Any] = {
            "description": schema.get("description", ""),
            "columns": {f["name"]: f.get("description", "") for f in fields if f.get("description")},
        }
        units = {f["name"]: f["unit"] for f in fields if isinstance(f.get("unit"), str)}
        if units:
            entry["units"] = units
        facets = [c for c in FACETS.get(name, ()) if c in present]
        if facets:
            entry["facets"] = facets
        if name in LABELS and (LABELS[name] in present or (name, LABELS[name]) == ("studies", "label")):
            entry["label_column"] = LABELS[name]
        if "reported_in" in present and name != "sources":
            entry["columns"]["source_link"] = "Link to the document the row was read from (URL, DOI or PubMed)."
        if name == "studies":
            entry["columns"]["label"] = (
                "The trial's name as the site shows it: its acronym, else its publication's title."
            )
        if name in FTS_COLUMNS:
            entry["fts_table"] = f"{name}_fts"
        tables[name] = entry
    tables["search_names"] = {
        "description": "Every name of a drug, target, indication, measure and trial — INN, synonyms in every "
        "language, brands, development codes, acronyms, registry ids — for search.",
        "facets": list(FACETS["search_names"]),
        "fts_table": "search_names_fts",
        "columns": {"key": "The name folded as jakdata.find folds it (case, width, spaces and dashes ignored)."},
    }
    return {
        "title": d.get("title", d.get("name")),
        "description": f"{d.get('description', '')} Version {ds.version}, content fingerprint {fingerprint(ds.path)}.",
        "license": licence.get("title") or licence.get("name"),
        "license_url": licence.get("path"),
        "source": "the documents in the sources table (every row names the one it was read from)",
        "source_url": f"/{database}/sources",
        "databases": {database: {"tables": tables, "queries": QUERIES}},
    }
