"""JSON, as the data model fixes it: ``valid``, ``package``, ``version``,
``errors`` [{table, row, column, value, check, message}], plus ``summary``,
``warnings``, ``error_count`` and ``errors_not_shown``."""

from __future__ import annotations

import json
from typing import Any

from jakdata.report.common import shown, summary
from jakdata.validate.checker import Outcome


def render(outcome: Outcome, max_errors: int | None = None) -> str:
    doc: dict[str, Any]
    if outcome.error is not None:
        doc = {
            "valid": False,
            "package": None,
            "version": None,
            "path": outcome.error.path,
            "usable": False,
            "message": str(outcome.error),
            "errors": [],
            "error_count": 0,
            "errors_not_shown": 0,
            "summary": {},
            "warnings": [],
            "tables": {},
        }
        return json.dumps(doc, ensure_ascii=False, indent=2)
    r = outcome.result
    assert r is not None
    findings, left = shown(r.findings, max_errors)
    errors = []
    for f in findings:
        d = f.as_dict()
        d.pop("path", None)
        d["file"] = f.path
        errors.append(d)
    doc = {
        "valid": r.valid,
        "package": r.package,
        "version": r.version,
        "path": r.path,
        "source": outcome.source or None,
        "usable": True,
        "errors": errors,
        "error_count": len(r.findings),
        "errors_not_shown": left,
        "summary": summary(r.findings),
        "warnings": r.warnings,
        "tables": r.rows,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str)
