"""Outcome and comparison rows."""

from __future__ import annotations

import re
from typing import Any

from jakdata.tools.ctgov.groups import GroupRows
from jakdata.tools.ctgov.record import INTEGER, number, shorten, slug
from jakdata.tools.ctgov.vocab import (
    ENDPOINT,
    class_kind,
    dispersion_kind,
    effect_measure,
    measure_names,
    statistic,
    timepoint_days,
)


class ResultRows(GroupRows):
    def measure(self, index: int, title: str, responder: bool, part: str = "") -> str:
        """The measure of an outcome title (mapped, or a new entry named after
        the instrument); with ``part`` (a class or category that is a part of
        it, such as "Fat"), that part's own measure, based on it."""
        if (title, part) in self.measures:
            return self.measures[(title, part)][0]
        names = measure_names(title, responder)
        if part:
            based_on = self.measure(index, title, responder)
            if not based_on:
                return ""
            return self._new_measure(
                index,
                title,
                part,
                [f"{names.display}: {part}"],
                f"{based_on}-{slug(part, 30)}",
                f"{names.display}: {part}",
                responder,
                based_on,
            )
        found: dict[str, str] = {}
        for cand in names.candidates:
            ids, where = self.vocab.lookup("measure", cand, self.plan)
            for i in ids:
                found.setdefault(i, f"{cand!r} in {where}")
        short = shorten(title, 90)
        if len(found) == 1:
            ((ident, where),) = found.items()
            msg = f"outcome measure [{index}] {short!r} -> measure {ident} (matched {where})"
            self.s.mapped.append(msg)
            self.measures[(title, part)] = (ident, msg)
            return ident
        if found:
            self.s.mapped.append(
                f"outcome measure [{index}] {short!r} matches several measures ({', '.join(sorted(found))}): "
                "a new measure is added instead"
            )
        return self._new_measure(index, title, part, names.candidates, names.ident, names.display, responder, "")

    def _new_measure(
        self, index: int, title: str, part: str, names: list[str], base: str, name: str, responder: bool, based_on: str
    ) -> str:
        for cand in names[:1] if part else []:  # a part made earlier in this import
            ids, _where = self.vocab.lookup("measure", cand, self.plan)
            if len(ids) == 1:
                self.measures[(title, part)] = (ids[0], "")
                return ids[0]
        ident = self.plan.unique_id("measures", base)
        what = "a share or count of responders" if responder else "a scale or quantity"
        row = self.add(
            "measures",
            {
                "measure_id": ident,
                "name": name if len(name) <= 200 else name[:200].rsplit(" ", 1)[0],
                "based_on": based_on,
                "description": f"Added by `jakdata import ctgov` from outcome measure [{index}] of {self.nct} "
                + (
                    f"(the part {part!r} of {based_on}, a class or category of its results). "
                    if part
                    else f"({what} named in the outcome title). "
                )
                + "Range, unit, direction"
                + ("" if part else ", based_on")
                + " and definition await a curator.",
            },
        )
        if row is None:
            self.measures[(title, part)] = ("", "")
            return ""
        self.plan.register("measure", ident, [ident, *names])
        self.s.vocabulary.append(f"measure {ident} ({shorten(name, 80)!r})")
        self.measures[(title, part)] = (ident, "")
        return ident

    def measurements(self, om: dict[str, Any], mpath: str) -> list[str]:
        """The JSON paths of an outcome measure's measurements and analyses."""
        out = []
        for cpath, cls in self.d.items(om, "classes", mpath):
            for kpath, cat in self.d.items(cls, "categories", cpath):
                out += [x for x, _ in self.d.items(cat, "measurements", kpath)]
        return out + [a for a, _ in self.d.items(om, "analyses", mpath)]

    def outcomes(self) -> None:
        base = "resultsSection.outcomeMeasuresModule"
        mod = self.d.at("resultsSection", "outcomeMeasuresModule")
        for index, (mpath, om) in enumerate(self.d.items(mod, "outcomeMeasures", base)):
            title = self.d.text(om, "title", mpath)
            if self.d.text(om, "reportingStatus", mpath) == "NOT_POSTED":
                self.skip(f"outcome measure [{index}] {shorten(title, 60)!r}: results not posted")
                for path in self.measurements(om, mpath):
                    self.skip_value(path, "results not posted", say=False)
                continue
            param = self.d.text(om, "paramType", mpath)
            unit = self.d.text(om, "unitOfMeasure", mpath)
            stat, responder, why = statistic(param, unit, title)
            if stat is None:
                self.skip(f"outcome measure [{index}] {shorten(title, 60)!r}: {why}")
                for path in self.measurements(om, mpath):
                    self.skip_value(path, why, say=False)
                continue
            frame = self.d.text(om, "timeFrame", mpath)
            kind = self.d.text(om, "type", mpath)
            common = {
                "indication_id": self.indication_id,
                "study_id": self.study_id,
                "statistic": stat,
                "unit": unit if len(unit) <= 40 else "",
                "derived": "false",
                "reported_in": self.source_id,
                "endpoint_role": ENDPOINT.get(kind, ""),
            }
            notes = [f"Registry outcome measure [{index}]: {title}"]
            if len(unit) > 40:
                notes.append(f"unit: {unit}")
            if kind and kind not in ENDPOINT:
                notes.append(f"registered as {kind}")
            groups = {
                self.d.text(g, "id", p): (self.d.text(g, "title", p), p, self.d.text(g, "description", p))
                for p, g in self.d.items(om, "groups", mpath)
            }
            denoms = self.denominators(om, mpath)
            spread = dispersion_kind(self.d.text(om, "dispersionType", mpath))
            for c, (cpath, cls) in enumerate(self.d.items(om, "classes", mpath)):
                class_title = self.d.text(cls, "title", cpath)
                cdenoms = self.denominators(cls, cpath) or denoms
                for k, (kpath, cat) in enumerate(self.d.items(cls, "categories", cpath)):
                    cat_title = self.d.text(cat, "title", kpath)
                    # a class or category that names one visit ("Week 4") is the rows' timepoint; one that
                    # names a subgroup of participants is their population; any other is a part of the measure
                    kinds = [(class_title, class_kind(class_title))] if class_title else []
                    if cat_title:  # a category of a count of participants is what was counted, not who
                        kind_of = class_kind(cat_title)
                        kinds.append((cat_title, "part" if responder and kind_of == "population" else kind_of))
                    when = next((t for t, kd in kinds if kd == "visit"), "") or frame
                    pops = [t for t, kd in kinds if kd == "population"]
                    part = ": ".join(t for t, kd in kinds if kd == "part")
                    where = [*notes]
                    where += [f"class: {class_title}"] if class_title else []
                    where += [f"category: {cat_title}"] if cat_title else []
                    if when != frame or len(frame) > 100:
                        where.append(f"time frame: {frame}")
                    for x, (xpath, m) in enumerate(self.d.items(cat, "measurements", kpath)):
                        gid = self.d.text(m, "groupId", xpath)
                        gtitle, gpath, gdesc = groups.get(gid, ("", "", ""))
                        arm = self.group_arm(gtitle, gpath, gdesc) if gtitle else None
                        if arm is None:
                            self.skip_value(xpath, f"group {gid!r} is not an arm that was imported")
                            continue
                        if not self.usable_arm(arm, "outcomes"):
                            self.skip_value(xpath, f"arm {arm.arm_id} gives no drug and is not a control", say=False)
                            continue
                        raw = self.d.text(m, "value", xpath)
                        value = number(raw)
                        if not value:
                            self.skip_value(xpath, f"value {raw or '(empty)'!r} is not a number")
                            continue
                        measure = self.measure(index, title, responder, part)  # made once, when first used
                        if not measure:
                            self.skip_value(xpath, "its measure could not be added", say=False)
                            continue
                        n, units = cdenoms.get(gid, ("", ""))
                        row_notes = list(where)
                        if units and units.lower() != "participants":
                            row_notes.append(f"denominator counts {units}, not participants ({n})")
                            n = ""
                        disp, more = self.dispersion(m, xpath, spread)
                        population = "; ".join(p for p in (arm.population, *pops) if p)
                        row = {
                            **common,
                            "outcome_id": self.plan.unique_id("outcomes", f"{self.prefix}-om{index}-c{c}-k{k}-m{x}"),
                            "drug_id": arm.drug_id,
                            "arm_id": arm.arm_id,
                            "measure_id": measure,
                            "timepoint": when if len(when) <= 100 else "",
                            "timepoint_days": timepoint_days(when),
                            "value": value,
                            "n": n,
                            "responders": value
                            if param.upper() == "COUNT_OF_PARTICIPANTS" and INTEGER.match(value)
                            else "",
                            "value_as_reported": raw,
                            "analysis_population": population if len(population) <= 200 else "",
                            "locator": xpath,
                            **disp,
                            "note": "; ".join(row_notes + more) + ".",
                        }
                        self.add("outcomes", row)
            self.comparisons_of(index, om, mpath, (title, responder), frame, groups)

    def dispersion(self, m: dict[str, Any], path: str, spread: tuple[str, str]) -> tuple[dict[str, str], list[str]]:
        """The dispersion or interval of one measurement, as columns (and
        notes for what no column holds)."""
        kind, level = spread
        value = self.d.text(m, "spread", path)
        low, high = self.d.text(m, "lowerLimit", path), self.d.text(m, "upperLimit", path)
        if kind in ("sd", "se"):
            if number(value) and not value.startswith("-"):
                return {"dispersion": number(value), "dispersion_type": kind}, []
            return {}, [f"{kind.upper()} printed as {value!r}"] if value else []
        if kind == "ci":
            cols = {"ci_lower": number(low), "ci_upper": number(high)}
            notes = (
                [f"confidence limits printed as {low!r} to {high!r}"]
                if (low and not cols["ci_lower"]) or (high and not cols["ci_upper"])
                else []
            )
            if (cols["ci_lower"] or cols["ci_upper"]) and number(level) and 50 <= float(level) <= 99.99:
                cols["ci_level"] = level
            return cols, notes
        if kind and (low or high or value):
            what = {"iqr": "interquartile range", "range": "full range"}.get(kind, "dispersion")
            return {}, [f"{what} as registered: {f'{low} to {high}' if (low or high) else value}"]
        return {}, []

    def denominators(self, node: dict[str, Any], path: str) -> dict[str, tuple[str, str]]:
        """Group id -> (count, units) of the denominator the measurements use."""
        selected = self.d.text(node, "denomUnitsSelected", path)
        chosen: list[tuple[str, dict[str, Any]]] = []
        denoms = self.d.items(node, "denoms", path)
        for p, den in denoms:
            units = self.d.text(den, "units", p)
            if (selected and units == selected) or (not selected and units.lower() == "participants"):
                chosen = [(p, den)]
                break
        if not chosen and len(denoms) == 1:
            chosen = denoms
        out: dict[str, tuple[str, str]] = {}
        for p, den in chosen:
            units = self.d.text(den, "units", p)
            for cp, count in self.d.items(den, "counts", p):
                n = self.d.text(count, "value", cp)
                out[self.d.text(count, "groupId", cp)] = (n if INTEGER.match(n) else "", units)
        return out

    # -- comparisons

    def comparisons_of(
        self,
        index: int,
        om: dict[str, Any],
        mpath: str,
        named: tuple[str, bool],
        frame: str,
        groups: dict[str, tuple[str, str, str]],
    ) -> None:
        from jakdata.lookup import normalise

        for ai, (apath, an) in enumerate(self.d.items(om, "analyses", mpath)):
            ids = self.d.texts(an, "groupIds", apath)
            if len(ids) != 2:
                self.skip_value(apath, f"an analysis of {len(ids)} groups (two are needed)")
                continue
            arms = []
            for gid in ids:
                gtitle, gpath, gdesc = groups.get(gid, ("", "", ""))
                arms.append(self.group_arm(gtitle, gpath, gdesc) if gtitle else None)
            a, b = arms
            if a is None or b is None:
                self.skip_value(apath, "a group is not an arm that was imported")
                continue
            if a.arm_id == b.arm_id:
                self.skip_value(apath, f"both groups are results of one arm ({a.arm_id})")
                continue
            controls = [x for x in (a, b) if x.role in ("placebo", "vehicle", "active-comparator")]
            arm, control = None, None
            if len(controls) == 1:
                control = controls[0]
                arm = b if control is a else a
            else:
                said = self.d.text(an, "estimateComment", apath)
                m = re.match(r"^(.*?)\s+(?:vs\.?|versus)\s+(.*?)\.?$", said, re.I)
                if m:
                    first, second = normalise(m.group(1)), normalise(m.group(2))
                    by = {normalise(x.label): x for x in (a, b)}
                    if first in by and second in by and by[first] is not by[second]:
                        arm, control = by[first], by[second]
            if arm is None or control is None:
                self.skip_value(apath, "which group is the control is not stated")
                continue
            measure = self.measure(index, named[0], named[1])
            if not measure:
                self.skip_value(apath, "its measure could not be added", say=False)
                continue
            param = self.d.text(an, "paramType", apath)
            effect = effect_measure(param)
            estimate = number(self.d.text(an, "paramValue", apath))
            low = number(self.d.text(an, "ciLowerLimit", apath))
            high = number(self.d.text(an, "ciUpperLimit", apath))
            level = number(self.d.text(an, "ciPctValue", apath))
            sides = self.d.text(an, "ciNumSides", apath)
            p = self.d.text(an, "pValue", apath)
            notes = [f"Registry analysis of outcome measure [{index}]"]
            pops = sorted({x.population for x in (arm, control) if x.population})
            if pops:
                notes.append(f"analysis population as the results groups name it: {' / '.join(pops)}")
            if param:
                notes.append(f"parameter as registered: {param}")
            if not effect and (estimate or low or high):
                notes.append(
                    f"estimate {estimate or '-'} ({low or '-'} to {high or '-'}) not stored: its parameter has no "
                    "effect measure in the data model"
                )
                estimate = low = high = ""
            disp = self.d.text(an, "dispersionType", apath)
            dval = self.d.text(an, "dispersionValue", apath)
            if dval:
                notes.append(f"{disp.replace('_', ' ').lower() or 'dispersion'} of the estimate {dval}")
            if sides == "ONE_SIDED":
                notes.append("one-sided confidence interval")
            ni = self.d.text(an, "nonInferiorityType", apath)
            if ni:
                notes.append(f"hypothesis type {ni}")
            exact = p if re.fullmatch(r"(?:0?\.[0-9]+|0|1(?:\.0+)?)", p) else ""
            if len(p) > 40:  # longer than the column: kept in the note
                notes.append(f"p-value as registered: {p}")
                p = ""
            self.add(
                "comparisons",
                {
                    "comparison_id": self.plan.unique_id("comparisons", f"{self.prefix}-om{index}-an{ai}"),
                    "study_id": self.study_id,
                    "arm_id": arm.arm_id,
                    "control_arm_id": control.arm_id,
                    "measure_id": measure,
                    "timepoint": frame if len(frame) <= 100 else "",
                    "timepoint_days": timepoint_days(frame),
                    "effect_measure": effect,
                    "estimate": estimate,
                    "ci_lower": low,
                    "ci_upper": high,
                    "ci_level": level if (low or high) and level and 50 <= float(level) <= 99.99 else "",
                    "p_value": exact,
                    "p_value_as_reported": p,
                    "method": self.d.text(an, "statisticalMethod", apath),
                    "reported_in": self.source_id,
                    "locator": apath,
                    "note": "; ".join(notes) + ".",
                },
            )

    # -- adverse events
