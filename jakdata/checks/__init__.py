"""Validation: descriptor -> read -> checks -> findings.

:func:`validate_package` runs every check on a package and returns a
:class:`Result`; it raises :class:`jakdata.errors.UnusableInput` only for
input that cannot be validated at all.
"""

from __future__ import annotations

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


def validate_package(path: str | Path | None = None) -> Result:
    from jakdata.checks import descriptor as descriptor_checks
    from jakdata.checks import fields, rules, structure, text
    from jakdata.checks.context import Context
    from jakdata.descriptor import open_package
    from jakdata.read import read_table

    package = open_package(path)
    result = Result(package.name, package.version, str(package.path))
    result.findings += descriptor_checks.check(package)
    raws = {name: read_table(res) for name, res in package.resources.items()}
    ctx = Context(package, raws)
    for raw in raws.values():
        result.warnings += raw.warnings
        result.findings += raw.findings
        result.rows[raw.name] = len(raw.frame)
    result.findings += descriptor_checks.integrity(package, raws)
    result.findings += structure.check(ctx)
    result.findings += text.check(ctx)
    result.findings += fields.check(ctx)
    result.findings += rules.check(ctx)
    result.findings.sort(key=Finding.sort_key)
    return result
