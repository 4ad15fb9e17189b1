"""Scale a package to N outcome rows: valid data, unique keys, hashes
refreshed. The outcomes of the source package are repeated with new ids;
their free text (note, result) is made distinct row by row.

    python bench/generate.py N OUTDIR [--from PATH]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from jakdata.package.descriptor import open_package
from jakdata.tools.hashes import refresh


def scale(n: int, out: Path, source: Path | None = None) -> Path:
    package = open_package(source)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(package.path, out / "datapackage.json")
    shutil.copytree(package.root / "schemas", out / "schemas")
    shutil.copytree(package.root / "data", out / "data")
    src = package.resources["outcomes"].path
    names = package.resources["outcomes"].field_names
    table = pacsv.read_csv(
        src,
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names}, strings_can_be_null=False),
    )
    reps = -(-n // table.num_rows)
    big = pa.concat_tables([table] * reps).slice(0, n)
    ids = pa.array([f"bench-{i:08d}" for i in range(n)], type=pa.string())
    big = big.set_column(names.index("outcome_id"), "outcome_id", ids)
    # Free text is as varied as in real data: each row's note and result
    # get the row's number, so these columns do not repeat.
    for col in ("note", "result"):
        text = big.column(col)
        tagged = pc.binary_join_element_wise(
            text, pc.cast(pa.array([f" [row {i}]" for i in range(n)]), pa.string()), ""
        )
        big = big.set_column(names.index(col), col, pc.if_else(pc.equal(text, ""), text, tagged))
    # Each copy of a group of conflicting claims is a group of its own (model v3):
    # the copies get their own analysis population, so each keeps one preferred row.
    if "analysis_population" in names and "preferred" in names:
        label = pc.cast(pa.array([f"bench copy {i // table.num_rows}" for i in range(n)]), pa.string())
        pop = big.column("analysis_population")
        named = pc.if_else(pc.equal(pop, ""), label, pc.binary_join_element_wise(pop, label, ", "))
        copied = pa.array([i >= table.num_rows for i in range(n)])
        rival = pc.and_(pc.not_equal(big.column("preferred"), ""), copied)
        big = big.set_column(names.index("analysis_population"), "analysis_population", pc.if_else(rival, named, pop))
    pacsv.write_csv(big, out / "data" / "outcomes.csv", write_options=pacsv.WriteOptions(quoting_style="needed"))
    # pyarrow writes "\n" line endings and quotes only where needed
    refresh(out)
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--from", dest="source", type=Path, default=None)
    a = ap.parse_args()
    print(scale(a.n, a.outdir, a.source))
