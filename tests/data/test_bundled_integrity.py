"""The bundled package is consistent: its declared hashes are current, released
data is unchanged, every reference resolves, missing is missing, and the files
generated from it (CITATION.cff, the data dictionary) are current. A failure
here asks for a data fix or a regeneration (`jakdata hashes`, `jakdata docs`,
`jakdata release`), not a code fix."""

from __future__ import annotations

import json

import pytest
import yaml

import jakdata
from jakdata.package.descriptor import bundled_root
from jakdata.package.ledger import is_development
from jakdata.tools.citation import cite
from jakdata.tools.docs import render
from jakdata.tools.hashes import refresh
from jakdata.tools.release import problems

ROOT = bundled_root()


def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ds():
    return jakdata.load()


def test_resource_checksums_are_current():
    stale = refresh(ROOT, write=False)
    assert stale == [], f"stale hash/bytes for {stale}: run `jakdata hashes`"
    for res in descriptor()["resources"]:
        assert res["hash"].startswith("sha256:") and isinstance(res["bytes"], int)


def test_released_data_is_unchanged():
    found = problems(ROOT)
    assert not found, "\n".join(found)


@pytest.mark.skipif(not (ROOT / "CITATION.cff").is_file(), reason="not a source checkout")
def test_citation_cff_is_valid_and_current():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    last = list(json.loads((ROOT / "releases.json").read_text(encoding="utf-8"))["releases"])[-1]
    if is_development(descriptor()["version"]):  # it cites the last release until the next one
        assert yaml.safe_load(text)["version"] == last
        return
    doc = yaml.safe_load(text)
    assert doc["cff-version"] == "1.2.0"
    assert doc["type"] == "dataset"
    assert {"message", "title", "authors", "version", "date-released", "license"} <= set(doc)
    assert all("name" in a or "family-names" in a for a in doc["authors"])
    assert text == cite(format="cff"), "CITATION.cff is stale: run `jakdata release` (or `jakdata cite --format cff`)"


def test_data_dictionary_is_current(cli):
    committed = bundled_root() / "docs" / "data-dictionary.md"
    if not committed.is_file():
        pytest.skip("not a source checkout")
    assert committed.read_text(encoding="utf-8") == render(), "run `jakdata docs -o docs/data-dictionary.md`"


def test_missing_is_missing_not_a_sentinel(ds):
    for table in ds.tables:
        for col in ds[table].columns:
            s = ds[table][col]
            if s.dtype == "str":
                assert not s.isin(["", "NA", "n/a", "-", "nan"]).any(), (table, col)


def test_every_foreign_key_resolves(ds):
    for table in ds.tables:
        schema = ds.schema(table)
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"]["resource"] or table
            (col,), (ref,) = fk["fields"], fk["reference"]["fields"]
            values = ds[table][col].dropna()
            assert values.isin(ds[target][ref]).all(), (table, col, set(values) - set(ds[target][ref]))
        for fk in schema.get("listForeignKeys", []):
            (col,) = fk["fields"]
            target = fk["reference"]["resource"]
            (ref,) = fk["reference"]["fields"]
            ids = ds[table][col].dropna().str.split(fk["delimiter"]).explode()
            assert ids.isin(ds[target][ref]).all(), (table, col)
    syn = ds.synonyms
    for etype, table in schema_entity_tables().items():
        pk = ds.schema(table)["primaryKey"][0]
        ids = syn.loc[syn["entity_type"] == etype, "entity_id"]
        assert ids.isin(ds[table][pk]).all(), etype


def schema_entity_tables():
    return jakdata.load().schema("synonyms")["entityReference"]["resources"]
