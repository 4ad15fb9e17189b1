"""Command line: parses arguments and hands over; the work is elsewhere.

One handler turns every :class:`jakdata.errors.JakdataError` into one line
on standard error and its exit code."""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from typing import NoReturn

# imported only when a command needs them; a missing one is an installation
# problem, reported in one line (the optional extras have their own messages)
REQUIRED = {"pandas", "pyarrow", "numpy", "pandera", "frictionless"}


def main(argv: list[str] | None = None) -> int:
    import click

    from jakdata.cli import commands
    from jakdata.cli.commands import cli
    from jakdata.errors import EXIT_UNUSABLE, JakdataError
    from jakdata.report.common import safe

    commands.quick_exit_ok = False  # set again only by the command run now
    try:
        rv = cli.main(args=argv, prog_name="jakdata", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_UNUSABLE if exc.exit_code == 1 else int(exc.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        return 130
    except JakdataError as exc:
        click.echo(f"error: {safe(str(exc))}", err=True)
        return exc.exit_code
    except ModuleNotFoundError as exc:
        top = (exc.name or "").partition(".")[0]
        if top not in REQUIRED:
            raise
        click.echo(
            f"error: {top} is not installed, and jakdata needs it: install jakdata with pip "
            f"(`python -m pip install jakdata`, or `python -m pip install .` in a clone)",
            err=True,
        )
        return EXIT_UNUSABLE
    except BrokenPipeError:  # pragma: no cover - e.g. `| head`
        sys.stderr.close()
        return 0
    return rv if isinstance(rv, int) else 0


def entry() -> NoReturn:
    """The ``jakdata`` console script and ``python -m jakdata``: :func:`main`,
    then exit with its code.

    After a command that leaves nothing behind but its report (see
    :data:`jakdata.cli.commands.quick_exit_ok`), the report is flushed and the
    process ends without the interpreter's teardown: freeing the arrays of a
    large validation one by one took 0.17–0.25 s at 10^6 rows (see
    bench/README.md). Every other command exits as usual, running its
    clean-up handlers; so does every command run under a tracer or profiler
    (coverage, cProfile, a debugger), which writes its results at exit.
    The process runs with small memory pages (see :func:`_small_pages`)."""
    _small_pages()
    code = main()
    from jakdata.cli import commands  # imported by main

    watched = sys.gettrace() is not None or sys.getprofile() is not None
    if commands.quick_exit_ok and not watched:
        for stream in (sys.stdout, sys.stderr):
            with suppress(Exception):  # e.g. a closed pipe: the code still stands
                stream.flush()
        os._exit(code)
    sys.exit(code)


def _small_pages() -> None:
    """Transparent huge pages off for this process and its children (Linux;
    nothing elsewhere, or where the system refuses): a setting of the
    process, so only the console script makes it. A validation touches
    about 1.2 GB of fresh memory at 10^6 rows once. On a virtual machine,
    huge pages of memory the host had taken back cost far more to fault in
    than small ones: right after another large process, system time went
    from 1.1–1.3 s with small pages to 2.8–3.1 s with huge ones (see
    bench/README.md)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_thp_disable = 41
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_thp_disable, 1, 0, 0, 0)
