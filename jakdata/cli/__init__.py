"""Command line: parses arguments and hands over; the work is elsewhere."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    import click

    from jakdata.cli.commands import cli
    from jakdata.errors import EXIT_INVALID, EXIT_UNUSABLE, DataError, UnusableInput

    try:
        rv = cli.main(args=argv, prog_name="jakdata", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return 1
    except UnusableInput as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_UNUSABLE
    except DataError as exc:  # a command that loads the data met a value that does not fit its schema
        click.echo(f"error: {exc}", err=True)
        return EXIT_INVALID
    except BrokenPipeError:  # pragma: no cover - e.g. `| head`
        sys.stderr.close()
        return 0
    return rv if isinstance(rv, int) else 0
