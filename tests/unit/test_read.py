"""CSV reading: line numbers, blank rows, ragged rows, encodings."""

from pathlib import Path

import pytest

from jakdata.descriptor import Resource
from jakdata.errors import UnusableInput
from jakdata import read
from jakdata.read import read_table


@pytest.fixture(autouse=True, params=["bytes", "mmap"])
def way_of_reading(request, monkeypatch):
    """Every test runs twice: the file read into memory, and memory-mapped
    (as files of MAP_FROM bytes or more are)."""
    if request.param == "mmap":
        monkeypatch.setattr(read, "MAP_FROM", 1)
    return request.param


def resource(tmp_path: Path, content: bytes, columns=("a", "b")) -> Resource:
    p = tmp_path / "t.csv"
    p.write_bytes(content)
    schema = {"fields": [{"name": c, "type": "string"} for c in columns]}
    return Resource("t", p, "data/t.csv", schema, {})


def test_line_numbers_follow_the_file_with_quoted_line_breaks(tmp_path):
    raw = read_table(resource(tmp_path, b'a,b\n1,"x\ny"\n2,z\n'))
    assert list(raw.frame["a"]) == ["1", "2"]
    assert list(raw.lines) == [2, 4]


def test_blank_row_is_reported_with_its_line_and_dropped(tmp_path):
    raw = read_table(resource(tmp_path, b"a,b\n1,x\n\n2,y\n"))
    assert [(f.row, f.check) for f in raw.findings] == [(3, "blank-row")]
    assert list(raw.lines) == [2, 4]


def test_ragged_row_is_reported(tmp_path):
    raw = read_table(resource(tmp_path, b"a,b\n1,x,extra\n2,y\n"))
    assert [(f.row, f.check) for f in raw.findings] == [(2, "row-shape")]
    assert list(raw.frame["a"]) == ["2"]


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty file"),
        (b"a,b\n\x00\x01\x02,x\n", "binary"),
        ("a,b\nм,x\n".encode("cp1251"), "line 2"),
    ],
)
def test_unusable_files(tmp_path, content, words):
    with pytest.raises(UnusableInput) as exc:
        read_table(resource(tmp_path, content))
    assert words in str(exc.value)
    assert "data/t.csv" in str(exc.value)


def test_bom_and_crlf_are_accepted_with_warnings(tmp_path):
    raw = read_table(resource(tmp_path, b"\xef\xbb\xbfa,b\r\n1,x\r\n"))
    assert raw.header == ["a", "b"]
    assert list(raw.frame["b"]) == ["x"]
    assert len(raw.warnings) == 2



def test_large_files_are_memory_mapped_and_small_ones_read(tmp_path, way_of_reading):
    raw = read_table(resource(tmp_path, b"a,b\n1,x\n"))
    assert isinstance(raw.data, bytes) == (way_of_reading == "bytes")


def test_whitespace_only_file_is_empty(tmp_path):
    with pytest.raises(UnusableInput, match="empty file"):
        read_table(resource(tmp_path, b" \n\n  \n"))
