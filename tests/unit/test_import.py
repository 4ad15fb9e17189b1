"""`import jakdata` stays cheap and the version has one source."""

import json
import subprocess
import sys

import jakdata
from jakdata.package.descriptor import bundled_root


def test_import_does_not_pull_heavy_dependencies():
    code = (
        "import sys, jakdata; jakdata.__version__; "
        "heavy = [m for m in ('pandas', 'pandera', 'frictionless', 'click', 'pyarrow') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_version_is_the_descriptor_version():
    descriptor = json.loads((bundled_root() / "datapackage.json").read_text(encoding="utf-8"))
    assert jakdata.__version__ == descriptor["version"]


def test_package_metadata_version_matches(tmp_path):
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("jakdata")
    except PackageNotFoundError:  # running from a plain checkout
        return
    from packaging.version import Version

    assert Version(installed) == Version(jakdata.__version__)  # 0.4.0-dev.1 is installed as 0.4.0.dev1


def test_cli_version(cli):
    code, out, _ = cli("--version")
    assert code == 0
    assert out.strip() == f"jakdata {jakdata.__version__}"


# ----------------------------------------------------------------------------
# `jakdata import ctgov`: the record's own words, read without a fork


def test_population_suffixes_of_results_groups():
    from jakdata.tools.ctgov.matching import split_population

    assert split_population("CZP 200 mg Q2W (FAS)") == ("CZP 200 mg Q2W", "FAS")
    assert split_population("Placebo->OL CZP (SS)") == ("Placebo->OL CZP", "SS")
    assert split_population("Upadacitinib 15 mg [Per-Protocol Set]") == ("Upadacitinib 15 mg", "Per-Protocol Set")
    assert split_population("Ruxolitinib Cream 1.5% (BID)") == ("Ruxolitinib Cream 1.5% (BID)", "")
    assert split_population("(ITT)") == ("(ITT)", "")


def test_abbreviations_the_record_defines():
    from jakdata.tools.ctgov.matching import defined_abbreviations

    texts = [
        "Certolizumab pegol (CZP) 400 mg at Weeks 0, 2 and 4, then 200 mg CZP every 2 weeks (Q2W).",
        "Matching placebo to certolizumab pegol (CZP) every 2 weeks. Participants formed the Full Analysis Set (FAS).",
    ]
    assert defined_abbreviations(texts) == {"CZP": "Certolizumab pegol", "FAS": "Full Analysis Set"}
    # one abbreviation defined two ways is not used
    assert defined_abbreviations(["Tofacitinib citrate (TC) daily", "Topical corticosteroids (TC) daily"]) == {}


def test_results_groups_to_arm_groups():
    from jakdata.tools.ctgov.matching import ArmGroup, Intervention, Matcher

    groups = [
        ArmGroup(
            "Certolizumab Pegol 200 mg Q2W", "Certolizumab pegol (CZP) 200 mg every 2 weeks, from week 6 on.", [0]
        ),
        ArmGroup("Placebo", "Matching placebo injections every 2 weeks.", [1]),
    ]
    ivs = [
        Intervention("Certolizumab Pegol", ["Cimzia", "CDP870"], False, True, 0),
        Intervention("Placebo", [], True, False, 1),
    ]
    m = Matcher(groups, ivs, [g.description for g in groups])
    assert (m.match("Placebo (FAS)").arm, m.match("Placebo (FAS)").population) == ("Placebo", "FAS")
    assert m.match("CZP 200 mg Q2W (SS)").arm == "Certolizumab Pegol 200 mg Q2W"
    assert "abbreviation CZP" in m.match("CZP 200 mg Q2W (SS)").how
    assert m.match("CDP870 200 mg Q2W").how == "intervention other name CDP870"
    described = m.match("Active Treatment (ITT)", "Certolizumab pegol (CZP) 200 mg every 2 weeks, from week 6 on.")
    assert described.arm == "Certolizumab Pegol 200 mg Q2W" and described.how.startswith(
        "population suffix (ITT); description"
    )
    subset = m.match("Placebo->OL CZP (SS)")
    assert subset.subset and subset.arm == "" and subset.moved_to == [0] and subset.before == "Placebo"
    assert subset.words == "open-label"
    assert m.match("Observational Cohort").arm == ""


def test_measures_are_named_after_the_instrument():
    from jakdata.tools.ctgov.vocab import class_kind, measure_names

    basfi = measure_names(
        "Change From Baseline to Week 52 in the Bath Ankylosing Spondylitis Functional Index (BASFI)", False
    )
    assert (basfi.display, basfi.ident) == ("Bath Ankylosing Spondylitis Functional Index (BASFI)", "basfi")
    assert basfi.candidates[0] == "BASFI"
    count = measure_names(
        "Number of Subjects Without Relevant Changes to Background Medication From Baseline to Week 52", True
    )
    assert count.ident == "without-relevant-changes-to-background-medication"
    generic = measure_names("Change From Baseline at Week 12", False)
    assert generic.ident not in ("change", "baseline") and generic.display == "Change From Baseline"
    assert [
        class_kind(t) for t in ("Week 4", "Baseline", "Biologic-naive", "Age 12 to 17 years", "Fat", "Erythema")
    ] == [
        "visit",
        "visit",
        "population",
        "population",
        "part",
        "part",
    ]
