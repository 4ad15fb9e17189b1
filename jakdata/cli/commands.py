"""The ``jakdata`` commands. Each parses its options and calls the library."""

from __future__ import annotations

import sys

import click

from jakdata.descriptor import bundled_version

FORMATS = ["text", "json", "github"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(bundled_version(), "--version", "-V", prog_name="jakdata", message="%(prog)s %(version)s")
def cli() -> None:
    """jakdata: evidence on JAK inhibitors in dermatology, as validated tables.

    Exit codes: 0 valid / success, 1 invalid data (or differences),
    2 unusable input or usage error.
    """


@cli.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format.")
@click.option("--max-errors", type=click.IntRange(min=0), default=None,
              help="Show at most N errors (the summary still counts all).")
def validate(path: str | None, fmt: str, max_errors: int | None) -> int:
    """Validate the package at PATH (a directory or its datapackage.json;
    default: the bundled dataset)."""
    from jakdata.report import render
    from jakdata.validate import run

    outcome = run(path, isolate_profile="frictionless" not in sys.modules)
    text = render(fmt, outcome, max_errors)
    if outcome.error is not None and fmt == "text":
        click.echo(text, err=True)
    else:
        click.echo(text)
    return outcome.exit_code


@cli.command()
@click.argument("path", required=False, type=click.Path())
def info(path: str | None) -> int:
    """Version and tables with row counts."""
    from jakdata.dataset import load

    ds = load(path)
    click.echo(f"{ds.name} {ds.version}")
    click.echo(f"package: {ds.path}")
    width = max(len(t) for t in ds.tables)
    for t in ds.tables:
        click.echo(f"  {t:<{width}}  {len(ds[t]):>6} rows")
    return 0


@cli.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--check", is_flag=True, help="Only report stale entries; exit 1 if any.")
def hashes(path: str | None, check: bool) -> int:
    """Refresh each resource's `hash` and `bytes` in datapackage.json
    (nothing else changes)."""
    from jakdata.integrity import refresh

    changed = refresh(path, write=not check)
    for name in changed:
        click.echo(f"{'stale' if check else 'updated'}: {name}")
    if not changed:
        click.echo("hashes are current")
    return 1 if (check and changed) else 0


@cli.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "apa", "bibtex", "cff"]), default="text",
              show_default=True)
def cite(path: str | None, fmt: str) -> int:
    """How to cite this data: version and content fingerprint."""
    from jakdata.citation import cite as _cite

    text = _cite(path, fmt)
    click.echo(text, nl=not text.endswith("\n"))
    return 0


@cli.command()
@click.argument("old", type=click.Path())
@click.argument("new", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff(old: str, new: str, fmt: str) -> int:
    """Rows added, removed and changed per table between two packages.
    Exit 0 when identical, 1 when different, 2 on unusable input."""
    import json

    from jakdata.diff import diff as _diff
    from jakdata.diff import render_text

    d = _diff(old, new)
    click.echo(json.dumps(d, indent=2, ensure_ascii=False) if fmt == "json" else render_text(d))
    return 0 if d["identical"] else 1


@cli.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--date", help="Release date (YYYY-MM-DD); default today.")
def release(path: str | None, date: str | None) -> int:
    """Record the current version in releases.json (after the CHANGELOG
    entry and `jakdata hashes`), and rewrite CITATION.cff."""
    from jakdata.release import record

    try:
        entry = record(path, date)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"recorded: fingerprint {entry['fingerprint']}, {len(entry['files'])} files")
    return 0


@cli.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--output", "-o", type=click.Path(), help="Write to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Replace an existing file that is not a generated dictionary.")
def docs(path: str | None, output: str | None, force: bool) -> int:
    """The data dictionary (Markdown), generated from the schemas. An
    existing output file is replaced only if `jakdata docs` generated it
    (or with --force)."""
    from pathlib import Path

    from jakdata.dictionary import GENERATED_MARK, render

    text = render(path)
    if output:
        target = Path(output)
        if target.exists() and not force:
            try:
                ours = GENERATED_MARK in target.read_text(encoding="utf-8")[:2000]
            except (OSError, UnicodeDecodeError):
                ours = False
            if not ours:
                raise click.UsageError(f"{output} exists and was not generated by `jakdata docs`; "
                                       "use --force to replace it")
        target.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    return 0


@cli.command()
@click.argument("name")
@click.option("--path", type=click.Path(), help="Another package (directory or datapackage.json).")
def find(name: str, path: str | None) -> int:
    """Find a drug, target, indication or measure by any name, code or
    synonym (乌帕替尼, упадацитиниб, jak1, a UniProt accession...)."""
    from jakdata.dataset import load
    from jakdata.lookup import find as _find

    hits = _find(name, load(path))
    if hits.empty:
        click.echo(f"no drug, target, indication or measure is called {name!r}", err=True)
        return 1
    for r in hits.itertuples(index=False):
        click.echo(f"{r.entity_type}\t{r.entity_id}\t{r.name}\t(matched {r.matched!r} in {r.matched_in})")
    return 0


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["sqlite", "parquet", "xlsx"]), required=True)
@click.option("--output", "-o", type=click.Path(), required=True,
              help="A file (sqlite, xlsx) or a directory (parquet: one file per table).")
@click.option("--force", is_flag=True, help="Replace an existing output.")
@click.option("--path", type=click.Path(), help="Another package (directory or datapackage.json).")
def export(fmt: str, output: str, force: bool, path: str | None) -> int:
    """Export every table to SQLite, Parquet or Excel."""
    from jakdata.dataset import load
    from jakdata.export import OutputExists
    from jakdata.export import export as _export

    try:
        out = _export(load(path), fmt, output, force)
    except OutputExists as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    click.echo(f"wrote {out}")
    return 0


@cli.command()
@click.argument("kind", type=click.Choice(["trajectories", "evidence-map"]))
@click.option("--output", "-o", type=click.Path(), required=True, help="PNG (or PDF, SVG) file to write.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option("--path", type=click.Path(), help="Another package (directory or datapackage.json).")
def plot(kind: str, output: str, force: bool, path: str | None) -> int:
    """Plot arms' values over time, or a drug x indication evidence map."""
    from pathlib import Path

    from jakdata.dataset import load
    from jakdata.plot import plot as _plot

    if Path(output).exists() and not force:
        click.echo(f"error: {output} exists; use --force to replace it", err=True)
        return 2
    try:
        out = _plot(kind, load(path), output)
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    click.echo(f"wrote {out}")
    return 0
