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
    "study_design": "studies.design",
    "study_species": "studies.species",
    "study_n": "studies.n_participants",
    "evidence_level": "studies.evidence_level (Oxford CEBM 2011)",
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


def evidence(ds: Dataset | None = None) -> pd.DataFrame:
    """All outcomes joined with their context (see :data:`COLUMNS`).

    Joins are many-to-one on primary keys, so the result has exactly one
    row per outcome, in the outcomes table's order.
    """
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
    out["study_design"] = out["study_id"].map(studies["design"])
    out["study_species"] = out["study_id"].map(studies["species"])
    out["study_n"] = out["study_id"].map(studies["n_participants"])
    out["evidence_level"] = out["study_id"].map(studies["evidence_level"])
    out["study_citation"] = out["study_id"].map(studies["source_id"]).map(cit)
    for col in ("label", "dose", "dose_unit", "route", "frequency", "duration", "n"):
        out[f"arm_{col}"] = out["arm_id"].map(arms[col])
    out["measure_name"] = out["measure_id"].map(measures["name"])
    out["measure_unit"] = out["measure_id"].map(measures["unit"])
    out["higher_is_worse"] = out["measure_id"].map(measures["higher_is_worse"])
    out["source_citation"] = out["reported_in"].map(cit)
    out["source_type"] = out["reported_in"].map(sources["document_type"])
    out["source_peer_reviewed"] = out["reported_in"].map(sources["peer_reviewed"])
    return out
