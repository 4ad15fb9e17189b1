"""The SQLite export as a website: full-text search tables, source links and
Datasette's metadata, all generated from the Table Schemas and the
descriptor (one source of truth: nothing here is written by hand per
column).

- ``search_names`` lists every name of a drug, target, indication, measure
  and trial — INN, synonyms in every language, brands, development codes,
  acronyms, registry ids — with a full-text index, so typing 乌帕替尼,
  упадацитиниб or Rinvoq finds upadacitinib.
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
    "studies": "acronym",
}

QUERIES = {
    "evidence_for_a_drug_in_an_indication": {
        "title": "Evidence for a drug in an indication",
        "description": "Every result for a drug (any name: INN, brand, code, Chinese or Russian name) in an "
        "indication and its subtypes, with the document it comes from.",
        "sql": """
select o.outcome_id, o.drug_id, o.indication_id, coalesce(s.acronym, o.study_id) as trial, a.label as arm,
       o.measure_id,
       o.timepoint, o.statistic, o.value, o.n, o.responders, o.result, o.endpoint_role,
       src.document_type as source_type, o.source_link, o.locator
from outcomes o
left join studies s on s.study_id = o.study_id
left join arms a on a.arm_id = o.arm_id
left join sources src on src.source_id = o.reported_in
where o.drug_id in (select entity_id from search_names where entity_type = 'drug' and rowid in
        (select rowid from search_names_fts where search_names_fts match '"' || replace(:drug, '"', '""') || '"'))
  and (o.indication_id = :indication
       or o.indication_id in (select indication_id from indications where parent_id = :indication))
order by o.indication_id, s.acronym, o.measure_id, o.timepoint_days""",
    },
    "trials_of_a_drug_with_primary_results": {
        "title": "The trials of a drug with their primary results",
        "description": "Every trial with an arm of the drug (any name), and the primary-endpoint results of all "
        "its arms.",
        "sql": """
select coalesce(s.acronym, s.study_id) as trial, s.registry_id, s.indication_id, s.phase, a.label as arm, a.role,
       a.n as n_arm,
       o.measure_id, o.timepoint, o.statistic, o.value, o.responders, o.n,
       src.document_type as source_type, o.source_link
from studies s
join arms a on a.study_id = s.study_id
left join outcomes o on o.arm_id = a.arm_id and o.endpoint_role = 'primary'
left join sources src on src.source_id = o.reported_in
where (s.design in ('rct', 'non-randomised-trial') or s.registry_id is not null)
  and s.study_id in (select study_id from arms where drug_id in
        (select entity_id from search_names where entity_type = 'drug' and rowid in
        (select rowid from search_names_fts where search_names_fts match '"' || replace(:drug, '"', '""') || '"')))
order by s.indication_id, trial, a.role, a.label, o.measure_id""",
    },
    "approvals_by_regulator_and_date": {
        "title": "Approvals by regulator and date",
        "description": "Regulatory decisions as their records state them, newest first; leave the regulator "
        "empty for all.",
        "sql": """
select ap.regulator, ap.decision_date, ap.decision_kind, d.inn as drug, ap.product, ap.indication_id,
       ap.application_number, ap.population, src.document_type as source_type, ap.source_link
from approvals ap
left join drugs d on d.drug_id = ap.drug_id
left join sources src on src.source_id = ap.reported_in
where :regulator = '' or ap.regulator = :regulator
order by ap.regulator, ap.decision_date desc""",
    },
    "safety_findings_of_a_drug": {
        "title": "Safety findings of a drug, class-level included",
        "description": "Adverse events and precautions of a drug (any name) and of its drug class.",
        "sql": """
with drug as (select drug_id, drug_class from drugs where drug_id in
     (select entity_id from search_names where entity_type = 'drug' and rowid in
        (select rowid from search_names_fts where search_names_fts match '"' || replace(:drug, '"', '""') || '"')))
select 'adverse event' as kind, e.drug_id, e.drug_class, e.category as detail, e.event as finding,
       e.n_affected, e.n_exposed, e.frequency, e.source_link
from adverse_events e, drug
where e.drug_id = drug.drug_id or e.drug_class = drug.drug_class
union all
select 'precaution', p.drug_id, p.drug_class, p.kind, p.statement, null, null, null, p.source_link
from precautions p, drug
where p.drug_id = drug.drug_id or p.drug_class = drug.drug_class
order by kind, detail""",
    },
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def search_names(ds: Dataset) -> list[tuple[str, str, str, str, str]]:
    """(entity_type, entity_id, name, language, kind) for every name."""
    import pandas as pd

    rows: list[tuple[str, str, str, str, str]] = []

    def add(etype: str, frame: pd.DataFrame, id_col: str, cols: dict[str, str]) -> None:
        for col, kind in cols.items():
            if col not in frame.columns:
                continue
            for eid, name in zip(frame[id_col], frame[col]):
                if isinstance(name, str) and name:
                    rows.append((etype, str(eid), name, "en" if kind in ("inn", "name", "acronym") else "", kind))

    if "drugs" in ds:
        add("drug", ds.drugs, "drug_id", {"inn": "inn", "drug_id": "id", "atc_code": "code"})
    if "indications" in ds:
        add("indication", ds.indications, "indication_id", {"name": "name", "indication_id": "id"})
    if "measures" in ds:
        add("measure", ds.measures, "measure_id", {"name": "name", "measure_id": "id"})
    if "targets" in ds:
        add("target", ds.targets, "target_id", {"target_id": "id", "name": "name"})
    if "studies" in ds:
        add("study", ds.studies, "study_id", {"acronym": "acronym", "registry_id": "registry-id", "study_id": "id"})
    if "synonyms" in ds:
        s = ds.synonyms
        for etype, eid, name, lang, kind in zip(s["entity_type"], s["entity_id"], s["name"], s["language"], s["kind"]):
            rows.append((str(etype), str(eid), str(name), "" if pd.isna(lang) else str(lang), str(kind)))
    return sorted(set(rows))


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
        "language TEXT, kind TEXT)"
    )
    con.executemany("INSERT INTO search_names VALUES (?, ?, ?, ?, ?)", search_names(ds))
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
        if name in LABELS and LABELS[name] in present:
            entry["label_column"] = LABELS[name]
        if "reported_in" in present and name != "sources":
            entry["columns"]["source_link"] = "Link to the document the row was read from (URL, DOI or PubMed)."
        if name in FTS_COLUMNS:
            entry["fts_table"] = f"{name}_fts"
        tables[name] = entry
    tables["search_names"] = {
        "description": "Every name of a drug, target, indication, measure and trial — INN, synonyms in every "
        "language, brands, development codes, acronyms, registry ids — for search.",
        "facets": list(FACETS["search_names"]),
        "fts_table": "search_names_fts",
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
