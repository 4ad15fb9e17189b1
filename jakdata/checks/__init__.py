"""Validation: descriptor -> read -> checks -> findings.

:func:`validate_package` runs every check on a package and returns a
:class:`Result`; it raises :class:`jakdata.errors.UnusableInput` only for
input that cannot be validated at all.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from jakdata.errors import Finding


@dataclass
class Result:
    package: str | None
    version: str | None
    path: str
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.findings


def validate_package(path: str | Path | None = None, *, isolate_profile: bool = False) -> Result:
    """Validate the package at ``path`` (default: the bundled one).

    ``isolate_profile`` runs the Data Package profile check (frictionless)
    in a child process, on another core: worth it in a fresh process, where
    importing frictionless would otherwise be most of a small run's time."""
    from jakdata.checks import descriptor as descriptor_checks
    from jakdata.checks import fields, rules, structure, text
    from jakdata.checks.context import Context
    from jakdata.descriptor import open_package
    from jakdata.read import close_map, read_table

    package = open_package(path)
    result = Result(package.name, package.version, str(package.path))
    # Two workers: pyarrow, hashlib and file reads release the GIL, so the
    # descriptor check and the hashing overlap the reading, and the text and
    # rule checks overlap the field checks. Findings are sorted at the end.
    with ThreadPoolExecutor(max_workers=2) as pool:
        descriptor = pool.submit(descriptor_checks.check, package, isolate_profile)
        warm = pool.submit(fields.import_pandera, isolate_profile)  # while the CSVs are parsed
        raws, digests = {}, {}
        for name, res in package.resources.items():
            raws[name] = read_table(res, map_large=True)  # see read.read_bytes for why only here
            digests[name] = pool.submit(descriptor_checks.sha256, raws[name].data)  # while the next is read
        integrity = pool.submit(descriptor_checks.integrity, package, raws, digests)
        ctx = Context(package, raws)
        ctx.id_columns  # computed once, before the worker reads it
        hygiene = pool.submit(text.check, ctx)
        cross = pool.submit(rules.check, ctx)
        for raw in raws.values():
            result.warnings += raw.warnings
            result.findings += raw.findings
            result.rows[raw.name] = len(raw)
        result.findings += structure.check(ctx)
        warm.result()
        result.findings += fields.check(ctx)
        for future in (descriptor, integrity, hygiene, cross):
            result.findings += future.result()
    for raw in raws.values():
        close_map(raw.data)  # memory maps hold a file descriptor each
    result.findings.sort(key=Finding.sort_key)
    return result
