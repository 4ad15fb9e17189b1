"""The vectorised column operations agree exactly with Python's own
definitions (``re``, ``str.isspace``, ``unicodedata``) and keep positions."""

import re
import sys

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jakdata.table import arrow as vector
from jakdata.validate.text import WHITESPACE


def test_whitespace_set_is_pythons():
    assert set(WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}


@pytest.mark.parametrize("pattern", [r"^10\.[0-9]{4,9}/\S+$", r"^[a-z0-9]+(-[a-z0-9]+)*$", r"^\w+$", r"^https?://\S+$"])
@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.text(alphabet=st.sampled_from(list("az09-/.:\\_ \t\x0b\x1c\u00a0\u3000é٣Ωhtps10")), max_size=14), max_size=30
    )
)
def test_fullmatch_is_exactly_pythons(pattern, values):
    rx = re.compile(pattern)
    got = vector.fullmatch(pa.chunked_array([pa.array(values, pa.string())]), pattern).to_pylist()
    assert got == [rx.fullmatch(v) is not None for v in values]


def test_fullmatch_falls_back_to_python_for_what_re2_lacks():
    got = vector.fullmatch(pa.array(["aa", "ab"]), r"^(a)\1$").to_pylist()
    assert got == [True, False]


def test_empty_as_null_keeps_text_and_positions():
    arr = pa.chunked_array([pa.array(["a", "", "b", ""] * 10), pa.array(["", "x"] * 5)])
    out = vector.empty_as_null(arr)
    assert out.to_pylist() == [v or None for v in arr.to_pylist()]
    assert out.null_count == 25
    sliced = vector.empty_as_null(arr.slice(3, 4))
    assert sliced.to_pylist() == [None, "a", None, "b"]


def test_positions_of_a_chunked_mask():
    mask = pa.chunked_array([pa.array([False, True]), pa.array([None, True], pa.bool_())])
    assert vector.positions(mask).tolist() == [1, 3]


def test_arrow_keeps_numbers_and_makes_text_large_string():
    import pandas as pd

    assert vector.arrow(pd.Series(["a", None], dtype="str")).type == pa.large_string()
    assert vector.arrow(pd.Series([1, None], dtype="Int64")).type == pa.int64()


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["", "a", "b", "a|b"]), st.sampled_from(["", "x", "b|"])), max_size=40))
def test_group_ids_number_rows_equal_in_every_column_alike(rows):
    columns = [pa.chunked_array([pa.array([r[i] for r in rows], pa.large_string())]) for i in (0, 1)]
    ids = vector.group_ids(columns, [vector.Distinct(c) for c in columns[:1]] + [None])
    first: dict[tuple[str, str], int] = {}
    expected = [first.setdefault(r, len(first)) for r in rows]  # dense, in order of first appearance
    assert ids.tolist() == expected


def test_distinct_maps_a_test_of_the_values_back_to_the_rows():
    column = pa.chunked_array([pa.array(["b", "a", "b"]), pa.array(["c", "a"])])
    enc = vector.Distinct(column)
    assert enc.values.to_pylist() == ["b", "a", "c"]
    is_a = pa.array([v == "a" for v in enc.values.to_pylist()])
    assert enc.expand(is_a).to_pylist() == [False, True, False, False, True]
    assert enc.rows(is_a).tolist() == [1, 4]
    assert enc.rows(pa.array([False, False, None])).tolist() == []


#: whitespace of one to three bytes, formula starts, and characters whose
#: UTF-8 lead or final byte is a whitespace character's
EDGES = "a=+-@ \t\x1f\x85\u00a0\u1680\u2003\u202f\u3000éΩ≥\u0301\U0001f600"


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.text(alphabet=st.sampled_from(list(EDGES)), max_size=6),
        max_size=30,
    ),
    cut=st.integers(0, 30),
    large=st.booleans(),
)
def test_edge_chars_is_exactly_pythons(values, cut, large):
    from jakdata.validate.text import FORMULA_START

    typ = pa.large_string() if large else pa.string()
    column = pa.chunked_array([pa.array(values[:cut], typ), pa.array(values[cut:], typ)], typ).slice(1 if values else 0)
    cells = column.to_pylist()
    got = vector.edge_chars(column, WHITESPACE, WHITESPACE)
    assert got.tolist() == [v[:1].isspace() or v[-1:].isspace() for v in cells]
    assert vector.edge_chars(column, FORMULA_START).tolist() == [v[:1] in FORMULA_START for v in cells]


def test_edge_bytes_reads_first_and_last_byte_of_each_cell():
    first, last, present = vector.edge_bytes(pa.array(["ab", "", "é"], pa.large_string()))
    assert present.tolist() == [True, False, True]
    assert first[present].tolist() == [ord("a"), 0xC3]
    assert last[present].tolist() == [ord("b"), 0xA9]
    assert [len(a) for a in vector.edge_bytes(pa.array(["", ""]))] == [2, 2, 2]


def test_group_ids_stay_exact_beyond_62_bits():
    import random

    rng = random.Random(3)
    rows = [tuple(str(rng.randrange(100)) for _ in range(12)) for _ in range(400)]  # 100**12 > 2**62 codes
    rows += rows[:50]  # some rows equal in every column
    columns = [pa.chunked_array([pa.array([r[i] for r in rows], pa.large_string())]) for i in range(12)]
    first: dict[tuple[str, ...], int] = {}
    assert vector.group_ids(columns).tolist() == [first.setdefault(r, len(first)) for r in rows]
