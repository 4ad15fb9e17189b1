"""`jakdata browse`: the package as a website people can search and filter,
served by Datasette on 127.0.0.1 only.

The SQLite export (with its search tables and Datasette metadata) is built
in a temporary directory, served until Ctrl-C, then removed. The site's
pages — a home page with one search box and the questions, pages for a drug,
an indication and a trial, answers that say when a name is unknown — are
Datasette templates and a plugin shipped in ``jakdata/tools/website``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from jakdata.errors import MissingExtra, UnusableInput

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset

HOST = "127.0.0.1"  # never another interface
WEBSITE = Path(__file__).with_name("website")
TEMPLATES = WEBSITE / "templates"  # datasette --template-dir
PLUGINS = WEBSITE / "plugins"  # datasette --plugins-dir (the SQL function jakdata_key, the pages' data)


def require_datasette() -> None:
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise MissingExtra("browsing (Datasette)", "browse") from None


def build(ds: Dataset, where: Path) -> tuple[Path, Path]:
    """The SQLite export and its metadata, in ``where``."""
    from jakdata.tools.export import export, metadata_path

    db = export(ds, "sqlite", where / "jakdata.sqlite")
    return db, metadata_path(db)


def command(db: Path, meta: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db),
        "--metadata",
        str(meta),
        "--template-dir",
        str(TEMPLATES),
        "--plugins-dir",
        str(PLUGINS),
        "--host",
        HOST,
        "--port",
        str(port),
        "--setting",
        "default_page_size",
        "50",
        "--setting",
        "facet_time_limit_ms",
        "400",
        "--setting",
        "default_facet_size",
        "10",
    ]


def _port_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def serve(ds: Dataset, port: int = 8001, echo: Callable[[str], object] = print) -> int:
    """Build, serve until interrupted (Ctrl-C, or SIGTERM from a service
    manager or ``timeout``), clean up: the server is stopped and the
    temporary files removed either way."""
    import signal

    require_datasette()
    if not 0 < port < 65536:
        raise UnusableInput(f"--port {port} is not a port number")
    if not _port_free(port):
        raise UnusableInput(f"port {port} on {HOST} is in use: choose another with --port")
    tmp = Path(tempfile.mkdtemp(prefix="jakdata-browse-"))
    proc = None

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        db, meta = build(ds, tmp)
        json.loads(meta.read_text(encoding="utf-8"))
        proc = subprocess.Popen(command(db, meta, port))
        echo(f"serving jakdata {ds.version} at http://{HOST}:{port}/ (Ctrl-C stops it)")
        code = proc.wait()
        if code != 0:
            raise UnusableInput(f"the Datasette server stopped with exit code {code} (see its messages above)")
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
