"""The release ledger, ``releases.json`` beside ``datapackage.json``: each
released version's date, fingerprint and per-file hashes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jakdata.errors import UnusableInput
from jakdata.package.files import read_json

LEDGER = "releases.json"


def ledger_path(root: Path) -> Path:
    return root / LEDGER


def read_ledger(root: Path) -> dict[str, Any]:
    """The ledger (``{"releases": {}}`` when there is none); one line and
    exit 2 when it is malformed."""
    p = ledger_path(root)
    if not p.exists():
        return {"releases": {}}
    ledger = read_json(p)
    releases = ledger.get("releases") if isinstance(ledger, dict) else None
    if not isinstance(releases, dict) or not all(
        isinstance(e, dict)
        and isinstance(e.get("files"), dict)
        and isinstance(e.get("fingerprint"), str)
        and isinstance(e.get("date"), str)
        for e in releases.values()
    ):
        raise UnusableInput('not a release ledger: {"releases": {VERSION: {"date", "fingerprint", "files"}}}', str(p))
    return ledger


def is_development(version: str) -> bool:
    """``1.2.0-dev.3``: a development version, never recorded as a release
    (the ledger accepts it while it is ahead of every release)."""
    return re.fullmatch(r"\d+\.\d+\.\d+-dev(\.\d+)?", version) is not None
