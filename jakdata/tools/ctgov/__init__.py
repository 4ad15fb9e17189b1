"""`jakdata import ctgov`: ClinicalTrials.gov API v2 study records become
draft rows of a fork, each value traceable to its place in the record.

One record gives a ``sources`` row (``registry-record``, ``review_status =
draft``), the trial's ``studies`` row (or the study already in the package
with the same ``registry_id``, or EudraCT or CTIS number), ``arms``,
``outcomes``, ``comparisons`` and
``adverse_events``. Every row names the registry source in ``reported_in``
and the JSON path it came from in ``locator``
(``resultsSection.outcomeMeasuresModule.outcomeMeasures[3].classes[0]
.categories[0].measurements[1]``).

What is copied: titles, terms (arm labels, conditions, event terms) and
numbers, exactly as printed. What is not: the record's descriptive
paragraphs (summaries, arm, group, population and analysis descriptions,
eligibility criteria, comments); notes are the importer's own words.

Vocabulary: conditions, interventions and outcome measures are looked up
as :func:`jakdata.lookup.find` looks them up (the names, codes and
synonyms of the fork's own vocabulary, with its normalisation). A measure is matched through the names the outcome title
gives it (its abbreviation, its spelled-out name, a responder threshold such
as "EASI-75" or "IGA 0/1"), never through a list of known titles; what the
vocabulary does not know unambiguously becomes a new entry, never a guess
into an existing one.

Safety: nothing existing is changed (rows are appended); a record whose
source is already in the package adds nothing; another version of an
imported record is reported with what changed and not imported; the
bundled package is refused; the result is validated in a temporary copy
first (a row the validator rejects is left out and reported, and nothing
is written when the rest would not validate); ``dry_run`` writes nothing.

Modules, by role: ``record`` (reading a record, typed access), ``fetch``
(downloading records from the API), ``target`` (the fork and the plan of rows),
``vocab`` (vocabulary lookups, measures, statistics), ``matching`` (results
groups to arms), ``study``/``arms``/``results``/``adverse``/``builder`` (rows),
``settle`` (validation in a copy, the write), ``report`` (what happened,
as text or JSON), ``run`` (the command).
"""

from jakdata.tools.ctgov.report import ImportReport, RecordSummary, render, render_json
from jakdata.tools.ctgov.run import import_records

__all__ = ["ImportReport", "RecordSummary", "import_records", "render", "render_json"]
