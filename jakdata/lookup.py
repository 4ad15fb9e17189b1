"""Find a drug, target, indication or measure by any name, code or
synonym, in any language: case- and width-insensitive."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from jakdata.dataset import Dataset

#: Where names and codes of each entity type live.
SEARCHED = {
    "drug": (
        "drugs",
        "drug_id",
        "inn",
        ["drug_id", "inn", "atc_code", "chembl_id", "pubchem_cid", "unii", "drugbank_id"],
    ),
    "target": ("targets", "target_id", "name", ["target_id", "name", "hgnc_id", "uniprot_id", "ncbi_gene_id"]),
    "indication": (
        "indications",
        "indication_id",
        "name",
        ["indication_id", "name", "mondo_id", "icd10", "icd11", "mesh_id"],
    ),
    "measure": ("measures", "measure_id", "name", ["measure_id", "name"]),
    "study": ("studies", "study_id", "acronym", ["study_id", "acronym", "registry_id"]),
}
#: ``|``-separated lists searched item by item (``EudraCT:2016-002451-21`` matches
#: with or without its scheme)
LISTS = {"study": ("studies", "study_id", "secondary_ids")}
_IGNORED = re.compile(r"[\s\-_‐-―·・]+")


def normalise(text: object) -> str:
    """NFKC (full-width -> half-width), case-folded, without spaces or dashes."""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return _IGNORED.sub("", s)


def find(name: str, ds: Dataset | None = None) -> pd.DataFrame:
    """Entities matching ``name`` — drugs, targets, indications, measures
    and trials (by acronym, registry id or secondary id) — with columns
    ``entity_type``, ``entity_id``, ``name`` (the dataset's English name, a
    trial's acronym), ``matched`` (the name or code that matched) and
    ``matched_in`` (table.column). Empty when nothing matches."""
    import pandas as pd

    from jakdata.dataset import load

    ds = ds if ds is not None else load()
    key = normalise(name)
    rows = []
    labels = {}
    for etype, (table, id_col, label_col, cols) in SEARCHED.items():
        if table not in ds:
            continue
        df = ds[table]
        label = df[label_col].astype("string").fillna(df[id_col].astype("string")) if label_col in df else df[id_col]
        labels[etype] = dict(zip(df[id_col].astype(str), label.astype(str)))
        for col in cols:
            if col not in df.columns:
                continue
            values = df[col].astype("string")
            hit = values.notna() & (values.map(normalise, na_action="ignore") == key)
            for eid, val in zip(df.loc[hit, id_col], values[hit]):
                rows.append((etype, str(eid), str(val), f"{table}.{col}"))
    for etype, (table, id_col, col) in LISTS.items():
        if table not in ds or col not in ds[table].columns:
            continue
        df = ds[table]
        for eid, cell in zip(df[id_col], df[col]):
            if not isinstance(cell, str):
                continue
            for item in cell.split("|"):
                if key in (normalise(item), normalise(item.partition(":")[2])):
                    rows.append((etype, str(eid), item, f"{table}.{col}"))
    if "synonyms" in ds:
        syn = ds.synonyms
        hit = syn["name"].map(normalise) == key
        for etype, eid, val, lang in zip(
            syn.loc[hit, "entity_type"], syn.loc[hit, "entity_id"], syn.loc[hit, "name"], syn.loc[hit, "language"]
        ):
            rows.append((str(etype), str(eid), str(val), f"synonyms.name ({lang})"))
    frame = pd.DataFrame(rows, columns=["entity_type", "entity_id", "matched", "matched_in"])
    frame = frame.drop_duplicates(["entity_type", "entity_id"]).reset_index(drop=True)
    frame.insert(2, "name", [labels.get(t, {}).get(i, "") for t, i in zip(frame["entity_type"], frame["entity_id"])])
    return frame.astype("str")
