"""`jakdata hashes`: refresh each resource's ``hash`` and ``bytes`` in the
descriptor (nothing else changes; the file is rewritten atomically)."""

from __future__ import annotations

import json
from pathlib import Path

from jakdata.package.descriptor import open_package
from jakdata.package.files import read_json, write_atomic
from jakdata.package.hashing import file_digest


def refresh(path: str | Path | None = None, write: bool = True) -> list[str]:
    """Update ``hash``/``bytes`` of every resource; return the names that
    changed. Only those two properties are touched; key order is kept."""
    package = open_package(path)
    desc = read_json(package.path)
    changed = []
    for res in desc["resources"]:
        h, n = file_digest(package.resources[res["name"]].path, package.resources[res["name"]].relpath)
        if res.get("hash") != h or res.get("bytes") != n:
            changed.append(res["name"])
            res["hash"], res["bytes"] = h, n
    if changed and write:
        write_atomic(package.path, json.dumps(desc, indent=2, ensure_ascii=False) + "\n", force=True)
    return changed
