"""Test helpers (plain functions, imported as ``from helpers import ...``):
a writable copy of the bundled package, example overlays, cell edits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from jakdata.package.descriptor import bundled_root

EXAMPLES = Path(__file__).parent / "examples"


def copy_bundled(dest: Path) -> Path:
    root = bundled_root()
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(root / "data", dest / "data")
    shutil.copytree(root / "schemas", dest / "schemas")
    return dest


def set_cells(pkg: Path, table: str, row: int, **cells: str) -> None:
    """Overwrite cells of data row ``row`` (1 = the first after the header,
    i.e. CSV line 2) of ``data/<table>.csv``. Hashes are not refreshed."""
    import csv
    import io

    p = pkg / "data" / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8"), newline="")))
    for column, value in cells.items():
        rows[row][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    p.write_text(out.getvalue(), encoding="utf-8")


MINIMAL = EXAMPLES / "valid" / "minimal"


def build_minimal(dest: Path) -> Path:
    """The bundled descriptor and schemas with the small, valid data of
    ``tests/examples/valid/minimal`` (hashes refreshed)."""
    from jakdata.tools.hashes import refresh

    copy_bundled(dest)
    for f in (MINIMAL / "data").glob("*.csv"):
        shutil.copyfile(f, dest / "data" / f.name)
    refresh(dest)
    return dest


def build_example(example: Path, dest: Path) -> tuple[Path, dict]:
    """The minimal valid package with the example's files laid over it.

    An example directory under ``tests/examples/invalid`` holds
    ``case.json`` (exit code and the exact errors that must be reported)
    and the files that differ from the minimal package, at the same paths.
    Hashes are refreshed unless the case says ``"refresh_hashes": false``,
    so only the rule under test can catch the defect.
    """
    case = json.loads((example / "case.json").read_text(encoding="utf-8"))
    build_minimal(dest)
    for f in sorted(example.rglob("*")):
        rel = f.relative_to(example)
        if f.is_dir() or rel.name == "case.json":
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    if case.get("descriptor_remove"):
        p = dest / "datapackage.json"
        d = json.loads(p.read_text(encoding="utf-8"))
        for key in case["descriptor_remove"]:
            d.pop(key, None)
        p.write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if case.get("refresh_hashes", True):
        from jakdata.tools.hashes import refresh

        refresh(dest)
    else:  # the bundled descriptor's hashes are of the bundled files
        hashes_of_minimal = build_minimal(dest.parent / (dest.name + "-hashes"))
        shutil.copyfile(hashes_of_minimal / "datapackage.json", dest / "datapackage.json")
    return dest, case


def validate_json(cli, path) -> tuple[int, dict]:
    code, out, _err = cli("validate", str(path), "--format", "json")
    return code, json.loads(out)


def fields(*specs: str) -> list[dict]:
    """Table Schema fields from ``"name"`` or ``"name:type"`` (string by default)."""
    out = []
    for spec in specs:
        name, _, kind = spec.partition(":")
        out.append({"name": name, "type": kind or "string"})
    return out


def write_package(dest: Path, tables: dict[str, tuple[dict, str]], **descriptor) -> Path:
    """A tiny package written from scratch (not a copy of the bundled one):
    ``tables`` maps a resource name to ``(schema, CSV text)``; each CSV is
    ``<name>.csv`` and each schema is inline in the descriptor.
    ``descriptor`` adds or replaces top-level properties (``version``...);
    a property given as ``None`` is left out."""
    dest.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, (schema, text) in tables.items():
        (dest / f"{name}.csv").write_text(text, encoding="utf-8", newline="")
        resources.append({"name": name, "path": f"{name}.csv", "schema": schema})
    doc = {"name": "tiny", "version": "1.0.0", **descriptor, "resources": resources}
    doc = {k: v for k, v in doc.items() if v is not None}  # None: leave the property out
    (dest / "datapackage.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return dest
