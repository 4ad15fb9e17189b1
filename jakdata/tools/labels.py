"""Names people read, for pages and pictures: a trial by its acronym, else
its publication's title (shortened); a measure by its name and week. Never
a raw id, never "None"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset

#: longest title kept whole in a label; longer ones are cut at a word and get "…"
TITLE_WIDTH = 60
#: words at the start of a title that say nothing about the study ("Efficacy and safety of …")
_BOILERPLATE = re.compile(
    r"^(a )?((study|trial) to evaluate( of)? )?((the )?(evaluation|observation) of )?(the )?"
    r"((efficacy and safety|efficacy|safety)( and tolerability)? of )?",
    re.IGNORECASE,
)
DESIGNS = {"rct": "trial", "non-randomised-trial": "trial"}


def _text(value: Any) -> str:
    """A cell as text; empty for a missing value (never "None" or "nan")."""
    if value is None or value != value:  # NaN, NA
        return ""
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def shorten(text: str, width: int = TITLE_WIDTH) -> str:
    """``text`` up to ``width`` characters, cut at a word boundary, with "…"."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–—(") + "…"


def study_label(
    acronym: Any, title: Any, study_id: Any = "", drugs: str = "", phase: Any = "", design: Any = ""
) -> str:
    """The acronym; else the title of the study's own publication, shortened
    (a title the curators could not read — "[Title not printed …]" — is not a
    title); else the drugs, phase and design ("ivarmacitinib phase 2 rct")."""
    acr = _text(acronym)
    if acr:
        return acr
    tit = _text(title)
    if tit and not tit.startswith("["):
        tit = _BOILERPLATE.sub("", tit) or tit
        if ": " in tit and tit.index(": ") >= 25:  # the subtitle ("A Phase 3 Randomized Clinical Trial") goes first
            tit = tit[: tit.index(": ")]
        return shorten(tit[:1].upper() + tit[1:])
    kind = DESIGNS.get(_text(design), _text(design).replace("-", " "))
    described = " ".join(p for p in (drugs, f"phase {_text(phase)}" if _text(phase) else "", kind) if p)
    if described:
        return described[:1].upper() + described[1:]
    return _text(study_id).replace("-", " ")


def study_labels(ds: Dataset) -> dict[str, str]:
    """study_id -> the name a reader sees (see :func:`study_label`)."""
    if "studies" not in ds:
        return {}
    s = ds.studies
    titles: dict[str, Any] = {}
    if "sources" in ds:
        titles = dict(zip(ds.sources["source_id"].astype(str), ds.sources["title"]))
    drugs: dict[str, list[str]] = {}
    if "arms" in ds:
        for sid, drug in zip(ds.arms["study_id"].astype(str), ds.arms["drug_id"]):
            d = _text(drug)
            if d and d not in drugs.setdefault(sid, []):
                drugs[sid].append(d)
    out = {}
    for row in s.itertuples(index=False):
        sid = str(row.study_id)
        out[sid] = study_label(
            getattr(row, "acronym", None),
            titles.get(_text(getattr(row, "source_id", ""))),
            sid,
            " and ".join(drugs.get(sid, [])),
            getattr(row, "phase", None),
            getattr(row, "design", None),
        )
    # two studies must never read the same: add the year-less id as a last resort
    seen: dict[str, list[str]] = {}
    for sid, label in out.items():
        seen.setdefault(label, []).append(sid)
    for label, sids in seen.items():
        if len(sids) > 1:
            for sid in sids:
                out[sid] = f"{label} ({sid})"
    return out


def timepoint_text(days: Any) -> str:
    """112 -> "week 16"; 10 -> "day 10"; missing -> ""."""
    t = _text(days)
    if not t:
        return ""
    d = int(float(t))
    return f"week {d // 7}" if d % 7 == 0 and d >= 7 else f"day {d}"


def measure_title(ds: Dataset, measure: str, timepoint_days: Any = None) -> str:
    """ "EASI-75 response, week 16": the measure's name and the timepoint."""
    name = measure
    if "measures" in ds:
        m = ds.measures
        hit = m.loc[m["measure_id"].astype(str) == measure, "name"]
        if len(hit) and _text(hit.iloc[0]):
            name = _text(hit.iloc[0])
    when = timepoint_text(timepoint_days)
    return f"{name}, {when}" if when else name
