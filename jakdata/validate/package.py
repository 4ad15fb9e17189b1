"""Package-level checks: the descriptor against the Data Package profile
(frictionless, the reference implementation), the package metadata this
project requires, and each resource's declared ``hash`` and ``bytes``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from jakdata.findings import Finding, shorten

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.package.descriptor import Package
    from jakdata.table.read import RawTable

REQUIRED_PROPERTIES = ("name", "id", "title", "description", "version", "created", "licenses", "sources")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$")


def _pkg(check: str, message: str, value: Any = None, table: str | None = None, path: str | None = None) -> Finding:
    return Finding.of(check, table=table, value=value, path=path or "datapackage.json", detail=message)


def profile_findings(package: Package, in_child: bool = False, background: bool = False) -> list[Finding]:
    """The descriptor against the Data Package profile, offline: a profile
    that is not standard is one finding and is never fetched or read (see
    :mod:`jakdata.validate.profile`). ``background``: the child process runs
    at a lower priority (see :func:`jakdata.validate.profile.in_child`)."""
    from jakdata.validate import profile

    descriptor, refused = profile.offline(package)
    out = [_pkg("descriptor", note) for note in refused]
    try:
        if in_child:
            notes = profile.in_child(descriptor, str(package.root), background)
        else:
            notes = profile.messages(descriptor, str(package.root))
    except RecursionError:
        notes = [DEEP]
    notes = [DEEP if "maximum recursion depth" in note else shorten(note, 300) for note in notes]
    return out + [_pkg("descriptor", f"Data Package profile: {note}") for note in notes]


DEEP = "the descriptor is nested too deeply to be checked"


def check(package: Package, in_child: bool = False, background: bool = False) -> list[Finding]:
    out = profile_findings(package, in_child, background)
    d = package.descriptor
    for prop in REQUIRED_PROPERTIES:
        if prop not in d or d[prop] in ("", [], None):
            out.append(_pkg("descriptor", f"the descriptor lacks {prop!r}"))
    version = d.get("version")
    if isinstance(version, str) and not SEMVER.match(version):
        out.append(_pkg("descriptor", "version is not semantic (MAJOR.MINOR.PATCH)", version))
    return out


def refresh_hint(package: Package) -> str:
    """How to refresh the declared hashes of this package."""
    import os

    try:
        where = os.path.relpath(package.root)
    except ValueError:  # another drive (Windows)
        where = str(package.root)
    return f"file changed? run `jakdata hashes {where}` to refresh"


def integrity(package: Package, raws: dict[str, RawTable]) -> list[Finding]:
    """Declared ``bytes`` and ``hash`` (``<algorithm>:<hex>``) match each
    file as it was read (see :meth:`RawTable.digest`)."""
    from jakdata.package.hashing import declared_hash

    out = []
    for name, res in package.resources.items():
        raw = raws[name]
        size = raw.nbytes
        declared_bytes = res.descriptor.get("bytes")
        if declared_bytes is None:
            out.append(_pkg("bytes", "resource declares no 'bytes'", table=name, path=res.relpath))
        elif declared_bytes != size:
            out.append(
                _pkg(
                    "bytes",
                    f"declared {declared_bytes} bytes, the file has {size} ({refresh_hint(package)})",
                    size,
                    name,
                    res.relpath,
                )
            )
        declared = res.descriptor.get("hash")
        if declared is None:
            out.append(_pkg("hash", "resource declares no 'hash'", table=name, path=res.relpath))
            continue
        algo, hexdigest = declared_hash(res.descriptor) or ("md5", "")
        try:
            actual = raw.digest(algo)
        except (ValueError, TypeError):
            out.append(_pkg("hash", f"unknown hash algorithm {algo!r}", declared, name, res.relpath))
            continue
        if actual != hexdigest:
            out.append(
                _pkg(
                    "hash",
                    f"content does not match the declared hash ({refresh_hint(package)})",
                    f"{algo}:{actual}",
                    name,
                    res.relpath,
                )
            )
    return out
