"""`jakdata import ctgov`: ClinicalTrials.gov API v2 study records become
draft rows of a fork. Each record is imported into a temporary copy of the
package, the copy is validated, and values are compared with the record
through the JSON path each row names in ``locator``.

The real records are read from ``../shared/fixtures/ctgov`` beside the
project (never copied here); the tests that need them skip where that
folder is absent, and fail instead when ``JAKDATA_REQUIRE_FIXTURES=1``.
The project's own small records are in ``tests/examples/ctgov``.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, copy_bundled, set_cells, validate_json

import jakdata
from jakdata.package.descriptor import bundled_root

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "fixtures" / "ctgov"
OWN = EXAMPLES / "ctgov"
OM = "resultsSection.outcomeMeasuresModule.outcomeMeasures"


def real_record(name: str, folder: Path = SHARED) -> Path:
    """A real record from the shared fixtures; skip (or, with
    JAKDATA_REQUIRE_FIXTURES=1, fail) where it is absent."""
    path = folder / name
    if not path.is_file():
        why = (
            f"the real ClinicalTrials.gov record {name} is not in {folder} (the shared fixtures beside the "
            "project; see their README)"
        )
        if os.environ.get("JAKDATA_REQUIRE_FIXTURES") == "1":
            pytest.fail(f"{why}, and JAKDATA_REQUIRE_FIXTURES=1 requires it")
        pytest.skip(why)
    return path


# ----------------------------------------------------------------------------
# helpers


def rows(pkg: Path, table: str) -> list[dict[str, str]]:
    text = (pkg / "data" / f"{table}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def at(doc: Any, path: str) -> Any:
    """The value at a JSON path such as ``a.b[3].c``."""
    node = doc
    for part in path.split("."):
        m = re.fullmatch(r"([A-Za-z]+)((?:\[\d+\])*)", part)
        assert m, f"not a JSON path: {path}"
        node = node[m.group(1)]
        for index in re.findall(r"\[(\d+)\]", m.group(2)):
            node = node[int(index)]
    return node


def snapshot(pkg: Path) -> dict[str, bytes]:
    return {str(p.relative_to(pkg)): p.read_bytes() for p in sorted(pkg.rglob("*")) if p.is_file()}


def drawn_from(pkg: Path, table: str, source: str) -> list[dict[str, str]]:
    return [r for r in rows(pkg, table) if r.get("reported_in") == source]


def by_locator(pkg: Path, table: str, source: str) -> dict[str, dict[str, str]]:
    out = {r["locator"]: r for r in drawn_from(pkg, table, source)}
    assert len(out) == len(drawn_from(pkg, table, source)), f"{table}: locators are not unique"
    return out


def expected_measure(before: jakdata.Dataset, name: str) -> str | None:
    """The measure the fork's vocabulary calls ``name`` (None: it has none,
    so the import must add one)."""
    hits = jakdata.find(name, before)
    ids = sorted(set(hits[hits.entity_type == "measure"].entity_id))
    assert len(ids) <= 1, f"the vocabulary has several measures called {name!r}: {ids}"
    return ids[0] if ids else None


def source_id(doc: dict[str, Any]) -> str:
    nct = doc["protocolSection"]["identificationModule"]["nctId"]
    date = doc["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
    return f"ctgov-{nct.lower()}-{date}"


def run_import(cli, *records: Path | str, into: Path, dry_run: bool = False) -> tuple[int, str, str]:
    args = ["import", "ctgov", *map(str, records), "--into", str(into)]
    return cli(*args, *(["--dry-run"] if dry_run else []))


@pytest.fixture(scope="module")
def cli_module():
    """The CLI in-process, for module-scoped fixtures (output captured here)."""
    import contextlib

    from jakdata.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
        return code, out.getvalue(), err.getvalue()

    return run


# ----------------------------------------------------------------------------
# the real record NCT02210780 (dupilumab vs placebo, atopic dermatitis)


@pytest.fixture(scope="module")
def dupilumab(tmp_path_factory, cli_module):
    """NCT02210780 imported into a fresh copy of the package: (record, package,
    vocabulary before the import, command output)."""
    record = real_record("NCT02210780.json")
    pkg = copy_bundled(tmp_path_factory.mktemp("dupilumab") / "pkg")
    before = jakdata.load(pkg)
    code, out, err = run_import(cli_module, record, into=pkg)
    assert code == 0, out + err
    return json.loads(record.read_text(encoding="utf-8")), pkg, before, out


def outcome_index(doc: dict[str, Any], abbreviation: str) -> int:
    titles = [m["title"] for m in doc["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]]
    (index,) = [i for i, t in enumerate(titles) if f"({abbreviation})" in t]
    return index


def arm_of_group(pkg: Path, source: str, title: str) -> dict[str, str]:
    (arm,) = [a for a in drawn_from(pkg, "arms", source) if a["label"] == title]
    return arm


def test_the_import_validates(dupilumab, cli):
    _doc, pkg, _before, out = dupilumab
    code, report = validate_json(cli, pkg)
    assert code == 0, report["errors"][:5]
    assert "imported as draft source ctgov-nct02210780-2020-05-07" in out


def test_the_registry_source_is_a_draft_with_url_and_last_update(dupilumab):
    doc, pkg, _before, _out = dupilumab
    (src,) = [r for r in rows(pkg, "sources") if r["source_id"] == source_id(doc)]
    assert src["document_type"] == "registry-record"
    assert src["review_status"] == "draft"
    assert src["url"] == "https://clinicaltrials.gov/api/v2/studies/NCT02210780"
    assert src["published_date"] == at(doc, "protocolSection.statusModule.lastUpdatePostDateStruct.date")
    assert src["title"] == at(doc, "protocolSection.identificationModule.briefTitle")


def test_one_study_row_with_the_registered_design(dupilumab):
    doc, pkg, before, _out = dupilumab
    (study,) = [s for s in rows(pkg, "studies") if s["registry_id"] == "NCT02210780"]
    assert study["design"] == "rct" and study["allocation"] == "randomised"
    assert study["phase"] == "2" and study["masking"] == "triple"
    assert study["n_participants"] == str(at(doc, "protocolSection.designModule.enrollmentInfo.count"))
    assert study["country"] == "US"
    hits = jakdata.find("Atopic Dermatitis", before)
    assert study["indication_id"] == hits[hits.entity_type == "indication"].entity_id.item()


@pytest.mark.parametrize(("abbreviation", "name"), [("IGA", "IGA 0/1"), ("EASI-75", "EASI-75")])
def test_responder_percentages_with_their_denominators_per_arm(dupilumab, abbreviation, name):
    doc, pkg, before, _out = dupilumab
    source = source_id(doc)
    index = outcome_index(doc, abbreviation)
    base = f"resultsSection.outcomeMeasuresModule.outcomeMeasures[{index}]"
    measure = at(doc, base)
    assert measure["paramType"] == "NUMBER" and "Percentage" in measure["unitOfMeasure"]
    found = by_locator(pkg, "outcomes", source)
    titles = {g["id"]: g["title"] for g in measure["groups"]}
    denoms = {c["groupId"]: c["value"] for c in measure["denoms"][0]["counts"]}
    expected = expected_measure(before, name)
    measurements = measure["classes"][0]["categories"][0]["measurements"]
    assert len(measurements) == 2
    for i, m in enumerate(measurements):
        row = found[f"{base}.classes[0].categories[0].measurements[{i}]"]
        assert row["statistic"] == "percent"
        assert row["value_as_reported"] == m["value"] and float(row["value"]) == float(m["value"])
        assert row["n"] == denoms[m["groupId"]]
        assert row["arm_id"] == arm_of_group(pkg, source, titles[m["groupId"]])["arm_id"]
        assert row["timepoint"] == measure["timeFrame"] == "Week 16" and row["timepoint_days"] == "112"
        assert row["endpoint_role"] == measure["type"].lower()
        if expected is not None:  # the vocabulary knows it: mapped, never a new entry
            assert row["measure_id"] == expected
        else:  # a new entry, not the bare scale (IGA, EASI)
            assert row["measure_id"] not in set(before.measures.measure_id)
            assert row["measure_id"] in {m["measure_id"] for m in rows(pkg, "measures")}
    assert {found[f"{base}.classes[0].categories[0].measurements[{i}]"]["value"] for i in range(2)} == {
        m["value"] for m in measurements
    }


def test_ls_mean_changes_with_their_standard_errors(dupilumab):
    doc, pkg, _before, _out = dupilumab
    source = source_id(doc)
    found = by_locator(pkg, "outcomes", source)
    measures = doc["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    checked = 0
    for i, measure in enumerate(measures):
        if measure["paramType"] != "LEAST_SQUARES_MEAN":
            continue
        assert measure["dispersionType"] == "Standard Error"
        for c, cls in enumerate(measure["classes"]):
            denoms = {d["groupId"]: d["value"] for d in (cls.get("denoms") or measure["denoms"])[0]["counts"]}
            for k, cat in enumerate(cls["categories"]):
                for j, m in enumerate(cat["measurements"]):
                    path = f"{OM}[{i}].classes[{c}].categories[{k}].measurements[{j}]"
                    row = found[path]
                    assert row["statistic"] == "ls-mean-change"
                    assert row["value_as_reported"] == m["value"] == at(doc, path)["value"]
                    assert row["dispersion"] == m["spread"] and row["dispersion_type"] == "se"
                    assert row["n"] == denoms[m["groupId"]]
                    if cls.get("title"):  # classes are kept apart
                        assert f"class: {cls['title']}" in row["note"]
                    checked += 1
    assert checked == 16  # 2 arms each: pruritus NRS, BSA, GISS cumulative, POEM; 2 x 4 GISS components


def test_serious_adverse_event_counts_per_arm(dupilumab):
    doc, pkg, _before, _out = dupilumab
    source = source_id(doc)
    found = by_locator(pkg, "adverse_events", source)
    groups = doc["resultsSection"]["adverseEventsModule"]["eventGroups"]
    for g, group in enumerate(groups):
        base = f"resultsSection.adverseEventsModule.eventGroups[{g}]"
        row = found[f"{base}.seriousNumAffected"]
        assert row["category"] == "serious"
        assert row["n_affected"] == str(group["seriousNumAffected"]) == str(at(doc, f"{base}.seriousNumAffected"))
        assert row["n_exposed"] == str(group["seriousNumAtRisk"])
        assert row["arm_id"] == arm_of_group(pkg, source, group["title"])["arm_id"]
    assert [
        found[f"resultsSection.adverseEventsModule.eventGroups[{g}].seriousNumAffected"]["n_affected"] for g in (0, 1)
    ] == ["0", "3"]
    for e, event in enumerate(doc["resultsSection"]["adverseEventsModule"]["seriousEvents"]):
        for s, stat in enumerate(event["stats"]):
            row = found[f"resultsSection.adverseEventsModule.seriousEvents[{e}].stats[{s}]"]
            assert (row["event"], row["category"]) == (event["term"], "serious")
            assert (row["n_affected"], row["n_exposed"]) == (str(stat["numAffected"]), str(stat["numAtRisk"]))


def test_the_placebo_arm_is_placebo_although_the_record_calls_it_experimental(dupilumab):
    doc, pkg, _before, out = dupilumab
    source = source_id(doc)
    (group,) = [g for g in at(doc, "protocolSection.armsInterventionsModule.armGroups") if g["label"] == "Placebo qw"]
    assert group["type"] == "EXPERIMENTAL"
    arm = arm_of_group(pkg, source, "Placebo qw")
    assert arm["role"] == "placebo" and arm["drug_id"] == ""
    assert arm["n"] == "97"
    for table in ("outcomes", "adverse_events"):
        mine = [r for r in drawn_from(pkg, table, source) if r["arm_id"] == arm["arm_id"]]
        assert mine and all(r["drug_id"] == "" for r in mine)
    active = arm_of_group(pkg, source, "Dupilumab 300 mg qw")
    assert (
        active["role"] == "experimental"
        and active["drug_id"]
        and (active["dose"], active["dose_unit"])
        == (
            "300",
            "mg",
        )
    )
    assert "arm 'Placebo qw' -> role placebo" in out


def test_comparisons_from_the_analyses_as_printed(dupilumab):
    doc, pkg, _before, _out = dupilumab
    source = source_id(doc)
    found = by_locator(pkg, "comparisons", source)
    placebo = arm_of_group(pkg, source, "Placebo qw")["arm_id"]
    count = 0
    for i, measure in enumerate(doc["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]):
        for a, analysis in enumerate(measure.get("analyses", [])):
            row = found[f"resultsSection.outcomeMeasuresModule.outcomeMeasures[{i}].analyses[{a}]"]
            assert row["control_arm_id"] == placebo and row["arm_id"] != placebo
            assert row["estimate"] == analysis["paramValue"]
            assert (row["ci_lower"], row["ci_upper"], row["ci_level"]) == (
                analysis["ciLowerLimit"],
                analysis["ciUpperLimit"],
                analysis["ciPctValue"],
            )
            assert row["p_value_as_reported"] == analysis["pValue"] == "<0.0001" and row["p_value"] == ""
            assert row["method"] == analysis["statisticalMethod"]
            count += 1
    assert count == len(found) == 7


def test_every_row_names_the_source_and_a_json_path_that_exists(dupilumab):
    doc, pkg, _before, _out = dupilumab
    source = source_id(doc)
    total = 0
    for table in ("studies", "arms", "outcomes", "comparisons", "adverse_events"):
        for row in drawn_from(pkg, table, source):
            assert row["locator"], row
            for path in row["locator"].split("; "):
                at(doc, path)  # raises when the path is not in the record
            total += 1
    assert total == 1 + 2 + 28 + 7 + 24


def test_descriptive_paragraphs_are_not_copied(dupilumab):
    doc, pkg, _before, _out = dupilumab
    paragraphs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if (
                    key
                    in {
                        "description",
                        "populationDescription",
                        "groupDescription",
                        "briefSummary",
                        "detailedDescription",
                        "eligibilityCriteria",
                        "timeFrame",
                        "statisticalComment",
                        "estimateComment",
                        "otherDetails",
                    }
                    and isinstance(value, str)
                    and len(value) > 60
                ):
                    paragraphs.append(" ".join(value.split())[:50])
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(doc)
    assert len(paragraphs) > 10
    text = "\n".join(
        (pkg / "data" / f"{t}.csv").read_text(encoding="utf-8")
        for t in ("sources", "studies", "arms", "outcomes", "comparisons", "adverse_events", "measures")
    )
    for p in paragraphs:
        assert p not in text, p


def test_importing_the_same_record_again_adds_nothing(dupilumab, cli):
    _doc, pkg, _before, _out = dupilumab
    before = snapshot(pkg)
    code, out, _err = run_import(cli, real_record("NCT02210780.json"), into=pkg)
    assert code == 0
    assert "already in the package as source ctgov-nct02210780-2020-05-07; nothing added" in out
    assert snapshot(pkg) == before


def test_dry_run_prints_the_summary_and_writes_nothing(cli, tmp_path):
    pkg = copy_bundled(tmp_path / "pkg")
    before = snapshot(pkg)
    code, out, err = run_import(cli, real_record("NCT02210780.json"), into=pkg, dry_run=True)
    assert code == 0, err
    assert snapshot(pkg) == before
    (added,) = [line for line in out.splitlines() if line.startswith("  added: ")]
    counts = dict(item.rsplit(" ", 1) for item in added.removeprefix("  added: ").split(", "))
    # what the record determines; new vocabulary entries depend on what the fork already knows
    assert {t: counts[t] for t in ("sources", "studies", "arms", "outcomes", "comparisons", "adverse_events")} == {
        "sources": "1",
        "studies": "1",
        "arms": "2",
        "outcomes": "28",
        "comparisons": "7",
        "adverse_events": "24",
    }
    total = sum(map(int, counts.values()))
    assert f"dry run: {total} rows would be added to {pkg}; the package would validate; nothing written" in out
    assert "mapped:" in out and "skipped:" in out
    # the README's example shows this output
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Importing a ClinicalTrials.gov record into your fork") :]
    example = re.search(r"```\n( *NCT02210780 .*?)```", section, re.S)
    assert example, "the README shows the dry run's output"
    for line in textwrap.dedent(example.group(1)).splitlines():
        if line.startswith(("NCT02210780 ", "  mapped:", "    arm 'Placebo qw'")):
            assert line in out.splitlines(), line


def test_the_bundled_package_is_refused(cli):
    code, out, err = run_import(cli, real_record("NCT02210780.json"), into=bundled_root())
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "is the bundled package" in err
    assert not any(r["source_id"].startswith("ctgov-nct02210780-") for r in rows(bundled_root(), "sources"))


def test_a_withdrawn_record_without_results_is_one_line_and_exit_2(cli, tmp_path):
    pkg = copy_bundled(tmp_path / "pkg")
    before = snapshot(pkg)
    record = real_record("NCT00973089.json")
    code, out, err = run_import(cli, record, into=pkg)
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"error: {record}: NCT00973089 has no posted results (overall status WITHDRAWN)")
    assert snapshot(pkg) == before


def test_a_study_whose_groups_get_no_drug(cli, tmp_path):
    """NCT05594173 (chewing, observational): its groups become single arms
    without a drug, so their outcome and adverse-event rows are skipped, with
    the reason; the rest validates."""
    pkg = copy_bundled(tmp_path / "pkg")
    code, out, err = run_import(cli, real_record("NCT05594173.json"), into=pkg)
    assert code == 0, err
    assert "the arm gives no drug and is not a placebo or vehicle arm" in out
    code, report = validate_json(cli, pkg)
    assert code == 0, report["errors"][:5]
    doc = json.loads(real_record("NCT05594173.json").read_text(encoding="utf-8"))
    source = source_id(doc)
    (study,) = [s for s in rows(pkg, "studies") if s["registry_id"] == "NCT05594173"]
    assert study["design"] == "cohort" and study["n_participants"] == "20"
    arms = {a["label"]: a for a in drawn_from(pkg, "arms", source)}
    assert arms["Healthy Participants"]["n"] == "20" and arms["Healthy Participants"]["role"] == "single-arm"
    assert drawn_from(pkg, "outcomes", source) == [] and drawn_from(pkg, "adverse_events", source) == []
    (indication,) = [i for i in rows(pkg, "indications") if i["indication_id"] == study["indication_id"]]
    assert indication["name"] == "Dysphagia" and indication["dermatologic"] == "false"


# ----------------------------------------------------------------------------
# the project's own records


@pytest.fixture(scope="module")
def own(tmp_path_factory, cli_module):
    pkg = copy_bundled(tmp_path_factory.mktemp("own") / "pkg")
    before = jakdata.load(pkg)
    records = [OWN / "NCT99000001.json", OWN / "NCT99000002.json"]
    code, out, err = run_import(cli_module, *records, into=pkg)
    assert code == 0, out + err
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in records]
    return docs, pkg, before, out


def test_own_records_validate(own, cli):
    _docs, pkg, _before, _out = own
    code, report = validate_json(cli, pkg)
    assert code == 0, report["errors"][:5]


def test_drugs_are_found_through_other_names_and_unknown_ones_are_new(own):
    (doc, _), pkg, before, out = own
    source = source_id(doc)
    arms = {a["label"]: a for a in drawn_from(pkg, "arms", source)}
    upa = jakdata.find("Upadacitinib", before)
    assert arms["Upadacitinib 15 mg QD"]["drug_id"] == upa[upa.entity_type == "drug"].entity_id.item()
    assert (arms["Upadacitinib 15 mg QD"]["dose"], arms["Upadacitinib 15 mg QD"]["frequency"]) == ("15", "QD")
    assert arms["Novamab 200 mg Q2W"]["role"] == "active-comparator"
    # a drug the vocabulary does not know: a new entry, its code a synonym, its class for a curator
    (novamab,) = [d for d in rows(pkg, "drugs") if d["drug_id"] == arms["Novamab 200 mg Q2W"]["drug_id"]]
    assert novamab["drug_id"] not in set(before.drugs.drug_id) and novamab["drug_class"] == "unclassified"
    assert {
        "entity_type": "drug",
        "entity_id": novamab["drug_id"],
        "name": "XYZ-123",
        "language": "en",
        "kind": "code",
        "reported_in": source,
    } in rows(pkg, "synonyms")
    assert "drug novamab ('Novamab'; class unclassified; codes XYZ-123)" in out
    # a placebo named after the drug it matches, typed EXPERIMENTAL; the shared co-treatment is background
    assert arms["Placebo"]["role"] == "placebo" and arms["Placebo"]["drug_id"] == ""
    assert all(a["background"] == "Topical corticosteroids" for a in arms.values())


def test_statistics_dispersion_and_timepoints_follow_the_record(own):
    (doc, _), pkg, before, _out = own
    source = source_id(doc)
    found = by_locator(pkg, "outcomes", source)
    om = "resultsSection.outcomeMeasuresModule.outcomeMeasures"
    # a NUMBER in percent of participants: percent; a mean percent change; an LS mean with a 95% CI
    assert found[f"{om}[0].classes[0].categories[0].measurements[1]"]["statistic"] == "percent"
    pct = found[f"{om}[1].classes[0].categories[0].measurements[0]"]
    assert (pct["statistic"], pct["value"], pct["dispersion"], pct["dispersion_type"]) == (
        "percent-change",
        "-72.4",
        "20.1",
        "sd",
    )
    ci = found[f"{om}[2].classes[0].categories[0].measurements[0]"]
    assert (ci["statistic"], ci["ci_lower"], ci["ci_upper"], ci["ci_level"]) == ("ls-mean-change", "-4.6", "-3.6", "95")
    assert (ci["timepoint"], ci["timepoint_days"]) == ("Baseline to Week 4", "28")
    assert f"{om}[2].classes[0].categories[0].measurements[2]" not in found  # "NA" is not a number
    # counts of participants by visit: classes apart, each class its timepoint
    week16 = found[f"{om}[3].classes[1].categories[0].measurements[1]"]
    assert (week16["statistic"], week16["value"], week16["responders"], week16["n"]) == ("count", "5", "5", "35")
    assert (week16["timepoint"], week16["timepoint_days"], week16["endpoint_role"]) == ("Week 16", "112", "")
    # a median with an interquartile range (limits kept in the note); "Up to Week 16" has no day count
    median = found[f"{om}[4].classes[0].categories[0].measurements[1]"]
    assert (median["statistic"], median["timepoint_days"]) == ("median", "")
    assert "interquartile range as registered: 9 to 29" in median["note"]
    # measures by their names, not by their titles
    for index, name in ((0, "EASI-75"), (3, "IGA 0/1")):
        expected = expected_measure(before, name)
        got = found[f"{om}[{index}].classes[0].categories[0].measurements[0]"]["measure_id"]
        assert got == expected if expected else got not in set(before.measures.measure_id)
    easi = jakdata.find("EASI", before)
    assert pct["measure_id"] == easi[easi.entity_type == "measure"].entity_id.item()
    assert not any(loc.startswith((f"{om}[5]", f"{om}[6]")) for loc in found)  # geometric mean; not posted


def test_own_comparisons(own):
    (doc, _), pkg, _before, out = own
    source = source_id(doc)
    found = by_locator(pkg, "comparisons", source)
    base = "resultsSection.outcomeMeasuresModule.outcomeMeasures[0].analyses"
    rd, odds = found[f"{base}[0]"], found[f"{base}[1]"]
    assert (rd["effect_measure"], rd["estimate"], rd["p_value"], rd["p_value_as_reported"]) == (
        "risk-difference",
        "49.7",
        "",
        "<0.001",
    )
    assert (odds["effect_measure"], odds["p_value"], odds["p_value_as_reported"]) == ("odds-ratio", "0.2345", "0.2345")
    arms = {a["arm_id"]: a["label"] for a in drawn_from(pkg, "arms", source)}
    assert (arms[odds["arm_id"]], arms[odds["control_arm_id"]]) == ("Upadacitinib 15 mg QD", "Novamab 200 mg Q2W")
    assert f"{base}[2]" not in found and "an analysis of 3 groups" in out


def test_own_study_and_vehicle_trial(own):
    (_doc1, doc2), pkg, before, _out = own
    studies = {s["registry_id"]: s for s in rows(pkg, "studies")}
    one = studies["NCT99000001"]
    assert (one["acronym"], one["phase"], one["masking"], one["country"]) == ("JAK-TEST 1", "2/3", "quadruple", "DE|JP")
    assert one["secondary_ids"] == "EudraCT:2020-000001-01|Protocol:JT-001"
    two = studies["NCT99000002"]
    assert two["country"] == ""  # a country the importer cannot code: left empty, named in the note
    assert "Atlantis" in two["note"]
    # a condition the vocabulary does not know: a new indication, never a guess into alopecia areata
    (ind,) = [i for i in rows(pkg, "indications") if i["indication_id"] == two["indication_id"]]
    assert ind["name"] == "Frontal Fibrosing Alopecia" and ind["indication_id"] not in set(
        before.indications.indication_id
    )
    arms = {a["label"]: a for a in drawn_from(pkg, "arms", source_id(doc2))}
    assert arms["Vehicle Cream BID"]["role"] == "vehicle" and arms["Vehicle Cream BID"]["drug_id"] == ""
    cream = arms["Ruxolitinib Cream 1.5% BID"]
    assert (cream["dose"], cream["dose_unit"], cream["frequency"]) == ("1.5", "%", "BID")
    text = "\n".join(p.read_text(encoding="utf-8") for p in (pkg / "data").glob("*.csv"))
    assert "must never be copied" not in text


def test_a_newer_version_is_reported_with_what_changed(own, cli, tmp_path):
    (doc, _), pkg, _before, _out = own
    newer = copy.deepcopy(doc)
    newer["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2024-09-15"
    path = "resultsSection.outcomeMeasuresModule.outcomeMeasures[0].classes[0].categories[0].measurements[0]"
    at(newer, path)["value"] = "63.0"
    record = tmp_path / "NCT99000001.json"
    record.write_text(json.dumps(newer), encoding="utf-8")
    before = snapshot(pkg)
    code, out, _err = run_import(cli, record, into=pkg)
    assert code == 1
    assert "NOT imported: a newer version of the record already imported as source ctgov-nct99000001-2024-03-01" in out
    assert "sources: last update posted 2024-03-01 -> 2024-09-15" in out
    assert f"outcomes at {path}: value_as_reported '62.5' -> '63.0'" in out
    assert snapshot(pkg) == before


@pytest.mark.parametrize(
    ("record", "cells", "why"),
    [
        ("NCT99000002", {"registry_id": "NCT99000002"}, "same registry_id"),
        (
            "NCT99000001",
            {"secondary_ids": "EudraCT:2020-000001-01"},
            "shares EudraCT:2020-000001-01; its registry_id is empty, a curator may add NCT99000001",
        ),
    ],
)
def test_a_trial_already_in_the_package_gets_the_rows_not_a_second_study(cli, tmp_path, record, cells, why):
    from jakdata.tools.hashes import refresh

    pkg = copy_bundled(tmp_path / "pkg")
    studies = rows(pkg, "studies")
    line = next(i for i, s in enumerate(studies, start=1) if not s["registry_id"] and not s["secondary_ids"])
    existing = studies[line - 1]["study_id"]
    set_cells(pkg, "studies", line, **cells)
    refresh(pkg)
    path = OWN / f"{record}.json"
    code, out, err = run_import(cli, path, into=pkg)
    assert code == 0, out + err
    assert f"{record} -> existing study {existing} ({why})" in out
    after = rows(pkg, "studies")
    assert len(after) == len(studies) and not any(
        s["registry_id"] == record for s in after if s["study_id"] != existing
    )
    source = source_id(json.loads(path.read_text(encoding="utf-8")))
    for table in ("outcomes", "comparisons", "adverse_events"):
        assert drawn_from(pkg, table, source)
        assert {r["study_id"] for r in drawn_from(pkg, table, source)} == {existing}
    code, report = validate_json(cli, pkg)
    assert code == 0, report["errors"][:5]


# ----------------------------------------------------------------------------
# unusable records: one line, exit 2, nothing written


def _broken(kind: str) -> Any:
    good = json.loads((OWN / "NCT99000002.json").read_text(encoding="utf-8"))
    if kind == "list":
        return [good]
    if kind == "search result":
        return {"studies": [good], "nextPageToken": "x"}
    if kind == "classic API":
        return {"FullStudiesResponse": {"FullStudies": [{"Study": {"ProtocolSection": {}}}]}}
    if kind == "no NCT number":
        del good["protocolSection"]["identificationModule"]["nctId"]
    elif kind == "no results":
        good["hasResults"] = False
        del good["resultsSection"]
    elif kind == "results not an object":
        good["resultsSection"] = ["x"]
    elif kind == "outcome measures not a list":
        good["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"] = "none"
    elif kind == "measurement not an object":
        good["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["classes"][0]["categories"][0][
            "measurements"
        ][0] = 7
    elif kind == "no last update":
        del good["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]
    return good


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("not JSON", "not JSON (line 1"),
        ("list", "not a ClinicalTrials.gov API v2 study record"),
        ("search result", "a search result listing 1 studies"),
        ("classic API", "retired classic API (v1)"),
        ("no NCT number", "no NCT number"),
        ("no results", "NCT99000002 has no posted results"),
        ("results not an object", "resultsSection is not an object"),
        ("outcome measures not a list", "resultsSection.outcomeMeasuresModule.outcomeMeasures is not a list"),
        (
            "measurement not an object",
            "outcomeMeasures[0].classes[0].categories[0].measurements[0] is not an object",
        ),
        ("no last update", "no protocolSection.statusModule.lastUpdatePostDateStruct.date"),
    ],
)
def test_unusable_records(cli, tmp_path, kind, says):
    pkg = copy_bundled(tmp_path / "pkg")
    before = snapshot(pkg)
    record = tmp_path / "record.json"
    if kind == "not JSON":
        record.write_text("{ this is not JSON", encoding="utf-8")
    else:
        record.write_text(json.dumps(_broken(kind)), encoding="utf-8")
    # a good record first: nothing of it is written either
    code, out, err = run_import(cli, OWN / "NCT99000001.json", record, into=pkg)
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"error: {record}: ") and says in line, line
    assert snapshot(pkg) == before


def test_the_fixture_helper_skips_or_fails_where_the_records_are_absent(tmp_path, monkeypatch):
    monkeypatch.delenv("JAKDATA_REQUIRE_FIXTURES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is not in"):
        real_record("NCT02210780.json", tmp_path)
    monkeypatch.setenv("JAKDATA_REQUIRE_FIXTURES", "1")
    with pytest.raises(pytest.fail.Exception, match="JAKDATA_REQUIRE_FIXTURES=1"):
        real_record("NCT02210780.json", tmp_path)


def test_into_is_required(cli):
    code, _out, err = cli("import", "ctgov", str(OWN / "NCT99000001.json"))
    assert code == 2 and "--into" in err
