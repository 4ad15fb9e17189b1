"""The Datasette plugin of the jakdata site (``jakdata browse`` loads it with
``--plugins-dir``; the templates beside it come with ``--template-dir``).

- ``jakdata_key()``: the SQL function the canned queries match names with —
  :func:`jakdata.lookup.normalise`, so the site resolves a name exactly as
  :func:`jakdata.find` does.
- Template variables for the home page (the questions, the tables), the
  pages of a drug, an indication and a trial (approvals, trials, evidence,
  warnings), and the answers to a question (which name resolved to what, and
  which names are unknown: said on the page, never a bare "0 results").
- Column descriptions of a table page folded behind a toggle.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from jakdata.lookup import normalise

#: the questions' fields that name an entity, and its type
NAMED_FIELDS = {"drug": "drug", "indication": "indication"}
#: entity type -> (table, id column, label column)
ENTITIES = {
    "drug": ("drugs", "drug_id", "inn"),
    "indication": ("indications", "indication_id", "name"),
    "measure": ("measures", "measure_id", "name"),
    "target": ("targets", "target_id", "name"),
    "study": ("studies", "study_id", "label"),
}


def jakdata_key(value: Any) -> str | None:
    return None if value is None else normalise(value)


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("jakdata_key", 1, jakdata_key, deterministic=True)


async def _rows(datasette: Any, database: str, sql: str, params: Any = None) -> list[dict[str, Any]]:
    result = await datasette.get_database(database).execute(sql, params or {})
    return [dict(r) for r in result.rows]


async def _site_database(datasette: Any) -> str | None:
    for name, db in datasette.databases.items():
        if name != "_internal" and await db.table_exists("search_names"):
            return str(name)
    return None


async def _home(datasette: Any) -> dict[str, Any]:
    from jakdata.tools.site import QUESTIONS

    database = await _site_database(datasette)
    if database is None:
        return {}
    canned = await datasette.get_canned_queries(database, None)
    questions = [
        {
            "name": name,
            "title": canned[name].get("title", name),
            "description": canned[name].get("description", ""),
            "fields": fields,
        }
        for name, fields in QUESTIONS.items()
        if name in canned
    ]
    db = datasette.get_database(database)
    tables = []
    for table in await db.table_names():
        if table.endswith(("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")):
            continue
        meta = datasette.table_metadata(database, table)
        count = (await db.execute(f'select count(*) from "{table}"')).rows[0][0]
        tables.append({"name": table, "description": meta.get("description", ""), "count": count})
    return {"database": database, "questions": questions, "tables": tables}


async def _resolve(datasette: Any, database: str, etype: str, given: str) -> dict[str, Any]:
    """Which entities a name given in a question's field names; close names when none."""
    table, id_col, label_col = ENTITIES[etype]
    found = await _rows(
        datasette,
        database,
        f"select distinct e.{id_col} as id, e.{label_col} as name from search_names n "
        f"join {table} e on e.{id_col} = n.entity_id "
        "where n.entity_type = :t and n.key = jakdata_key(:given) order by name",
        {"t": etype, "given": given},
    )
    close: list[dict[str, Any]] = []
    if not found and normalise(given):
        close = await _rows(
            datasette,
            database,
            f"select distinct e.{id_col} as id, e.{label_col} as name from search_names n "
            f"join {table} e on e.{id_col} = n.entity_id "
            "where n.entity_type = :t and length(n.key) > 2 "
            "and (instr(n.key, jakdata_key(:given)) > 0 or instr(jakdata_key(:given), n.key) > 0) "
            "order by name limit 8",
            {"t": etype, "given": given},
        )
    return {"field": etype, "given": given, "found": found, "close": close, "table": table}


async def _asked(datasette: Any, database: str, request: Any) -> list[dict[str, Any]]:
    out = []
    for field, etype in NAMED_FIELDS.items():
        given = (request.args.get(field) or "").strip()
        if given:
            out.append(await _resolve(datasette, database, etype, given))
    return out


async def _drug(datasette: Any, database: str, drug_id: str) -> dict[str, Any]:
    p = {"id": drug_id}
    return {
        "names": await _rows(
            datasette,
            database,
            "select name, language, kind from search_names where entity_type = 'drug' and entity_id = :id "
            "and kind not in ('id', 'inn') order by kind, language, name",
            p,
        ),
        "approvals": await _rows(
            datasette,
            database,
            "select ap.regulator, ap.region, ap.decision_date, ap.decision_kind, ap.product, i.name as indication, "
            "ap.indication_id, ap.population, ap.source_link from approvals ap "
            "left join indications i on i.indication_id = ap.indication_id "
            "where ap.drug_id = :id order by ap.decision_date, ap.regulator",
            p,
        ),
        "trials": await _rows(
            datasette,
            database,
            "select s.study_id, s.label, s.registry_id, s.phase, s.design, s.n_participants, i.name as indication, "
            "(select group_concat(a2.label, '; ') from arms a2 where a2.study_id = s.study_id) as arms "
            "from studies s left join indications i on i.indication_id = s.indication_id "
            "where s.study_id in (select study_id from arms where drug_id = :id) "
            "order by i.name, s.label",
            p,
        ),
        "evidence": await _rows(
            datasette,
            database,
            "select i.name as indication, o.indication_id, count(*) as results, "
            "count(distinct o.study_id) as studies from outcomes o "
            "left join indications i on i.indication_id = o.indication_id "
            "where o.drug_id = :id group by o.indication_id order by results desc",
            p,
        ),
        "precautions": await _rows(
            datasette,
            database,
            "select p.kind, p.statement, coalesce(d.inn, 'class: ' || p.drug_class) as applies_to, p.source_link "
            "from precautions p left join drugs d on d.drug_id = p.drug_id "
            "where p.drug_id = :id or p.drug_class = (select drug_class from drugs where drug_id = :id) "
            "order by p.drug_id is null, p.kind",
            p,
        ),
        "adverse_events": (
            await _rows(
                datasette,
                database,
                "select count(*) as n from adverse_events where drug_id = :id "
                "or drug_class = (select drug_class from drugs where drug_id = :id)",
                p,
            )
        )[0]["n"],
    }


async def _indication(datasette: Any, database: str, indication_id: str) -> dict[str, Any]:
    p = {"id": indication_id}
    within = "(select :id union select indication_id from indications where parent_id = :id)"
    return {
        "parent": await _rows(
            datasette,
            database,
            "select p.indication_id, p.name from indications i join indications p on p.indication_id = i.parent_id "
            "where i.indication_id = :id",
            p,
        ),
        "subtypes": await _rows(
            datasette, database, "select indication_id, name from indications where parent_id = :id order by name", p
        ),
        "names": await _rows(
            datasette,
            database,
            "select name, language, kind from search_names where entity_type = 'indication' and entity_id = :id "
            "and kind not in ('id', 'name') order by kind, language, name",
            p,
        ),
        "approvals": await _rows(
            datasette,
            database,
            "select ap.regulator, ap.region, ap.decision_date, ap.decision_kind, ap.product, d.inn as drug, "
            "ap.drug_id, ap.population, ap.source_link from approvals ap left join drugs d on d.drug_id = ap.drug_id "
            f"where ap.indication_id in {within} order by ap.decision_date, ap.regulator",
            p,
        ),
        "trials": await _rows(
            datasette,
            database,
            "select s.study_id, s.label, s.registry_id, s.phase, s.design, s.n_participants, "
            "(select group_concat(inn, ', ') from (select distinct d.inn from arms a "
            "join drugs d on d.drug_id = a.drug_id where a.study_id = s.study_id)) as drugs from studies s "
            f"where s.indication_id in {within} order by s.design, s.label",
            p,
        ),
        "evidence": await _rows(
            datasette,
            database,
            "select d.inn as drug, o.drug_id, count(*) as results, count(distinct o.study_id) as studies "
            "from outcomes o join drugs d on d.drug_id = o.drug_id "
            f"where o.indication_id in {within} group by o.drug_id order by results desc",
            p,
        ),
    }


async def _study(datasette: Any, database: str, study_id: str) -> dict[str, Any]:
    p = {"id": study_id}
    return {
        "arms": await _rows(
            datasette,
            database,
            "select a.label, a.role, d.inn as drug, a.dose, a.dose_unit, a.n from arms a "
            "left join drugs d on d.drug_id = a.drug_id where a.study_id = :id order by a.role, a.label",
            p,
        ),
        "results": await _rows(
            datasette,
            database,
            "select a.label as arm, m.name as measure, o.timepoint, o.statistic, o.value, o.n, o.responders, "
            "o.analysis_population, o.source_link from outcomes o left join arms a on a.arm_id = o.arm_id "
            "left join measures m on m.measure_id = o.measure_id where o.study_id = :id "
            "order by o.endpoint_role = 'primary' desc, m.name, o.timepoint_days, a.label limit 300",
            p,
        ),
    }


PAGES = {"drugs": _drug, "indications": _indication, "studies": _study}


@hookimpl
def extra_template_vars(template: str, database: Any, table: Any, view_name: str, request: Any, datasette: Any) -> Any:
    async def inner() -> dict[str, Any]:
        if request is None:
            return {}
        if template == "index.html":
            return {"jakdata": await _home(datasette)}
        if template.startswith("row-") and table in PAGES and database:
            from datasette.utils import tilde_decode

            pk = tilde_decode(request.url_vars.get("pks", ""))
            return {"entity": await PAGES[table](datasette, database, pk)}
        if template.startswith("query-") and database:
            return {"asked": await _asked(datasette, database, request)}
        return {}

    return inner


#: a table page opens with its rows: the column descriptions fold behind a toggle
FOLD_DESCRIPTIONS = """
document.querySelectorAll("dl.column-descriptions").forEach(function (dl) {
  var details = document.createElement("details");
  details.className = "column-descriptions-toggle";
  var summary = document.createElement("summary");
  summary.textContent = "What the columns mean (" + dl.querySelectorAll("dt").length + " columns)";
  dl.parentNode.insertBefore(details, dl);
  details.appendChild(summary);
  details.appendChild(dl);
});
"""


@hookimpl
def extra_body_script(template: str, database: Any, table: Any, view_name: str, request: Any, datasette: Any) -> str:
    return FOLD_DESCRIPTIONS if view_name == "table" else ""


@hookimpl
def render_cell(value: Any, column: str, table: Any, database: Any, datasette: Any) -> Any:
    """A source link reads "source" (its full address in the link's title),
    not a URL wider than the table."""
    if column == "source_link" and isinstance(value, str) and value.startswith(("https://", "http://")):
        from markupsafe import Markup, escape

        return Markup(f'<a href="{escape(value)}" title="{escape(value)}">source</a>')
    return None
