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


#: (content, streamed): files a large one could be; the stream reads the
#: plain ones, the others are read whole
SHAPES = [
    (b"a,b\n1,x\n2,y\n", True),
    (b"a,b\r\n1,x\r\n2,y\r\n", True),  # CRLF: the warning
    (b"a,b\n1,x\n2,y", True),  # no final newline
    (b"a,b\n1,x\n2,\n", True),  # an empty last cell
    ("a,b\n1,caf\u00e9 \n2,=y\n".encode(), True),  # non-ASCII text, cells the text checks flag
    (b"a,b\n1,x\n\n2,y\n", True),  # a blank row: its finding
    (b"a,b\n1,x,extra\n2,y\n", False),  # a ragged row
    (b'a,b\n1,"x\ny"\n2,z\n', False),  # a quoted line break
    (b'"a\nb",c\n1,x\n', False),  # a header over two lines
    (b"\xef\xbb\xbfa,b\n1,x\n", False),  # a byte order mark
    (b"a,b\n1,x\x00\n", False),  # a NUL byte
    (b"a,b\n1,\xff\n", False),  # not UTF-8
    (b"a,b\n", False),  # a header only
    (b"a,b", False),  # a header without its newline
]


@pytest.mark.parametrize("content, streamed", SHAPES)
@pytest.mark.parametrize("declared", [None, "md5", "sha256"])
def test_a_streamed_file_reads_as_the_whole_file_does(tmp_path, monkeypatch, content, streamed, declared):
    import hashlib

    from jakdata.table import read

    res = resource(tmp_path, content)
    if declared:
        res.descriptor["hash"] = f"{declared}:" + hashlib.new(declared, content).hexdigest()
    try:
        whole = read_table(res, content)  # bytes given: never streamed
    except UnusableInput as exc:
        monkeypatch.setattr(read, "STREAM_FROM", 0)
        with pytest.raises(UnusableInput) as again:
            read_table(res)
        assert str(again.value) == str(exc)
        return
    monkeypatch.setattr(read, "STREAM_FROM", 0)
    got = read_table(res)
    assert (got.size is not None) == streamed
    assert got.header == whole.header
    assert got.table.equals(whole.table)
    assert list(got.lines) == list(whole.lines)
    assert [str(f) for f in got.findings] == [str(f) for f in whole.findings]
    assert got.warnings == whole.warnings
    assert got.nbytes == whole.nbytes == len(content)
    if declared:
        assert got.digest(declared) == whole.digest(declared) == hashlib.new(declared, content).hexdigest()


def test_a_streamed_file_that_changes_while_it_is_read_is_read_again_whole(tmp_path, monkeypatch):
    from jakdata.table import read

    res = resource(tmp_path, b"a,b\n1,x\n")
    real = read._scan

    def scan_then_grow(path, algorithms, limit_bytes):  # another program appends while the file is parsed
        out = real(path, algorithms, limit_bytes)
        with open(path, "ab") as fh:
            fh.write(b"2,y\n")
        out.size += 4
        return out

    monkeypatch.setattr(read, "STREAM_FROM", 0)
    monkeypatch.setattr(read, "_scan", scan_then_grow)
    raw = read_table(res)
    assert raw.size is None  # not the stream's result
    assert list(raw.frame["a"]) == ["1", "2"] and raw.nbytes == len(b"a,b\n1,x\n2,y\n")


def test_of_two_unusable_files_the_first_in_the_package_is_reported(tmp_path):
    """Files are read largest first, but the error stays the one a reader
    going through the package in order meets first."""
    from helpers import fields, write_package

    from jakdata.validate.checker import validate_package

    schema = {"fields": fields("a", "b")}
    pkg = write_package(tmp_path / "pkg", {"small": (schema, ""), "large": (schema, "a,b\n" + "1,\x00\n" * 1000)})
    with pytest.raises(UnusableInput) as exc:
        validate_package(pkg)
    assert "small.csv" in str(exc.value) and "empty file" in str(exc.value)
