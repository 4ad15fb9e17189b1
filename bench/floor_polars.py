"""The practical floor: the checks of `jakdata validate`, hand-written in
polars with no reporting beyond a count of failing cells per check.

It reads the same Table Schema JSON and applies the same families of checks
(descriptor hashes and bytes, header, blank rows, whitespace, NFC, ASCII
ids, formula cells, types, required, unique, enum, pattern, length, range,
primary and foreign keys, list foreign keys, entity references, the
cross-column rules). It is benchmark code: not shipped, not a validator.

    python bench/floor_polars.py PACKAGE_DIR
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import polars as pl

FORMULA = r"^[=+\-@]"
WHITESPACE = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
NUMBER_TEXT = r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?%?$"
TYPE_RX = {
    "integer": r"^[+-]?[0-9]{1,18}$",
    "number": r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$",
    "boolean": r"^(?:true|false)$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}


def main(root: Path) -> int:
    desc = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    frames, schemas, errors = {}, {}, {}

    def count(check: str, n) -> None:
        n = int(n)
        if n:
            errors[check] = errors.get(check, 0) + n

    for res in desc["resources"]:
        name = res["name"]
        data = (root / res["path"]).read_bytes()
        count("bytes", len(data) != res["bytes"])
        count("hash", hashlib.sha256(data).hexdigest() != res["hash"].split(":")[1])
        schema = json.loads((root / res["schema"]).read_text(encoding="utf-8"))
        schemas[name] = schema
        df = pl.read_csv(data, infer_schema=False, empty_string_is_null=False)
        count("header", df.columns != [f["name"] for f in schema["fields"]])
        count("blank-row", df.select(pl.all_horizontal(pl.all().str.len_bytes() == 0)).to_series().sum())
        frames[name] = df

    for name, df in frames.items():
        schema = schemas[name]
        ids = set(schema.get("primaryKey", [])) | {f for fk in schema.get("foreignKeys", []) for f in fk["fields"]}
        exprs = []
        for f in schema["fields"]:
            c, col = f.get("constraints", {}), pl.col(f["name"])
            present = col.str.len_bytes() > 0
            exprs.append(
                (col.str.head(1).is_in(WHITESPACE) | col.str.tail(1).is_in(WHITESPACE)).sum().alias("whitespace")
            )
            t = f.get("type", "string")
            if t == "string":
                distinct_non_ascii = col.filter(~col.str.contains(r"^[\x00-\x7f]*$")).unique(maintain_order=True)
                exprs.append(
                    (distinct_non_ascii != distinct_non_ascii.str.normalize("NFC")).sum().alias("unicode-nfc")
                )  # a count of distinct values: enough for a floor
                exprs.append((col.str.contains(FORMULA) & ~col.str.contains(NUMBER_TEXT)).sum().alias("formula"))
                if f["name"] in ids and "pattern" in c:
                    exprs.append((~col.str.contains(r"^[\x00-\x7f]*$")).sum().alias("ascii-id"))
            else:
                exprs.append((present & ~col.str.contains(TYPE_RX[t])).sum().alias("type"))
            if c.get("required"):
                exprs.append((~present).sum().alias("required"))
            if c.get("unique"):
                exprs.append(col.filter(present).is_duplicated().sum().alias("unique"))
            if "enum" in c:
                exprs.append((present & ~col.is_in(c["enum"])).sum().alias("enum"))
            if "pattern" in c:
                exprs.append((present & ~col.str.contains(c["pattern"])).sum().alias("pattern"))
            if "maxLength" in c:
                exprs.append((col.str.len_chars() > c["maxLength"]).sum().alias("max-length"))
            if t in ("integer", "number"):
                num = col.cast(pl.Float64, strict=False)
                if "minimum" in c:
                    exprs.append((num < c["minimum"]).sum().alias("minimum"))
                if "maximum" in c:
                    exprs.append((num > c["maximum"]).sum().alias("maximum"))
        named = [e.alias(f"{i}:{e.meta.output_name()}") for i, e in enumerate(exprs)]
        for key, n in df.select(named).row(0, named=True).items():
            count(key.split(":", 1)[1], n)
        pk = schema.get("primaryKey", [])
        if len(pk) > 1:
            count("primary-key", df.select(pl.struct(pk).is_duplicated().sum()).item())
        for fk in schema.get("foreignKeys", []):
            (field,), ref = fk["fields"], fk["reference"]
            allowed = frames[ref["resource"] or name][ref["fields"][0]]
            count(
                "foreign-key", df.select(((pl.col(field) != "") & ~pl.col(field).is_in(allowed.implode())).sum()).item()
            )
        for fk in schema.get("listForeignKeys", []):
            (field,), ref = fk["fields"], fk["reference"]
            items = df.select(pl.col(field).filter(pl.col(field) != "").str.split(fk["delimiter"]).explode())
            count(
                "list-foreign-key",
                (~items.to_series().is_in(frames[ref["resource"]][ref["fields"][0]].implode())).sum(),
            )
        spec = schema.get("entityReference")
        if spec:
            for kind, target in spec["resources"].items():
                key = schemas[target]["primaryKey"][0]
                rows = df.filter(pl.col(spec["typeField"]) == kind)
                count("entity-reference", (~rows[spec["field"]].is_in(frames[target][key].implode())).sum())

    # cross-column rules
    out = frames["outcomes"]
    measures = frames["measures"].select(
        "measure_id", pl.col("min").cast(pl.Float64, strict=False), pl.col("max").cast(pl.Float64, strict=False)
    )
    checked = out.select("measure_id", "statistic", pl.col("value").cast(pl.Float64, strict=False)).join(
        measures, on="measure_id", how="left"
    )
    on_scale = pl.col("statistic").is_in(["value", "mean", "median", "percent", ""])  # not changes
    count(
        "measure-range",
        checked.select(
            (on_scale & ((pl.col("value") < pl.col("min")) | (pl.col("value") > pl.col("max")))).sum()
        ).item(),
    )
    ints = out.select(pl.col("responders").cast(pl.Int64, strict=False), pl.col("n").cast(pl.Int64, strict=False))
    count("responders-within-n", ints.select((pl.col("responders") > pl.col("n")).sum()).item())
    arms = frames["arms"].select("arm_id", pl.col("study_id").alias("arm_study"), pl.col("drug_id").alias("arm_drug"))
    joined = out.select("arm_id", "study_id", "drug_id").join(arms, on="arm_id", how="inner")
    count(
        "arm-consistency",
        joined.select(
            ((pl.col("arm_study") != pl.col("study_id")) | (pl.col("arm_drug") != pl.col("drug_id"))).sum()
        ).item(),
    )
    count("result-or-value", out.select(((pl.col("value") == "") & (pl.col("result") == "")).sum()).item())
    count("derived-explained", out.select(((pl.col("derived") == "true") & (pl.col("note") == "")).sum()).item())
    for name in ("adverse_events", "precautions", "drug_indications"):
        df = frames.get(name)
        if df is not None and {"drug_id", "drug_class"} <= set(df.columns):
            both_or_neither = (pl.col("drug_id") != "") == (pl.col("drug_class") != "")
            if "arm_id" in df.columns:  # an arm's row (placebo, vehicle) may name neither
                both_or_neither = both_or_neither & ~((pl.col("drug_id") == "") & (pl.col("arm_id") != ""))
            count("drug-or-class", df.select(both_or_neither.sum()).item())
    years = frames["sources"].select(pl.col("year").cast(pl.Int64, strict=False))
    count("year-range", years.select(((pl.col("year") < 1900) | (pl.col("year") > 2026)).sum()).item())

    rows = sum(df.height for df in frames.values())
    print(("invalid: " if errors else "valid: ") + f"{rows} rows" + (f" {errors}" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
