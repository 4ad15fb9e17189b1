"""Content fingerprint: a short hash over the package's actual resource and
schema bytes, so a modified fork can never pass for a release."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jakdata.descriptor import Package, open_package, safe_relative


def file_hashes(package: Package) -> dict[str, str]:
    """``{relative path: "sha256:<hex>"}`` for the descriptor, every data
    file and every schema."""
    out = {"datapackage.json": "sha256:" + hashlib.sha256(package.path.read_bytes()).hexdigest()}
    for res in package.resources.values():
        out[res.relpath] = "sha256:" + hashlib.sha256(res.path.read_bytes()).hexdigest()
        schema_ref = res.descriptor.get("schema")
        if isinstance(schema_ref, str):
            p = safe_relative(package.root, schema_ref, "schema", res.name)
            out[schema_ref] = "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()
    return dict(sorted(out.items()))


def fingerprint_of(hashes: dict[str, str]) -> str:
    text = "".join(f"{k}\t{v}\n" for k, v in sorted(hashes.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def fingerprint(path: str | Path | None = None) -> str:
    return fingerprint_of(file_hashes(open_package(path)))
