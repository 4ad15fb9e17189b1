"""What every part of turning one record into rows shares: the record, the
fork, the plan, the vocabulary, the summary, and what became of each
measurement and analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jakdata.tools.ctgov.record import SOURCE_PREFIX, clean, formula_like, shorten

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.tools.ctgov.matching import Matcher
    from jakdata.tools.ctgov.record import Doc
    from jakdata.tools.ctgov.report import RecordSummary
    from jakdata.tools.ctgov.target import Plan, Row, State
    from jakdata.tools.ctgov.vocab import Vocab


@dataclass
class Arm:
    arm_id: str
    drug_id: str
    role: str
    label: str
    population: str = ""  # the analysis population a results group's title names ("FAS")


class BuilderBase:
    """Turns one record into planned rows (and its summary)."""

    def __init__(self, doc: Doc, state: State, plan: Plan, vocab: Vocab, summary: RecordSummary) -> None:
        self.d = doc
        self.state = state
        self.plan = plan
        self.vocab = vocab
        self.s = summary
        self.nct = doc.nct
        self.ident = doc.at("protocolSection", "identificationModule")
        self.status = doc.at("protocolSection", "statusModule")
        self.design = doc.at("protocolSection", "designModule")
        self.results = doc.at("resultsSection")
        self.version = clean(self.status["lastUpdatePostDateStruct"]["date"])
        self.source_id = f"{SOURCE_PREFIX}{self.nct.lower()}-{self.version}"
        self.prefix = f"{SOURCE_PREFIX}{self.nct.lower()}"
        self.study_id = ""
        self.indication_id = ""
        self.arms: dict[str, Arm] = {}  # normalised title -> arm
        self.measures: dict[tuple[str, str], tuple[str, str]] = {}  # (outcome title, part) -> (measure_id, message)
        self.observational = False
        self._matcher: Matcher | None = None
        self.common_background = ""  # what every arm, a control arm included, also received
        self._groups: dict[str, Arm | None] = {}  # results group title -> its arm (None: none)
        self._warned: set[str] = set()  # arms whose rows were skipped (said once)
        #: JSON path of a measurement, analysis or event count -> why it was not imported
        self.fate: dict[str, str] = {}

    # -- helpers

    def add(self, table: str, values: dict[str, str]) -> Row | None:
        """Plan a row, unless a value cannot be a cell as printed (too long for
        its column, or text a spreadsheet would run as a formula)."""
        fields = self.state.tables[table].fields
        row = {k: v for k, v in values.items() if v != ""}
        for col, v in list(row.items()):
            limit = fields.get(col, {}).get("constraints", {}).get("maxLength")
            if col in ("note", "regimen_note", "population", "description") and isinstance(limit, int):
                row[col] = v = shorten(v, limit)
            if isinstance(limit, int) and len(v) > limit:
                why = f"{col} is longer than {limit} characters"
            elif formula_like(v):
                why = f"{col} {v[:30]!r} would run as a spreadsheet formula"
            else:
                continue
            self.s.skipped.append(f"{table} at {values.get('locator', '?')}: {why}")
            if values.get("locator"):
                self.fate.setdefault(values["locator"], why)
            return None
        return self.plan.add(table, row, self.nct)

    def skip(self, what: str) -> None:
        self.s.skipped.append(what)

    def skip_value(self, path: str, why: str, *, say: bool = True) -> None:
        """A measurement, analysis or event count not imported, and why (said
        in the report's list unless the reason was said once for many)."""
        self.fate.setdefault(path, why)
        if say:
            self.skip(f"{path}: {why}")
