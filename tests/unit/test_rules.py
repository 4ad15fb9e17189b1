"""Each rule of the catalogue, alone, on tiny hand-written packages.

Every package here is written from scratch in ``tmp_path`` (a descriptor and
one to three small CSVs with minimal schemas), read into a
:class:`~jakdata.validate.context.Context`, and given to one rule function
from :data:`~jakdata.validate.checker.RULES`. Each rule has a valid package
(no finding, with the near misses the rule must let pass: empty cells,
boundary values) and an invalid one that differs only in the offending
cells, whose findings are asserted exactly: table, CSV line, column, value,
check, message and file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import fields, write_package

from jakdata.catalogue import CHECKS
from jakdata.findings import Finding
from jakdata.package.descriptor import open_package
from jakdata.table.read import read_table
from jakdata.validate.checker import RULES, run_rules
from jakdata.validate.context import Context

RULE_CHECKS = [c.name for c in CHECKS if c.stage == "rule"]


def context(tmp_path: Path, tables: dict[str, tuple[dict, str]], **descriptor) -> Context:
    package = open_package(write_package(tmp_path / "pkg", tables, **descriptor))
    return Context(package, {name: read_table(res) for name, res in package.resources.items()})


def found(check: str, tmp_path: Path, tables: dict[str, tuple[dict, str]], **descriptor) -> list[Finding]:
    return sorted(RULES[check](context(tmp_path, tables, **descriptor)), key=Finding.sort_key)


def finding(table: str, line: int | None, column: str | None, value, check: str, message: str) -> Finding:
    return Finding(table, line, column, value, check, message, f"{table}.csv")


def csv(header: str, *rows: str) -> str:
    return "\n".join((header, *rows)) + "\n"


@dataclass
class Case:
    """Schemas, the CSVs of a valid package, the CSVs that differ in the
    invalid one, and the findings the rule must report on it."""

    schemas: dict[str, dict]
    valid: dict[str, str]
    invalid: dict[str, str]
    findings: list[Finding]
    descriptor: dict = field(default_factory=dict)

    def tables(self, which: dict[str, str]) -> dict[str, tuple[dict, str]]:
        texts = {**self.valid, **which}
        return {name: (schema, texts[name]) for name, schema in self.schemas.items()}


def fk(column: str, resource: str, ref: str) -> dict:
    return {"fields": column, "reference": {"resource": resource, "fields": ref}}


CASES: dict[str, Case] = {
    "primary-key": Case(
        # a composite key; a quoted line break shifts CSV lines from row positions
        {"t": {"fields": fields("a", "b", "note"), "primaryKey": ["a", "b"]}},
        {"t": csv("a,b,note", "x,1,", 'x,2,"two\nlines"', "y,1,")},
        {"t": csv("a,b,note", "x,1,", 'x,2,"two\nlines"', "x,1,again")},
        [finding("t", 5, "b", "x|1", "primary-key", "duplicate primary key (a, b) = x|1 (first on line 2)")],
    ),
    "foreign-key": Case(
        {
            "studies": {"fields": fields("study_id"), "primaryKey": "study_id"},
            "arms": {"fields": fields("arm_id", "study_id"), "foreignKeys": [fk("study_id", "studies", "study_id")]},
        },
        {"studies": csv("study_id", "s1", "s2"), "arms": csv("arm_id,study_id", "a1,s1", "a2,", "a3,s2")},
        {"arms": csv("arm_id,study_id", "a1,s1", "a2,", "a3,s9")},
        [finding("arms", 4, "study_id", "s9", "foreign-key", "not found in studies.study_id")],
    ),
    "list-foreign-key": Case(
        {
            "sources": {"fields": fields("source_id"), "primaryKey": "source_id"},
            "outcomes": {
                "fields": fields("outcome_id", "cites"),
                "listForeignKeys": [{**fk("cites", "sources", "source_id"), "delimiter": "|"}],
            },
        },
        {"sources": csv("source_id", "a", "b"), "outcomes": csv("outcome_id,cites", "o1,a|b", "o2,", "o3,b")},
        {"outcomes": csv("outcome_id,cites", "o1,a|zz", "o2,", "o3,b|yy|a")},
        [
            finding("outcomes", 2, "cites", "zz", "list-foreign-key", "'zz' not found in sources.source_id"),
            finding("outcomes", 4, "cites", "yy", "list-foreign-key", "'yy' not found in sources.source_id"),
        ],
    ),
    "entity-reference": Case(
        {
            "drugs": {"fields": fields("drug_id"), "primaryKey": "drug_id"},
            "targets": {"fields": fields("target_id"), "primaryKey": "target_id"},
            "synonyms": {
                "fields": fields("entity_type", "entity_id", "name"),
                "entityReference": {
                    "field": "entity_id",
                    "typeField": "entity_type",
                    "resources": {"drug": "drugs", "target": "targets"},
                },
            },
        },
        {
            "drugs": csv("drug_id", "d1"),
            "targets": csv("target_id", "t1"),
            # a type without a table and an empty id are other checks' business
            "synonyms": csv("entity_type,entity_id,name", "drug,d1,x", "target,t1,y", "other,zz,z", "drug,,w"),
        },
        {"synonyms": csv("entity_type,entity_id,name", "drug,d1,x", "target,d1,y")},
        [finding("synonyms", 3, "entity_id", "d1", "entity-reference", "no target with this id in targets.target_id")],
    ),
    "drug-or-class": Case(
        {
            "adverse_events": {
                "fields": fields("ae_id", "drug_id", "drug_class"),
                "exactlyOneOf": [["drug_id", "drug_class"]],
            }
        },
        {"adverse_events": csv("ae_id,drug_id,drug_class", "e1,d1,", "e2,,jak")},
        {"adverse_events": csv("ae_id,drug_id,drug_class", "e1,d1,jak", "e2,,", "e3,d1,")},
        [
            finding(
                "adverse_events",
                2,
                "drug_id",
                "d1|jak",
                "drug-or-class",
                "exactly one of drug_id / drug_class must be set, found both",
            ),
            finding(
                "adverse_events",
                3,
                "drug_id",
                "|",
                "drug-or-class",
                "exactly one of drug_id / drug_class must be set, found neither",
            ),
        ],
    ),
    "parent-cycle": Case(
        {"indications": {"fields": fields("indication_id", "parent_id"), "primaryKey": "indication_id"}},
        {"indications": csv("indication_id,parent_id", "a,", "b,a", "c,b", "e,unknown")},
        # a <-> b loop, d is its own parent; c leads into the loop but is not on it
        {"indications": csv("indication_id,parent_id", "a,b", "b,a", "c,b", "d,d")},
        [
            finding("indications", 2, "parent_id", "b", "parent-cycle", "parent_id chain loops back to this row"),
            finding("indications", 3, "parent_id", "a", "parent-cycle", "parent_id chain loops back to this row"),
            finding("indications", 5, "parent_id", "d", "parent-cycle", "parent_id chain loops back to this row"),
        ],
    ),
    "drug-class-known": Case(
        {
            "drugs": {"fields": fields("drug_id", "drug_class")},
            "adverse_events": {"fields": fields("ae_id", "drug_class")},
        },
        {
            "drugs": csv("drug_id,drug_class", "d1,jak-inhibitor"),
            "adverse_events": csv("ae_id,drug_class", "e1,jak-inhibitor", "e2,"),
        },
        {"adverse_events": csv("ae_id,drug_class", "e1,jak-inhibitor", "e2,", "e3,jak-inhibitors")},
        [
            finding(
                "adverse_events",
                4,
                "drug_class",
                "jak-inhibitors",
                "drug-class-known",
                "no drug in drugs has this drug_class",
            )
        ],
    ),
    "measure-range": Case(
        {
            "measures": {"fields": fields("measure_id", "min:number", "max:number")},
            "outcomes": {"fields": fields("outcome_id", "measure_id", "value:number")},
        },
        # `count` has no maximum; an unknown measure is the foreign key's business
        {
            "measures": csv("measure_id,min,max", "scorad,0,103", "count,0,"),
            "outcomes": csv(
                "outcome_id,measure_id,value", "o1,scorad,0", "o2,scorad,103", "o3,scorad,", "o4,count,5000", "o5,x,-9"
            ),
        },
        {"outcomes": csv("outcome_id,measure_id,value", "o1,scorad,-1", "o2,scorad,103.5", "o3,scorad,", "o4,count,9")},
        [
            finding("outcomes", 2, "value", "-1", "measure-range", "below minimum 0 of scorad"),
            finding("outcomes", 3, "value", "103.5", "measure-range", "above maximum 103 of scorad"),
        ],
    ),
    "responders-within-n": Case(
        {"outcomes": {"fields": fields("outcome_id", "responders:integer", "n:integer")}},
        {"outcomes": csv("outcome_id,responders,n", "o1,10,10", "o2,,10", "o3,3,")},
        {"outcomes": csv("outcome_id,responders,n", "o1,11,10", "o2,,10", "o3,3,")},
        [finding("outcomes", 2, "responders", "11", "responders-within-n", "more responders than n = 10")],
    ),
    "affected-within-exposed": Case(
        {"adverse_events": {"fields": fields("ae_id", "n_affected:integer", "n_exposed:integer")}},
        {"adverse_events": csv("ae_id,n_affected,n_exposed", "e1,5,5", "e2,0,5", "e3,2,")},
        {"adverse_events": csv("ae_id,n_affected,n_exposed", "e1,5,5", "e2,6,5", "e3,2,")},
        [
            finding(
                "adverse_events",
                3,
                "n_affected",
                "6",
                "affected-within-exposed",
                "more affected than exposed (n_exposed = 5)",
            )
        ],
    ),
    "dose-positive": Case(
        # any table with a `dose` column, whatever its name
        {"regimens": {"fields": fields("regimen_id", "dose:number")}},
        {"regimens": csv("regimen_id,dose", "r1,0.5", "r2,")},
        {"regimens": csv("regimen_id,dose", "r1,0.5", "r2,0", "r3,-2")},
        [
            finding("regimens", 3, "dose", "0", "dose-positive", "dose must be greater than 0"),
            finding("regimens", 4, "dose", "-2", "dose-positive", "dose must be greater than 0"),
        ],
    ),
    "year-range": Case(
        {"sources": {"fields": fields("source_id", "year:integer")}},
        {"sources": csv("source_id,year", "s1,1900", "s2,2025", "s3,")},
        {"sources": csv("source_id,year", "s1,1899", "s2,2025", "s3,2026")},
        [
            finding("sources", 2, "year", "1899", "year-range", "year outside 1900..2025"),
            finding("sources", 4, "year", "2026", "year-range", "year outside 1900..2025"),
        ],
        descriptor={"created": "2025-03-01T00:00:00Z"},
    ),
    "arm-consistency": Case(
        {
            "arms": {"fields": fields("arm_id", "study_id", "drug_id")},
            "outcomes": {"fields": fields("outcome_id", "arm_id", "study_id", "drug_id")},
        },
        # no arm, or an arm that does not exist (the foreign key's business): nothing to compare
        {
            "arms": csv("arm_id,study_id,drug_id", "a1,s1,d1"),
            "outcomes": csv("outcome_id,arm_id,study_id,drug_id", "o1,a1,s1,d1", "o2,,s2,d2", "o3,zz,s3,d3"),
        },
        {"outcomes": csv("outcome_id,arm_id,study_id,drug_id", "o1,a1,s2,d1", "o2,a1,s1,d2")},
        [
            finding(
                "outcomes", 2, "arm_id", "a1", "arm-consistency", "arm belongs to study 's1', the row names study 's2'"
            ),
            finding("outcomes", 3, "drug_id", "d2", "arm-consistency", "the arm 'a1' gives drug 'd1'"),
        ],
    ),
    "result-or-value": Case(
        {"outcomes": {"fields": fields("outcome_id", "value:number", "result")}},
        {"outcomes": csv("outcome_id,value,result", "o1,1.5,", "o2,,improved", "o3,0,")},
        {"outcomes": csv("outcome_id,value,result", "o1,1.5,", "o2,,")},
        [finding("outcomes", 3, "result", "", "result-or-value", "neither value nor result is given")],
    ),
    "derived-explained": Case(
        {"outcomes": {"fields": fields("outcome_id", "derived:boolean", "note")}},
        {"outcomes": csv("outcome_id,derived,note", "o1,true,mean of two arms", "o2,false,", "o3,,")},
        {"outcomes": csv("outcome_id,derived,note", "o1,true,mean of two arms", "o2,true,")},
        [
            finding(
                "outcomes",
                3,
                "note",
                "",
                "derived-explained",
                "derived value without a note saying how it was computed",
            )
        ],
    ),
    "change-range": Case(
        {
            "measures": {"fields": fields("measure_id", "min:number", "max:number")},
            "outcomes": {"fields": fields("outcome_id", "measure_id", "statistic", "value:number")},
        },
        # a change may span the whole scale; a percent change may not go below -100 (but above +100)
        {
            "measures": csv("measure_id,min,max", "scorad,0,103"),
            "outcomes": csv(
                "outcome_id,measure_id,statistic,value",
                "o1,scorad,mean-change,-103",
                "o2,scorad,percent-change,-100",
                "o3,scorad,ls-mean-change,103",
                "o4,scorad,percent-change,250",
                "o5,scorad,value,50",
            ),
        },
        {
            "outcomes": csv(
                "outcome_id,measure_id,statistic,value",
                "o1,scorad,mean-change,-103.5",
                "o2,scorad,percent-change,-100.5",
                "o3,scorad,ls-mean-change,104",
                "o4,scorad,ls-mean-percent-change,-101",
                "o5,scorad,value,50",
            )
        },
        [
            finding(
                "outcomes",
                2,
                "value",
                "-103.5",
                "change-range",
                "a change larger than the whole scale of scorad (±103)",
            ),
            finding("outcomes", 3, "value", "-100.5", "change-range", "a percent change below −100"),
            finding(
                "outcomes", 4, "value", "104", "change-range", "a change larger than the whole scale of scorad (±103)"
            ),
            finding("outcomes", 5, "value", "-101", "change-range", "a percent change below −100"),
        ],
    ),
    "percent-range": Case(
        {"outcomes": {"fields": fields("outcome_id", "statistic", "value:number")}},
        {"outcomes": csv("outcome_id,statistic,value", "o1,percent,0", "o2,percent,100", "o3,mean,150", "o4,percent,")},
        {"outcomes": csv("outcome_id,statistic,value", "o1,percent,-0.5", "o2,percent,100.1", "o3,mean,150")},
        [
            finding("outcomes", 2, "value", "-0.5", "percent-range", "a percentage outside 0–100"),
            finding("outcomes", 3, "value", "100.1", "percent-range", "a percentage outside 0–100"),
        ],
    ),
    "control-arm-without-drug": Case(
        {"arms": {"fields": fields("arm_id", "role", "drug_id")}},
        {"arms": csv("arm_id,role,drug_id", "a1,active,d1", "a2,placebo,", "a3,vehicle,")},
        {"arms": csv("arm_id,role,drug_id", "a1,active,d1", "a2,placebo,d1", "a3,vehicle,d2")},
        [
            finding(
                "arms",
                3,
                "drug_id",
                "d1",
                "control-arm-without-drug",
                "a placebo arm names no drug (leave drug_id empty)",
            ),
            finding(
                "arms",
                4,
                "drug_id",
                "d2",
                "control-arm-without-drug",
                "a vehicle arm names no drug (leave drug_id empty)",
            ),
        ],
    ),
    "treated-arm-names-drug": Case(
        {"arms": {"fields": fields("arm_id", "role", "drug_id")}},
        {"arms": csv("arm_id,role,drug_id", "a1,experimental,d1", "a2,placebo,", "a3,single-arm,")},
        {"arms": csv("arm_id,role,drug_id", "a1,experimental,", "a2,placebo,", "a3,active-comparator,")},
        [
            finding("arms", 2, "drug_id", "", "treated-arm-names-drug", "an experimental arm names its drug"),
            finding("arms", 4, "drug_id", "", "treated-arm-names-drug", "an active-comparator arm names its drug"),
        ],
    ),
    "results-within-arm": Case(
        {
            "arms": {"fields": fields("arm_id", "n:integer")},
            "outcomes": {"fields": fields("outcome_id", "arm_id", "responders:integer")},
            "adverse_events": {"fields": fields("ae_id", "arm_id", "n_affected:integer")},
        },
        # an arm without n, a row without an arm, an unknown arm: nothing to compare
        {
            "arms": csv("arm_id,n", "a1,10", "a2,"),
            "outcomes": csv("outcome_id,arm_id,responders", "o1,a1,10", "o2,a2,50", "o3,,7", "o4,zz,99"),
            "adverse_events": csv("ae_id,arm_id,n_affected", "e1,a1,10", "e2,a1,"),
        },
        {
            "outcomes": csv("outcome_id,arm_id,responders", "o1,a1,11", "o2,a2,50", "o3,,7", "o4,zz,99"),
            "adverse_events": csv("ae_id,arm_id,n_affected", "e1,a1,10", "e2,a1,12"),
        },
        [
            finding("adverse_events", 3, "n_affected", "12", "results-within-arm", "more than the arm's n = 10"),
            finding("outcomes", 2, "responders", "11", "results-within-arm", "more than the arm's n = 10"),
        ],
    ),
    "comparison-arms": Case(
        {
            "arms": {"fields": fields("arm_id", "study_id")},
            "comparisons": {"fields": fields("comparison_id", "study_id", "arm_id", "control_arm_id")},
        },
        {
            "arms": csv("arm_id,study_id", "a1,s1", "a2,s1", "b1,s2"),
            "comparisons": csv(
                "comparison_id,study_id,arm_id,control_arm_id", "c1,s1,a1,a2", "c2,s1,a1,", "c3,s1,zz,a2", "c4,s2,,"
            ),
        },
        {
            "comparisons": csv(
                "comparison_id,study_id,arm_id,control_arm_id", "c1,s1,a1,b1", "c2,s1,a1,a1", "c3,s2,a1,b1"
            )
        },
        [
            finding(
                "comparisons",
                2,
                "control_arm_id",
                "b1",
                "comparison-arms",
                "the arm belongs to study 's2', the comparison to 's1'",
            ),
            finding("comparisons", 3, "control_arm_id", "a1", "comparison-arms", "an arm compared with itself"),
            finding(
                "comparisons",
                4,
                "arm_id",
                "a1",
                "comparison-arms",
                "the arm belongs to study 's1', the comparison to 's2'",
            ),
        ],
    ),
    "ci-order": Case(
        {
            "outcomes": {"fields": fields("outcome_id", "value:number", "ci_lower:number", "ci_upper:number")},
            "comparisons": {"fields": fields("comparison_id", "estimate:number", "ci_lower:number", "ci_upper:number")},
        },
        # bounds may be equal; a missing bound or estimate leaves nothing to compare
        {
            "outcomes": csv("outcome_id,value,ci_lower,ci_upper", "o1,1.5,1.0,2.0", "o2,1,1,1", "o3,,1,2", "o4,5,,"),
            "comparisons": csv("comparison_id,estimate,ci_lower,ci_upper", "c1,0.8,0.5,1.2"),
        },
        {
            # a reversed interval is reported once, not also as a value outside it
            "outcomes": csv("outcome_id,value,ci_lower,ci_upper", "o1,1.5,2.0,1.0", "o2,2.5,1,2", "o3,0.5,1,2"),
            "comparisons": csv("comparison_id,estimate,ci_lower,ci_upper", "c1,1.3,0.5,1.2"),
        },
        [
            finding(
                "comparisons",
                2,
                "estimate",
                "1.3",
                "ci-order",
                "estimate lies outside its confidence interval 0.5 to 1.2",
            ),
            finding("outcomes", 2, "ci_lower", "2.0", "ci-order", "ci_lower is above ci_upper (1)"),
            finding("outcomes", 3, "value", "2.5", "ci-order", "value lies outside its confidence interval 1 to 2"),
            finding("outcomes", 4, "value", "0.5", "ci-order", "value lies outside its confidence interval 1 to 2"),
        ],
    ),
    "date-not-after-created": Case(
        {
            "approvals": {"fields": fields("approval_id", "decision_date")},
            "sources": {"fields": fields("source_id", "published_date")},
        },
        # a date of any precision is compared with its own prefix of `created`
        {
            "approvals": csv("approval_id,decision_date", "p1,2025-03-01", "p2,2025-03", "p3,2025", "p4,"),
            "sources": csv("source_id,published_date", "s1,2024-12-31"),
        },
        {
            "approvals": csv("approval_id,decision_date", "p1,2025-03-02", "p2,2025-04", "p3,2025", "p4,2026"),
            "sources": csv("source_id,published_date", "s1,2025-03-02"),
        },
        [
            finding(
                "approvals",
                2,
                "decision_date",
                "2025-03-02",
                "date-not-after-created",
                "after the package's created date 2025-03-01",
            ),
            finding(
                "approvals",
                3,
                "decision_date",
                "2025-04",
                "date-not-after-created",
                "after the package's created date 2025-03-01",
            ),
            finding(
                "approvals",
                5,
                "decision_date",
                "2026",
                "date-not-after-created",
                "after the package's created date 2025-03-01",
            ),
            finding(
                "sources",
                2,
                "published_date",
                "2025-03-02",
                "date-not-after-created",
                "after the package's created date 2025-03-01",
            ),
        ],
        descriptor={"created": "2025-03-01T00:00:00Z"},
    ),
    "timepoint-within-arm-period": Case(
        {
            "arms": {"fields": fields("arm_id", "period")},
            "outcomes": {"fields": fields("outcome_id", "arm_id", "timepoint_days:number")},
            "comparisons": {"fields": fields("comparison_id", "arm_id", "control_arm_id", "timepoint_days:integer")},
        },
        # boundaries, an open-ended period, periods in words and an empty one, an empty day
        {
            "arms": csv(
                "arm_id,period",
                "a1,weeks 0-16",
                "a2,from week 16 (long-term extension)",
                "a3,re-randomised maintenance",
                "a4,weeks 0–24 (double-blind)",
                "a5,",
            ),
            "outcomes": csv(
                "outcome_id,arm_id,timepoint_days",
                "o1,a1,112",
                "o2,a1,0",
                "o3,a2,364",
                "o4,a3,999",
                "o5,a5,500",
                "o6,a1,",
            ),
            "comparisons": csv("comparison_id,arm_id,control_arm_id,timepoint_days", "c1,a4,a1,112"),
        },
        {
            "outcomes": csv(
                "outcome_id,arm_id,timepoint_days",
                "o1,a1,113",
                "o2,a1,0",
                "o3,a2,84",
                "o4,a3,999",
                "o5,a5,500",
                "o6,a1,",
            ),
            "comparisons": csv("comparison_id,arm_id,control_arm_id,timepoint_days", "c1,a4,a1,140"),
        },
        [
            finding(
                "comparisons",
                2,
                "timepoint_days",
                "140",
                "timepoint-within-arm-period",
                "day 140 lies outside the period of 'a1', 'weeks 0-16' (days 0 to 112); a result of a later period "
                "belongs to the arm of that period",
            ),
            finding(
                "outcomes",
                2,
                "timepoint_days",
                "113",
                "timepoint-within-arm-period",
                "day 113 lies outside the period of 'a1', 'weeks 0-16' (days 0 to 112); a result of a later period "
                "belongs to the arm of that period",
            ),
            finding(
                "outcomes",
                4,
                "timepoint_days",
                "84",
                "timepoint-within-arm-period",
                "day 84 lies outside the period of 'a2', 'from week 16 (long-term extension)' (from day 112); a "
                "result of a later period belongs to the arm of that period",
            ),
        ],
    ),
    "outcome-n-within-arm-n": Case(
        {
            "arms": {"fields": fields("arm_id", "n:integer")},
            "outcomes": {"fields": fields("outcome_id", "arm_id", "n:integer", "analysis_population", "reported_in")},
            "source_notes": {"fields": fields("note_id", "source_id")},
        },
        # equal n, another set with its reason on its document, an arm without n, no arm, no n
        {
            "arms": csv("arm_id,n", "a1,10", "a2,"),
            "outcomes": csv(
                "outcome_id,arm_id,n,analysis_population,reported_in",
                "o1,a1,10,,s1",
                "o2,a1,12,original set,s1",
                "o3,a2,50,,s1",
                "o4,,5,,s1",
                "o5,a1,,,s2",
            ),
            "source_notes": csv("note_id,source_id", "n1,s1"),
        },
        {
            "outcomes": csv(
                "outcome_id,arm_id,n,analysis_population,reported_in",
                "o1,a1,11,,s1",
                "o2,a1,12,original set,s2",
                "o3,a2,50,,s1",
                "o4,,5,,s1",
                "o5,a1,,,s2",
            ),
        },
        [
            finding(
                "outcomes",
                line,
                "n",
                value,
                "outcome-n-within-arm-n",
                "n analysed is above the arm's n = 10: name the other analysis set in analysis_population and say "
                "why in source_notes (on reported_in)",
            )
            for line, value in ((2, "11"), (3, "12"))
        ],
    ),
    "approval-date-precision": Case(
        {
            "approvals": {"fields": fields("approval_id", "decision_date", "decision_date_as_printed", "reported_in")},
            "sources": {"fields": fields("source_id", "document_type", "published_date")},
        },
        # day, month and year as printed in several forms; a news item that prints the decision's day;
        # a regulator's record dated the day of its decision; no date
        {
            "approvals": csv(
                "approval_id,decision_date,decision_date_as_printed,reported_in",
                "p1,2023-06-23,20230623,s1",
                "p2,2022-06,06/2022,s1",
                'p3,2021-09-21,"September 21, 2021",s1',
                "p4,2023-10,2023年10月,s2",
                "p5,2023-10-28,,s3",
                "p6,2023-10-28,28 October 2023,s2",
                "p7,,,s2",
            ),
            "sources": csv(
                "source_id,document_type,published_date",
                "s1,regulatory-decision,",
                "s2,news,2023-10-28",
                "s3,regulatory-decision,2023-10-28",
            ),
        },
        {
            "approvals": csv(
                "approval_id,decision_date,decision_date_as_printed,reported_in",
                "p1,2023-06-23,20230623,s1",
                "p2,2022-06-15,06/2022,s1",
                "p3,2021-09-21,September 2021,s1",
                "p4,2023-10,2023年10月,s2",
                "p5,2023-10-28,,s3",
                "p6,2023-10-28,28 October 2023,s2",
                "p7,2023-10-28,,s2",
            ),
        },
        [
            finding(
                "approvals",
                3,
                "decision_date",
                "2022-06-15",
                "approval-date-precision",
                "more precise than the record prints it ('06/2022')",
            ),
            finding(
                "approvals",
                4,
                "decision_date",
                "2021-09-21",
                "approval-date-precision",
                "more precise than the record prints it ('September 2021')",
            ),
            finding(
                "approvals",
                8,
                "decision_date",
                "2023-10-28",
                "approval-date-precision",
                "the news item's own date (s2) is not a decision date: give the date only as the item prints it "
                "for the decision (decision_date_as_printed), else leave it empty",
            ),
        ],
    ),
    "one-preferred-per-conflict": Case(
        {
            "outcomes": {
                "fields": [
                    *fields(
                        "outcome_id",
                        "study_id",
                        "arm_id",
                        "measure_id",
                        "timepoint_days",
                        "statistic",
                        "analysis_population",
                        "conditional_on",
                    ),
                    {"name": "preferred", "type": "boolean"},
                    *fields("reported_in"),
                ]
            },
            "source_notes": {"fields": fields("note_id", "source_id")},
        },
        # a resolved conflict; a subgroup and a conditional row are not rivals of the main row; two rows
        # of one document are not a conflict; rows without an arm are not grouped
        {
            "outcomes": csv(
                "outcome_id,study_id,arm_id,measure_id,timepoint_days,statistic,analysis_population,conditional_on,"
                "preferred,reported_in",
                "o1,st,a1,m,112,percent,,,true,s1",
                "o2,st,a1,m,112,percent,,,false,s2",
                "o3,st,a1,m,112,percent,predefined subgroup x,,,s2",
                "o4,st,a1,m,112,percent,,week-16 responders,,s3",
                "o5,st,a1,m,84,percent,,,,s1",
                "o6,st,a1,m,84,percent,,,,s1",
                "o7,st,,m,112,percent,,,,s2",
                "o8,st,,m,112,percent,,,,s3",
                "o9,st,a1,m,168,percent,,,true,s3",
                "o10,st,a1,m,168,percent,,,false,s2",
            ),
            "source_notes": csv("note_id,source_id", "n1,s2"),
        },
        {
            "outcomes": csv(
                "outcome_id,study_id,arm_id,measure_id,timepoint_days,statistic,analysis_population,conditional_on,"
                "preferred,reported_in",
                "o1,st,a1,m,112,percent,,,true,s1",
                "o2,st,a1,m,112,percent,,,true,s2",
                "o3,st,a1,m,112,percent,predefined subgroup x,,false,s2",
                "o4,st,a1,m,112,percent,,week-16 responders,,s3",
                "o5,st,a1,m,84,percent,,,,s1",
                "o6,st,a1,m,84,percent,,,,s2",
                "o7,st,,m,112,percent,,,,s2",
                "o8,st,,m,112,percent,,,,s3",
                "o9,st,a1,m,168,percent,,,true,s3",
                "o10,st,a1,m,168,percent,,,,s4",
            ),
        },
        [
            finding(
                "outcomes",
                2,
                "preferred",
                "true",
                "one-preferred-per-conflict",
                "more than one preferred row among conflicting claims (o1, o2)",
            ),
            finding(
                "outcomes",
                3,
                "preferred",
                "true",
                "one-preferred-per-conflict",
                "more than one preferred row among conflicting claims (o1, o2)",
            ),
            finding(
                "outcomes",
                4,
                "preferred",
                "false",
                "one-preferred-per-conflict",
                "preferred is set, but no other document gives this result (leave it empty)",
            ),
            finding(
                "outcomes",
                6,
                "preferred",
                "",
                "one-preferred-per-conflict",
                "conflicting claims (o5, o6) and none is preferred: mark one true, the others false",
            ),
            finding(
                "outcomes",
                10,
                "preferred",
                "true",
                "one-preferred-per-conflict",
                "no source_notes row on the documents of these claims (o9, o10) gives the reason for the preference",
            ),
            finding(
                "outcomes",
                11,
                "preferred",
                "",
                "one-preferred-per-conflict",
                "empty in a group of conflicting claims (o9, o10): write false",
            ),
        ],
    ),
}


@pytest.mark.parametrize("check", RULE_CHECKS)
def test_every_rule_of_the_catalogue_has_a_unit_test_here(check):
    assert check in RULES, f"catalogue rule {check!r} is not registered"
    assert check in CASES, f"catalogue rule {check!r} has no valid/invalid case in {__file__}"


def test_every_case_is_a_rule_of_the_catalogue():
    assert set(CASES) <= set(RULE_CHECKS)
    assert set(RULES) == set(RULE_CHECKS)


@pytest.mark.parametrize("check", sorted(CASES))
def test_valid_package_gives_no_finding(tmp_path, check):
    case = CASES[check]
    assert found(check, tmp_path, case.tables({}), **case.descriptor) == []


@pytest.mark.parametrize("check", sorted(CASES))
def test_invalid_package_gives_exactly_these_findings(tmp_path, check):
    case = CASES[check]
    assert found(check, tmp_path, case.tables(case.invalid), **case.descriptor) == case.findings


@pytest.mark.parametrize("check", sorted(CASES))
def test_only_its_own_rule_reports_the_defect(tmp_path, check):
    """No other rule fires on a case's invalid package: each defect is
    reported once, under one check."""
    case = CASES[check]
    ctx = context(tmp_path, case.tables(case.invalid), **case.descriptor)
    others = [f for name in RULES if name != check for f in RULES[name](ctx)]
    assert others == []


# Edge cases of single rules.


def test_primary_key_with_a_unique_constraint_is_left_to_unique(tmp_path):
    schema = {"fields": [{"name": "id", "constraints": {"unique": True}}], "primaryKey": "id"}
    assert found("primary-key", tmp_path, {"t": (schema, csv("id", "x", "x"))}) == []


def test_single_field_primary_key_without_unique(tmp_path):
    schema = {"fields": fields("id"), "primaryKey": "id"}
    assert found("primary-key", tmp_path, {"t": (schema, csv("id", "x", "y", "x"))}) == [
        finding("t", 4, "id", "x", "primary-key", "duplicate primary key (id) = x (first on line 2)")
    ]


def test_foreign_key_to_a_table_that_does_not_exist_is_one_package_level_finding(tmp_path):
    schema = {"fields": fields("arm_id", "study_id"), "foreignKeys": [fk("study_id", "studies", "study_id")]}
    assert found("foreign-key", tmp_path, {"arms": (schema, csv("arm_id,study_id", "a1,s1"))}) == [
        finding("arms", None, "study_id", None, "foreign-key", "references studies.study_id, which does not exist")
    ]


def test_composite_foreign_key(tmp_path):
    tables = {
        "periods": ({"fields": fields("study_id", "period")}, csv("study_id,period", "s1,1", "s1,2")),
        "arms": (
            {
                "fields": fields("arm_id", "study_id", "period"),
                "foreignKeys": [
                    {
                        "fields": ["study_id", "period"],
                        "reference": {"resource": "periods", "fields": ["study_id", "period"]},
                    }
                ],
            },
            csv("arm_id,study_id,period", "a1,s1,2", "a2,s2,1", "a3,,"),
        ),
    }
    assert found("foreign-key", tmp_path, tables) == [
        finding("arms", 3, "period", "s2|1", "foreign-key", "not found in periods.study_id,period")
    ]


def test_foreign_key_within_its_own_table(tmp_path):
    schema = {"fields": fields("id", "parent_id"), "foreignKeys": [fk("parent_id", "", "id")]}
    assert found("foreign-key", tmp_path, {"t": (schema, csv("id,parent_id", "a,", "b,a", "c,z"))}) == [
        finding("t", 4, "parent_id", "z", "foreign-key", "not found in t.id")
    ]


def test_measure_range_leaves_a_value_that_is_not_a_number_to_the_type_check(tmp_path):
    tables = {
        "measures": ({"fields": fields("measure_id", "min:number", "max:number")}, csv("measure_id,min,max", "m,0,10")),
        "outcomes": ({"fields": fields("measure_id", "value:number")}, csv("measure_id,value", "m,lots", "m,11")),
    }
    ctx = context(tmp_path, tables)
    assert RULES["measure-range"](ctx) == [
        finding("outcomes", 3, "value", "11", "measure-range", "above maximum 10 of m")
    ]
    assert [(f.row, f.column, f.check) for f in ctx.type_findings("outcomes")] == [(2, "value", "type")]


def test_year_range_without_created_ends_at_this_year(tmp_path):
    this = dt.date.today().year
    table = {
        "sources": (
            {"fields": fields("source_id", "year:integer")},
            csv("source_id,year", f"s1,{this}", f"s2,{this + 1}"),
        )
    }
    assert found("year-range", tmp_path, table) == [
        finding("sources", 3, "year", str(this + 1), "year-range", f"year outside 1900..{this}")
    ]


def test_rules_skip_tables_without_their_columns(tmp_path):
    """A package that has none of the columns the rules look for gives no
    finding and no error: rules find their columns by name or by schema."""
    ctx = context(tmp_path, {"things": ({"fields": fields("thing_id", "label")}, csv("thing_id,label", "t1,x"))})
    assert run_rules(ctx) == []


def test_an_arms_row_may_name_neither_drug_nor_class(tmp_path):
    """A placebo or vehicle arm's row carries no drug: with an `arm_id`,
    neither is allowed; without one, or with both, it is still reported."""
    schema = {"fields": fields("ae_id", "arm_id", "drug_id", "drug_class"), "exactlyOneOf": [["drug_id", "drug_class"]]}
    text = csv("ae_id,arm_id,drug_id,drug_class", "e1,a1,,", "e2,,,", "e3,a1,d1,jak")
    assert found("drug-or-class", tmp_path, {"adverse_events": (schema, text)}) == [
        finding(
            "adverse_events",
            3,
            "drug_id",
            "|",
            "drug-or-class",
            "exactly one of drug_id / drug_class must be set, found neither",
        ),
        finding(
            "adverse_events",
            4,
            "drug_id",
            "d1|jak",
            "drug-or-class",
            "exactly one of drug_id / drug_class must be set, found both",
        ),
    ]


def test_measure_range_applies_to_values_on_the_scale_only(tmp_path):
    """A change from baseline may be negative (change-range checks it); a
    value, mean, median, percent or a row without statistic is on the scale."""
    tables = {
        "measures": ({"fields": fields("measure_id", "min:number", "max:number")}, csv("measure_id,min,max", "m,0,10")),
        "outcomes": (
            {"fields": fields("measure_id", "statistic", "value:number")},
            csv("measure_id,statistic,value", "m,mean-change,-5", "m,mean,11", "m,,-1", "m,median-change,9"),
        ),
    }
    assert found("measure-range", tmp_path, tables) == [
        finding("outcomes", 3, "value", "11", "measure-range", "above maximum 10 of m"),
        finding("outcomes", 4, "value", "-1", "measure-range", "below minimum 0 of m"),
    ]


def test_date_not_after_created_needs_a_created_date(tmp_path):
    table = {
        "approvals": (
            {"fields": fields("approval_id", "decision_date")},
            csv("approval_id,decision_date", "p1,2999-01-01"),
        )
    }
    assert found("date-not-after-created", tmp_path, table) == []


# Once a bug, now fixed: composite keys are compared as their
# cells joined with "|", so a "|" inside a cell makes two keys collide.


def test_composite_primary_key_with_a_bar_in_a_cell(tmp_path):
    schema = {"fields": fields("a", "b"), "primaryKey": ["a", "b"]}
    assert found("primary-key", tmp_path, {"t": (schema, csv("a,b", "x|y,z", "x,y|z"))}) == []


def test_composite_foreign_key_with_a_bar_in_a_cell(tmp_path):
    ref = {"fields": ["a", "b"], "reference": {"resource": "parents", "fields": ["a", "b"]}}
    tables = {
        "parents": ({"fields": fields("a", "b")}, csv("a,b", "x|y,z")),
        "children": ({"fields": fields("a", "b"), "foreignKeys": [ref]}, csv("a,b", "x,y|z")),
    }
    assert [(f.table, f.row, f.column, f.check) for f in found("foreign-key", tmp_path, tables)] == [
        ("children", 2, "b", "foreign-key")
    ]
