"""Every check ``jakdata validate`` runs, as data: one entry per check with
its name (what reports print), a title, a one-line description, what it
applies to and the template of its message. The docs, the reporters, the
rules and the tests read this table; a :class:`~jakdata.findings.Finding`
of a check that is not in it cannot be made."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    description: str
    applies_to: str  # package, file, header, row, cell, column, table, tables
    stage: str  # package, structure, field, text, rule
    #: ``str.format`` template of the message; a check whose messages vary
    #: row by row (most rules) passes its own template to the finding
    message: str = "{detail}"


def _c(name: str, title: str, applies_to: str, stage: str, description: str, message: str = "{detail}") -> Check:
    return Check(name, title, " ".join(description.split()), applies_to, stage, message)


CHECKS: tuple[Check, ...] = (
    # the package
    _c(
        "descriptor",
        "Descriptor",
        "package",
        "package",
        "`datapackage.json` passes the Data Package profile and has the metadata this project requires.",
    ),
    _c("hash", "Declared hash", "file", "package", "Each resource's declared `hash` matches the file."),
    _c("bytes", "Declared size", "file", "package", "Each resource's declared `bytes` matches the file."),
    # the shape of each file
    _c(
        "header",
        "Header",
        "header",
        "structure",
        "The header lists the schema's columns, once each, in order (no extra, missing or reordered columns).",
    ),
    _c("blank-row", "Blank row", "row", "structure", "No blank rows.", "blank row"),
    _c(
        "row-shape",
        "Row shape",
        "row",
        "structure",
        "Every row has as many cells as the header.",
        "row has {cells} cells, the header has {width}",
    ),
    # each field, from its Table Schema
    _c(
        "type",
        "Type",
        "cell",
        "field",
        "The cell parses as the field's type and format, as Frictionless reads them (integer, number, boolean "
        "`true`/`false` unless `trueValues`/`falseValues` say otherwise, date `YYYY-MM-DD` unless a `format` is "
        "given, datetime, time, year, yearmonth, duration, geopoint, geojson, object, array; string formats email, "
        "uri, binary, uuid).",
        "not {expected}{hint}",
    ),
    _c("required", "Required", "cell", "field", "A required field is not empty.", "required value is missing"),
    _c(
        "provenance",
        "Provenance",
        "cell",
        "field",
        "A claim row names its document (`reported_in`) and the place in it (`locator`).",
        "claim row without {field}: every claim names its document and place",
    ),
    _c(
        "unique",
        "Unique",
        "column",
        "field",
        "A unique field has no duplicate values.",
        "duplicate value in a unique column (first on line {first})",
    ),
    _c(
        "enum",
        "Allowed values",
        "cell",
        "field",
        "The value is one of the field's allowed values.",
        "not one of the allowed values ({allowed})",
    ),
    _c(
        "pattern",
        "Pattern",
        "cell",
        "field",
        "The value matches the field's pattern.",
        "does not match the pattern {pattern}",
    ),
    _c(
        "identifier-format",
        "Identifier format",
        "cell",
        "field",
        "An external identifier (DOI, PMID, ChEMBL, UniProt, HGNC, MONDO, ICD-10, ATC, NCT, ISO 639-1, ...) "
        "has its registry's format.",
        "not a valid {scheme} identifier",
    ),
    _c("minimum", "Minimum", "cell", "field", "The value is not below the field's minimum.", "below minimum {bound}"),
    _c("maximum", "Maximum", "cell", "field", "The value is not above the field's maximum.", "above maximum {bound}"),
    _c(
        "exclusive-minimum",
        "Exclusive minimum",
        "cell",
        "field",
        "The value is above the field's exclusiveMinimum.",
        "not above exclusive minimum {bound}",
    ),
    _c(
        "exclusive-maximum",
        "Exclusive maximum",
        "cell",
        "field",
        "The value is below the field's exclusiveMaximum.",
        "not below exclusive maximum {bound}",
    ),
    _c(
        "max-length",
        "Maximum length",
        "cell",
        "field",
        "Text (or an array's items, an object's keys) is not longer than the field's maxLength.",
        "longer than {bound}",
    ),
    _c(
        "min-length",
        "Minimum length",
        "cell",
        "field",
        "Text (or an array's items, an object's keys) is not shorter than the field's minLength.",
        "shorter than {bound}",
    ),
    # text hygiene, on every text cell
    _c("whitespace", "Whitespace", "cell", "text", "No leading or trailing whitespace in a cell."),
    _c("unicode-nfc", "Unicode NFC", "cell", "text", "Text is in Unicode NFC form."),
    _c(
        "ascii-id",
        "ASCII identifier",
        "cell",
        "text",
        "Identifiers (key and reference columns) are ASCII: a Cyrillic letter inside an id is an error.",
    ),
    _c(
        "formula-injection",
        "Formula injection",
        "cell",
        "text",
        "No text cell starts with `=`, `+`, `-` or `@` unless it is a number.",
    ),
    # rules over the schema's keys and references (any package)
    _c(
        "primary-key",
        "Primary key",
        "table",
        "rule",
        "The primary key (single or composite) is unique. Single-field keys that also carry a `unique` "
        "constraint are reported as `unique`.",
    ),
    _c(
        "foreign-key",
        "Foreign key",
        "tables",
        "rule",
        "Every value of a `foreignKeys` field exists in the referenced table.",
    ),
    _c(
        "list-foreign-key",
        "Foreign keys in a list",
        "tables",
        "rule",
        "Each id in a delimited list (`listForeignKeys`, e.g. `cites`) exists in the referenced table.",
    ),
    _c(
        "entity-reference",
        "Entity reference",
        "tables",
        "rule",
        "An id resolves in the table its type column names (`synonyms.entity_id` in the table `entity_type` names).",
    ),
    _c(
        "drug-or-class",
        "Exactly one of",
        "row",
        "rule",
        "Exactly one of the columns of each `exactlyOneOf` group is set (`drug_id` or `drug_class`); a row "
        "that names an `arm_id` may set neither (a placebo or vehicle arm's row carries no drug).",
    ),
    _c("parent-cycle", "Parent cycle", "table", "rule", "Following `parent_id` never returns to where it started."),
    # rules of the jakdata data model
    _c(
        "drug-class-known",
        "Known drug class",
        "tables",
        "rule",
        "A class-level `drug_class` is a class some drug in `drugs` has.",
    ),
    _c(
        "measure-range",
        "Measure range",
        "tables",
        "rule",
        "A `value` lies within its measure's `min`/`max` (from the `measures` table: a new instrument needs "
        "no code change).",
    ),
    _c("responders-within-n", "Responders within n", "row", "rule", "`responders` is at most `n`."),
    _c("affected-within-exposed", "Affected within exposed", "row", "rule", "`n_affected` is at most `n_exposed`."),
    _c("dose-positive", "Positive dose", "cell", "rule", "A `dose` is greater than 0."),
    _c(
        "year-range",
        "Year range",
        "cell",
        "rule",
        "A `year` lies between 1900 and the package's release year (the year of `created` in the descriptor).",
    ),
    _c(
        "arm-consistency",
        "Arm consistency",
        "tables",
        "rule",
        "Where a row names an arm, the arm belongs to the row's study and gives the row's drug.",
    ),
    _c(
        "result-or-value",
        "Result or value",
        "row",
        "rule",
        "A result row has a numeric `value` or a `result` in words.",
    ),
    _c(
        "derived-explained",
        "Derived value explained",
        "row",
        "rule",
        "A value marked `derived` has a `note` saying how it was computed.",
    ),
    # rules of model v2: trials, comparisons, approvals
    _c(
        "change-range",
        "Change range",
        "tables",
        "rule",
        "A change from baseline (`mean-change`, `ls-mean-change`, `median-change`) lies within ±(max − min) of its "
        "measure; a percent change (`percent-change`, `ls-mean-percent-change`) is at least −100.",
    ),
    _c("percent-range", "Percent range", "cell", "rule", "A `value` whose `statistic` is `percent` lies within 0–100."),
    _c(
        "control-arm-without-drug",
        "Control arm without drug",
        "row",
        "rule",
        "A placebo or vehicle arm (`role`) names no `drug_id`.",
    ),
    _c(
        "treated-arm-names-drug",
        "Treated arm names its drug",
        "row",
        "rule",
        "An experimental or active-comparator arm (`role`) names its `drug_id` (only placebo, vehicle and "
        "single-arm rows may leave it empty).",
    ),
    _c(
        "results-within-arm",
        "Results within the arm",
        "tables",
        "rule",
        "Where a row names an arm, its `responders` and `n_affected` are at most the arm's `n`.",
    ),
    _c(
        "comparison-arms",
        "Comparison arms",
        "tables",
        "rule",
        "A comparison's `arm_id` and `control_arm_id` are two different arms of the comparison's own study.",
    ),
    _c(
        "ci-order",
        "Confidence interval order",
        "row",
        "rule",
        "`ci_lower` ≤ `ci_upper`, and the row's estimate (`value` or `estimate`) lies between them.",
    ),
    _c(
        "date-not-after-created",
        "Date not after release",
        "cell",
        "rule",
        "A `decision_date` or `published_date` is not after the package's `created` date.",
    ),
    # rules of model v3: synthesis-grade results
    _c(
        "timepoint-within-arm-period",
        "Timepoint within the arm's period",
        "tables",
        "rule",
        "Where a row names an arm (and a control arm) whose `period` is machine-readable (`weeks A-B` or "
        "`from week A`, optionally with a remark in parentheses), its `timepoint_days` lies between day 7×A and "
        "day 7×B: a result of a later period belongs to the arm of that period.",
    ),
    _c(
        "outcome-n-within-arm-n",
        "Outcome n within the arm's n",
        "tables",
        "rule",
        "The `n` analysed for a result is at most its arm's `n`, unless the row names its analysis set "
        "(`analysis_population`) and a `source_notes` row on its `reported_in` says why (e.g. an original "
        "randomised set that a correction later reduced).",
    ),
    _c(
        "approval-date-precision",
        "Approval date as printed",
        "cell",
        "rule",
        "A `decision_date` is no more precise than `decision_date_as_printed` (a year, a month or a day), and "
        "is not the publication date of the news item it comes from unless that item prints it as the "
        "decision's date.",
    ),
    _c(
        "one-preferred-per-conflict",
        "One preferred value per conflict",
        "tables",
        "rule",
        "Rows from different documents with the same study, arm (and control arm), measure, `timepoint_days`, "
        "`statistic` (or `effect_measure`), `analysis_population` and `conditional_on` are conflicting claims: "
        "exactly one has `preferred` true and the others false, with the reason in `source_notes` on one of "
        "their documents; a row without a conflicting claim leaves `preferred` empty.",
    ),
)

CATALOGUE: dict[str, Check] = {c.name: c for c in CHECKS}
