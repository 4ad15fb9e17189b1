"""Outcome and comparison rows."""

from __future__ import annotations

import re
from typing import Any

from jakdata.tools.ctgov.arms import ArmRows
from jakdata.tools.ctgov.record import INTEGER, number, shorten, slug
from jakdata.tools.ctgov.vocab import (
    ENDPOINT,
    VISIT,
    dispersion_kind,
    effect_measure,
    measure_names,
    statistic,
    timepoint_days,
)


class ResultRows(ArmRows):
    def measure(self, index: int, title: str, responder: bool, path: str) -> str:
        if title in self.measures:
            return self.measures[title][0]
        names = measure_names(title, responder)
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
            self.measures[title] = (ident, msg)
            return ident
        if found:
            self.s.mapped.append(
                f"outcome measure [{index}] {short!r} matches several measures ({', '.join(sorted(found))}): "
                "a new measure is added instead"
            )
        ident = self.plan.unique_id("measures", slug(names.label))
        name = names.text if len(names.text) <= 200 else names.label[:200]
        row = self.add(
            "measures",
            {
                "measure_id": ident,
                "name": name,
                "description": f"Added by `jakdata import ctgov` from outcome measure [{index}] of {self.nct} "
                f"({'a share or count of responders' if responder else 'a scale or quantity'} named in the "
                "outcome title). Range, unit, direction, based_on and definition await a curator.",
            },
        )
        if row is None:
            self.measures[title] = ("", "")
            return ""
        self.plan.register("measure", ident, [ident, *names.candidates])
        self.s.vocabulary.append(f"measure {ident} ({shorten(name, 80)!r})")
        self.measures[title] = (ident, "")
        return ident

    def outcomes(self) -> None:
        base = "resultsSection.outcomeMeasuresModule"
        mod = self.d.at("resultsSection", "outcomeMeasuresModule")
        for index, (mpath, om) in enumerate(self.d.items(mod, "outcomeMeasures", base)):
            title = self.d.text(om, "title", mpath)
            if self.d.text(om, "reportingStatus", mpath) == "NOT_POSTED":
                self.skip(f"outcome measure [{index}] {shorten(title, 60)!r}: results not posted")
                continue
            param = self.d.text(om, "paramType", mpath)
            unit = self.d.text(om, "unitOfMeasure", mpath)
            stat, responder, why = statistic(param, unit, title)
            if stat is None:
                self.skip(f"outcome measure [{index}] {shorten(title, 60)!r}: {why}")
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
                self.d.text(g, "id", p): (self.d.text(g, "title", p), p) for p, g in self.d.items(om, "groups", mpath)
            }
            denoms = self.denominators(om, mpath)
            spread = dispersion_kind(self.d.text(om, "dispersionType", mpath))
            for c, (cpath, cls) in enumerate(self.d.items(om, "classes", mpath)):
                class_title = self.d.text(cls, "title", cpath)
                cdenoms = self.denominators(cls, cpath) or denoms
                for k, (kpath, cat) in enumerate(self.d.items(cls, "categories", cpath)):
                    cat_title = self.d.text(cat, "title", kpath)
                    # a class or category that names one visit ("Week 4") is the rows' timepoint
                    when = next((t for t in (cat_title, class_title) if VISIT.match(t)), "") or frame
                    where = [*notes]
                    where += [f"class: {class_title}"] if class_title else []
                    where += [f"category: {cat_title}"] if cat_title else []
                    if when != frame or len(frame) > 100:
                        where.append(f"time frame: {frame}")
                    for x, (xpath, m) in enumerate(self.d.items(cat, "measurements", kpath)):
                        gid = self.d.text(m, "groupId", xpath)
                        gtitle, gpath = groups.get(gid, ("", ""))
                        arm = self.group_arm(gtitle, gpath) if gtitle else None
                        if arm is None:
                            self.skip(f"outcomes at {xpath}: group {gid!r} is not an arm that was imported")
                            continue
                        if not self._usable_arm(arm, "outcomes"):
                            continue
                        raw = self.d.text(m, "value", xpath)
                        value = number(raw)
                        if not value:
                            self.skip(f"outcomes at {xpath}: value {raw or '(empty)'!r} is not a number")
                            continue
                        measure = self.measure(index, title, responder, mpath)  # made once, when first used
                        if not measure:
                            continue
                        n, units = cdenoms.get(gid, ("", ""))
                        row_notes = list(where)
                        if units and units.lower() != "participants":
                            row_notes.append(f"denominator counts {units}, not participants ({n})")
                            n = ""
                        disp, more = self.dispersion(m, xpath, spread)
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
        groups: dict[str, tuple[str, str]],
    ) -> None:
        from jakdata.lookup import normalise

        for ai, (apath, an) in enumerate(self.d.items(om, "analyses", mpath)):
            ids = self.d.texts(an, "groupIds", apath)
            if len(ids) != 2:
                self.skip(f"comparisons at {apath}: an analysis of {len(ids)} groups (two are needed)")
                continue
            arms = []
            for gid in ids:
                gtitle, gpath = groups.get(gid, ("", ""))
                arms.append(self.group_arm(gtitle, gpath) if gtitle else None)
            a, b = arms
            if a is None or b is None:
                self.skip(f"comparisons at {apath}: a group is not an arm that was imported")
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
                self.skip(f"comparisons at {apath}: which group is the control is not stated")
                continue
            measure = self.measure(index, named[0], named[1], mpath)
            if not measure:
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
