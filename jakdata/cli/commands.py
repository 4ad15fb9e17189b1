"""The ``jakdata`` commands. Each parses its options and calls the library.

PATH is positional everywhere (the old ``--path`` still works). With no
PATH, ``validate`` and the read-only commands use the package of the
current directory when it has a ``datapackage.json``, else the bundled
copy, and say which; ``hashes`` and ``release`` write, so they never fall
back to the bundled copy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from jakdata.errors import UnusableInput
from jakdata.package.descriptor import DESCRIPTOR, bundled_version, default_package, open_package

T = TypeVar("T")

#: Set by a command that has written nothing but its report (``validate``):
#: the console script may then end the process without the interpreter's
#: teardown (see :func:`jakdata.cli.entry`).
quick_exit_ok = False

REPORT_FORMATS = ("text", "json", "github")  # jakdata.report.FORMATS (a test keeps them equal)
CITE_FORMATS = ("text", "apa", "bibtex", "cff")  # jakdata.tools.citation.FORMATS
EXPORT_FORMATS = ("sqlite", "parquet", "xlsx")  # jakdata.tools.export.FORMATS


class PathType(click.Path):
    """``click.Path`` for which a NUL in the name is a usage error (the
    operating system cannot hold it; ``os.stat`` would raise ``ValueError``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail(f"{value!r} contains a NUL character, which no file name can hold", param, ctx)
        return super().convert(value, param, ctx)


def package_path(func: Callable[..., Any]) -> Callable[..., Any]:
    """A positional PATH and the old ``--path`` option, merged into ``path``."""
    import functools

    @functools.wraps(func)
    def merged(*args: Any, path: str | None = None, path_option: str | None = None, **kwargs: Any) -> Any:
        if path is not None and path_option is not None and path != path_option:
            raise click.UsageError("give the package once: as PATH or as --path, not both")
        return func(*args, path=path if path is not None else path_option, **kwargs)

    merged = click.option(
        "--path", "path_option", type=PathType(), default=None, help="The same as PATH (kept for older scripts)."
    )(merged)
    return click.argument("path", required=False, type=PathType())(merged)


def read_source(path: str | None) -> tuple[str | Path, str]:
    """The package a read-only command uses, and words saying which."""
    if path is not None:
        return path, ""
    return default_package()


def write_target(path: str | None) -> str:
    """The package a writing command changes: PATH, or the current directory's
    package, never the bundled copy."""
    if path is not None:
        return path
    if not (Path.cwd() / DESCRIPTOR).is_file():
        raise UnusableInput(
            f"no {DESCRIPTOR} in the current directory; give the package's PATH "
            "(this command writes, so it never uses the bundled copy)"
        )
    return "."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(bundled_version(), "--version", "-V", prog_name="jakdata", message="%(prog)s %(version)s")
def cli() -> None:
    """jakdata: evidence on JAK inhibitors in dermatology, as validated tables.

    Exit codes: 0 valid / success, 1 invalid data (or differences),
    2 unusable input, usage error, existing output or missing extra.
    """


@cli.command()
@package_path
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True, help="Report format."
)
@click.option(
    "--max-errors",
    type=click.IntRange(min=0),
    default=None,
    help="Show at most N errors (the summary still counts all).",
)
@click.option("--list-checks", is_flag=True, help="List every check (name, applies to, description) and exit.")
def validate(path: str | None, fmt: str, max_errors: int | None, list_checks: bool) -> int:
    """Validate the package at PATH (a directory or its datapackage.json;
    default: the current directory's package, else the bundled copy)."""
    from jakdata.report import render
    from jakdata.validate.checker import run

    if list_checks:
        return _list_checks(fmt)
    global quick_exit_ok
    target, source = read_source(path)
    outcome = _without_cycle_collection(run, target, isolate_profile="frictionless" not in sys.modules, source=source)
    text = render(fmt, outcome, max_errors)
    click.echo(text, err=outcome.error is not None and fmt == "text")
    quick_exit_ok = True  # wrote nothing but the report: see jakdata.cli.entry
    return outcome.exit_code


def _without_cycle_collection(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` with Python's cycle collector paused: a
    one-shot validation makes few reference cycles but millions of objects
    while it imports pandas and pandera and reads the tables, and each
    collection walks them all (0.15–0.2 s of CPU at 10^6 rows, on the thread
    that holds the GIL). Memory is not the cost: the peak is the same."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return func(*args, **kwargs)
    finally:
        if enabled:
            gc.enable()


def _list_checks(fmt: str) -> int:
    from jakdata.catalogue import CHECKS

    if fmt == "json":
        import json

        click.echo(json.dumps([c.__dict__ for c in CHECKS], indent=2))
    else:
        width = max(len(c.name) for c in CHECKS)
        for c in CHECKS:
            click.echo(f"{c.name:<{width}}  {c.applies_to:<7}  {c.description}")
    return 0


@cli.command()
@package_path
def info(path: str | None) -> int:
    """Version and tables with row counts."""
    from jakdata.dataset import load

    target, source = read_source(path)
    ds = load(target)
    click.echo(f"{ds.name} {ds.version}" + (f" — {source}" if source else ""))
    click.echo(f"package: {ds.path}")
    width = max(len(t) for t in ds.tables)
    for t in ds.tables:
        click.echo(f"  {t:<{width}}  {len(ds[t]):>6} rows")
    return 0


@cli.command()
@package_path
@click.option("--check", is_flag=True, help="Only report stale entries; exit 1 if any.")
def hashes(path: str | None, check: bool) -> int:
    """Refresh each resource's `hash` and `bytes` in datapackage.json
    (nothing else changes). PATH defaults to the current directory."""
    from jakdata.tools.hashes import refresh

    changed = refresh(write_target(path), write=not check)
    for name in changed:
        click.echo(f"{'stale' if check else 'updated'}: {name}")
    if not changed:
        click.echo("hashes are current")
    return 1 if (check and changed) else 0


@cli.command()
@package_path
@click.option("--format", "fmt", type=click.Choice(CITE_FORMATS), default="text", show_default=True)
def cite(path: str | None, fmt: str) -> int:
    """How to cite this data: version and content fingerprint."""
    from jakdata.tools.citation import cite as _cite

    text = _cite(read_source(path)[0], fmt)
    click.echo(text, nl=not text.endswith("\n"))
    return 0


@cli.command()
@click.argument("old", type=PathType())
@click.argument("new", type=PathType())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff(old: str, new: str, fmt: str) -> int:
    """Rows added, removed and changed per table between two packages.
    Exit 0 when identical, 1 when different, 2 on unusable input."""
    import json

    from jakdata.tools.diff import diff as _diff
    from jakdata.tools.diff import render_text

    d = _diff(old, new)
    click.echo(json.dumps(d, indent=2, ensure_ascii=False) if fmt == "json" else render_text(d))
    return 0 if d["identical"] else 1


@cli.command()
@package_path
@click.option("--date", help="Release date (YYYY-MM-DD); default today.")
def release(path: str | None, date: str | None) -> int:
    """Record the current version in releases.json (after the CHANGELOG
    entry and `jakdata hashes`), and rewrite CITATION.cff. PATH defaults to
    the current directory."""
    from jakdata.tools.release import record

    entry = record(write_target(path), date)
    click.echo(f"recorded: fingerprint {entry['fingerprint']}, {len(entry['files'])} files")
    return 0


def _generated(
    render: Callable[[str | Path], str], mark: str, path: str | None, output: str | None, force: bool
) -> int:
    """A generated Markdown document to standard output, or to ``output``
    (replacing only a file it generated, or with --force; never a file of
    the package)."""
    from jakdata.tools.docs import write

    source = read_source(path)[0]
    text = render(source)
    if output:
        write(text, output, force, mark=mark, protected=open_package(source).own_files())
    else:
        click.echo(text, nl=False)
    return 0


@cli.command()
@package_path
@click.option("--output", "-o", type=PathType(), help="Write to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Replace an existing file that is not a generated dictionary.")
def docs(path: str | None, output: str | None, force: bool) -> int:
    """The data dictionary (Markdown), generated from the schemas. An
    existing output file is replaced only if `jakdata docs` generated it
    (or with --force)."""
    from jakdata.tools.docs import GENERATED_MARK, render

    return _generated(render, GENERATED_MARK, path, output, force)


@cli.command()
@package_path
@click.option("--output", "-o", type=PathType(), help="Write to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Replace an existing file that coverage did not generate.")
def coverage(path: str | None, output: str | None, force: bool) -> int:
    """The trial coverage table (Markdown): per trial, which of design, arms,
    primary result and safety the data holds, and from what kind of record."""
    from jakdata.tools.coverage import GENERATED_MARK, render

    return _generated(render, GENERATED_MARK, path, output, force)


@cli.command()
@package_path
@click.option("--port", type=int, default=8001, show_default=True, help="Port on 127.0.0.1.")
def browse(path: str | None, port: int) -> int:
    """Serve the package as a website (Datasette) on 127.0.0.1: search in any
    language, facets, canned queries. Ctrl-C stops it. Needs the extra:
    pip install "jakdata[browse]"."""
    from jakdata.dataset import load
    from jakdata.tools.browse import require_datasette, serve

    require_datasette()  # before building anything
    return serve(load(read_source(path)[0]), port, echo=click.echo)


@cli.command()
@click.argument("name")
@package_path
def find(name: str, path: str | None) -> int:
    """Find a drug, target, indication or measure by any name, code or
    synonym (乌帕替尼, упадацитиниб, jak1, a UniProt accession...)."""
    from jakdata.dataset import load
    from jakdata.lookup import find as _find
    from jakdata.report.common import safe

    hits = _find(name, load(read_source(path)[0]))
    if hits.empty:
        click.echo(f"no drug, target, indication, measure or trial is called {safe(name)!r}", err=True)
        return 1
    for r in hits.itertuples(index=False):
        click.echo(
            safe(f"{r.entity_type}\t{r.entity_id}\t{r.name}\t(matched {r.matched!r} in {r.matched_in})").replace(
                "\\t", "\t"
            )
        )
    return 0


@cli.command()
@package_path
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option(
    "--output",
    "-o",
    type=PathType(),
    required=True,
    help="A file (sqlite, xlsx) or a directory (parquet: one file per table).",
)
@click.option(
    "--force", is_flag=True, help="Replace an existing output file (or a directory an earlier parquet export made)."
)
def export(path: str | None, fmt: str, output: str, force: bool) -> int:
    """Export every table to SQLite, Parquet or Excel (invalid data is refused)."""
    from jakdata.dataset import load_valid
    from jakdata.tools.export import export as _export

    out = _export(load_valid(read_source(path)[0])[0], fmt, output, force, validated=True)
    click.echo(f"wrote {out}")
    return 0


#: the file types matplotlib writes without extra packages (by extension)
PLOT_FORMATS = ("png", "pdf", "svg", "svgz", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp")


@cli.command()
@click.argument("kind", type=click.Choice(["trajectories", "evidence-map", "forest"]))
@package_path
@click.option("--output", "-o", type=PathType(), required=True, help="PNG (or PDF, SVG) file to write.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option("--measure", help="forest: the measure (e.g. pasi-75, easi-75).")
@click.option("--timepoint-days", type=click.IntRange(min=0), help="forest: the timepoint in days (e.g. 112).")
@click.option(
    "--effect",
    type=click.Choice(["rr", "rd"]),
    default="rr",
    show_default=True,
    help="forest: risk ratio or risk difference.",
)
@click.option("--include-news", is_flag=True, help="forest: also use results only a news report gives.")
def plot(
    kind: str,
    path: str | None,
    output: str,
    force: bool,
    measure: str | None,
    timepoint_days: int | None,
    effect: str,
    include_news: bool,
) -> int:
    """Plot arms' values over time, a drug x indication evidence map, or a
    forest plot of a measure's trial comparisons with pooled estimates."""
    from jakdata.dataset import load
    from jakdata.package.files import check_target
    from jakdata.tools.plot import plot as _plot

    source = read_source(path)[0]
    check_target(Path(output), force, open_package(source).own_files())  # before loading anything
    fmt = Path(output).suffix[1:].lower() or "png"
    if fmt not in PLOT_FORMATS:
        raise UnusableInput(f"a plot cannot be written as .{fmt}: name the file .png, .pdf or .svg", output)
    options: dict[str, Any] = {}
    if kind == "forest":
        options = {"measure": measure, "timepoint_days": timepoint_days, "effect": effect, "include_news": include_news}
    out = _plot(kind, load(source), output, force, **options)
    click.echo(f"wrote {out}")
    return 0


@cli.group("import")
def import_group() -> None:
    """Add records from outside into a fork of the package, as drafts."""


@import_group.command("ctgov")
@click.argument("records", nargs=-1, required=True, type=PathType())
@click.option(
    "--into",
    "into",
    required=True,
    type=PathType(),
    help="The package to add to (a fork: its directory or datapackage.json; never the bundled copy).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be added, mapped and skipped; write nothing.")
@click.option(
    "--skip-unusable",
    is_flag=True,
    help="Import the rest of a batch when a record is unusable (no results, malformed, another disease); "
    "list what was skipped and why.",
)
@click.option("--any-condition", is_flag=True, help="Also import records that name no dermatologic condition.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="The report: text to read, or JSON for scripts (every measurement and analysis, where it went).",
)
@click.option(
    "--fetch",
    is_flag=True,
    help="RECORDS are NCT numbers: download each from the ClinicalTrials.gov API v2.",
)
@click.option(
    "--api-url",
    default=None,
    metavar="URL",
    help="With --fetch: the API's studies endpoint (default: $JAKDATA_CTGOV_API, else "
    "https://clinicaltrials.gov/api/v2/studies/).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="With --fetch: seconds per request.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=1, max=10),
    default=3,
    show_default=True,
    help="With --fetch: attempts in all for a failed connection or a server error.",
)
def import_ctgov(
    records: tuple[str, ...],
    into: str,
    dry_run: bool,
    skip_unusable: bool,
    any_condition: bool,
    fmt: str,
    fetch: bool,
    api_url: str | None,
    timeout: float,
    retries: int,
) -> int:
    """Add ClinicalTrials.gov API v2 study records (RECORD.json, as
    https://clinicaltrials.gov/api/v2/studies/NCT... returns them; or NCT
    numbers with --fetch) to the package at --into: a draft registry
    source, the study, arms, outcomes, comparisons and adverse events, each
    row with the JSON path it came from. Nothing existing is changed; a
    record already imported adds nothing. Exit 0 on success, 1 when a record
    is another version of one already imported (the changes are listed,
    nothing of it is added), 2 when a record or the package is unusable
    (nothing is written; with --skip-unusable such a record is skipped)."""
    from jakdata.tools.ctgov import import_records, render, render_json
    from jakdata.tools.ctgov.fetch import FetchOptions

    options = FetchOptions(api_url or "", timeout, retries) if fetch else None
    if api_url is not None and not fetch:
        raise click.UsageError("--api-url goes with --fetch")
    report = import_records(
        records,
        write_target(into),
        dry_run=dry_run,
        skip_unusable=skip_unusable,
        any_condition=any_condition,
        fetch=options,
    )
    click.echo(render_json(report) if fmt == "json" else render(report))
    return report.exit_code
