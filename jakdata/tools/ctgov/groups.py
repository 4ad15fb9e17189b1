"""Results groups: the arm each one reports on, and how it was matched."""

from __future__ import annotations

import dataclasses

from jakdata.tools.ctgov.arms import _DOSE, _DRUG_TYPES, _FREQUENCY, _INERT, _VEHICLE, ArmRows
from jakdata.tools.ctgov.base import Arm
from jakdata.tools.ctgov.matching import Match, split_population


class GroupRows(ArmRows):
    def group_arm(self, title: str, path: str, description: str = "") -> Arm | None:
        """The arm a results group reports on, with the analysis population
        its title names; None (said once) when it is none of the arms."""
        if title in self._groups:
            return self._groups[title]
        m = self.matcher().match(title, description if not self.observational else "")
        arm = self._matched(title, path, m)
        if arm is not None:
            arm = dataclasses.replace(arm, population=m.population)
        self._groups[title] = arm
        if arm is not None:
            self.s.groups.append({"title": title, "locator": path, "arm_id": arm.arm_id, "how": m.how})
        return arm

    def _matched(self, title: str, path: str, m: Match) -> Arm | None:
        from jakdata.lookup import normalise

        base = split_population(title)[0]
        if m.arm and normalise(m.arm) in self.arms:
            if normalise(m.arm) != normalise(base):
                self.s.mapped.append(f"results group {title!r} -> arm {self.arms[normalise(m.arm)].arm_id} ({m.how})")
            return self.arms[normalise(m.arm)]
        if normalise(base) in self.arms:
            return self.arms[normalise(base)]
        if m.subset:
            return self.subset_arm(title, base, path, m)
        return self.made_arm(title, base, path, m)

    def subset_arm(self, title: str, base: str, path: str, m: Match) -> Arm | None:
        """Its own arm for participants who moved on (an open-label switch,
        an extension, a crossover): the drug they moved to, never placebo
        unless all they moved to is inert."""
        interventions = self.interventions()
        moved = [interventions[i] for i in m.moved_to]
        drugs = [(p, iv) for p, iv in moved if self.d.text(iv, "type", p) in _DRUG_TYPES]
        drugs = [(p, iv) for p, iv in drugs if not _INERT.search(self.d.text(iv, "name", p))]
        inert = [(p, iv) for p, iv in moved if _INERT.search(self.d.text(iv, "name", p))]
        if len(drugs) == 1:
            role, drug = "experimental", self.drug_for(*drugs[0])
        elif inert and not drugs and len(moved) == len(inert):
            role, drug = (
                ("vehicle" if any(_VEHICLE.search(self.d.text(iv, "name", p)) for p, iv in inert) else "placebo"),
                "",
            )
        else:
            why = "names several drugs" if drugs else "names no drug it moved to"
            self.skip(f"results group {title!r} ({path}): a subset that moved on, but its title {why}")
            return None
        if role == "experimental" and not drug:
            return None
        n, npath, ptitle = self.flow_n(base, later=True)
        after = m.after or base
        dose = unit = freq = ""
        if drug:
            doses = _DOSE.findall(after)
            if len(doses) == 1:
                dose, unit = doses[0]
            freqs = _FREQUENCY.findall(after)
            if len(freqs) == 1:
                freq = freqs[0]
        regimen = f"A subset of participants: {m.before} first, then {after} (as the results group's title puts it)"
        note = (
            f"Made from the results group {base!r}, a subset that moved on ({m.words}); role {role}, drug from the "
            "intervention its title names" + (" after the switch" if m.before else "") + "."
        )
        if npath:
            note += " n is the number who started the first participant-flow period the group has participants in."
        arm = self.arm(
            base,
            {
                "drug_id": drug,
                "dose": dose,
                "dose_unit": unit,
                "frequency": freq,
                "n": n,
                "locator": path + (f"; {npath}" if npath else ""),
                "note": note,
                "role": role,
                "background": self.common_background,
                "period": m.words + (f", {ptitle}" if ptitle else ""),
                "regimen_note": regimen if m.before else "",
            },
        )
        if arm is not None:
            self.s.mapped.append(
                f"results group {title!r} -> arm {arm.arm_id}, {role}, "
                + (f"drug {drug}" if drug else "no drug")
                + f" ({m.how})"
            )
        return arm

    def made_arm(self, title: str, base: str, path: str, m: Match) -> Arm | None:
        """An arm from a results group no arm group matches, where its title
        says what it is (an inert comparator or one drug), or of a record
        that registers no arm group for it."""
        named = [self.interventions()[i] for i, _ in self.matcher().named(base)]
        drugs = [
            (p, iv)
            for p, iv in named
            if self.d.text(iv, "type", p) in _DRUG_TYPES and not _INERT.search(self.d.text(iv, "name", p))
        ]
        n, npath, _ = self.flow_n(base)
        values = {
            "drug_id": "",
            "dose": "",
            "dose_unit": "",
            "frequency": "",
            "n": n,
            "locator": path + (f"; {npath}" if npath else ""),
            "background": "",
        }
        if _INERT.search(base) and not drugs:
            role = "vehicle" if _VEHICLE.search(base) else "placebo"
            values["note"] = f"Made from a results group (no arm group has its title); role {role} from its title."
        elif len(drugs) == 1:
            role = "experimental"
            values["drug_id"] = self.drug_for(*drugs[0])
            values["note"] = (
                "Made from a results group (no arm group has its title); drug from the intervention its title names."
            )
            if not values["drug_id"]:
                return None
        elif self.observational or not self.arms:
            role = "single-arm"
            values["note"] = "Made from a results group of a record that registers no arm groups for it; no drug."
        else:
            self.skip(f"results group {title!r} ({path}): {m.how}, and names no single drug")
            return None
        values["role"] = role
        arm = self.arm(base, values)
        if arm is not None:
            drug = f"drug {values['drug_id']}" if values["drug_id"] else "no drug"
            self.s.mapped.append(
                f"results group {title!r} (no arm group has its title) -> arm {arm.arm_id}, {role}, {drug}"
            )
        return arm
