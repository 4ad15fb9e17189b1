"""Releases: the ledger of released versions and what each contained.

``releases.json`` (next to ``datapackage.json`` in the repository) maps
each released version to its date, fingerprint and per-file hashes. Data
and schemas of a recorded version are immutable: any change needs a new
version (semantic versioning for data, as the Frictionless
data-package-version recipe defines it), a CHANGELOG entry and a new
ledger entry.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

from jakdata.descriptor import open_package
from jakdata.fingerprint import file_hashes, fingerprint_of

LEDGER = "releases.json"
HOW = (
    "to change released data: bump `version` in datapackage.json (patch: corrections; "
    "minor: new rows or tables; major: schema-breaking), add a CHANGELOG.md section for it, "
    "then run `jakdata hashes` and `jakdata release`"
)


def ledger_path(root: Path) -> Path:
    return root / LEDGER


def read_ledger(root: Path) -> dict:
    p = ledger_path(root)
    if not p.is_file():
        return {"releases": {}}
    return json.loads(p.read_text(encoding="utf-8"))


def problems(path: str | Path | None = None) -> list[str]:
    """What stands between the package and its recorded release."""
    package = open_package(path)
    version = package.version
    ledger = read_ledger(package.root)
    entry = ledger["releases"].get(version)
    if entry is None:
        return [f"version {version} is not in {LEDGER}: run `jakdata release` after the CHANGELOG entry"]
    current = file_hashes(package)
    out = []
    for rel in sorted(set(current) | set(entry["files"])):
        old, new = entry["files"].get(rel), current.get(rel)
        if old != new:
            what = "added" if old is None else "removed" if new is None else "changed"
            out.append(f"{rel} {what} since release {version} was recorded; {HOW}")
    return out


def changelog_has(root: Path, version: str) -> bool:
    p = root / "CHANGELOG.md"
    if not p.is_file():
        return False
    return re.search(rf"^## \[{re.escape(version)}\]", p.read_text(encoding="utf-8"), re.M) is not None


def record(path: str | Path | None = None, date: str | None = None) -> dict:
    """Record the current version in the ledger (refuses invalid data and
    a version already recorded with other content)."""
    package = open_package(path)
    version = package.version
    if not changelog_has(package.root, version):
        raise ValueError(f"CHANGELOG.md has no section '## [{version}]'")
    from jakdata.checks import validate_package

    result = validate_package(package.path)  # the descriptor the user named, not necessarily datapackage.json
    if not result.valid:  # a release is immutable: never record invalid data
        first = result.findings[0]  # findings come sorted
        where = ":".join(str(x) for x in (first.path or first.table, first.row) if x is not None)
        raise ValueError(
            f"the package is not valid ({len(result.findings)} errors, the first {where} [{first.check}]): "
            "run `jakdata validate` and fix them; nothing was recorded"
        )
    ledger = read_ledger(package.root)
    hashes = file_hashes(package)
    existing = ledger["releases"].get(version)
    if existing and existing["files"] != hashes:
        raise ValueError(f"version {version} is already released with other content; {HOW}")
    entry = {
        "date": date or _dt.date.today().isoformat(),
        "fingerprint": fingerprint_of(hashes),
        "files": hashes,
    }
    ledger["releases"][version] = existing or entry
    ledger["releases"] = dict(sorted(ledger["releases"].items(), key=lambda kv: _key(kv[0])))
    ledger_path(package.root).write_text(json.dumps(ledger, indent=2) + "\n", encoding="utf-8")
    _update_citation_cff(package.root, version, ledger["releases"][version]["date"])
    return ledger["releases"][version]


def _key(version: str) -> tuple:
    return tuple(int(x) if x.isdigit() else x for x in re.split(r"[.-]", version))


def _update_citation_cff(root: Path, version: str, date: str) -> None:
    from jakdata.citation import cite

    (root / "CITATION.cff").write_text(cite(root, "cff"), encoding="utf-8")
