"""The checker: descriptor -> read -> checks -> findings, and the exit code.

:func:`validate_package` runs every check on a package and returns a
:class:`Result`; it raises :class:`jakdata.errors.UnusableInput` only for
input that cannot be validated at all. :func:`run` wraps it for the command
line: an :class:`Outcome` with its exit code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from jakdata.errors import EXIT_INVALID, EXIT_VALID, JakdataError, UnusableInput
from jakdata.findings import Collector, Finding
from jakdata.validate import domain, keys
from jakdata.validate.rules import Rule, collect

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.package.descriptor import Package, Resource
    from jakdata.table.read import RawTable
    from jakdata.validate.context import Context

T = TypeVar("T")

#: Every rule, registered here and nowhere else: the schema-driven rules,
#: then jakdata's own.
RULES: dict[str, Rule] = collect(keys, domain)


def run_rules(ctx: Context, names: Iterable[str] | None = None) -> list[Finding]:
    """Findings of every rule (or of ``names`` only)."""
    out: list[Finding] = []
    for name in RULES if names is None else names:
        out += RULES[name](ctx)
    return out


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


@dataclass
class Outcome:
    """A validation's result, or the error that made the input unusable."""

    result: Result | None = None
    error: JakdataError | None = None
    source: str = ""  # which package was validated, and why that one (for the first line)

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return self.error.exit_code
        assert self.result is not None
        return EXIT_VALID if self.result.valid else EXIT_INVALID


def validate_package(path: str | Path | None = None, *, isolate_profile: bool = False) -> Result:
    """Validate the package at ``path`` (default: the bundled one).

    ``isolate_profile`` runs the Data Package profile check (frictionless)
    in a child process, on another core: worth it in a fresh process, where
    importing frictionless would otherwise be most of a small run's time."""
    from jakdata.package.descriptor import open_package

    return validate_tables(open_package(path), isolate_profile=isolate_profile)[0]


def validate_tables(
    package: Package, raws: dict[str, RawTable] | None = None, *, isolate_profile: bool = False
) -> tuple[Result, Context]:
    """Validate a package already in memory: its descriptor and the tables
    as read (``raws``; read here when not given). Returns the result and the
    context, whose typed tables a caller may reuse (no second read or
    conversion: see :func:`jakdata.dataset.load_valid`)."""
    from jakdata.validate import fields, structure, text
    from jakdata.validate import package as package_checks
    from jakdata.validate.context import Context

    result = Result(package.name, package.version, str(package.path))
    collector = Collector(lazy=True)
    # The descriptor check waits on a worker thread of its own (on
    # frictionless, in a child process when ``isolate_profile``). For a large
    # package, two more workers overlap the rest: pyarrow, hashlib and file
    # reads release the GIL, so the hashing overlaps the reading and the text
    # and rule checks overlap the field checks (the descriptor's thread only
    # waits: with the child at a lower priority it waits long, and sharing a
    # worker with the checks left them one worker for half their time). For a
    # small package the checks run one after another on this thread: each is
    # short, and a thread holding the GIL would make every short pyarrow call
    # here wait for its turn (see :data:`PARALLEL_BYTES`). Findings are sorted
    # at the end either way.
    parallel = _csv_bytes(package, raws) >= PARALLEL_BYTES
    with ThreadPoolExecutor(max_workers=3) as workers:
        pool: ThreadPoolExecutor | _Inline = workers if parallel else _Inline()
        descriptor = workers.submit(package_checks.check, package, isolate_profile, parallel)
        warm = pool.submit(fields.import_pandera, isolate_profile)  # while the CSVs are parsed
        # A large file is hashed as it is parsed (see read_table); the others
        # by the integrity check, on a worker.
        # The largest file first: its parse releases the GIL while pandera
        # is imported; the small ones are read while it is hashed.
        tables = _read_largest_first(package) if raws is None else raws
        integrity = pool.submit(package_checks.integrity, package, tables)
        ctx = Context(package, tables, collector)
        ctx.id_columns  # noqa: B018  (computed once, before the worker reads it)
        # One task per rule: the two check workers share them out as they come free.
        checks = [pool.submit(text.check, ctx)] + [pool.submit(check, ctx) for check in RULES.values()]
        for raw in tables.values():
            result.warnings += raw.warnings
            collector.extend(raw.findings)
            result.rows[raw.name] = len(raw)
        collector.extend(structure.check(ctx))
        warm.result()
        collector.extend(fields.check(ctx))
        for future in (descriptor, integrity, *checks):
            collector.extend(future.result())
    result.findings = sorted(collector.findings, key=Finding.sort_key)
    return result, ctx


def _read_largest_first(package: Package) -> dict[str, RawTable]:
    """Every table, read largest file first; in the package's order. A file
    that cannot be read raises, the first in the package's order."""
    from jakdata.table.read import read_table

    read: dict[str, RawTable | UnusableInput] = {}
    for name in sorted(package.resources, key=lambda name: -_file_bytes(package.resources[name])):
        try:
            read[name] = read_table(package.resources[name])
        except UnusableInput as exc:
            read[name] = exc
    tables = {}
    for name in package.resources:
        got = read[name]
        if isinstance(got, UnusableInput):
            raise got
        tables[name] = got
    return tables


#: CSV bytes from which the checks run on two worker threads besides this
#: one. Below it they run on this thread alone: the cold validation of the
#: bundled package (17 tables, 0.6 MiB) spent a second thread's worth of
#: time waiting for the GIL between short pyarrow calls (a pyarrow call
#: releases the GIL; taking it back waits for the other thread's switch
#: interval).
PARALLEL_BYTES = 8 * 2**20


class _Inline:
    """An executor that runs each task at once, on the calling thread."""

    def submit(self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # raised again by .result(), as from a thread
            future.set_exception(exc)
        return future


def _csv_bytes(package: Package, raws: dict[str, RawTable] | None) -> int:
    """The size of the package's files."""
    if raws is not None:
        return sum(raw.nbytes for raw in raws.values())
    return sum(_file_bytes(res) for res in package.resources.values())


def _file_bytes(resource: Resource) -> int:
    """The size of a resource's file (0 for one that cannot be seen: the
    reader reports it)."""
    with suppress(OSError, TypeError, ValueError):
        return os.stat(resource.path).st_size
    return 0


def load_checks(package: Package, raw: RawTable) -> None:
    """What the loader checks before it converts a table, with a strict
    collector: the first finding of the reader, the header, a type or an
    enum raises :class:`~jakdata.errors.DataError` carrying it."""
    from jakdata.validate import fields, structure
    from jakdata.validate.context import Context

    ctx = Context(package, {raw.name: raw}, Collector(lazy=False))
    ctx.collector.extend(raw.findings)
    ctx.collector.extend(structure.check(ctx))
    ctx.collector.extend(fields.check(ctx, only={"enum"}))


def run(path: str | Path | None = None, *, isolate_profile: bool = False, source: str = "") -> Outcome:
    """Validate and keep the outcome (a :class:`Result` or the error)."""
    try:
        return Outcome(result=validate_package(path, isolate_profile=isolate_profile), source=source)
    except UnusableInput as exc:
        return Outcome(error=exc, source=source)
