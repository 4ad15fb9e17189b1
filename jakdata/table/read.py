"""Read one CSV resource into a frame of strings, with CSV line numbers.

Structural defects that still leave a readable table (a blank row, a row
with too many or too few cells) become findings; a file that cannot be
read as UTF-8 CSV at all raises :class:`UnusableInput`.

Parsing is pyarrow's CSV reader (fast, multi-threaded); every cell is read
as text, so type conversion happens in one place (:mod:`jakdata.table.convert`).

Files are read, never memory-mapped: a mapped file that another program
truncates while it is read kills the process with SIGBUS, and a validator
that a concurrent write can kill has no place in CI. A file below
:data:`STREAM_FROM` (8 MiB) is read into memory whole. A larger one is
streamed: pyarrow parses it from the file in 4 MiB blocks while a second
thread reads it again through one reused buffer, to hash it and count its
lines (no copy of the whole file in memory: reading 430 MB into a fresh
``bytes`` cost 110,000 page faults, most of the read's 0.25–0.4 s). The
stream is only a fast path: a file it does not read as a plain table (a
byte order mark, a NUL, a header over several lines, a record over several
lines, a ragged row, bytes that are not UTF-8, another declared encoding,
a size that changed while it was read) is read whole, which reports it.

Time and memory stay bounded for pathological shapes: a file larger than
``JAKDATA_MAX_FILE_BYTES`` (default 2 GiB; the validator needs about four
times the file in memory) and a header wider than ``JAKDATA_MAX_COLUMNS``
(default 1,000; the data model's widest table has a few dozen) are refused
with one line before anything is parsed. A 1 MB header of commas would
otherwise be a million columns, and a million findings.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from jakdata.errors import UnusableInput
from jakdata.findings import Finding
from jakdata.package.files import read_bytes
from jakdata.table import arrow as vector

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from jakdata.package.descriptor import Resource

BOM = b"\xef\xbb\xbf"

MAX_FILE_BYTES = "JAKDATA_MAX_FILE_BYTES"
MAX_COLUMNS = "JAKDATA_MAX_COLUMNS"
DEFAULTS = {MAX_FILE_BYTES: 2 * 1024**3, MAX_COLUMNS: 1_000}
_QUOTED = re.compile(r'"(?:[^"]|"")*"?')


def limit(name: str) -> int:
    """The bound set by the environment variable ``name`` (a whole number
    above 0; ``_`` may group digits), or its default."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return DEFAULTS[name]
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise UnusableInput(f"{name}={raw!r}: the limit must be a whole number above 0 (default {DEFAULTS[name]:,})")
    return value


def header_width(line: str) -> int:
    """How many cells a CSV line holds (commas outside quoted values, plus
    one), without splitting it."""
    return _QUOTED.sub("", line).count(",") + 1 if '"' in line else line.count(",") + 1


@dataclass
class RawTable:
    """One CSV file as read: every cell as text (``""`` when empty), in a
    pyarrow table whose columns are named after the header (duplicates made
    unique), with the CSV line of each row."""

    name: str
    relpath: str
    header: list[str]
    table: pa.Table
    lines: np.ndarray  # CSV line number of each row
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: bytes = b""  # the file's bytes (empty when it was streamed: see ``size`` and ``digests``)
    size: int | None = None  # the file's size, when ``data`` does not hold it
    digests: dict[str, str] = field(default_factory=dict)  # hex digests by algorithm, computed as it was read
    _distinct: dict[str, vector.Distinct | None] = field(default_factory=dict, repr=False, compare=False)

    @property
    def nbytes(self) -> int:
        """The size of the file as read."""
        return len(self.data) if self.size is None else self.size

    def digest(self, algorithm: str) -> str:
        """The hex digest of the file as read (``ValueError`` for an
        algorithm :mod:`hashlib` does not know)."""
        import hashlib

        if algorithm not in self.digests:
            hasher = hashlib.new(algorithm)  # unknown: ValueError
            if self.size is not None:  # pragma: no cover - a streamed file is hashed with the declared algorithm
                raise RuntimeError(f"{self.relpath} was not hashed with {algorithm} as it was read")
            hasher.update(self.data)
            self.digests[algorithm] = hasher.hexdigest()
        return self.digests[algorithm]

    @property
    def columns(self) -> list[str]:
        return self.table.column_names

    def __len__(self) -> int:
        return self.table.num_rows

    def arrow(self, column: str) -> pa.ChunkedArray:
        """One column as a pyarrow array."""
        return self.table.column(column)

    def distinct(self, column: str) -> vector.Distinct | None:
        """One column encoded by its distinct values when it repeats itself
        (else ``None``), computed once and shared by the checks."""
        if column not in self._distinct:  # two threads may both compute it: same result
            self._distinct[column] = vector.distinct(self.arrow(column))
        return self._distinct[column]

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The same cells as a pandas frame of ``str`` columns (built on first use)."""
        return self.table.to_pandas()


def count_newlines(data: bytes) -> int:
    """How many ``\\n`` bytes ``data`` holds: numpy compares 16 MiB at a
    time, without a copy (≈3× faster than ``bytes.count``)."""
    import numpy as np

    view = np.frombuffer(data, dtype=np.uint8)
    step = 1 << 24
    return sum(int(np.count_nonzero(view[i : i + step] == 10)) for i in range(0, len(view), step))


def sniff(data: bytes, relpath: str) -> tuple[bytes, list[str]]:
    """The CSV body (BOM removed) and warnings for a BOM or CRLF endings;
    :class:`UnusableInput` for an empty or binary file. Cheap: no decoding."""
    warnings = []
    if data[: len(BOM)] == BOM:
        warnings.append(
            f"{relpath}: starts with a UTF-8 byte order mark (accepted; the convention is UTF-8 without BOM)"
        )
        data = data[len(BOM) :]  # rare: a copy without the mark
    if not len(data) or data.isspace():
        raise UnusableInput("empty file: a CSV needs at least a header row", relpath)
    if data.find(b"\x00") != -1:
        raise UnusableInput("binary file (contains NUL bytes), not CSV text", relpath)
    if data.find(b"\r") != -1 and data.find(b"\r\n") != -1:  # memchr first: most files have no \r
        warnings.append(f"{relpath}: uses CRLF line endings (accepted; the convention is \\n)")
    return data, warnings


def decode(data: bytes | memoryview, relpath: str) -> str:
    """UTF-8 text of a CSV body; :class:`UnusableInput` naming line and byte
    of the first invalid sequence."""
    data = data if isinstance(data, bytes) else bytes(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnusableInput(
            f"line {line}, byte {col}: not valid UTF-8 (wrong encoding? save the file as UTF-8)", relpath
        ) from None


@contextmanager
def _quiet_undecodable_rows(handler: Any) -> Iterator[None]:
    """pyarrow decodes a malformed row's text before calling ``handler``;
    for bytes that are not UTF-8 that fails inside pyarrow and Python prints
    "Exception ignored" on stderr. Such a file is then reported once, by
    :func:`decode`, with its line and byte; the noise is dropped."""
    import sys

    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if unraisable.object is handler and isinstance(unraisable.exc_value, UnicodeDecodeError):
            return
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def read_table(resource: Resource, data: bytes | None = None) -> RawTable:
    """Read ``resource``'s file (or ``data``: its would-be bytes, for a
    package being changed in memory) into a :class:`RawTable`.

    A large file is streamed (see :func:`_streamed`); every other file, and
    a large one the stream does not read as a plain table, is read whole."""
    if data is None:
        streamed = _streamed(resource)
        if streamed is not None:
            return streamed
        data = read_bytes(resource.path, resource.relpath, max_bytes=limit(MAX_FILE_BYTES), setting=MAX_FILE_BYTES)
    return _read(resource, data)


def _parse(source: Any, names: list[str], newlines_in_values: bool, on_invalid: Any) -> pa.Table:
    """pyarrow's CSV reader on ``source`` (a buffer or file), every cell as text."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with _quiet_undecodable_rows(on_invalid):
        return pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=newlines_in_values, ignore_empty_lines=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names},  # pandas str is large_string: no cast
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )


#: files from this size (bytes) are streamed: parsed as pyarrow reads them,
#: and scanned (hash, line count) on a second thread at the same time
STREAM_FROM = 8 * 2**20
_PREFIX = 1 << 20  # bytes read first for the header


@dataclass
class _Scan:
    """What one pass over a file's bytes found."""

    size: int = 0
    newlines: int = 0
    last: bytes = b""
    nul: bool = False
    crlf: bool = False
    digests: dict[str, str] = field(default_factory=dict)


def _scan(path: Any, algorithms: list[str], limit_bytes: int) -> _Scan:
    """Hash the file and count its lines in 4 MiB steps (one buffer, reused;
    hashlib and numpy release the GIL); stops after ``limit_bytes``."""
    import hashlib

    import numpy as np

    hashers = [hashlib.new(a) for a in algorithms]
    out = _Scan()
    buf = bytearray(1 << 22)
    view = memoryview(buf)
    # reused too: a fresh 4 MiB temporary per step was a fresh mapping, page-faulted anew
    newline: np.ndarray = np.empty(len(buf), bool)
    previous = 0
    with open(path, "rb", buffering=0) as fh:
        while out.size <= limit_bytes:
            n = fh.readinto(view)
            if not n:
                break
            chunk = view[:n]
            for h in hashers:
                h.update(chunk)
            out.newlines += int(np.count_nonzero(np.equal(np.frombuffer(chunk, np.uint8), 10, out=newline[:n])))
            out.nul = out.nul or buf.find(b"\x00", 0, n) != -1  # memchr, as bytes.find
            if not out.crlf and buf.find(b"\r", 0, n) != -1:
                out.crlf = buf.find(b"\r\n", 0, n) != -1 or (previous == 13 and buf[0] == 10)
            previous = buf[n - 1]
            out.size += n
    out.last = bytes([previous]) if out.size else b""
    out.digests = {a: h.hexdigest() for a, h in zip(algorithms, hashers)}
    return out


def _streamed(resource: Resource) -> RawTable | None:
    """A large UTF-8 file read without holding its bytes: pyarrow parses
    it from the file while another thread hashes it and counts its lines.
    ``None`` (read it whole instead, which reports exactly what is wrong)
    unless it turns out a plain table: no byte order mark, no NUL, a
    one-line header, every line one whole record, and the same size
    throughout."""
    import codecs
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import pyarrow as pa

    from jakdata.package.files import regular_size
    from jakdata.package.hashing import declared_hash

    relpath = resource.relpath
    encoding = resource.descriptor.get("encoding")
    try:
        if encoding is not None and codecs.lookup(encoding).name != "utf-8":
            return None
        size = regular_size(resource.path, relpath)
    except (LookupError, UnusableInput):
        return None
    if size < STREAM_FROM or size > limit(MAX_FILE_BYTES):
        return None
    try:
        with open(resource.path, "rb") as fh:
            prefix = fh.read(_PREFIX)
        end = prefix.find(b"\n")
        if end < 0 or prefix.startswith(BOM) or prefix[:end].count(b'"') % 2 or prefix.find(b"\x00") != -1:
            return None
        header, header_end, header_lines = _header(prefix, relpath)
    except (OSError, UnusableInput):
        return None
    names = [f"{i}" for i in range(len(header))]
    skipped: list[Any] = []

    def on_invalid(row: Any) -> str:
        skipped.append(row.number)
        return "skip"

    declared = declared_hash(resource.descriptor)
    algorithms = []
    if declared is not None:
        with suppress(ValueError, TypeError):
            hashlib.new(declared[0])  # an algorithm hashlib knows: hashed as the file is read
            algorithms.append(declared[0])
    with ThreadPoolExecutor(max_workers=1) as scanner:
        scanning = scanner.submit(_scan, resource.path, algorithms, size)
        try:
            with pa.OSFile(str(resource.path)) as source:
                source.seek(header_end)
                table = _parse(source, names, False, on_invalid)
        except (OSError, pa.ArrowInvalid, ValueError):
            table = None
        try:
            scan = scanning.result()
        except OSError:
            return None
    n_lines = scan.newlines + (0 if scan.last == b"\n" else 1)
    if table is None or skipped or scan.nul or scan.size != size or n_lines != header_lines + table.num_rows:
        return None
    warnings = [f"{relpath}: uses CRLF line endings (accepted; the convention is \\n)"] if scan.crlf else []
    lines = np.arange(header_lines + 1, table.num_rows + header_lines + 1)
    table, lines, findings = _without_blank_rows(table, lines, resource)
    table = _as_missing(table.rename_columns(_unique_names(header)), resource)
    return RawTable(resource.name, relpath, header, table, lines, findings, warnings, size=size, digests=scan.digests)


def _without_blank_rows(
    table: pa.Table, lines: np.ndarray, resource: Resource
) -> tuple[pa.Table, np.ndarray, list[Finding]]:
    """The table without its blank rows, and a ``blank-row`` finding for each."""
    import numpy as np
    import pyarrow as pa

    findings: list[Finding] = []
    blank = _blank_rows(table)
    if blank.any():
        for i in blank.nonzero()[0]:
            findings.append(
                Finding.of("blank-row", table=resource.name, row=int(lines[i]), value="", path=resource.relpath)
            )
        table = table.filter(pa.array(~blank))
        lines = np.asarray(lines)[~blank]
    return table, lines, findings


def _read(resource: Resource, data: bytes) -> RawTable:
    """A table from the whole of its file's bytes."""
    import numpy as np
    import pyarrow as pa

    relpath = resource.relpath
    body, warnings = sniff(transcode(data, resource.descriptor.get("encoding"), relpath), relpath)

    header, header_end, header_lines = _header(body, relpath)
    width = len(header)
    names = [f"{i}" for i in range(width)]
    rest = pa.py_buffer(body)[header_end:]  # no copy
    # One column whose name holds ';' or a tab where the schema has several:
    # the wrong delimiter. The header check reports it once (with the hint);
    # the rows whose cell count then differs are not reported one by one.
    wrong_delimiter = width == 1 and len(resource.fields) > 1 and any(sep in header[0] for sep in (";", "\t"))

    skipped: list[tuple[int | None, int, str]] = []  # (line, n cells, text)

    def on_invalid(row: Any) -> str:
        skipped.append((row.number, row.actual_columns, row.text or ""))
        return "skip"

    def parse(newlines_in_values: bool) -> pa.Table:
        skipped.clear()
        return _parse(pa.BufferReader(rest), names, newlines_in_values, on_invalid)

    n_lines = count_newlines(body) + (0 if body[-1:] == b"\n" else 1)
    if not len(rest):  # a header and nothing else, with or without its final newline
        empty = pa.table({n: pa.array([], pa.large_string()) for n in names})
        return RawTable(
            resource.name,
            relpath,
            header,
            empty.rename_columns(_unique_names(header)),
            np.zeros(0, np.int64),
            [],
            warnings,
            data,
        )
    # Fast path: parsing that assumes no line break inside a quoted value
    # (pyarrow then splits the file into blocks in parallel at any newline).
    # It is exact when every line turned out to be one whole record;
    # otherwise the file is parsed again, honouring quoted line breaks.
    table = None
    with suppress(pa.ArrowInvalid, ValueError):
        table = parse(False)
    if table is None or skipped or n_lines != header_lines + table.num_rows:
        try:
            table = parse(True)
        except (pa.ArrowInvalid, ValueError) as exc:
            decode(body, relpath)  # names line and byte of invalid UTF-8
            raise UnusableInput(f"cannot be parsed as CSV ({exc})", relpath) from None

    findings: list[Finding] = []
    # Line numbers: identity when every record is one line and none was
    # skipped; otherwise walk the records once with the csv module.
    if not skipped and n_lines == header_lines + table.num_rows:
        lines = np.arange(header_lines + 1, table.num_rows + header_lines + 1)
    else:
        found: list[int] = []
        for line, cells in _records(decode(body, relpath)):
            if len(cells) in (0, width):
                found.append(line)
            elif not wrong_delimiter:
                findings.append(
                    Finding.of(
                        "row-shape",
                        table=resource.name,
                        row=line,
                        value=",".join(cells),
                        path=relpath,
                        cells=len(cells),
                        width=width,
                    )
                )
        lines = np.asarray(found)
    if len(lines) != table.num_rows:  # pragma: no cover - defensive
        lines = np.arange(header_lines + 1, table.num_rows + header_lines + 1)
    table, lines, blank_rows = _without_blank_rows(table, lines, resource)
    findings += blank_rows
    table = _as_missing(table.rename_columns(_unique_names(header)), resource)
    return RawTable(resource.name, relpath, header, table, np.asarray(lines), findings, warnings, data)


def _as_missing(table: pa.Table, resource: Resource) -> pa.Table:
    """Cells that the schema's ``missingValues`` (or a field's) declare
    missing become empty, the one spelling of "missing" every check reads."""
    import pyarrow.compute as pc

    from jakdata.package.schema import missing_values

    for fld in resource.fields:
        name = fld["name"]
        others = [v for v in missing_values(resource.schema, fld) if v != ""]
        if others and name in table.column_names:
            col = table.column(name)
            i = table.column_names.index(name)
            table = table.set_column(i, name, pc.if_else(vector.is_in(col, others), "", col))
    return table


def transcode(data: bytes, encoding: str | None, relpath: str) -> bytes:
    """The file as UTF-8: as it is when the resource declares no encoding or
    UTF-8; otherwise decoded with the declared encoding (an unknown encoding,
    or bytes that are not of it, are unusable input naming line and byte)."""
    import codecs

    if encoding is None:
        return data
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise UnusableInput(f"declares encoding {encoding!r}, which is not a known text encoding", relpath) from None
    if name in ("utf-8", "utf-8-sig"):
        return data
    try:
        return bytes(data).decode(name).encode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnusableInput(f"line {line}, byte {col}: not valid {encoding} (the declared encoding)", relpath) from None


def _header(body: bytes, relpath: str) -> tuple[list[str], int, int]:
    """The header row's labels, the byte offset where the data starts and the
    number of lines the header takes (more than one when a quoted label
    holds a line break)."""
    end = body.find(b"\n")
    first = decode(body if end < 0 else body[:end], relpath)
    max_columns = limit(MAX_COLUMNS)
    if first.count(",") >= max_columns and (width := header_width(first.rstrip("\r"))) > max_columns:
        raise UnusableInput(
            f"line 1: the header has {width:,} columns, more than the limit of {max_columns:,} "
            f"(set {MAX_COLUMNS} to raise it; is this the right file?)",
            relpath,
        )
    lines, stop = 1, (len(body) if end < 0 else end + 1)
    text = first.rstrip("\r")
    if first.count('"') % 2:  # a quoted label runs on: read whole records
        reader = csv.reader(io.StringIO(decode(body, relpath), newline=""))
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as exc:
            raise UnusableInput(f"line 1: header row cannot be parsed ({exc})", relpath) from None
        lines = reader.line_num
        stop = 0
        for _ in range(lines):
            nxt = body.find(b"\n", stop)
            stop = len(body) if nxt < 0 else nxt + 1
    else:
        try:
            header = next(csv.reader([text]))
        except (StopIteration, csv.Error) as exc:
            raise UnusableInput(f"line 1: header row cannot be parsed ({exc})", relpath) from None
    if not header:
        raise UnusableInput("line 1: the header row is empty (a CSV starts with a row naming its columns)", relpath)
    return header, stop, lines


def _blank_rows(table: pa.Table) -> np.ndarray:
    """Rows whose cells are all empty (column by column, stopping as soon as
    no candidate row is left: usually after the first)."""
    import numpy as np

    blank = None
    for column in table.columns:
        empty = ~vector.filled(column)
        blank = empty if blank is None else blank & empty
        if not blank.any():
            return np.zeros(table.num_rows, bool)
    if blank is None:
        return np.zeros(table.num_rows, bool)
    return blank


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(start line, cells) of every data record, header excluded."""
    reader = csv.reader(io.StringIO(text, newline=""))
    prev_end = 0
    first = True
    for cells in reader:
        start = prev_end + 1
        prev_end = reader.line_num
        if first:
            first = False
            continue
        yield start, cells


def _unique_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        if h in seen:
            seen[h] += 1
            out.append(f"{h}\x00{seen[h]}")
        else:
            seen[h] = 0
            out.append(h)
    return out
