"""Adverse-event rows."""

from __future__ import annotations

from jakdata.tools.ctgov.base import Arm
from jakdata.tools.ctgov.groups import GroupRows
from jakdata.tools.ctgov.record import INTEGER


class AdverseRows(GroupRows):
    def adverse_events(self) -> None:
        base = "resultsSection.adverseEventsModule"
        mod = self.d.at("resultsSection", "adverseEventsModule")
        if not mod:
            self.skip("adverse events: the record has no adverseEventsModule")
            return
        threshold = self.d.text(mod, "frequencyThreshold", base)
        groups: dict[str, tuple[Arm | None, int]] = {}
        for gi, (gpath, g) in enumerate(self.d.items(mod, "eventGroups", base)):
            gid, title = self.d.text(g, "id", gpath), self.d.text(g, "title", gpath)
            arm = self.group_arm(title, gpath, self.d.text(g, "description", gpath)) if title else None
            groups[gid] = (arm, gi)
            totals = [f"{gpath}.{x}NumAffected" for x in ("deaths", "serious", "other") if f"{x}NumAffected" in g]
            if arm is None or not self.usable_arm(arm, "adverse events"):
                why = "the group is not an arm that was imported" if arm is None else "the arm gives no drug"
                for path in totals:
                    self.skip_value(path, why, say=False)
                continue
            for prefix, category, event, note in (
                ("deaths", "death", "Death (all causes)", "Deaths from any cause in this event group, as counted"),
                (
                    "serious",
                    "serious",
                    "Any serious adverse event",
                    "Participants with one or more serious adverse events in this event group",
                ),
                (
                    "other",
                    "common",
                    "Any other (not serious) adverse event",
                    "Participants with one or more other (not serious) adverse events"
                    + (
                        f" reported above the record's frequency threshold of {threshold}%"
                        if threshold not in ("", "0")
                        else ""
                    ),
                ),
            ):
                affected = self.d.text(g, f"{prefix}NumAffected", gpath)
                at_risk = self.d.text(g, f"{prefix}NumAtRisk", gpath)
                if not INTEGER.match(affected):
                    self.skip_value(f"{gpath}.{prefix}NumAffected", f"number affected {affected!r} is not a count")
                    continue
                self.ae(
                    f"{self.prefix}-eg{gi}-{prefix}",
                    arm,
                    event,
                    category,
                    affected,
                    at_risk,
                    f"{gpath}.{prefix}NumAffected",
                    note + ".",
                )
        for key, category, short, what in (
            ("seriousEvents", "serious", "se", "Serious adverse event"),
            ("otherEvents", "common", "oe", "Other (not serious) adverse event"),
        ):
            for ei, (epath, ev) in enumerate(self.d.items(mod, key, base)):
                term = self.d.text(ev, "term", epath)
                if not term:
                    for spath, _st in self.d.items(ev, "stats", epath):
                        self.skip_value(spath, "the event has no term", say=False)
                    self.skip(f"adverse events at {epath}: no term")
                    continue
                details = [
                    x
                    for x in (
                        self.d.text(ev, "organSystem", epath),
                        self.d.text(ev, "sourceVocabulary", epath),
                        self.d.text(ev, "assessmentType", epath).replace("_", " ").lower(),
                    )
                    if x
                ]
                for si, (spath, st) in enumerate(self.d.items(ev, "stats", epath)):
                    arm, _ = groups.get(self.d.text(st, "groupId", spath), (None, 0))
                    if arm is None or not self.usable_arm(arm, "adverse events"):
                        why = "the group is not an arm that was imported" if arm is None else "the arm gives no drug"
                        self.skip_value(spath, why, say=False)
                        continue
                    affected = self.d.text(st, "numAffected", spath)
                    if not INTEGER.match(affected):
                        self.skip_value(spath, f"number affected {affected or '(empty)'!r} is not a count")
                        continue
                    events = self.d.text(st, "numEvents", spath)
                    note = f"{what} term as registered" + (f" ({'; '.join(details)})" if details else "")
                    note += f"; {events} events." if events else "."
                    self.ae(
                        f"{self.prefix}-{short}{ei}-s{si}",
                        arm,
                        term,
                        category,
                        affected,
                        self.d.text(st, "numAtRisk", spath),
                        spath,
                        note,
                        original=term,
                    )

    def ae(
        self,
        base: str,
        arm: Arm,
        event: str,
        category: str,
        affected: str,
        at_risk: str,
        locator: str,
        note: str,
        original: str = "",
    ) -> None:
        self.add(
            "adverse_events",
            {
                "ae_id": self.plan.unique_id("adverse_events", base),
                "drug_id": arm.drug_id,
                "study_id": self.study_id,
                "event": event,
                "event_original": original,
                "category": category,
                "n_affected": affected,
                "n_exposed": at_risk if INTEGER.match(at_risk) else "",
                "reported_in": self.source_id,
                "locator": locator,
                "note": note[:-1] + f"; analysis population as the group names it: {arm.population}."
                if arm.population and note.endswith(".")
                else note,
                "arm_id": arm.arm_id,
            },
        )

    # -- all of it
