"""Record access: a ClinicalTrials.gov API v2 study record, read and checked,
with typed access that names the JSON path of a malformed value; the text
helpers every part of the import uses."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from jakdata.errors import UnusableInput
from jakdata.package.files import read_bytes

API = "https://clinicaltrials.gov/api/v2/studies/"
SOURCE_PREFIX = "ctgov-"
NCT_ID = re.compile(r"^NCT[0-9]{8}$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$")
NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
INTEGER = re.compile(r"^[0-9]{1,12}$")

# ----------------------------------------------------------------------------
# text


_ESCAPED = re.compile(r"\\([\\\[\](){}*_#<>|~`.!+\-])")  # the registry escapes Markdown punctuation
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FORMULA = ("=", "+", "-", "@")


def clean(value: Any) -> str:
    """The record's text as a cell: NFC, Markdown escapes and control
    characters removed, runs of whitespace as one space, no edges."""
    s = unicodedata.normalize("NFC", str(value))
    s = _ESCAPED.sub(r"\1", s)
    s = _CONTROL.sub(" ", s)
    return " ".join(s.split())


def slug(text: str, limit: int = 60) -> str:
    """A lowercase ASCII identifier from ``text`` (at most ``limit``
    characters, cut at a hyphen)."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > limit:
        words = s[: limit + 1].split("-")[:-1] or [s[:limit]]
        while len(words) > 1 and words[-1] in ("a", "an", "the", "of", "to", "in", "on", "and", "or", "for", "with"):
            words.pop()
        s = "-".join(words)
    return s.strip("-") or "x"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def formula_like(text: str) -> bool:
    return text.startswith(_FORMULA) and not NUMBER.match(text)


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ----------------------------------------------------------------------------
# the record


def read_record(path: str | Path) -> dict[str, Any]:
    """A ClinicalTrials.gov API v2 study record with posted results, or
    :class:`UnusableInput` in one line saying why not."""
    shown = str(path)
    return parse_record(read_bytes(path, shown, "JSON file"), shown)


def parse_record(data: bytes, shown: str) -> dict[str, Any]:
    """The record in ``data`` (read from ``shown``), checked as
    :func:`read_record` checks it."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"not UTF-8 text (byte {exc.start}); expected a ClinicalTrials.gov record", shown) from None
    except json.JSONDecodeError as exc:
        raise UnusableInput(
            f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); expected a ClinicalTrials.gov API v2 "
            "study record",
            shown,
        ) from None
    except RecursionError:
        raise UnusableInput("JSON nested too deeply to be a study record", shown) from None
    if isinstance(doc, dict) and isinstance(doc.get("studies"), list):
        raise UnusableInput(
            f"a search result listing {len(doc['studies'])} studies, not one study record; download each "
            f"record from {API}NCT…",
            shown,
        )
    if isinstance(doc, dict) and ({"FullStudiesResponse", "StudyFieldsResponse", "Study", "clinical_study"} & set(doc)):
        raise UnusableInput(
            f"a record of the retired classic API (v1), not an API v2 study record; download it again from {API}NCT…",
            shown,
        )
    if not isinstance(doc, dict) or not isinstance(doc.get("protocolSection"), dict):
        raise UnusableInput("not a ClinicalTrials.gov API v2 study record (no protocolSection object)", shown)
    ident = doc["protocolSection"].get("identificationModule")
    nct = ident.get("nctId") if isinstance(ident, dict) else None
    if not isinstance(nct, str) or not NCT_ID.match(nct):
        raise UnusableInput(
            "not a ClinicalTrials.gov API v2 study record (no NCT number in "
            "protocolSection.identificationModule.nctId)",
            shown,
        )
    status = doc["protocolSection"].get("statusModule")
    status = status if isinstance(status, dict) else {}
    results = doc.get("resultsSection")
    if doc.get("hasResults") is False or results is None:
        overall = status.get("overallStatus")
        said = f" (overall status {overall})" if isinstance(overall, str) else ""
        raise UnusableInput(f"{nct} has no posted results{said}; only a record with results can be imported", shown)
    if not isinstance(results, dict):
        raise UnusableInput(f"malformed record {nct}: resultsSection is not an object", shown)
    last = status.get("lastUpdatePostDateStruct")
    date = last.get("date") if isinstance(last, dict) else None
    if not isinstance(date, str) or not DATE.match(date):
        raise UnusableInput(
            f"malformed record {nct}: no protocolSection.statusModule.lastUpdatePostDateStruct.date", shown
        )
    return doc


class Doc:
    """Typed access to a record: a value of the wrong type is unusable input
    naming its JSON path."""

    def __init__(self, doc: dict[str, Any], file: str):
        self.doc = doc
        self.file = file
        self.nct: str = doc["protocolSection"]["identificationModule"]["nctId"]

    def bad(self, path: str, what: str) -> UnusableInput:
        return UnusableInput(f"malformed record {self.nct}: {path} {what}", self.file)

    def obj(self, node: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        v = node.get(key)
        if v is None:
            return {}
        if not isinstance(v, dict):
            raise self.bad(join_path(path, key), "is not an object")
        return v

    def items(self, node: dict[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
        v = node.get(key)
        if v is None:
            return []
        where = join_path(path, key)
        if not isinstance(v, list):
            raise self.bad(where, "is not a list")
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                raise self.bad(f"{where}[{i}]", "is not an object")
        return [(f"{where}[{i}]", item) for i, item in enumerate(v)]

    def text(self, node: dict[str, Any], key: str, path: str) -> str:
        v = node.get(key)
        if v is None:
            return ""
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise self.bad(join_path(path, key), "is not text or a number")
        return clean(v)

    def texts(self, node: dict[str, Any], key: str, path: str) -> list[str]:
        v = node.get(key)
        if v is None:
            return []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.bad(join_path(path, key), "is not a list of strings")
        return [clean(x) for x in v if clean(x)]

    def at(self, *keys: str) -> dict[str, Any]:
        """The object at a path of keys from the top (empty when absent)."""
        node, path = self.doc, ""
        for k in keys:
            node = self.obj(node, k, path)
            path = join_path(path, k)
        return node


def number(text: str) -> str:
    t = text.strip()
    return t if NUMBER.match(t) else ""
