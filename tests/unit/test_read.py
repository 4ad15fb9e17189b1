"""CSV reading: line numbers, blank rows, ragged rows, encodings."""

from pathlib import Path

import pytest

from jakdata.descriptor import Resource
from jakdata.errors import UnusableInput
from jakdata import read
from jakdata.read import count_newlines, read_table


@pytest.fixture(autouse=True, params=["bytes", "mmap"])
def way_of_reading(request, monkeypatch):
    """Every test runs twice: the file read into memory (the loader), and
    memory-mapped (the validator, for files of MAP_FROM bytes or more)."""
    if request.param == "mmap":
        original = read.read_bytes
        monkeypatch.setattr(read, "MAP_FROM", 1)
        monkeypatch.setattr(read, "read_bytes", lambda path, relpath, map_large=False: original(path, relpath, True))
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


def test_the_validator_maps_large_files_and_the_loader_never_does(tmp_path, way_of_reading):
    res = resource(tmp_path, b"a,b\n" + b"1,x\n" * 300_000)  # 1.2 MB
    assert isinstance(read_table(res, map_large=True).data, bytes) is False
    if way_of_reading == "bytes":
        assert isinstance(read_table(res).data, bytes)


def test_a_file_that_cannot_be_mapped_is_read(tmp_path, monkeypatch):
    import mmap

    def refuse(*args, **kwargs):
        raise OSError(19, "No such device")

    monkeypatch.setattr(mmap, "mmap", refuse)
    monkeypatch.setattr(read, "MAP_FROM", 1)
    raw = read_table(resource(tmp_path, b"a,b\n1,x\n"), map_large=True)
    assert isinstance(raw.data, bytes) and list(raw.frame["b"]) == ["x"]


def test_large_whitespace_only_file_is_empty(tmp_path):
    with pytest.raises(UnusableInput, match="empty file"):
        read_table(resource(tmp_path, b" \n" * 100_000), map_large=True)


def test_validation_releases_its_memory_maps(tmp_path, monkeypatch):
    import mmap

    from jakdata.checks import validate_package
    from jakdata.descriptor import bundled_root

    made = []
    real = mmap.mmap

    def tracking(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(mmap, "mmap", tracking)
    monkeypatch.setattr(read, "MAP_FROM", 1)
    assert validate_package(bundled_root()).valid
    assert made and all(m.closed for m in made)
