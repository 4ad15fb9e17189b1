"""Vocabulary and measures: names looked up as :func:`jakdata.lookup.find`
looks them up; what an outcome title names as its instrument; statistics,
dispersion, effect measures and timepoints from the record's words."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.tools.ctgov.target import Plan, State

# ----------------------------------------------------------------------------
# the vocabulary: find() over the fork, and the entries this run adds


class Vocab:
    """:func:`jakdata.lookup.find` over the fork, for many names: the same
    columns (``lookup.SEARCHED`` and ``synonyms.name``) and the same
    normalisation, indexed once instead of scanned per name."""

    def __init__(self, state: State):
        import pandas as pd

        from jakdata.lookup import SEARCHED, normalise

        ds = state.ds
        self.index: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)

        def put(etype: str, ids: Any, values: Any, where: str) -> None:
            for ident, value in zip(ids, values.astype("string")):
                if pd.isna(value):
                    continue
                key = normalise(value)
                if key and (str(ident), where) not in self.index[(etype, key)]:
                    self.index[(etype, key)].append((str(ident), where))

        for etype, (table, id_col, _label, cols) in SEARCHED.items():
            if table not in ds:
                continue
            frame = ds[table]
            for col in cols:
                if col in frame.columns:
                    put(etype, frame[id_col], frame[col], f"{table}.{col}")
        if "synonyms" in ds:
            syn = ds["synonyms"]
            for etype in SEARCHED:
                part = syn[syn["entity_type"].astype(str) == etype]
                put(etype, part["entity_id"], part["name"], "synonyms.name")

    def lookup(self, etype: str, name: str, plan: Plan) -> tuple[list[str], str]:
        """Ids of ``etype`` entries called ``name`` (by any name, code or
        synonym, as ``find()`` matches them; or made earlier in this import),
        and where the first match was found."""
        from jakdata.lookup import normalise

        key = normalise(name)
        if not key:
            return [], ""
        found = self.index.get((etype, key), [])
        ids = {i for i, _ in found} | plan.names[etype].get(key, set())
        where = found[0][1] if found else ("this import" if ids else "")
        return sorted(ids), where


# outcome titles: the statistic words before and the time words after the
# name of what was measured
_LEAD = re.compile(
    r"^(?:the\s+)?(?:(?:least[- ]squares?|ls)\s+)?(?:mean\s+|median\s+|adjusted\s+)?"
    r"(?:(?:percent(?:age)?|%)\s+)?changes?\s+(?:from\s+baseline\s+)?"
    r"(?:(?:to|at|through|until|up\s+to)\s+(?:week|day|month|year|visit)\s*\d+\s+)?(?:in|of|for)\s+(?:the\s+)?"
    r"|^(?:the\s+)?(?:percentage|percent|proportion|number|count)\s+of\s+(?:participants|subjects|patients)\s+"
    r"(?:who\s+)?(?:(?:achieving|achieved|with|reaching|reached|having|had|that\s+achieved)\b)?\s*"
    r"(?:an?\s+|the\s+)?",
    re.I,
)
_TAIL = re.compile(
    r"\s+(?:(?:from\s+baseline\s+)?(?:at|to|through|by|up\s+to|until|over|during)\s+"
    r"(?:week|day|month|year|visit|hour)s?\b.*|from\s+baseline\b.*)$",
    re.I,
)
_TIME_TAIL = re.compile(
    r"\s+(?:at|to|through|by|up\s+to|until|over|during)\s+(?:week|day|month|year|visit|hour)s?\b.*$", re.I
)
_ABBR = re.compile(r"\(([^()]{1,25})\)")
# words that end the spelled-out name of a scale, read backwards from its abbreviation
_STOP = frozenset(
    re.findall(
        r"\w+",
        "in at to from with by an a the achieving achieved who reaching having had baseline change changes "
        "percent percentage number participants proportion mean",
    )
)
_CONNECT = {"and", "of", "for", "on", "&"}
#: a grade pair ("score of 0 or 1", "IGA) 0/1"): 0 to 5, after "of"/"score" or right after the name
_PAIR = re.compile(
    r"(?:^\)?|\b(?:score|grade|rating|of)|[=:])\s*[\"“']?([0-5])[\"”']?\s*(?:or|/|to|-|,)\s*[\"“']?([0-5])[\"”']?(?!\d)",
    re.I,
)
_PCT = re.compile(r"≥\s*(\d+(?:\.\d+)?)\s*%|(?:at\s+least|>=)\s*(\d+(?:\.\d+)?)\s*%", re.I)
_POINTS = re.compile(r"(?:≥|>=|at\s+least)\s*(\d+(?:\.\d+)?)[- ]?points?", re.I)


def _measure_text(title: str) -> str:
    """The part of an outcome title that names what was measured."""
    t = _LEAD.sub("", title, count=1)
    t = _TAIL.sub("", t)
    return t.strip(" ,;:") or title


def _abbreviations(text: str) -> list[tuple[str, int]]:
    out = []
    for m in _ABBR.finditer(text):
        a = m.group(1).strip()
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9\-/ ]*", a) and sum(c.isupper() for c in a) >= 2 and len(a.split()) <= 2:
            out.append((a, m.start()))
    return out


def _phrase_before(text: str, pos: int) -> str:
    words = text[:pos].split()
    kept: list[str] = []
    for w in reversed(words):
        bare = w.strip(",;:").lower()
        if bare in _CONNECT:
            kept.append(w)
            continue
        if bare in _STOP or not (w[0].isupper() or w[0].isdigit()):
            break
        kept.append(w)
    while kept and kept[-1].lower() in _CONNECT:
        kept.pop()
    return " ".join(reversed(kept)).strip(" ,;:")


#: words that never name a measure on their own
GENERIC = frozenset(
    [
        "change",
        "changes",
        "score",
        "scores",
        "response",
        "responses",
        "percentage",
        "percent",
        "proportion",
        "number",
        "count",
        "mean",
        "median",
        "value",
        "values",
        "total",
        "baseline",
        "result",
        "results",
        "rate",
        "level",
        "levels",
        "index",
        "scale",
    ]
)


@dataclass
class MeasureNames:
    text: str  # what was measured, as the title words it
    candidates: list[str]  # names to look up, most specific first
    label: str  # the name a new entry is built from
    display: str = ""  # a new entry's name: the whole instrument ("Bath ... Index (BASFI)")
    ident: str = ""  # a new entry's id, readable ("basfi")


def _instrument(text: str, abbrs: list[tuple[str, int]]) -> tuple[str, str]:
    """(name, id) of the instrument a title names through an abbreviation
    it spells out: ("Bath Ankylosing Spondylitis Functional Index (BASFI)",
    "basfi"); the id is the abbreviation where the words before it are
    exactly what it abbreviates, else those words."""
    from jakdata.tools.ctgov.matching import long_form
    from jakdata.tools.ctgov.record import slug

    for a, pos in abbrs:
        phrase = _phrase_before(text, pos)
        if not phrase:
            continue
        long = long_form(a, phrase)
        ident = slug(a) if long and long.lower() == phrase.lower() and slug(a) not in GENERIC else slug(phrase)
        return f"{phrase} ({a})", ident
    return "", ""


def _not_generic(label: str, title: str) -> str:
    """``label``, unless it is a generic word: then the title without its
    time words."""
    if label.lower().strip() in GENERIC or not re.search(r"[A-Za-z]{2}", label):
        shorter = _TIME_TAIL.sub("", title).strip(" ,;:")
        return shorter if shorter and shorter.lower() not in GENERIC else title
    return label


def measure_names(title: str, responder: bool) -> MeasureNames:
    """Names an outcome title gives its measure. For a share of responders
    only names that carry the threshold ("EASI-75", "IGA 0/1"): the bare
    scale ("EASI", "IGA") is another measure."""
    text = _measure_text(title)
    abbrs = _abbreviations(text)
    bases: list[str] = []
    digits: list[str] = []
    for a, pos in abbrs:
        (digits if re.search(r"\d", a) else bases).append(a)
        phrase = _phrase_before(text, pos)
        if phrase:
            (digits if re.search(r"\d", phrase) else bases).append(phrase)
    if not responder:
        from jakdata.tools.ctgov.record import slug

        stripped = re.sub(r"\s+scores?$", "", text, flags=re.I)
        cands = [*bases, *digits, text, stripped]
        label = next((p for a, pos in abbrs if (p := _phrase_before(text, pos))), "") or stripped
        label = _not_generic(label, title)
        display, ident = _instrument(text, abbrs)
        return MeasureNames(
            text,
            list(dict.fromkeys(c for c in cands if c)),
            label,
            display or _not_generic(text, title),
            ident or slug(label),
        )
    cands = list(digits)
    pair = _PAIR.search(text[abbrs[0][1] + len(abbrs[0][0]) + 1 :]) if abbrs else None
    pct = _PCT.search(text)
    pts = _POINTS.search(text)
    for b in bases:
        if pair:
            a, z = pair.group(1), pair.group(2)
            cands += [f"{b} {a}/{z}", f"{b} {a}-{z}", f"{b} {a} or {z}"]
        if pct:
            n = pct.group(1) or pct.group(2)
            cands += [f"{b}-{n}", f"{b} {n}"]
        if pts:
            cands += [f"{b}-{pts.group(1)}", f"{b} {pts.group(1)}"]
    from jakdata.tools.ctgov.record import slug

    label = _not_generic(cands[0] if cands else text, title)
    cands.append(text)
    name = _not_generic(text, title)
    return MeasureNames(text, list(dict.fromkeys(c for c in cands if c)), label, name, slug(label))


_POPULATION_CLASS = re.compile(
    r"\b(?:age[ds]?|years?|yrs|male|female|men|women|sex|weight|prior|previous(?:ly)?|na[iï]ve|exposed|experienced|"
    r"inadequate|intoleran\w*|responders?|non-?responders?|subgroup|population|participants|patients|subjects|"
    r"region|race|white|asian|black|hispanic|latino|ethnic\w*|stratum|strata|cohort|baseline|biologics?)\b|[<>≤≥]",
    re.I,
)


def class_kind(title: str) -> str:
    """What a class or category title of an outcome measure is: ``visit``
    (one visit: the rows' timepoint), ``population`` (a subgroup of
    participants: their analysis population) or ``part`` (a part of what
    was measured, such as "Fat" and "Lean": a measure of its own)."""
    if VISIT.match(title) or _AT_BASELINE.match(title):
        return "visit"
    return "population" if _POPULATION_CLASS.search(title) else "part"


ENDPOINT = {"PRIMARY": "primary", "SECONDARY": "secondary", "POST_HOC": "post-hoc"}

_PARAM_NAMES = {
    "MEAN": "mean",
    "LEAST_SQUARES_MEAN": "least-squares mean",
    "MEDIAN": "median",
    "NUMBER": "number",
    "COUNT_OF_PARTICIPANTS": "count of participants",
    "COUNT_OF_UNITS": "count of units",
    "GEOMETRIC_MEAN": "geometric mean",
    "GEOMETRIC_LEAST_SQUARES_MEAN": "geometric least-squares mean",
    "LOG_MEAN": "log mean",
}


def statistic(param: str, unit: str, title: str) -> tuple[str | None, bool, str]:
    """``(statistic or None, responder, why not)`` from the parameter type,
    the unit and the title."""
    p = param.upper().replace(" ", "_")
    responder = p == "COUNT_OF_PARTICIPANTS" or (
        p == "NUMBER"
        and bool(
            re.search(r"participant|patient|subject", unit, re.I)
            or re.match(r"^(?:the\s+)?(?:percentage|percent|proportion|number|count)\s+of\s+", title, re.I)
        )
    )
    percent_unit = bool(re.search(r"percent|%", unit, re.I))
    if responder:
        if p == "NUMBER" and percent_unit:
            return "percent", True, ""
        return "count", True, ""
    pct_change = bool(re.search(r"\b(?:percent(?:age)?|%)\s*changes?\b", title, re.I))
    change = pct_change or bool(re.search(r"\bchanges?\b", title, re.I))
    table: dict[str, tuple[str | None, str | None, str | None]] = {
        # param: (no change, change, percent change)
        "MEAN": ("mean", "mean-change", "percent-change"),
        "LEAST_SQUARES_MEAN": (None, "ls-mean-change", "ls-mean-percent-change"),
        "MEDIAN": ("median", "median-change", None),
        "NUMBER": ("percent" if percent_unit else "value", None, "percent-change"),
        "COUNT_OF_UNITS": ("count", None, None),
    }
    if p not in table:
        return None, False, f"parameter type {_PARAM_NAMES.get(p, param)!r} has no statistic in the data model"
    stat = table[p][2 if pct_change else 1 if change else 0]
    if stat is None:
        kind = "a percent change" if pct_change else "a change" if change else "a value"
        return None, False, f"a {_PARAM_NAMES.get(p, param)} of {kind} has no statistic in the data model"
    return stat, False, ""


def dispersion_kind(text: str) -> tuple[str, str]:
    """``(kind, level)``: kind sd, se, ci, iqr, range, other or '' (none)."""
    t = re.sub(r"[^a-z0-9.%]+", "_", text.lower()).strip("_")
    if not t or t == "na":
        return "", ""
    if "standard_error" in t:
        return "se", ""
    if "standard_deviation" in t:
        return "sd", ""
    if "confidence" in t:
        m = re.search(r"(\d+(?:\.\d+)?)", t)
        level = m.group(1) if m else ""
        if level == "975":
            level = "97.5"
        return "ci", level
    if "inter_quartile" in t or "interquartile" in t:
        return "iqr", ""
    if "range" in t:
        return "range", ""
    return "other", ""


def effect_measure(param: str) -> str:
    p = param.lower()
    if "hazard" in p:
        return "hazard-ratio"
    if "odds" in p:
        return "odds-ratio"
    if "risk ratio" in p or "relative risk" in p:
        return "risk-ratio"
    if "risk difference" in p:
        return "risk-difference"
    if "standardi" in p and "difference" in p:
        return "standardised-mean-difference"
    if re.search(r"least[- ]squares?|\bls\b|lsmean", p) and "difference" in p:
        return "ls-mean-difference"
    if "mean difference" in p:
        return "mean-difference"
    if re.search(r"percent|proportion", p) and "difference" in p:
        return "percent-difference"
    return ""


_WEEK = re.compile(r"^(?:(?:from\s+)?baseline\s+(?:to|through|until)\s+|at\s+)?week\s*(\d{1,3})$", re.I)
VISIT = re.compile(r"^(?:day|week|month|year)\s*\d{1,3}$", re.I)
_AT_BASELINE = re.compile(r"^(?:at\s+)?baseline(?:\s*\([^()]*\))?$", re.I)


def timepoint_days(frame: str) -> str:
    """Days after baseline, only where the time frame says it one way:
    ``Week 16`` and ``Baseline to Week 16`` are 112, ``Baseline`` is 0.
    Days (day 1 may be baseline), months and lists stay empty."""
    m = _WEEK.match(frame)
    if m:
        return str(int(m.group(1)) * 7)
    return "0" if _AT_BASELINE.match(frame) else ""
