"""One record becomes planned rows: the source, the study, arms, outcomes,
comparisons and adverse events."""

from __future__ import annotations

from jakdata.tools.ctgov.adverse import AdverseRows
from jakdata.tools.ctgov.results import ResultRows
from jakdata.tools.ctgov.study import StudyRows


class Builder(StudyRows, ResultRows, AdverseRows):
    """All the rows of one record."""

    def build(self) -> None:
        self.s.nct, self.s.version = self.nct, self.version
        self.source()
        if not self.study():
            self.plan.drop([r for r in self.plan.rows if r.nct == self.nct and r.table == "sources"], "")
            return
        self.arm_groups()
        self.outcomes()
        self.adverse_events()
        self.skip(
            "baseline characteristics and the participant flow beyond the number started per arm: not imported "
            "(no table for them)"
        )
        self.skip(
            "descriptions (summary, arm, intervention, group, population and analysis descriptions, eligibility "
            "text, comments): not copied; the dataset's text is its own words"
        )
