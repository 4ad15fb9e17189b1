"""Read one CSV resource into a frame of strings, with CSV line numbers.

Structural defects that still leave a readable table (a blank row, a row
with too many or too few cells) become findings; a file that cannot be
read as UTF-8 CSV at all raises :class:`UnusableInput`.

Parsing is pyarrow's CSV reader (fast, multi-threaded); every cell is read
as text, so type conversion happens in one place (:mod:`jakdata.types`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jakdata.errors import Finding, UnusableInput

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from jakdata.descriptor import Resource

BOM = b"\xef\xbb\xbf"


@dataclass
class RawTable:
    name: str
    relpath: str
    header: list[str]
    frame: "pd.DataFrame"  # str columns, "" for empty cells
    lines: "np.ndarray"  # CSV line number of each row of ``frame``
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: bytes = b""


def read_bytes(path, relpath: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnusableInput("file not found", relpath) from None
    except IsADirectoryError:
        raise UnusableInput("is a directory, not a CSV file", relpath) from None
    except OSError as exc:
        raise UnusableInput(f"cannot be read ({exc.strerror})", relpath) from None


def decode(data: bytes, relpath: str) -> tuple[str, list[str]]:
    """UTF-8 text of a CSV file, with warnings for a BOM or CRLF endings."""
    warnings = []
    if not data.strip():
        raise UnusableInput("empty file: a CSV needs at least a header row", relpath)
    if b"\x00" in data[:65536] or b"\x00" in data:
        raise UnusableInput("binary file (contains NUL bytes), not CSV text", relpath)
    if data.startswith(BOM):
        warnings.append(f"{relpath}: starts with a UTF-8 byte order mark (accepted; the convention is UTF-8 without BOM)")
        data = data[len(BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnusableInput(
            f"line {line}, byte {col}: not valid UTF-8 (wrong encoding? save the file as UTF-8)", relpath
        ) from None
    if "\r\n" in text:
        warnings.append(f"{relpath}: uses CRLF line endings (accepted; the convention is \\n)")
    return text, warnings


def read_table(resource: "Resource") -> RawTable:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    relpath = resource.relpath
    data = read_bytes(resource.path, relpath)
    text, warnings = decode(data, relpath)
    body = text.encode("utf-8") if data.startswith(BOM) else data

    header_line_end = text.find("\n")
    first = text if header_line_end < 0 else text[:header_line_end]
    try:
        header = next(csv.reader([first.rstrip("\r")]))
    except (StopIteration, csv.Error) as exc:
        raise UnusableInput(f"line 1: header row cannot be parsed ({exc})", relpath) from None
    width = len(header)
    names = [f"{i}" for i in range(width)]

    skipped: list[tuple[int | None, int, str]] = []  # (line, n cells, text)

    def on_invalid(row) -> str:
        skipped.append((row.number, row.actual_columns, row.text or ""))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError) as exc:
        raise UnusableInput(f"cannot be parsed as CSV ({exc})", relpath) from None

    frame = table.to_pandas()
    frame.columns = list(range(width))
    findings: list[Finding] = []

    # Line numbers: identity when every record is one line and none was
    # skipped; otherwise walk the records once with the csv module.
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if not skipped and n_lines == 1 + len(frame):
        lines = np.arange(2, len(frame) + 2)
    else:
        lines = []
        for line, cells in _records(text):
            if len(cells) in (0, width):
                lines.append(line)
            else:
                findings.append(
                    Finding(resource.name, line, None, ",".join(cells), "row-shape",
                            f"row has {len(cells)} cells, the header has {width}", relpath)
                )
        lines = np.asarray(lines)
    if len(lines) != len(frame):  # pragma: no cover - defensive
        lines = np.arange(2, len(frame) + 2)
    blank = (frame == "").all(axis=1).to_numpy() if width else np.zeros(len(frame), bool)
    if blank.any():
        for i in blank.nonzero()[0]:
            findings.append(Finding(resource.name, int(lines[i]), None, "", "blank-row", "blank row", relpath))
        frame = frame[~blank].reset_index(drop=True)
        lines = np.asarray(lines)[~blank]
    frame.columns = _unique_names(header)
    return RawTable(resource.name, relpath, header, frame, np.asarray(lines), findings, warnings, data)


def _records(text: str):
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
