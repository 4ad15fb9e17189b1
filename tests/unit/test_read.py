"""CSV reading: line numbers, blank rows, ragged rows, encodings."""

from pathlib import Path

import pytest

from jakdata.errors import UnusableInput
from jakdata.package.descriptor import Resource
from jakdata.table.read import count_newlines, read_table


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
        (b"\xef\xbb\xbf\n\n\n", "empty file"),
        (b"\xef\xbb\xbf", "empty file"),
        (b"\na,b\n1,x\n", "line 1: the header row is empty"),
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


@pytest.mark.parametrize("data", [b"", b"a", b"\n", b"a,b\n1,x", b"a\r\nb\n" * 5_000_000])
def test_count_newlines_is_bytes_count(data):
    assert count_newlines(data) == data.count(b"\n")


def test_whitespace_only_file_is_empty(tmp_path):
    with pytest.raises(UnusableInput, match="empty file"):
        read_table(resource(tmp_path, b" \n\n  \n"))


def test_large_whitespace_only_file_is_empty(tmp_path):
    with pytest.raises(UnusableInput, match="empty file"):
        read_table(resource(tmp_path, b" \n" * 100_000))
