"""Matching: which arm group a results group of the record reports on.

Results groups are named by the sponsor, often differently from the arm
groups: ``CZP 200 mg Q2W (FAS)`` for the arm group ``Certolizumab Pegol 200
mg Q2W``. A group is matched, in this order, by its title without a
population suffix; by the title with the abbreviations the record's group,
arm and intervention descriptions define spelled out; by the intervention
(name or other name) the title names; by the similarity of its description
to an arm group's. A group whose title says it is a subset that moved to
another treatment (``Placebo->OL CZP``), an extension or a crossover is not
the arm group: it gets its own arm. Nothing here reads the fork: this is the
record's own words only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: population suffixes of results groups: "(FAS)", "[Safety Set]"
_POPULATION = re.compile(
    r"\s*[(\[]\s*(FAS|SS|SAF|SAS|ITT|mITT|PP|PPS|PPAS|PKS|PK-PPS|RS|ES|Full Analysis Set|Safety(?: Set| Population)?|"
    r"Per[- ]Protocol(?: Set| Population)?|Intent[- ]to[- ]Treat(?: Set| Population)?|Randomi[sz]ed Set)\s*[)\]]\s*$",
    re.I,
)
_DEFINED = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,11})\)")
#: a group of participants who moved on: a switch, an open-label part, an extension, a crossover
_SUBSET = re.compile(
    r"->|→|=>|\bOL\b|\bOLE\b|\bLTE\b|\bSFE\b|open[- ]label|extension|cross-?over|\bswitch|\brescue\b|\bescape\b|"
    r"\bthen\b|\bfollowed by\b|"
    r"re-?randomi[sz]",
    re.I,
)
_ARROW = re.compile(
    r"\s*(?:->|→|=>)\s*|\s+(?:then|followed by|switched to)\s+|\s+to\s+(?=(?:OL\b|open[- ]label))", re.I
)
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "or",
        "was",
        "were",
        "is",
        "are",
        "be",
        "as",
        "who",
        "which",
        "that",
        "this",
        "these",
        "their",
        "them",
        "then",
        "after",
        "before",
        "than",
        "into",
        "per",
        "each",
        "all",
        "any",
        "its",
        "it",
    ]
)
_SIMILAR = 0.6  # the least word overlap (Dice) of two descriptions that match
_MARGIN = 0.15  # by how much the best must beat the second


def split_population(title: str) -> tuple[str, str]:
    """``(title without its population suffix, the suffix as printed)``:
    ``CZP 200 mg Q2W (FAS)`` -> ``("CZP 200 mg Q2W", "FAS")``."""
    m = _POPULATION.search(title)
    if not m or m.start() == 0:
        return title, ""
    return title[: m.start()].strip(), m.group(1)


def long_form(short: str, before: str) -> str:
    """The words before ``(SHORT)`` that it abbreviates (the Schwartz-Hearst
    rule: its letters in order, the first at the start of a word), or ''."""
    words = before.split()[-(len(short) + 4) :]
    text = " ".join(words)
    low, s = text.lower(), short.lower()
    li = len(low) - 1
    for si in range(len(s) - 1, -1, -1):
        c = s[si]
        if not c.isalnum():
            continue
        while li >= 0 and (low[li] != c or (si == 0 and li > 0 and low[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return ""
        li -= 1
    start = low.rfind(" ", 0, li + 2) + 1
    long = text[start:].strip(" ,;:")
    if not long or long.lower() == s or len(long.split()) > len(short) + 2:
        return ""
    return long


def defined_abbreviations(texts: list[str]) -> dict[str, str]:
    """Abbreviations the texts define, ``"CZP" -> "Certolizumab pegol"``
    (one that two texts define differently is left out)."""
    out: dict[str, str] = {}
    clash: set[str] = set()
    for text in texts:
        for m in _DEFINED.finditer(text):
            short = m.group(1)
            if sum(c.isupper() for c in short) < 2:
                continue
            long = long_form(short, text[: m.start()])
            if not long:
                continue
            if short in out and out[short].lower() != long.lower():
                clash.add(short)
            out.setdefault(short, long)
    return {k: v for k, v in out.items() if k not in clash}


def _plain(text: str) -> str:
    """Lowercase words and numbers separated by single spaces."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


def similarity(a: str, b: str) -> float:
    """Word overlap of two texts (Dice coefficient, 0 to 1)."""
    x, y = words(a), words(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


@dataclass
class Intervention:
    name: str
    others: list[str]
    inert: bool
    drug: bool  # a drug, biological or combination product
    index: int


@dataclass
class ArmGroup:
    label: str
    description: str
    interventions: list[int] = field(default_factory=list)


@dataclass
class Match:
    """What a results group is: ``arm`` (an arm group's label), or a
    ``subset`` (its own arm: the intervention it moved to and what came
    before), or neither (``how`` says why)."""

    population: str
    how: str
    arm: str = ""
    subset: bool = False
    moved_to: list[int] = field(default_factory=list)  # interventions the subset received
    before: str = ""  # what the subset received first, as the title words it
    after: str = ""  # what it moved to, as the title words it
    words: str = ""  # the subset's title words for its period (open-label, extension, crossover)


class Matcher:
    """Results groups to arm groups, from the record's own words."""

    def __init__(self, groups: list[ArmGroup], interventions: list[Intervention], texts: list[str]) -> None:
        from jakdata.lookup import normalise

        self.norm = normalise
        self.groups = groups
        self.interventions = interventions
        self.abbr = defined_abbreviations(texts)

    def expand(self, text: str) -> str:
        """``text`` with the abbreviations the record defines spelled out."""
        for short, long in self.abbr.items():
            text = re.sub(rf"(?<![\w-]){re.escape(short)}(?![\w-])", long, text)
        return text

    def _used(self, text: str) -> list[str]:
        return [s for s in self.abbr if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]

    def named(self, text: str) -> list[tuple[int, str]]:
        """Interventions ``text`` names (by name or other name, after
        spelling out abbreviations), with the name it used."""
        out: list[tuple[int, str]] = []
        plain, spelled = _plain(text), _plain(self.expand(text))
        for iv in self.interventions:
            for name in [iv.name, *iv.others]:
                key = _plain(name)
                if key and any(re.search(rf"(?<!\w){re.escape(key)}(?!\w)", t) for t in (plain, spelled)):
                    how = "name" if name == iv.name else f"other name {name}"
                    out.append((iv.index, how))
                    break
        return out

    def match(self, title: str, description: str = "") -> Match:
        base, pop = split_population(title)
        said = f"population suffix ({pop}); " if pop else ""
        by_label = {self.norm(g.label): g for g in self.groups}
        if self.norm(base) in by_label:
            return Match(pop, said + "title", arm=by_label[self.norm(base)].label)
        if _SUBSET.search(base):
            return self._subset(base, pop, said)
        expanded = {self.norm(self.expand(g.label)): g for g in self.groups}
        key = self.norm(self.expand(base))
        if key in expanded:
            used = ", ".join(f"{s} ({self.abbr[s]})" for s in self._used(base + " " + expanded[key].label))
            return Match(pop, said + f"abbreviation {used} defined in the record", arm=expanded[key].label)
        named = self.named(base)
        if named:
            idx = {i for i, _ in named}
            cands = [g for g in self.groups if idx & set(g.interventions)]
            if len(cands) > 1:  # the one whose label's numbers (dose) the title repeats
                digits = set(re.findall(r"\d+(?:\.\d+)?", base))
                cands = [g for g in cands if set(re.findall(r"\d+(?:\.\d+)?", g.label)) == digits] or cands
            if len(cands) == 1:
                hows = ", ".join(sorted({h for _, h in named}))
                return Match(pop, said + f"intervention {hows}", arm=cands[0].label)
        if description:
            scored = sorted(((similarity(description, g.description), g.label) for g in self.groups), reverse=True)
            if scored and scored[0][0] >= _SIMILAR and (len(scored) == 1 or scored[0][0] - scored[1][0] >= _MARGIN):
                return Match(pop, said + f"description similarity {scored[0][0]:.2f}", arm=scored[0][1])
        return Match(pop, "matches no arm group by title, abbreviation, intervention or description")

    def _subset(self, base: str, pop: str, said: str) -> Match:
        parts = [p for p in _ARROW.split(base) if p and p.strip()]
        after = parts[-1] if len(parts) > 1 else base
        before = " then ".join(p.strip() for p in parts[:-1]) if len(parts) > 1 else ""
        named = [i for i, _ in self.named(after)]
        kinds = []
        low = base.lower()
        if re.search(r"\bol\b|\bole\b|open[- ]label", low):
            kinds.append("open-label")
        if re.search(r"extension|\blte\b|\bole\b|\bsfe\b", low):
            kinds.append("extension")
        if re.search(r"cross-?over", low):
            kinds.append("crossover")
        if re.search(r"re-?randomi[sz]", low):
            kinds.append("re-randomised")
        if not kinds:
            kinds.append("after switching treatment" if before else "later period")
        how = said + "a subset that moved on (" + ", ".join(kinds) + "): its own arm"
        return Match(pop, how, subset=True, moved_to=named, before=before, after=after.strip(), words=" ".join(kinds))
