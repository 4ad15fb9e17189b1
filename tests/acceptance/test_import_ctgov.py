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
    """NCT05594173 (chewing, observational; not a skin disease, so only with
    --any-condition): its groups become single arms without a drug, so their
    outcome and adverse-event rows are skipped, with the reason; the rest
    validates."""
    pkg = copy_bundled(tmp_path / "pkg")
    code, out, err = cli("import", "ctgov", str(real_record("NCT05594173.json")), "--into", str(pkg), "--any-condition")
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


# ----------------------------------------------------------------------------
# results groups, measures and batches as real records print them (issue 21):
# NCT99000003 is shaped on NCT02552212 (certolizumab pegol; FAS/SS/PP/ITT
# suffixed results groups, the abbreviation defined in the descriptions, an
# open-label subset, change-from-baseline titles of several instruments)


def outcome_rows(pkg: Path, source: str) -> dict[str, dict[str, str]]:
    return by_locator(pkg, "outcomes", source)


@pytest.fixture(scope="module")
def czp(tmp_path_factory, cli_module):
    """NCT99000003 imported into a fresh fork: (record, package, vocabulary
    before, JSON report of the record)."""
    record = OWN / "NCT99000003.json"
    pkg = copy_bundled(tmp_path_factory.mktemp("czp") / "pkg")
    before = jakdata.load(pkg)
    code, out, err = cli_module("import", "ctgov", str(record), "--into", str(pkg), "--format", "json")
    assert code == 0, out + err
    report = json.loads(out)
    (summary,) = report["records"]
    return json.loads(record.read_text(encoding="utf-8")), pkg, before, summary


def czp_arms(pkg: Path) -> dict[str, dict[str, str]]:
    return {a["label"]: a for a in drawn_from(pkg, "arms", "ctgov-nct99000003-2024-05-02")}


def test_suffixed_results_groups_match_their_arm_through_a_defined_abbreviation(czp):
    doc, pkg, _before, summary = czp
    source = source_id(doc)
    arms = czp_arms(pkg)
    active, placebo = arms["Certolizumab Pegol 200 mg Q2W"], arms["Placebo"]
    # one arm per arm group (no arm made from 'Placebo (FAS)' or 'CZP 200 mg Q2W (SS)'), one for the subset
    assert set(arms) == {"Certolizumab Pegol 200 mg Q2W", "Placebo", "Placebo->OL CZP"}
    found = outcome_rows(pkg, source)
    om0 = f"{OM}[0].classes[0].categories[0].measurements"
    assert found[f"{om0}[1]"]["arm_id"] == active["arm_id"] and found[f"{om0}[0]"]["arm_id"] == placebo["arm_id"]
    assert found[f"{om0}[1]"]["analysis_population"] == "FAS" and found[f"{om0}[1]"]["drug_id"] == active["drug_id"]
    # the between-arm analysis is kept, the active arm against placebo
    comparison = by_locator(pkg, "comparisons", source)[f"{OM}[0].analyses[0]"]
    assert (comparison["arm_id"], comparison["control_arm_id"]) == (active["arm_id"], placebo["arm_id"])
    assert comparison["estimate"] == "12.5"
    # the safety set's serious adverse events of the active arm
    aes = by_locator(pkg, "adverse_events", source)
    assert aes["resultsSection.adverseEventsModule.eventGroups[1].seriousNumAffected"]["arm_id"] == active["arm_id"]
    # the report says how each group was matched
    how = {(g["title"], g["arm_id"]): g["how"] for g in summary["groups"]}
    assert "abbreviation CZP" in how[("CZP 200 mg Q2W (FAS)", active["arm_id"])]
    assert "population suffix (FAS)" in how[("CZP 200 mg Q2W (FAS)", active["arm_id"])]


def test_results_groups_match_through_intervention_other_names_and_descriptions(czp):
    doc, pkg, _before, summary = czp
    source = source_id(doc)
    active = czp_arms(pkg)["Certolizumab Pegol 200 mg Q2W"]
    found = outcome_rows(pkg, source)
    other_name = found[f"{OM}[8].classes[0].categories[0].measurements[1]"]  # 'CDP870 200 mg Q2W (PP)'
    assert (other_name["arm_id"], other_name["analysis_population"]) == (active["arm_id"], "PP")
    described = found[f"{OM}[9].classes[0].categories[0].measurements[1]"]  # 'Active Treatment (ITT)'
    assert (described["arm_id"], described["analysis_population"]) == (active["arm_id"], "ITT")
    how = {g["title"]: g["how"] for g in summary["groups"]}
    assert "other name CDP870" in how["CDP870 200 mg Q2W (PP)"]
    assert "description" in how["Active Treatment (ITT)"]


def test_an_open_label_subset_is_its_own_arm_with_the_drug_and_a_period(czp):
    doc, pkg, _before, _summary = czp
    source = source_id(doc)
    arms = czp_arms(pkg)
    subset = arms["Placebo->OL CZP"]
    assert subset["role"] == "experimental" and subset["drug_id"] == arms["Certolizumab Pegol 200 mg Q2W"]["drug_id"]
    assert "open-label" in subset["period"]
    assert "Placebo" in subset["regimen_note"]
    assert subset["n"] == "41"  # started the open-label period
    found = outcome_rows(pkg, source)
    row = found[f"{OM}[10].classes[0].categories[0].measurements[1]"]
    assert row["arm_id"] == subset["arm_id"] and row["drug_id"] == subset["drug_id"] and row["value"] == "63.4"


def test_change_from_baseline_titles_name_their_instrument(czp):
    doc, pkg, _before, _summary = czp
    source = source_id(doc)
    found = outcome_rows(pkg, source)
    measure = {i: found[f"{OM}[{i}].classes[0].categories[0].measurements[0]"]["measure_id"] for i in range(1, 5)}
    assert measure[2] == measure[3]  # BASDAI at weeks 12 and 52
    assert len({measure[1], measure[2], measure[4]}) == 3  # BASFI, BASDAI, SPARCC apart
    names = {m["measure_id"]: m["name"] for m in rows(pkg, "measures")}
    assert "(BASFI)" in names[measure[1]] and "(BASDAI)" in names[measure[2]] and "SPARCC" in names[measure[4]]
    assert measure[1] == "basfi" and measure[2] == "basdai"  # ids a person can read
    for i in range(1, 5):
        assert found[f"{OM}[{i}].classes[0].categories[0].measurements[0]"]["statistic"] == "ls-mean-change"


GENERIC = {"change", "score", "scores", "response", "percentage", "percent", "number", "mean", "value", "total"}


def test_no_new_measure_is_a_generic_word_or_a_fragment(czp):
    doc, pkg, before, _summary = czp
    titles = [m["title"] for m in doc["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]]
    new = [m for m in rows(pkg, "measures") if m["measure_id"] not in set(before.measures.measure_id)]
    assert new
    for m in new:
        assert m["measure_id"] not in GENERIC and m["name"].lower() not in GENERIC, m
        base = m["name"].split(": ")[0]  # a class of a measure is named "<measure>: <class>"
        # whole words of a title: it starts and ends at a word boundary
        assert any(re.search(rf"(?<![\w-]){re.escape(base)}(?![\w-])", t, re.I) for t in titles), m
    found = outcome_rows(pkg, source_id(doc))
    fragment = found[f"{OM}[5].classes[0].categories[0].measurements[0]"]["measure_id"]
    assert fragment == "without-relevant-changes-to-background-medication"


def test_classes_of_a_measure_are_rows_of_their_own(czp):
    doc, pkg, _before, _summary = czp
    found = outcome_rows(pkg, source_id(doc))
    fat = found[f"{OM}[6].classes[0].categories[0].measurements[0]"]
    lean = found[f"{OM}[6].classes[1].categories[0].measurements[0]"]
    assert fat["measure_id"] != lean["measure_id"]
    names = {m["measure_id"]: m for m in rows(pkg, "measures")}
    assert names[fat["measure_id"]]["name"].endswith(": Fat") and names[lean["measure_id"]]["name"].endswith(": Lean")
    assert names[fat["measure_id"]]["based_on"] == names[lean["measure_id"]]["based_on"] != ""
    # a class that is a subgroup of participants is the analysis population
    naive = found[f"{OM}[11].classes[0].categories[0].measurements[1]"]
    exposed = found[f"{OM}[11].classes[1].categories[0].measurements[1]"]
    assert naive["measure_id"] == exposed["measure_id"]
    assert (naive["analysis_population"], exposed["analysis_population"]) == (
        "FAS; Biologic-naive",
        "FAS; Biologic-exposed",
    )
    # no two results of one record share arm, measure, timepoint, statistic and population
    keys = [
        (r["arm_id"], r["measure_id"], r["timepoint"], r["statistic"], r["analysis_population"]) for r in found.values()
    ]
    assert len(keys) == len(set(keys))


def test_geometric_means_are_skipped_with_the_reason_and_medians_kept(czp):
    doc, pkg, _before, summary = czp
    found = outcome_rows(pkg, source_id(doc))
    items = {i["locator"]: i for i in summary["items"]}
    geo = items[f"{OM}[7].classes[0].categories[0].measurements[0]"]
    assert geo["status"] == "skipped" and "geometric mean" in geo["reason"]
    time = found[f"{OM}[8].classes[0].categories[0].measurements[0]"]
    assert (time["statistic"], time["value"], time["unit"]) == ("median", "169", "days")
    assert "interquartile range as registered: 113 to 253" in time["note"]
    median = found[f"{OM}[9].classes[0].categories[0].measurements[0]"]
    assert (median["statistic"], median["ci_lower"], median["ci_upper"], median["ci_level"]) == (
        "median-change",
        "-3",
        "-1",
        "95",
    )


def check_record_accounting(doc: dict[str, Any], pkg: Path, summary: dict[str, Any]) -> tuple[int, int]:
    """Every measurement and analysis of the record is in the report, imported
    (its row's locator resolves to the same number) or skipped with a reason."""
    source = source_id(doc)
    expected: set[str] = set()
    for i, om in enumerate(doc["resultsSection"].get("outcomeMeasuresModule", {}).get("outcomeMeasures", [])):
        for c, cls in enumerate(om.get("classes", [])):
            for k, cat in enumerate(cls.get("categories", [])):
                for x in range(len(cat.get("measurements", []))):
                    expected.add(f"{OM}[{i}].classes[{c}].categories[{k}].measurements[{x}]")
        for a in range(len(om.get("analyses", []))):
            expected.add(f"{OM}[{i}].analyses[{a}]")
    items = {i["locator"]: i for i in summary["items"] if i["kind"] in ("measurement", "analysis")}
    assert set(items) == expected
    for item in summary["items"]:  # the event counts too
        if item["kind"] != "adverse-event":
            continue
        assert item["status"] in ("imported", "skipped") and (item["status"] == "imported" or item["reason"])
        if item["status"] == "imported":
            (row,) = [r for r in drawn_from(pkg, "adverse_events", source) if r["locator"] == item["locator"]]
            node = at(doc, item["locator"])
            assert int(row["n_affected"]) == int(node if not isinstance(node, dict) else node["numAffected"])
    assert summary["accounting"]["unaccounted"] == 0 and summary["accounting"]["percent"] == 100.0
    imported = 0
    for locator, item in items.items():
        assert item["status"] in ("imported", "skipped"), item
        if item["status"] == "skipped":
            assert item["reason"], item
            continue
        imported += 1
        table = "outcomes" if item["kind"] == "measurement" else "comparisons"
        (row,) = [r for r in drawn_from(pkg, table, source) if r["locator"] == locator]
        node = at(doc, locator)
        if table == "outcomes":
            assert row["value_as_reported"] == node["value"] and float(row["value"]) == float(node["value"])
            assert item["value"] == row["value"]
        elif row["estimate"]:
            assert float(row["estimate"]) == float(node["paramValue"])
    # and every row drawn from the record resolves to its number
    for row in drawn_from(pkg, "outcomes", source):
        assert float(row["value"]) == float(at(doc, row["locator"])["value"])
    for row in drawn_from(pkg, "adverse_events", source):
        node = at(doc, row["locator"].rsplit(".", 1)[0]) if row["locator"].endswith("NumAffected") else None
        value = node[row["locator"].rsplit(".", 1)[1]] if node is not None else at(doc, row["locator"])["numAffected"]
        assert int(row["n_affected"]) == int(value)
    return imported, len(items)


@pytest.mark.parametrize("record", ["shared:NCT02210780.json", "NCT99000001.json", "NCT99000003.json"])
def test_the_report_accounts_for_every_measurement_and_analysis(cli, tmp_path, record):
    path = real_record(record.split(":")[1]) if record.startswith("shared:") else OWN / record
    pkg = copy_bundled(tmp_path / "pkg")
    code, out, err = cli("import", "ctgov", str(path), "--into", str(pkg), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    (summary,) = report["records"]
    imported, total = check_record_accounting(json.loads(path.read_text(encoding="utf-8")), pkg, summary)
    assert imported > 0 and summary["accounting"]["total"] == len(summary["items"]) >= total
    assert summary["accounting"]["imported"] >= imported


def test_a_batch_with_a_record_without_results(cli, tmp_path):
    pkg = copy_bundled(tmp_path / "pkg")
    before = snapshot(pkg)
    batch = [str(OWN / "NCT99000001.json"), str(OWN / "NCT99000004.json")]
    code, out, err = cli("import", "ctgov", *batch, "--into", str(pkg))
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert "NCT99000004 has no posted results" in line and "--skip-unusable" in line
    assert snapshot(pkg) == before
    code, out, err = cli("import", "ctgov", *batch, "--into", str(pkg), "--skip-unusable")
    assert code == 0, err
    assert "NCT99000001 (NCT99000001.json, last update posted 2024-03-01): imported" in out
    assert "NCT99000004.json: skipped: NCT99000004 has no posted results (overall status TERMINATED)" in out
    assert drawn_from(pkg, "outcomes", "ctgov-nct99000001-2024-03-01")


def test_a_record_about_another_disease_needs_any_condition(cli, tmp_path):
    pkg = copy_bundled(tmp_path / "pkg")
    before = snapshot(pkg)
    record = str(OWN / "NCT99000005.json")
    code, out, err = cli("import", "ctgov", record, "--into", str(pkg))
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert "NCT99000005 names no dermatologic condition ('Cystic Fibrosis-related Diabetes')" in line
    assert "--any-condition" in line
    assert snapshot(pkg) == before
    code, out, err = cli(
        "import", "ctgov", str(OWN / "NCT99000003.json"), record, "--into", str(pkg), "--skip-unusable"
    )
    assert code == 0, err
    assert "NCT99000005.json: skipped: NCT99000005 names no dermatologic condition" in out
    assert not [s for s in rows(pkg, "studies") if s["registry_id"] == "NCT99000005"]
    code, out, err = cli("import", "ctgov", record, "--into", str(pkg), "--any-condition")
    assert code == 0, err
    assert [s["registry_id"] for s in rows(pkg, "studies") if s["registry_id"] == "NCT99000005"] == ["NCT99000005"]
    assert drawn_from(pkg, "outcomes", "ctgov-nct99000005-2024-05-02")


def test_reimporting_the_new_record_adds_nothing(czp, cli):
    _doc, pkg, _before, _summary = czp
    before = snapshot(pkg)
    code, out, _err = cli("import", "ctgov", str(OWN / "NCT99000003.json"), "--into", str(pkg))
    assert code == 0 and "already in the package as source ctgov-nct99000003-2024-05-02; nothing added" in out
    assert snapshot(pkg) == before


# ----------------------------------------------------------------------------
# --fetch: the API v2 from a local server


@pytest.fixture
def registry_server():
    """A local HTTP server on 127.0.0.1 (a free port) answering
    /api/v2/studies/NCT... with the shared records; 404 otherwise."""
    import http.server
    import threading

    folder = real_record("NCT02210780.json").parent
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            m = re.fullmatch(r"/api/v2/studies/(NCT[0-9]{8})(\?.*)?", self.path)
            path = folder / f"{m.group(1)}.json" if m else None
            if path is None or not path.is_file():
                self.send_error(404, "Not Found")
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v2/studies/", seen
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_downloads_the_record_from_the_api(cli, tmp_path, registry_server):
    base, seen = registry_server
    pkg = copy_bundled(tmp_path / "pkg")
    code, out, err = cli("import", "ctgov", "NCT02210780", "--into", str(pkg), "--fetch", "--api-url", base)
    assert code == 0, err
    assert seen == ["/api/v2/studies/NCT02210780"]
    assert "imported as draft source ctgov-nct02210780-2020-05-07" in out
    assert len(drawn_from(pkg, "outcomes", "ctgov-nct02210780-2020-05-07")) == 28
    # the base URL from the environment; an id the registry does not have is one line, exit 2
    code, out, err = cli("import", "ctgov", "NCT09999999", "--into", str(pkg), "--fetch", "--api-url", base)
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert "NCT09999999" in line and "HTTP 404" in line


def test_fetch_offline_is_one_line_and_exit_2(cli, tmp_path, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("JAKDATA_CTGOV_API", f"http://127.0.0.1:{port}/api/v2/studies/")
    pkg = copy_bundled(tmp_path / "pkg")
    before = snapshot(pkg)
    code, out, err = cli("import", "ctgov", "NCT02210780", "--into", str(pkg), "--fetch", "--retries", "1")
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith("error: ") and f"127.0.0.1:{port}" in line and "cannot reach" in line
    assert snapshot(pkg) == before


def test_fetch_takes_nct_ids_only(cli, tmp_path):
    code, _out, err = cli("import", "ctgov", "record.json", "--into", str(tmp_path), "--fetch")
    assert code == 2 and "not an NCT number" in err


def test_results_groups_match_the_arms_already_in_the_fork(cli, tmp_path):
    """The trial and its arms are in the fork already (here: drawn from
    another document): the record's results groups, the open-label subset
    included, go to those arms; no arm is added."""
    from jakdata.tools.hashes import refresh

    pkg = copy_bundled(tmp_path / "pkg")
    record = str(OWN / "NCT99000003.json")
    code, _out, err = cli("import", "ctgov", record, "--into", str(pkg))
    assert code == 0, err
    for path in (pkg / "data").glob("*.csv"):  # the trial and its arms now come from another document
        text = path.read_text(encoding="utf-8")
        if path.stem in ("outcomes", "comparisons", "adverse_events"):  # with no results of its own: the
            # same result from two documents is a conflict a curator settles (model v3, one preferred claim)
            lines = text.splitlines(keepends=True)
            text = "".join([lines[0], *(x for x in lines[1:] if "ctgov-nct99000003-2024-05-02" not in x)])
        path.write_text(text.replace("ctgov-nct99000003-2024-05-02", "paper-nct99000003"), encoding="utf-8")
    refresh(pkg)
    arms = {a["label"]: a["arm_id"] for a in rows(pkg, "arms") if a["study_id"] == "nct99000003"}
    assert len(arms) == 3
    code, out, err = cli("import", "ctgov", record, "--into", str(pkg), "--format", "json")
    assert code == 0, err
    (summary,) = json.loads(out)["records"]
    assert "arms" not in summary["added"] and summary["added"]["outcomes"] > 0
    assert "NCT99000003 -> existing study nct99000003 (same registry_id)" in summary["mapped"]
    found = outcome_rows(pkg, "ctgov-nct99000003-2024-05-02")
    assert found[f"{OM}[0].classes[0].categories[0].measurements[1]"]["arm_id"] == arms["Certolizumab Pegol 200 mg Q2W"]
    assert found[f"{OM}[10].classes[0].categories[0].measurements[1]"]["arm_id"] == arms["Placebo->OL CZP"]
    code, report = validate_json(cli, pkg)
    assert code == 0, report["errors"][:5]
