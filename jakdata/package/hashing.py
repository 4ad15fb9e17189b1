"""Hashing in one place: SHA-256 of a file's bytes, the per-file hashes of
a package, and its content fingerprint (a short hash over the actual
resource and schema bytes, so a modified fork can never pass for a
release)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jakdata.package.descriptor import Package, open_package
from jakdata.package.files import read_bytes, safe_relative


def declared_hash(descriptor: dict) -> tuple[str, str] | None:
    """The algorithm and hex digest a resource declares in ``hash``
    (``<algorithm>:<hex>``; a bare hex digest is MD5, as the Data Package
    spec has it), or ``None``."""
    declared = descriptor.get("hash")
    if not isinstance(declared, str):
        return None
    algo, _, hexdigest = declared.partition(":") if ":" in declared else ("md5", "", declared)
    return algo, hexdigest


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path, shown: str | None = None) -> tuple[str, int]:
    """``("sha256:<hex>", size in bytes)`` of a regular file."""
    data = read_bytes(path, shown)
    return "sha256:" + sha256(data), len(data)


def file_hashes(package: Package) -> dict[str, str]:
    """``{relative path: "sha256:<hex>"}`` for the descriptor, every data
    file and every schema."""
    out = {"datapackage.json": file_digest(package.path)[0]}
    for res in package.resources.values():
        out[res.relpath] = file_digest(res.path, res.relpath)[0]
        schema_ref = res.descriptor.get("schema")
        if isinstance(schema_ref, str):
            p = safe_relative(package.root, schema_ref, "schema", res.name)
            out[schema_ref] = file_digest(p, schema_ref)[0]
    return dict(sorted(out.items()))


def fingerprint_of(hashes: dict[str, str]) -> str:
    text = "".join(f"{k}\t{v}\n" for k, v in sorted(hashes.items()))
    return sha256(text.encode("utf-8"))[:12]


def fingerprint(path: str | Path | None = None) -> str:
    return fingerprint_of(file_hashes(open_package(path)))
