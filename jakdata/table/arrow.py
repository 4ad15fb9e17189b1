"""Vectorised column operations on pyarrow arrays, shared by the reader,
the type conversion and the checks.

Checks run over whole columns; Python only ever sees the cells that fail
(or, for tests that need Python's exact semantics, a column's *distinct*
values, which are few even when the rows are many).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    import pyarrow as pa


def arrow(column: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A column as a pyarrow array (no copy for pyarrow-backed data); text
    as ``large_string``, the type pandas' ``str`` uses."""
    import pyarrow as pa

    if isinstance(column, (pa.Array, pa.ChunkedArray)):
        return column
    arr = pa.array(column, from_pandas=True)
    if pa.types.is_string(arr.type) or pa.types.is_null(arr.type):
        arr = arr.cast(pa.large_string())
    return arr


def positions(mask: Any) -> np.ndarray:
    """Row positions where a boolean pyarrow/numpy/pandas mask is true
    (missing counts as false)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(mask, (pa.Array, pa.ChunkedArray)):
        mask = pc.fill_null(mask, False)
        return np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    if hasattr(mask, "to_numpy"):
        mask = mask.to_numpy(dtype=bool, na_value=False) if hasattr(mask, "array") else mask.to_numpy()
    return np.flatnonzero(mask)


def to_bool(mask: Any) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def fullmatch(column: Any, pattern: str) -> Any:
    """Boolean pyarrow array: the whole cell matches ``pattern``.

    RE2 (pyarrow) does the work on cells of printable ASCII; the others
    (non-ASCII text or control characters, where classes such as ``\\s`` and
    ``\\w`` differ between RE2 and Python) are re-checked with ``re``, so the
    result is exactly ``re.fullmatch``'s."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arrow(column)
    try:
        ok = pc.match_substring_regex(arr, f"^(?:{pattern})$")
    except pa.ArrowInvalid:  # a construct RE2 does not support: Python for all
        rx = re.compile(pattern)
        return by_distinct(arr, lambda v: rx.fullmatch(v) is not None)
    other = pc.invert(pc.ascii_is_printable(arr))
    if not pc.any(other).as_py():
        return ok
    rx = re.compile(pattern)
    exact = by_distinct(arr, lambda v: rx.fullmatch(v) is not None, where=other)
    return pc.if_else(other, exact, ok)


def by_distinct(column: Any, predicate: Callable[[str], bool], where: Any = None) -> Any:
    """Boolean pyarrow array: ``predicate`` of each cell, evaluated once per
    distinct value (restricted to rows where ``where`` is true; false
    elsewhere)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arrow(column)
    candidates = arr if where is None else pc.filter(arr, where)
    hits = [v for v in pc.unique(candidates).to_pylist() if v is not None and predicate(v)]
    result = pc.is_in(arr, value_set=pa.array(hits, type=arr.type))
    return result if where is None else pc.and_(result, where)


def _text_chunks(column: Any) -> Iterator[tuple[pa.Array, np.ndarray, np.ndarray]]:
    """Per chunk of a text column: the chunk, its offsets (numpy, ``n + 1``
    of them, sliced to the chunk) and its data bytes (numpy, no copy)."""
    import numpy as np
    import pyarrow as pa

    arr = arrow(column)
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        if pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type):
            width = np.int64
        elif pa.types.is_string(chunk.type) or pa.types.is_binary(chunk.type):
            width = np.int32
        else:
            raise TypeError(f"not a text column: {chunk.type}")
        _, offsets_buf, data_buf = chunk.buffers()
        n = len(chunk)
        offsets = np.frombuffer(offsets_buf, width)[chunk.offset : chunk.offset + n + 1] if n else np.zeros(1, width)
        data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
        yield chunk, offsets, data


def filled(column: Any) -> np.ndarray:
    """Per cell of a text column, whether it is non-empty (a numpy mask
    read off the offsets: no per-cell lengths are built). A missing cell
    counts as empty."""
    import numpy as np

    parts = []
    for chunk, offsets, _ in _text_chunks(column):
        full = offsets[1:] != offsets[:-1]
        if chunk.null_count:
            full &= chunk.is_valid().to_numpy(zero_copy_only=False)
        parts.append(full)
    return np.concatenate(parts) if parts else np.zeros(0, bool)


def edge_bytes(column: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell of a text column: its first byte, its last byte and whether
    it is non-empty (numpy arrays read off the column's offsets: nothing is
    copied but one byte per cell). The bytes of an empty cell are
    meaningless: mask them with the third array."""
    import numpy as np

    firsts, lasts, present = [], [], []
    for chunk, offsets, data in _text_chunks(column):
        n = len(chunk)
        starts, ends = offsets[:-1], offsets[1:]
        full = ends > starts
        first: np.ndarray
        last: np.ndarray
        if len(data):  # an empty cell reads a neighbour's byte (clipped to the buffer): masked by ``full``
            first, last = data.take(starts, mode="clip"), data.take(ends - 1, mode="clip")
        else:
            first = last = np.zeros(n, np.uint8)
        firsts.append(first)
        lasts.append(last)
        present.append(full)
    if not firsts:
        return np.zeros(0, np.uint8), np.zeros(0, np.uint8), np.zeros(0, bool)
    return np.concatenate(firsts), np.concatenate(lasts), np.concatenate(present)


def edge_chars(column: Any, first: tuple[str, ...], last: tuple[str, ...] = ()) -> np.ndarray:
    """Boolean numpy mask: the cell starts with a character of ``first`` or
    ends with one of ``last``. Decided on the cells' first and last bytes
    (a character's UTF-8 lead byte, its final byte), then exactly, in
    Python, on the few cells those bytes leave in doubt."""
    import numpy as np

    head, tail, present = edge_bytes(column)
    lead: np.ndarray = np.zeros(256, bool)
    lead[[ch.encode("utf-8")[0] for ch in first]] = True
    end: np.ndarray = np.zeros(256, bool)
    end[[ch.encode("utf-8")[-1] for ch in last]] = True
    maybe = present & (lead[head] | end[tail])  # an empty cell's bytes are a neighbour's: ``present`` masks them
    if all(len(ch.encode("utf-8")) == 1 for ch in first + last):  # single bytes: exact already
        return maybe
    out: np.ndarray = np.zeros(len(maybe), bool)
    candidates = np.flatnonzero(maybe)
    if len(candidates):
        import pyarrow as pa

        cells = arrow(column).take(pa.array(candidates)).to_pylist()
        out[candidates] = [v[:1] in first or v[-1:] in last for v in cells]
    return out


def is_in(column: Any, values: Any) -> pa.Array:
    """Membership of each cell in ``values`` (a set, list or array)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arrow(column)
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array(list(values), type=arr.type)
    elif values.type != arr.type:
        values = values.cast(arr.type)
    return pc.is_in(arr, value_set=values)


def nonempty(column: Any) -> Any:
    """Boolean pyarrow array: the cell is not empty (false where missing)."""
    import pyarrow as pa

    return pa.array(filled(column))


def empty_as_null(column: Any) -> Any:
    """The column with empty strings as missing values. Zero-copy: each
    chunk keeps its text buffers and gains a validity bitmap."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arrow(column)
    out = []
    for chunk, offsets, _ in _text_chunks(arr):
        present = offsets[1:] != offsets[:-1]
        if chunk.null_count or chunk.offset:
            out.append(pc.if_else(pa.array(present), chunk, pa.scalar(None, chunk.type)))
            continue
        nulls = len(chunk) - int(np.count_nonzero(present))
        if not nulls:
            out.append(chunk)
            continue
        validity = pa.py_buffer(np.packbits(present, bitorder="little"))
        out.append(pa.Array.from_buffers(chunk.type, len(chunk), [validity, *chunk.buffers()[1:]], null_count=nulls))
    return pa.chunked_array(out, type=arr.type)


def repeats(column: Any, sample: int = 20_000) -> bool:
    """Whether a column repeats its values a lot (judged on its first cells):
    then tests are cheaper on its distinct values."""
    import pyarrow.compute as pc

    arr = arrow(column)
    n = min(len(arr), sample)
    return n >= 1000 and len(pc.unique(arr.slice(0, n))) * 4 <= n


class Distinct:
    """A column that repeats itself, encoded once: its distinct values and,
    when first asked for, per row the position of its value among them. A
    test of the values then answers for every row (:meth:`expand`).

    The positions are computed only when needed (numbers, conflict groups,
    key look-ups and the rows of a finding): one dictionary encoding for
    both would save a hash pass on those columns but build 4 bytes per row
    for every other one as well, and the extra memory cost more than it saved
    (2.76 s against 2.56 s at 10^6 rows, medians of ten)."""

    def __init__(self, column: Any):
        import pyarrow.compute as pc

        self.column = column
        self.values = pc.unique(column)

    @cached_property
    def indices(self) -> pa.ChunkedArray:
        import pyarrow.compute as pc

        return pc.index_in(self.column, value_set=self.values)

    @cached_property
    def codes(self) -> np.ndarray:
        """:attr:`indices` as one numpy array (a missing cell is one of the
        distinct values, so no index is missing; 0 if one were)."""
        import pyarrow.compute as pc

        return pc.fill_null(self.indices, 0).to_numpy()

    def expand(self, per_value: Any) -> Any:
        """Per row, the entry of ``per_value`` (one per distinct value) for its value."""
        import pyarrow.compute as pc

        return pc.take(per_value, self.indices)

    def rows(self, per_value: Any) -> np.ndarray:
        """Positions of the rows whose value is true in ``per_value``."""
        import numpy as np
        import pyarrow.compute as pc

        per_value = pc.fill_null(per_value, False)
        if not pc.any(per_value).as_py():
            return np.zeros(0, dtype=np.intp)
        return positions(self.expand(per_value))


def distinct(column: Any) -> Distinct | None:
    """The column encoded by its distinct values, when it repeats itself
    (see :func:`repeats`); else ``None``: test it whole."""
    arr = arrow(column)
    return Distinct(arr) if repeats(arr) else None


def group_ids(columns: list[Any], encoded: list[Distinct | None] | None = None) -> np.ndarray:
    """Per row, a group number: rows get the same number exactly when they
    are equal in every column (numbers 0, 1, ... dense, in order of first
    appearance). ``encoded``: the columns' :func:`distinct` encodings, where
    known (saves computing their distinct values again).

    Each column's code (the position of its value among its distinct
    values) is a digit of a mixed-radix number, one per row, so equal
    numbers are equal rows; the numbers are made dense once at the end
    (and earlier only if they would outgrow 62 bits)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def dense(numbers: np.ndarray) -> np.ndarray:
        arr = pa.array(numbers)
        return pc.index_in(arr, value_set=pc.unique(arr)).to_numpy(zero_copy_only=False).astype(np.int64)

    n = len(columns[0]) if columns else 0
    group: np.ndarray = np.zeros(n, dtype=np.int64)
    bound = 1  # every number so far is below it
    for i, column in enumerate(columns):
        enc = encoded[i] if encoded else None
        values = enc.values if enc is not None else pc.unique(column)
        if enc is not None:
            codes = enc.codes
        else:
            codes = pc.fill_null(pc.index_in(column, value_set=values), 0).to_numpy(zero_copy_only=False)
        radix = max(len(values), 1)
        if bound * radix >= 2**62:
            group = dense(group)
            bound = int(group.max()) + 1 if n else 1
        group = group * radix + codes
        bound *= radix
    return dense(group) if n else group


def per_value(column: Any, test: Callable[[Any], Any]) -> Any:
    """``test(column)`` (a boolean pyarrow array), computed once per distinct
    value when the column repeats itself, else on the whole column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arrow(column)
    if not repeats(arr):
        return test(arr)
    values = pc.drop_null(pc.unique(arr))
    result = pc.fill_null(test(values), False)
    if pc.all(result).as_py():  # the usual case: nothing to map back
        return pc.if_else(pc.is_null(arr), pa.scalar(None, pa.bool_()), pa.scalar(True))
    return pc.take(result, pc.index_in(arr, value_set=values))
