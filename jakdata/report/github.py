"""GitHub Actions workflow commands: one ``::error`` annotation per error,
with ``file=`` relative to the current directory (the repository root in a
workflow), wherever the package lies."""

from __future__ import annotations

import os
from pathlib import Path

from jakdata.report import text
from jakdata.report.common import safe, shown
from jakdata.validate.checker import Outcome


def _escape(s: str, prop: bool = False) -> str:
    s = safe(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def _file(root: Path, relpath: str) -> str:
    try:
        return os.path.relpath(root / relpath)
    except ValueError:  # another drive (Windows)
        return str(root / relpath)


def render(outcome: Outcome, max_errors: int | None = None) -> str:
    if outcome.error is not None:
        path = outcome.error.path
        loc = f" file={_escape(path, True)}" if path else ""
        return f"::error{loc}::{_escape(str(outcome.error))}"
    r = outcome.result
    assert r is not None
    root = Path(r.path).parent
    findings, left = shown(r.findings, max_errors)
    out = [f"::warning::{_escape(w)}" for w in r.warnings]
    for f in findings:
        props = [f"file={_escape(_file(root, f.path or 'datapackage.json'), True)}"]
        if f.row is not None:
            props.append(f"line={f.row}")
        props.append(f"title={_escape(f.check, True)}")
        out.append(f"::error {','.join(props)}::{_escape(str(f))}")
    if left:
        out.append(f"::notice::{left} more errors not shown")
    out.append(text.headline(outcome))
    return "\n".join(out)
