"""Resource checksums: compute and refresh ``hash`` and ``bytes``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from jakdata.descriptor import open_package


def digest(path: Path) -> tuple[str, int]:
    data = path.read_bytes()
    return "sha256:" + hashlib.sha256(data).hexdigest(), len(data)


def refresh(path: str | Path | None = None, write: bool = True) -> list[str]:
    """Update ``hash``/``bytes`` of every resource; return the names that
    changed. Only those two properties are touched; key order is kept."""
    package = open_package(path)
    desc = json.loads(package.path.read_text(encoding="utf-8"))
    changed = []
    for res in desc["resources"]:
        h, n = digest(package.resources[res["name"]].path)
        if res.get("hash") != h or res.get("bytes") != n:
            changed.append(res["name"])
            res["hash"], res["bytes"] = h, n
    if changed and write:
        package.path.write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed
