"""Safe file I/O: every read and write jakdata does on a user's files.

- Reads refuse what is not a regular file (a FIFO or device would hang or
  grow memory without bound) and paths a descriptor declares that leave the
  package or name a URL (never read, never fetched).
- Writes are atomic: a temporary file in the target's directory, renamed
  into place, so a reader never sees half a file and an interrupted write
  leaves the old file as it was. They never follow a symlink and never
  replace a directory.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from jakdata.errors import OutputExists, UnusableInput

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _refuse_special(path: Path, what: str) -> int:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UnusableInput("file not found", str(path)) from None
    except ValueError:  # e.g. an embedded NUL
        raise UnusableInput("is not a usable file name", repr(str(path))) from None
    except OSError as exc:
        raise UnusableInput(f"cannot be read ({exc.strerror})", str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise UnusableInput(f"is a directory, not a {what}", str(path))
    if not stat.S_ISREG(st.st_mode):
        raise UnusableInput(f"is not a regular file (a pipe, socket or device?), not a {what}", str(path))
    return st.st_size


def regular_size(path: Path | str, shown: str | None = None, what: str = "CSV file") -> int:
    """The size of a regular file; :class:`UnusableInput` naming ``shown``
    (default: the path), as :func:`read_bytes` gives it, otherwise."""
    try:
        return _refuse_special(Path(path), what)
    except UnusableInput as exc:
        raise UnusableInput(exc.args[0], shown or str(path)) from None


def read_bytes(
    path: Path | str,
    shown: str | None = None,
    what: str = "CSV file",
    max_bytes: int | None = None,
    setting: str = "",
) -> bytes:
    """The bytes of a regular file; :class:`UnusableInput` naming ``shown``
    (default: the path) otherwise. With ``max_bytes``, a larger file is
    refused (``setting`` names the environment variable that raises it)
    and never more than ``max_bytes + 1`` bytes are read, even from a file
    that grows meanwhile."""
    shown = shown or str(path)
    regular_size(path, shown, what)

    def too_big(size: int) -> UnusableInput:
        return UnusableInput(f"{size:,} bytes, more than the limit of {max_bytes:,} (set {setting} to raise it)", shown)

    try:
        with open(path, "rb") as fh:
            if max_bytes is None:
                return fh.read()
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise too_big(size)
            # read(n) allocates n bytes up front: ask for the size, never for the limit
            chunks = [fh.read(size + 1)]
            total = len(chunks[0])
            while total > size:  # the file grew while it was read: the rest, in bounded steps
                more = fh.read(1 << 20)
                if not more:
                    break
                chunks.append(more)
                total += len(more)
                if total > max_bytes:
                    raise too_big(total)
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as exc:
        raise UnusableInput(f"cannot be read ({exc.strerror})", shown) from None


def read_json(path: Path) -> Any:
    """A JSON document, or one line naming the file and what is wrong."""
    text = read_bytes(path, str(path), "JSON file")
    try:
        return json.loads(text.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    except json.JSONDecodeError as exc:
        raise UnusableInput(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", str(path)) from None
    except RecursionError:
        raise UnusableInput("JSON nested too deeply to be a descriptor or schema", str(path)) from None


def safe_relative(root: Path, ref: Any, what: str, owner: str) -> Path:
    """Resolve a path the descriptor declares, refusing anything that
    could leave the package directory or reach the network."""
    where = f"{owner}: {what}"
    if not isinstance(ref, str) or not ref:
        raise UnusableInput(f"{where} must be a relative path, got {ref!r}")
    if "\x00" in ref:
        raise UnusableInput(f"{where} {ref!r} contains a NUL character")
    if _URL.match(ref):
        raise UnusableInput(f"{where} {ref!r} is a URL; remote resources are never fetched")
    pure = PurePosixPath(ref.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[a-zA-Z]:", ref):
        raise UnusableInput(f"{where} {ref!r} is an absolute path; only paths inside the package are read")
    if ".." in pure.parts:
        raise UnusableInput(f"{where} {ref!r} climbs out of the package with '..'")
    try:
        full = (root / pure).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise UnusableInput(f"{where} {ref!r} cannot be resolved (a symlink loop?)") from None
    try:
        full.relative_to(root.resolve())
    except ValueError:
        raise UnusableInput(f"{where} {ref!r} resolves outside the package") from None
    return full


def check_target(target: Path, force: bool, protected: set[Path] | None = None) -> None:
    """May ``target`` be written? Never a symlink (dangling or not), a
    directory or one of the ``protected`` files (a package's descriptor,
    data and schemas); an existing file only with ``force``; its directory
    must exist."""
    if protected and target.resolve() in protected:
        raise OutputExists(
            f"{target} is a file of the package (its descriptor, a table or a schema); "
            "jakdata never writes an output over it, not even with --force"
        )
    if target.is_symlink():
        raise OutputExists(f"{target} is a symbolic link; jakdata never writes through one")
    if target.is_dir():
        raise OutputExists(f"{target} is a directory; give a file name")
    if target.exists() and not force:
        raise OutputExists(f"{target} exists; use --force to replace it")
    parent = target.parent
    if not parent.is_dir():
        raise UnusableInput("the output directory does not exist", str(parent))
    if not os.access(parent, os.W_OK):
        raise UnusableInput("the output directory is not writable", str(parent))


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """The mode a new file gets (0o666 less the umask), or the replaced file's."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~umask()


@contextmanager
def atomic_path(target: Path | str, force: bool = False, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside ``target``; renamed onto ``target`` when the
    block ends without an exception, removed otherwise.

    ``force`` allows replacing an existing regular file."""
    target = Path(target)
    check_target(target, force)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix + ".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, _mode_for(target))
    try:
        yield tmp_path
        check_target(target, force)  # nothing appeared there meanwhile
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_atomic(target: Path | str, data: str | bytes | Callable[[Path], None], force: bool = False) -> Path:
    """Write text, bytes, or whatever ``data(tmp_path)`` writes, atomically."""
    target = Path(target)
    with atomic_path(target, force) as tmp:
        if callable(data):
            data(tmp)
        elif isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
    return target
