"""Arms: arm groups and the results groups matched to them."""

from __future__ import annotations

import re
from typing import Any

from jakdata.tools.ctgov.base import Arm, BuilderBase
from jakdata.tools.ctgov.matching import ArmGroup, Intervention, Matcher
from jakdata.tools.ctgov.record import INTEGER, clean, slug

UNCLASSIFIED = "unclassified"  # the class a drug the vocabulary did not know gets until a curator sets it


_INERT = re.compile(r"\b(placebo|vehicle|sham|dummy)\b", re.I)
_VEHICLE = re.compile(r"\bvehicle\b", re.I)
_DRUG_TYPES = {"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT"}
_DOSE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(mg/kg|mg/g|mg|µg|mcg|μg|g|%|IU|units?)(?![\w/])", re.I)
_FREQUENCY = re.compile(
    r"\b(q\.?d\.?|b\.?i\.?d\.?|t\.?i\.?d\.?|qw|q[1-9]w|qod|once daily|twice daily|once weekly|"
    r"every other week|every [1-9] weeks)\b",
    re.I,
)
_CODE = re.compile(r"^[A-Z]{1,6}[- ]?[0-9]{2,}[A-Z0-9-]*$")
_STRIP_FORM = re.compile(
    r"\s+(?:\d+(?:\.\d+)?\s*(?:mg/kg|mg/g|mg|µg|mcg|g|%|IU)\b.*|(?:oral\s+)?(?:tablets?|capsules?|cream|ointment|"
    r"gel|solution|injection|foam|lotion)\b.*)$",
    re.I,
)


def _strip_form(name: str) -> str:
    return _STRIP_FORM.sub("", name).strip() or name


class ArmRows(BuilderBase):
    def interventions(self) -> list[tuple[str, dict[str, Any]]]:
        return self.d.items(
            self.d.at("protocolSection", "armsInterventionsModule"),
            "interventions",
            "protocolSection.armsInterventionsModule",
        )

    def drug_for(self, path: str, iv: dict[str, Any]) -> str:
        """The drug an intervention gives (mapped or new); '' when ambiguous."""
        from jakdata.lookup import normalise

        name = self.d.text(iv, "name", path)
        others = self.d.texts(iv, "otherNames", path)
        ids: set[str] = set()
        where = ""
        for cand in dict.fromkeys([name, _strip_form(name), *others, *map(_strip_form, others)]):
            found, w = self.vocab.lookup("drug", cand, self.plan)
            if found and not where:
                where = f"{cand!r} in {w}"
            ids |= set(found)
        if len(ids) == 1:
            (ident,) = ids
            self.s.mapped.append(f"intervention {name!r} -> drug {ident} (matched {where})")
            return ident
        if len(ids) > 1:
            self.s.mapped.append(
                f"intervention {name!r} matches several drugs ({', '.join(sorted(ids))}): no drug_id set"
            )
            return ""
        inn = _strip_form(name)
        ident = self.plan.unique_id("drugs", slug(inn))
        row = self.add(
            "drugs",
            {
                "drug_id": ident,
                "inn": inn,
                "drug_class": UNCLASSIFIED,
                "note": f"Added by `jakdata import ctgov` from the intervention {name!r} of {self.nct} "
                f"(type {self.d.text(iv, 'type', path) or 'not stated'}"
                + (f"; other names as registered: {', '.join(others)}" if others else "")
                + "). The INN, drug class (set to unclassified), routes and identifiers await a curator.",
            },
        )
        if row is None:
            return ""
        self.plan.register("drug", ident, [name, inn, ident, *others])
        codes = [o for o in others if _CODE.match(o) and normalise(o) not in (normalise(inn), normalise(ident))]
        for code in codes:
            self.add(
                "synonyms",
                {
                    "entity_type": "drug",
                    "entity_id": ident,
                    "name": code,
                    "language": "en",
                    "kind": "code",
                    "reported_in": self.source_id,
                },
            )
        self.s.vocabulary.append(
            f"drug {ident} ({name!r}; class {UNCLASSIFIED}" + (f"; codes {', '.join(codes)}" if codes else "") + ")"
        )
        return ident

    def arm_group_items(self) -> list[tuple[str, dict[str, Any]]]:
        mod = self.d.at("protocolSection", "armsInterventionsModule")
        return self.d.items(mod, "armGroups", "protocolSection.armsInterventionsModule")

    def links(self) -> dict[int, list[int]]:
        """Arm group index -> the indexes of the interventions it gives."""
        from jakdata.lookup import normalise

        interventions = self.interventions()
        linked: dict[int, list[int]] = {}
        for gi, (gpath, g) in enumerate(self.arm_group_items()):
            label = self.d.text(g, "label", gpath)
            names = {normalise(n.split(":", 1)[-1]) for n in self.d.texts(g, "interventionNames", gpath)}
            linked[gi] = [
                ii
                for ii, (ipath, iv) in enumerate(interventions)
                if normalise(self.d.text(iv, "name", ipath)) in names
                or normalise(label) in {normalise(x) for x in self.d.texts(iv, "armGroupLabels", ipath)}
            ]
        return linked

    def arm_groups(self) -> None:
        groups = self.arm_group_items()
        interventions = self.interventions()
        linked = self.links()
        # given to every arm, a control arm included: background, not the arm's drug
        has_control = any(
            _INERT.search(self.d.text(interventions[i][1], "name", interventions[i][0]))
            for v in linked.values()
            for i in v
        )
        common = set.intersection(*(set(v) for v in linked.values())) if len(groups) > 1 and has_control else set()
        self.common_background = "; ".join(
            dict.fromkeys(
                self.d.text(interventions[i][1], "name", interventions[i][0])
                for i in sorted(common)
                if not _INERT.search(self.d.text(interventions[i][1], "name", interventions[i][0]))
            )
        )
        drugs: dict[int, str] = {}
        for gi, (gpath, g) in enumerate(groups):
            label = self.d.text(g, "label", gpath)
            if not label:
                self.skip(f"arm at {gpath}: no label")
                continue
            kind = self.d.text(g, "type", gpath)
            ivs = [interventions[i] for i in linked[gi]]
            inert = [(p, iv) for p, iv in ivs if _INERT.search(self.d.text(iv, "name", p))]
            active = [
                (p, iv)
                for i, (p, iv) in zip(linked[gi], ivs)
                if not _INERT.search(self.d.text(iv, "name", p)) and i not in common
            ]
            active_drugs = [(p, iv) for p, iv in active if self.d.text(iv, "type", p) in _DRUG_TYPES]
            background = [
                self.d.text(iv, "name", p)
                for i, (p, iv) in zip(linked[gi], ivs)
                if i in common and not _INERT.search(self.d.text(iv, "name", p))
            ]
            why = ""
            if inert and (not active or kind == "PLACEBO_COMPARATOR"):
                role = "vehicle" if any(_VEHICLE.search(self.d.text(iv, "name", p)) for p, iv in inert) else "placebo"
                inert_names = ", ".join(repr(self.d.text(iv, "name", p)) for p, iv in inert)
                why = (
                    f"its intervention {inert_names} is inert"
                    if not active
                    else "the record types it PLACEBO_COMPARATOR"
                )
                if kind not in ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR"):
                    why += f"; the record types the arm {kind or 'without a type'}"
                background += [self.d.text(iv, "name", p) for p, iv in active]
                active_drugs = []
            elif kind in ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR") and not active:
                role, why = "placebo", f"the record types it {kind}"
            elif kind == "NO_INTERVENTION":
                self.skip(f"arm {label!r} ({gpath}): an untreated (NO_INTERVENTION) arm has no role in the data model")
                continue
            elif kind == "ACTIVE_COMPARATOR":
                role = "active-comparator"
            elif len(groups) == 1:
                role = "single-arm"
            else:
                role = "experimental"
            drug = ""
            if active_drugs:
                chosen = active_drugs
                if len(active_drugs) > 1:
                    chosen = [a for a in active_drugs if self._is_jak(a)] or active_drugs
                if len(chosen) == 1:
                    key = id(chosen[0][1])
                    if key not in drugs:
                        drugs[key] = self.drug_for(*chosen[0])
                    drug = drugs[key]
                    background += [self.d.text(iv, "name", p) for p, iv in active_drugs if iv is not chosen[0][1]]
                else:
                    self.s.mapped.append(
                        f"arm {label!r} combines {', '.join(repr(self.d.text(iv, 'name', p)) for p, iv in chosen)}: "
                        "no drug_id set"
                    )
            dose = unit = freq = ""
            if drug:
                doses = _DOSE.findall(label)
                if len(doses) == 1:
                    dose, unit = doses[0]
                freqs = _FREQUENCY.findall(label)
                if len(freqs) == 1:
                    freq = freqs[0]
            n, npath, _period = self.flow_n(label)
            iv_names = [
                f"{self.d.text(iv, 'type', p).title().replace('_', ' ')}: {self.d.text(iv, 'name', p)}" for p, iv in ivs
            ]
            note = f"Arm group type as registered: {kind or 'not stated'}; role {role}" + (
                f" because {why}" if why else ""
            )
            note += "." + (f" Interventions as registered: {'; '.join(iv_names)}." if iv_names else "")
            if npath:
                note += " n is the number who started the first period of the participant flow."
            if why and kind not in ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR"):
                self.s.mapped.append(f"arm {label!r} -> role {role} ({why})")
            self.arm(
                label,
                {
                    "drug_id": drug,
                    "dose": dose,
                    "dose_unit": unit,
                    "frequency": freq,
                    "n": n,
                    "locator": gpath + (f"; {npath}" if npath else ""),
                    "note": note,
                    "role": role,
                    "background": "; ".join(dict.fromkeys(b for b in background if b)),
                },
            )

    def _is_jak(self, item: tuple[str, dict[str, Any]]) -> bool:
        name = self.d.text(item[1], "name", item[0])
        ids, _ = self.vocab.lookup("drug", _strip_form(name), self.plan)
        if len(ids) != 1 or "drugs" not in self.state.ds:
            return False
        drugs = self.state.ds["drugs"]
        cls = drugs.loc[drugs["drug_id"] == ids[0], "drug_class"].astype(str).tolist()
        return bool(cls) and cls[0] in ("jak-inhibitor", "tyk2-inhibitor")

    def arm(self, label: str, values: dict[str, str]) -> Arm | None:
        """Plan an arm (or reuse the trial's existing arm with the same role,
        drug and dose) and remember it under its label."""
        from jakdata.lookup import normalise

        key = normalise(label)
        same = [
            r
            for r in self.plan.all_rows("arms")
            if r.get("study_id") == self.study_id
            and r.get("role") == values["role"]
            and r.get("drug_id", "") == values["drug_id"]
            and same_number(r.get("dose", ""), values["dose"])
        ]
        how = "same study, role, drug and dose"
        if values.get("period"):  # a subset that moved on is the existing arm of its period only
            same = [r for r in same if r.get("period", "") == values["period"] or normalise(r.get("label", "")) == key]
            how += " and period or label"
        if len(same) > 1:  # several: the one with the same label
            same = [r for r in same if normalise(r.get("label", "")) == key]
            how += " and label"
        if len(same) == 1 and same[0].get("reported_in") != self.source_id:
            arm = Arm(same[0]["arm_id"], same[0].get("drug_id", ""), values["role"], label)
            self.s.mapped.append(f"arm {label!r} -> existing arm {arm.arm_id} ({how})")
            self.arms[key] = arm
            return arm
        arm_id = self.plan.unique_id("arms", f"{self.study_id}-{slug(label, 50)}")
        row = self.add(
            "arms",
            {
                "arm_id": arm_id,
                "study_id": self.study_id,
                "label": label,
                "reported_in": self.source_id,
                **values,
            },
        )
        if row is None:
            return None
        arm = Arm(arm_id, values["drug_id"], values["role"], label)
        self.arms[key] = arm
        return arm

    def flow_groups(self) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
        """The participant flow's groups: (title, description, [(number
        started, its JSON path, the period's title)] for each period)."""
        base = "resultsSection.participantFlowModule"
        mod = self.d.at("resultsSection", "participantFlowModule")
        out: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {}
        for p, g in self.d.items(mod, "groups", base):
            out[self.d.text(g, "id", p)] = (self.d.text(g, "title", p), self.d.text(g, "description", p), [])
        for ppath, period in self.d.items(mod, "periods", base):
            ptitle = self.d.text(period, "title", ppath)
            for mpath, milestone in self.d.items(period, "milestones", ppath):
                if self.d.text(milestone, "type", mpath) != "STARTED":
                    continue
                for apath, ach in self.d.items(milestone, "achievements", mpath):
                    n = self.d.text(ach, "numSubjects", apath)
                    gid = self.d.text(ach, "groupId", apath)
                    if gid in out and INTEGER.match(n):
                        out[gid][2].append((n, apath, ptitle))
        return [g for g in out.values() if g[0]]

    def flow_n(self, title: str, later: bool = False) -> tuple[str, str, str]:
        """(number started, its JSON path, period title) of the flow group
        with this title (or matched to this arm group's label): the first
        period, or with ``later`` the first period anyone of it started."""
        from jakdata.lookup import normalise
        from jakdata.tools.ctgov.matching import split_population

        key = normalise(split_population(title)[0])
        for ftitle, fdesc, starts in self.flow_groups():
            same = normalise(split_population(ftitle)[0]) == key
            if not same and not later:
                same = normalise(self.matcher().match(ftitle, fdesc).arm) == key
            if not same or not starts:
                continue
            if not later:
                return starts[0][0], starts[0][1], ""
            first = next(((n, p, t) for i, (n, p, t) in enumerate(starts) if n != "0"), None)
            if first is not None:
                return first[0], first[1], first[2] if first != starts[0] else ""
        return "", "", ""

    def matcher(self) -> Matcher:
        """Results groups to arm groups, from the record's own words (made once)."""
        if self._matcher is None:
            self._matcher = self.make_matcher()
        return self._matcher

    def make_matcher(self) -> Matcher:
        interventions = self.interventions()
        ivs = [
            Intervention(
                self.d.text(iv, "name", p),
                self.d.texts(iv, "otherNames", p),
                bool(_INERT.search(self.d.text(iv, "name", p))),
                self.d.text(iv, "type", p) in _DRUG_TYPES,
                i,
            )
            for i, (p, iv) in enumerate(interventions)
        ]
        links = self.links()
        groups = [
            ArmGroup(self.d.text(g, "label", p), self.d.text(g, "description", p), links.get(gi, []))
            for gi, (p, g) in enumerate(self.arm_group_items())
        ]
        texts = [g.description for g in groups] + [self.d.text(iv, "description", p) for p, iv in interventions]
        texts += [self.descriptions_of(self.d.at("resultsSection"))]
        return Matcher(groups, ivs, texts)

    def descriptions_of(self, node: Any) -> str:
        """Every group description of the results section, as one text."""
        out: list[str] = []
        if isinstance(node, dict):
            for key, value in node.items():
                if (key == "groups" and isinstance(value, list)) or (key == "eventGroups" and isinstance(value, list)):
                    out += [
                        clean(g["description"])
                        for g in value
                        if isinstance(g, dict) and isinstance(g.get("description"), str)
                    ]
                elif isinstance(value, (dict, list)):
                    out.append(self.descriptions_of(value))
        elif isinstance(node, list):
            out += [self.descriptions_of(v) for v in node]
        return "\n".join(x for x in out if x)

    def usable_arm(self, arm: Arm, where: str) -> bool:
        if arm.drug_id or arm.role in ("placebo", "vehicle"):
            return True
        if arm.arm_id not in self._warned:
            self._warned.add(arm.arm_id)
            self.skip(
                f"{where} of arm {arm.arm_id}: the arm gives no drug and is not a placebo or vehicle arm "
                "(the data model needs a drug on those rows)"
            )
        return False


def same_number(a: str, b: str) -> bool:
    if not a or not b:
        return a == b
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b
