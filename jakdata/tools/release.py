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
from typing import Any

from jakdata.errors import DataError, UnusableInput
from jakdata.package.descriptor import open_package
from jakdata.package.files import write_atomic
from jakdata.package.hashing import file_hashes, fingerprint_of
from jakdata.package.ledger import LEDGER, is_development, ledger_path, read_ledger

HOW = (
    "to change released data: bump `version` in datapackage.json (patch: corrections; "
    "minor: new rows or tables; major: schema-breaking), add a CHANGELOG.md section for it, "
    "then run `jakdata hashes` and `jakdata release`"
)


def problems(path: str | Path | None = None) -> list[str]:
    """What stands between the package and its recorded release."""
    package = open_package(path)
    version = package.version
    ledger = read_ledger(package.root)
    entry = ledger["releases"].get(version)
    if entry is None and isinstance(version, str) and is_development(version):
        # curation in progress: allowed while it is ahead of every release
        base = _key(version.partition("-")[0])
        behind = [v for v in ledger["releases"] if _key(v.partition("-")[0]) >= base]
        if behind:
            return [f"development version {version} is not ahead of the released {behind[-1]}; {HOW}"]
        return []
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


def record(path: str | Path | None = None, date: str | None = None) -> dict[str, Any]:
    """Record the current version in the ledger (refuses invalid data and
    a version already recorded with other content)."""
    date = _release_date(date)  # a usage error first, before anything is read
    package = open_package(path)
    version = package.version
    if not isinstance(version, str):
        raise UnusableInput("the descriptor has no version", str(package.path))
    if is_development(version):
        raise UnusableInput(
            f"{version} is a development version: set the release version (e.g. "
            f"{version.partition('-')[0]}) in datapackage.json before `jakdata release`"
        )
    if not changelog_has(package.root, version):
        raise UnusableInput(f"CHANGELOG.md has no section '## [{version}]'", str(package.root))
    from jakdata.validate.checker import validate_package

    result = validate_package(package.path)  # the descriptor the user named, not necessarily datapackage.json
    if not result.valid:  # a release is immutable: never record invalid data
        first = result.findings[0]  # findings come sorted
        where = ":".join(str(x) for x in (first.path or first.table, first.row) if x is not None)
        raise DataError(
            f"the package is not valid ({len(result.findings)} errors, the first {where} [{first.check}]): "
            "run `jakdata validate` and fix them; nothing was recorded"
        )
    drafts = _drafts(package)
    if drafts:  # imported rows await a curator: a release would publish them unreviewed
        raise DataError(
            f"{len(drafts)} source(s) are drafts (review_status = draft), e.g. {drafts[0]}: review their rows "
            "and set review_status to reviewed before a release; nothing was recorded"
        )
    ledger = read_ledger(package.root)
    hashes = file_hashes(package)
    existing = ledger["releases"].get(version)
    if existing and existing["files"] != hashes:
        raise UnusableInput(f"version {version} is already released with other content; {HOW}")
    entry = {
        "date": date,
        "fingerprint": fingerprint_of(hashes),
        "files": hashes,
    }
    ledger["releases"][version] = existing or entry
    ledger["releases"] = dict(sorted(ledger["releases"].items(), key=lambda kv: _key(kv[0])))
    write_atomic(ledger_path(package.root), json.dumps(ledger, indent=2) + "\n", force=True)
    _update_citation_cff(package.root, version, ledger["releases"][version]["date"])
    return ledger["releases"][version]


def _drafts(package: Any) -> list[str]:
    """Source ids whose ``review_status`` is ``draft`` (none in a v1 package)."""
    from jakdata.table.read import read_table

    res = package.resources.get("sources")
    if res is None:
        return []
    raw = read_table(res)
    if "review_status" not in raw.columns or "source_id" not in raw.columns:
        return []
    f = raw.frame
    return list(f.loc[f["review_status"] == "draft", "source_id"])


def _release_date(date: str | None) -> str:
    """``date`` if it is a real calendar date YYYY-MM-DD, today if ``None``."""
    if date is None:
        return _dt.date.today().isoformat()
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", date) is None:
            raise ValueError
        _dt.date.fromisoformat(date)
    except ValueError:
        raise UnusableInput(f"--date {date!r} is not a date YYYY-MM-DD") from None
    return date


def _key(version: str) -> tuple[Any, ...]:
    """Semantic Versioning precedence: numeric identifiers compare as numbers
    and before alphanumeric ones; a pre-release sorts before its release;
    build metadata is ignored."""

    def ids(part: str) -> tuple[tuple[int, int, str], ...]:
        return tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in part.split("."))

    core, _, pre = version.split("+", 1)[0].partition("-")
    return (ids(core), (1,) if not pre else (0, ids(pre)))


def _update_citation_cff(root: Path, version: str, date: str) -> None:
    from jakdata.tools.citation import cite

    write_atomic(root / "CITATION.cff", cite(root, "cff"), force=True)
