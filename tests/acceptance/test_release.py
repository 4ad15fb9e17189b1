"""One version everywhere, current checksums, immutable releases,
citation and diff."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

import jakdata
from jakdata.package.descriptor import bundled_root
from jakdata.package.ledger import is_development
from jakdata.tools.citation import cite
from jakdata.tools.hashes import refresh
from jakdata.tools.release import problems, record

ROOT = bundled_root()


def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def test_one_version_everywhere(cli):
    v = descriptor()["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+(-dev\.\d+)?", v)
    assert jakdata.__version__ == v
    assert jakdata.load().version == v
    assert cli("--version")[1].strip() == f"jakdata {v}"
    cff = ROOT / "CITATION.cff"
    if cff.is_file() and not is_development(v):  # a development version keeps the last release's CITATION.cff
        assert yaml.safe_load(cff.read_text(encoding="utf-8"))["version"] == v


def release_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    dest.mkdir()
    for name in ("datapackage.json", "releases.json", "CHANGELOG.md", "CITATION.cff"):
        shutil.copy(ROOT / name, dest / name)
    shutil.copytree(ROOT / "data", dest / "data")
    shutil.copytree(ROOT / "schemas", dest / "schemas")
    d = json.loads((dest / "datapackage.json").read_text(encoding="utf-8"))
    if is_development(d["version"]):  # a released state to start from: release the copy as it is
        d["version"] = d["version"].partition("-")[0]
        (dest / "datapackage.json").write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log = (dest / "CHANGELOG.md").read_text(encoding="utf-8")
        log = log.replace("## [Unreleased]\n", f"## [Unreleased]\n\n## [{d['version']}] - 2026-12-01\n", 1)
        (dest / "CHANGELOG.md").write_text(log, encoding="utf-8")
        refresh(dest)
        record(dest, "2026-12-01")
    return dest


def edit_cell(pkg: Path) -> None:
    p = pkg / "data" / "outcomes.csv"
    text = p.read_text(encoding="utf-8")
    assert ",56.8," in text
    p.write_text(text.replace(",56.8,", ",56.9,", 1), encoding="utf-8")


@pytest.mark.skipif(not (ROOT / "releases.json").is_file(), reason="not a source checkout")
def test_changing_a_cell_without_a_new_version_fails_with_instructions(tmp_path, cli):
    repo = release_copy(tmp_path)
    assert problems(repo) == []
    edit_cell(repo)
    refresh(repo)
    found = problems(repo)
    assert found and "data/outcomes.csv changed since release" in found[0]
    assert "bump `version`" in found[0] and "jakdata release" in found[0]
    assert "+modified." in cite(repo)

    # The README's release steps make it pass.
    d = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    old = d["version"]
    major, minor, patch = map(int, old.split("."))
    new = f"{major}.{minor}.{patch + 1}"
    d["version"] = new
    (repo / "datapackage.json").write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = cli("release", str(repo))
    assert code == 2 and "CHANGELOG.md has no section" in err
    log = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    log = log.replace("## [Unreleased]\n", f"## [Unreleased]\n\n## [{new}] - 2026-12-01\n\n### Fixed\n- A value.\n", 1)
    (repo / "CHANGELOG.md").write_text(log, encoding="utf-8")
    assert cli("hashes", str(repo))[0] == 0
    code, out, _ = cli("release", str(repo), "--date", "2026-12-01")
    assert code == 0, out
    assert problems(repo) == []
    ledger = json.loads((repo / "releases.json").read_text(encoding="utf-8"))
    assert set(ledger["releases"]) >= {old, new}
    before = json.loads((ROOT / "releases.json").read_text(encoding="utf-8"))["releases"]
    if old in before:  # an earlier release's entry is never rewritten
        assert ledger["releases"][old] == before[old]
    assert f"version = {{{new}}}" in cite(repo, "bibtex")
    assert yaml.safe_load((repo / "CITATION.cff").read_text(encoding="utf-8"))["version"] == new


def bump(repo: Path) -> str:
    """Step 2 and 3 of the README's release steps: a patch version and its
    changelog section."""
    d = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    major, minor, patch = map(int, d["version"].split("."))
    d["version"] = new = f"{major}.{minor}.{patch + 1}"
    (repo / "datapackage.json").write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    log = log.replace("## [Unreleased]\n", f"## [Unreleased]\n\n## [{new}] - 2026-12-01\n\n### Fixed\n- A value.\n", 1)
    (repo / "CHANGELOG.md").write_text(log, encoding="utf-8")
    return new


@pytest.mark.skipif(not (ROOT / "releases.json").is_file(), reason="not a source checkout")
def test_invalid_data_is_never_released(tmp_path, cli):
    repo = release_copy(tmp_path)
    ledger_before = (repo / "releases.json").read_bytes()
    csv = repo / "data" / "outcomes.csv"
    lines = csv.read_text(encoding="utf-8").split("\n")
    lines[1] += ",extra cell"
    csv.write_text("\n".join(lines), encoding="utf-8")
    bump(repo)
    assert cli("hashes", str(repo))[0] == 0
    code, _, err = cli("release", str(repo))
    assert code == 1
    assert "not valid" in err and "the first data/outcomes.csv:2 [row-shape]" in err and "nothing was recorded" in err
    assert (repo / "releases.json").read_bytes() == ledger_before


def test_cite_formats_carry_version_and_fingerprint(cli):
    v = jakdata.__version__
    text = jakdata.cite()
    fp = re.search(r"fingerprint ([0-9a-f]{12})", text).group(1)
    for fmt in ("text", "apa", "bibtex", "cff"):
        code, out, _ = cli("cite", "--format", fmt)
        assert code == 0 and v in out
        if fmt != "apa":
            assert fp in out
    assert "+modified" not in text


def test_modified_fork_is_never_cited_as_the_release(tmp_path):
    repo = release_copy(tmp_path)  # a released state
    assert "+modified" not in cite(repo)
    edit_cell(repo)
    text = cite(repo)
    assert "+modified." in text and "NOT the released" in text


def test_a_development_version_is_cited_as_a_snapshot(package_copy):
    d = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    d["version"] = "9.9.0-dev.1"
    (package_copy / "datapackage.json").write_text(json.dumps(d, indent=2) + "\n", encoding="utf-8")
    text = cite(package_copy)
    assert "Version 9.9.0-dev.1," in text and "A development snapshot" in text and "+modified" not in text


def test_diff_identical_and_changed(cli, package_copy, tmp_path):
    code, out, _ = cli("diff", str(ROOT), str(package_copy))
    assert code == 0 and out.startswith("identical")
    edit_cell(package_copy)
    p = package_copy / "data" / "synonyms.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    removed = lines.pop(1)
    lines.append("drug,upadacitinib,an added name,en,local-name,")
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = package_copy / "schemas" / "arms.json"
    schema = json.loads(s.read_text(encoding="utf-8"))
    schema["fields"][2]["description"] = "Changed."
    s.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    refresh(package_copy)

    code, out, _ = cli("diff", str(ROOT), str(package_copy), "--format", "json")
    d = json.loads(out)
    assert code == 1 and d["identical"] is False
    (changed,) = d["tables"]["outcomes"]["changed"]
    assert changed["cells"] == {"value": ["56.8", "56.9"]}
    assert d["tables"]["synonyms"]["added"] == ["drug|upadacitinib|an added name|en"]
    assert d["tables"]["synonyms"]["removed"] == ["|".join(removed.split(",")[:4])]
    assert d["tables"]["arms"]["schema"]["fields_changed"]["label"]["description"][1] == "Changed."
    code, out, _ = cli("diff", str(ROOT), str(package_copy))
    assert code == 1
    assert "      value: '56.8' -> '56.9'" in out


def test_diff_unusable_input(cli, tmp_path):
    code, _, err = cli("diff", str(ROOT), str(tmp_path / "missing"))
    assert code == 2 and "missing" in err


@pytest.mark.skipif(not (ROOT / "releases.json").is_file(), reason="not a source checkout")
def test_release_validates_the_descriptor_it_is_given(tmp_path, cli):
    repo = release_copy(tmp_path)
    d = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    outcomes = next(r for r in d["resources"] if r["name"] == "outcomes")
    bad = repo / "data" / "outcomes-alt.csv"
    bad.write_text((repo / "data" / "outcomes.csv").read_text(encoding="utf-8") + "extra,row\n", encoding="utf-8")
    outcomes["path"] = "data/outcomes-alt.csv"
    (repo / "alt.json").write_text(json.dumps(d, indent=2, ensure_ascii=False), encoding="utf-8")
    assert cli("hashes", str(repo / "alt.json"))[0] == 0
    ledger_before = (repo / "releases.json").read_bytes()
    code, _, err = cli("release", str(repo / "alt.json"))
    assert code == 1 and "not valid" in err and "data/outcomes-alt.csv" in err
    assert (repo / "releases.json").read_bytes() == ledger_before


def test_drafts_are_never_released(tmp_path, cli):
    """Rows imported from a registry record await a curator: `release` refuses them."""
    repo = release_copy(tmp_path)
    p = repo / "data" / "sources.csv"
    text = p.read_text(encoding="utf-8")
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    assert last.endswith(",reviewed")
    p.write_text(text.rstrip("\n")[: -len("reviewed")] + "draft\n", encoding="utf-8")
    d = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    d["version"] = "9.9.9"
    (repo / "datapackage.json").write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    (repo / "CHANGELOG.md").write_text(
        log.replace("## [Unreleased]\n", "## [Unreleased]\n\n## [9.9.9] - 2026-12-01\n", 1), encoding="utf-8"
    )
    refresh(repo)
    before = (repo / "releases.json").read_bytes()
    code, _, err = cli("release", str(repo), "--date", "2026-12-01")
    assert code == 1 and "are drafts (review_status = draft)" in err and err.count("\n") == 1
    assert (repo / "releases.json").read_bytes() == before
