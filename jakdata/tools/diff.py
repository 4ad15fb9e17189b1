"""What changed between two packages: version, schemas, and rows by
primary key down to the cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jakdata.package.descriptor import Resource, open_package
from jakdata.package.hashing import file_hashes, fingerprint_of


def _rows(resource: Resource) -> tuple[list[str], dict[tuple[str, ...], dict[str, str]], list[str]]:
    """Primary key, rows by key, columns. A key seen twice keeps both rows:
    the second under its key with ``#2`` appended (a duplicated row is a
    difference, never hidden)."""
    from jakdata.table.read import read_table

    raw = read_table(resource)
    pk = resource.schema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)
    cols = list(raw.frame.columns)
    records = raw.frame.to_dict("records")
    if not pk or not all(c in cols for c in pk):
        pk = cols  # no usable key: whole rows are the key
    out: dict[tuple[str, ...], dict[str, str]] = {}
    for rec in records:
        key = tuple(rec[c] for c in pk)
        n = 1
        while key in out:
            n += 1
            key = (*tuple(rec[c] for c in pk)[:-1], f"{rec[pk[-1]]}#{n}")
        out[key] = rec
    return pk, out, cols


def _schema_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    of = {f["name"]: f for f in old.get("fields", [])}
    nf = {f["name"]: f for f in new.get("fields", [])}
    changes: dict[str, Any] = {}
    if [*of] != [*nf]:
        added = [n for n in nf if n not in of]
        removed = [n for n in of if n not in nf]
        if added:
            changes["fields_added"] = added
        if removed:
            changes["fields_removed"] = removed
        if not added and not removed:
            changes["fields_reordered"] = [*nf]
    changed = {}
    for n in of.keys() & nf.keys():
        if of[n] != nf[n]:
            keys = sorted(k for k in of[n].keys() | nf[n].keys() if of[n].get(k) != nf[n].get(k))
            changed[n] = {k: [of[n].get(k), nf[n].get(k)] for k in keys}
    if changed:
        changes["fields_changed"] = dict(sorted(changed.items()))
    for prop in ("primaryKey", "foreignKeys", "listForeignKeys", "entityReference", "exactlyOneOf"):
        if old.get(prop) != new.get(prop):
            changes[prop] = [old.get(prop), new.get(prop)]
    return changes


def diff(old: str | Path, new: str | Path) -> dict[str, Any]:
    a, b = open_package(old), open_package(new)
    result: dict[str, Any] = {
        "old": {"path": str(a.path), "version": a.version, "fingerprint": fingerprint_of(file_hashes(a))},
        "new": {"path": str(b.path), "version": b.version, "fingerprint": fingerprint_of(file_hashes(b))},
        "tables_added": [n for n in b.resources if n not in a.resources],
        "tables_removed": [n for n in a.resources if n not in b.resources],
        "tables": {},
    }
    for name in [n for n in a.resources if n in b.resources]:
        ra, rb = a.resources[name], b.resources[name]
        entry: dict[str, Any] = {}
        schema = _schema_changes(ra.schema, rb.schema)
        if schema:
            entry["schema"] = schema
        pk, rows_a, _ = _rows(ra)
        _, rows_b, _ = _rows(rb)
        added = [k for k in rows_b if k not in rows_a]
        removed = [k for k in rows_a if k not in rows_b]
        changed = []
        for k in rows_a.keys() & rows_b.keys():
            x, y = rows_a[k], rows_b[k]
            cells = {c: [x.get(c), y.get(c)] for c in dict.fromkeys([*x, *y]) if x.get(c) != y.get(c)}
            if cells:
                changed.append({"key": "|".join(k), "cells": cells})
        if added:
            entry["added"] = ["|".join(k) for k in added]
        if removed:
            entry["removed"] = ["|".join(k) for k in removed]
        if changed:
            entry["changed"] = sorted(changed, key=lambda c: c["key"])
        if entry:
            entry["key"] = pk
            result["tables"][name] = entry
    meta_a = {k: v for k, v in a.descriptor.items() if k != "resources"}
    meta_b = {k: v for k, v in b.descriptor.items() if k != "resources"}
    result["descriptor"] = {
        k: [meta_a.get(k), meta_b.get(k)]
        for k in sorted(meta_a.keys() | meta_b.keys())
        if meta_a.get(k) != meta_b.get(k)
    }
    result["identical"] = (
        not result["tables"]
        and not result["tables_added"]
        and not result["tables_removed"]
        and not result["descriptor"]
    )
    return result


def render_text(d: dict[str, Any]) -> str:
    if d["identical"]:
        return f"identical: {d['old']['version']} ({d['old']['fingerprint']})"
    out = [
        f"version: {d['old']['version']} -> {d['new']['version']}"
        if d["old"]["version"] != d["new"]["version"]
        else f"version: {d['old']['version']} (unchanged)",
        f"fingerprint: {d['old']['fingerprint']} -> {d['new']['fingerprint']}",
    ]
    for key, (x, y) in d.get("descriptor", {}).items():
        if key != "version":
            out.append(f"descriptor {key}: {json.dumps(x, ensure_ascii=False)} -> {json.dumps(y, ensure_ascii=False)}")
    for t in d["tables_added"]:
        out.append(f"table added: {t}")
    for t in d["tables_removed"]:
        out.append(f"table removed: {t}")
    for name, e in d["tables"].items():
        counts = ", ".join(f"{len(e[k])} {k}" for k in ("added", "removed", "changed") if k in e)
        out.append(f"{name}: {counts or 'schema changed'}")
        for k, v in e.get("schema", {}).items():
            out.append(f"  schema {k}: {json.dumps(v, ensure_ascii=False)}")
        for key in e.get("added", []):
            out.append(f"  + {key}")
        for key in e.get("removed", []):
            out.append(f"  - {key}")
        for c in e.get("changed", []):
            out.append(f"  ~ {c['key']}")
            for col, (x, y) in c["cells"].items():
                out.append(f"      {col}: {x!r} -> {y!r}")
    return "\n".join(out)
