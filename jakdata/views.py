"""One tidy frame of the evidence: one row per outcome, with its drug,
indication, study, arm, measure and reporting source alongside."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.dataset import Dataset

#: Columns of :func:`evidence` after the outcome's own, with their meaning.
COLUMNS = {
    "drug_inn": "drugs.inn of the outcome's drug",
    "drug_class": "drugs.drug_class",
    "indication_name": "indications.name",
    "indication_parent": "name of indications.parent_id (empty for a top-level indication)",
    "indication_parent_id": "indications.parent_id (empty for a top-level indication)",
    "study_design": "studies.design",
    "study_species": "studies.species",
    "study_n": "studies.n_participants",
    "evidence_level": "studies.evidence_level of the named study (Oxford CEBM 2011)",
    "study_basis": "what the row rests on: 'named' (study_id), 'cited' (only the works in cites), 'none'",
    "candidate_studies": "the named study, or the studies whose own publication is in cites ('|'-separated)",
    "n_candidate_studies": "how many candidate studies",
    "candidate_designs": "their designs ('|'-separated, in the order of candidate_studies)",
    "resolved_evidence_level": "the named study's level, or the best (lowest) level among the cited studies",
    "no_level_reason": "why resolved_evidence_level is empty (animal study, cited work without a study row, ...)",
    "cited_without_study": "works in cites that have no study row ('|'-separated)",
    "study_citation": "short citation of the study's own publication",
    "arm_label": "arms.label",
    "arm_dose": "arms.dose",
    "arm_dose_unit": "arms.dose_unit",
    "arm_route": "arms.route",
    "arm_frequency": "arms.frequency",
    "arm_duration": "arms.duration",
    "arm_n": "arms.n",
    "measure_name": "measures.name",
    "measure_unit": "measures.unit",
    "higher_is_worse": "measures.higher_is_worse",
    "source_citation": "short citation of reported_in (first author, year)",
    "source_type": "sources.document_type of reported_in",
    "source_peer_reviewed": "sources.peer_reviewed of reported_in",
}


def short_citation(sources: pd.DataFrame) -> pd.Series:
    """'Lyu 2026', 'Shatokhina 2023', or the journal/site and year."""
    import pandas as pd

    first = sources["authors"].str.split(";").str[0].str.strip().str.split(" ").str[0]
    who = first.where(first.notna() & (first != ""), sources["journal"])
    who = who.where(who.notna(), sources["source_id"])
    year = sources["year"].astype("string")
    return pd.Series((who + " " + year.fillna("")).str.strip(), index=sources.index).astype("str")


def evidence(
    ds: Dataset | None = None,
    *,
    drug: str | None = None,
    indication: str | None = None,
    include_subtypes: bool = False,
    measure: str | None = None,
    document_type: str | None = None,
) -> pd.DataFrame:
    """All outcomes joined with their context (see :data:`COLUMNS`), one row
    per outcome in the outcomes table's order.

    Filters (an id or any name :func:`jakdata.find` knows; ``None`` keeps
    all; an unknown name is an error, never an empty frame): ``drug``, ``indication`` (with
    ``include_subtypes`` also every indication below it, e.g. the rosacea
    subtypes), ``measure`` and ``document_type`` (of ``reported_in``).
    Each row says what it rests on: the named study, or the studies behind
    the works it ``cites`` (their designs, the best evidence level among
    them), or why no level can be given."""
    from jakdata.dataset import load

    ds = ds if ds is not None else load()
    out = ds.outcomes.copy()
    drugs = ds.drugs.set_index("drug_id")
    ind = ds.indications.set_index("indication_id")
    studies = ds.studies.set_index("study_id")
    arms = ds.arms.set_index("arm_id")
    measures = ds.measures.set_index("measure_id")
    sources = ds.sources.set_index("source_id")
    cit = short_citation(ds.sources)
    cit.index = ds.sources["source_id"]

    out["drug_inn"] = out["drug_id"].map(drugs["inn"])
    out["drug_class"] = out["drug_id"].map(drugs["drug_class"])
    out["indication_name"] = out["indication_id"].map(ind["name"])
    out["indication_parent"] = out["indication_id"].map(ind["parent_id"]).map(ind["name"])
    out["indication_parent_id"] = out["indication_id"].map(ind["parent_id"]).astype("str")
    out["study_design"] = out["study_id"].map(studies["design"])
    out["study_species"] = out["study_id"].map(studies["species"])
    out["study_n"] = out["study_id"].map(studies["n_participants"])
    out["evidence_level"] = out["study_id"].map(studies["evidence_level"])
    resolved = _resolve(out, ds)
    for col in resolved.columns:
        out[col] = resolved[col]
    out["study_citation"] = out["study_id"].map(studies["source_id"]).map(cit)
    for col in ("label", "dose", "dose_unit", "route", "frequency", "duration", "n"):
        out[f"arm_{col}"] = out["arm_id"].map(arms[col])
    out["measure_name"] = out["measure_id"].map(measures["name"])
    out["measure_unit"] = out["measure_id"].map(measures["unit"])
    out["higher_is_worse"] = out["measure_id"].map(measures["higher_is_worse"])
    out["source_citation"] = out["reported_in"].map(cit)
    out["source_type"] = out["reported_in"].map(sources["document_type"])
    out["source_peer_reviewed"] = out["reported_in"].map(sources["peer_reviewed"])
    out = out[list(ds.outcomes.columns) + list(COLUMNS)]

    drug = resolve(ds, "drug", drug)
    indication = resolve(ds, "indication", indication)
    measure = resolve(ds, "measure", measure)
    keep = out["outcome_id"].notna()
    if drug is not None:
        keep &= out["drug_id"].astype("str") == drug
    if indication is not None:
        wanted = subtypes(ds, indication) if include_subtypes else {indication}
        keep &= out["indication_id"].astype("str").isin(wanted)
    if measure is not None:
        keep &= out["measure_id"].astype("str") == measure
    if document_type is not None:
        keep &= out["source_type"].astype("str") == document_type
    return out[keep].reset_index(drop=True) if not keep.all() else out


def resolve(ds: Dataset, entity_type: str, name: str | None) -> str | None:
    """The id of a drug, indication or measure given by id or by any name
    :func:`jakdata.find` knows (乌帕替尼, Rinvoq, "EASI-75"); one line naming
    it when there is none or more than one."""
    if name is None:
        return None
    from jakdata.errors import UnusableInput
    from jakdata.lookup import SEARCHED, find

    table, id_col = SEARCHED[entity_type][0], SEARCHED[entity_type][1]
    if table in ds and name in set(ds[table][id_col].astype("str")):
        return name
    hits = find(name, ds)
    ids = sorted(set(hits.loc[hits["entity_type"] == entity_type, "entity_id"]))
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise UnusableInput(f"no {entity_type} is called {name!r} (see jakdata.find)")
    raise UnusableInput(f"{name!r} names several {entity_type}s: {', '.join(ids)}; give the id")


def subtypes(ds: Dataset, indication: str) -> set[str]:
    """``indication`` and every indication below it (``parent_id`` chains)."""
    parent = dict(zip(ds.indications["indication_id"].astype("str"), ds.indications["parent_id"].astype("str")))
    found = {indication}
    changed = True
    while changed:
        changed = False
        for child, par in parent.items():
            if par in found and child not in found:
                found.add(child)
                changed = True
    return found


def _resolve(out: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """Per outcome: the studies it rests on, their designs, the best level,
    and why there is no level where there is none."""
    import pandas as pd

    studies = ds.studies
    by_source: dict[str, list[str]] = {}
    for sid, src in zip(studies["study_id"].astype("str"), studies["source_id"].astype("str")):
        by_source.setdefault(src, []).append(sid)
    design = dict(zip(studies["study_id"].astype("str"), studies["design"].astype("str")))
    level = dict(zip(studies["study_id"].astype("str"), studies["evidence_level"]))
    species = dict(zip(studies["study_id"].astype("str"), studies["species"].astype("str")))
    rows = []
    for study, cites in zip(out["study_id"], out["cites"]):
        if isinstance(study, str) and study:
            basis, candidates, unmatched = "named", [study], []
        else:
            cited = cites.split("|") if isinstance(cites, str) and cites else []
            candidates = [s for c in cited for s in by_source.get(c, [])]
            unmatched = [c for c in cited if c not in by_source]
            basis = "cited" if cited else "none"
        levels = [int(level[s]) for s in candidates if not pd.isna(level.get(s))]
        best = min(levels) if levels else None
        reason = ""
        if best is None:
            if basis == "none":
                reason = "no study named or cited"
            elif candidates and all(species.get(s) != "human" for s in candidates):
                reason = "animal or laboratory study: Oxford CEBM 2011 does not grade it"
            elif not candidates:
                reason = f"cited work(s) without a study row: {', '.join(unmatched)}"
            else:
                reason = "the study has no evidence level in the source (not graded)"
        rows.append(
            (
                basis,
                "|".join(candidates),
                len(candidates),
                "|".join(design.get(s, "") for s in candidates),
                best,
                reason,
                "|".join(unmatched),
            )
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "study_basis",
            "candidate_studies",
            "n_candidate_studies",
            "candidate_designs",
            "resolved_evidence_level",
            "no_level_reason",
            "cited_without_study",
        ],
        index=out.index,
    )
    frame["n_candidate_studies"] = frame["n_candidate_studies"].astype("Int64")
    frame["resolved_evidence_level"] = frame["resolved_evidence_level"].astype("Int64")
    for col in ("study_basis", "candidate_studies", "candidate_designs", "no_level_reason", "cited_without_study"):
        frame[col] = frame[col].astype("str")
    return frame
