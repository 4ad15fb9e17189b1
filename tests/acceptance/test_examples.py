"""Negative example packages: each must be reported exactly as its
``case.json`` says (table, CSV line, column, check), and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import EXAMPLES, build_example, build_minimal

INVALID = sorted(p for p in (EXAMPLES / "invalid").iterdir() if (p / "case.json").is_file())


def test_minimal_package_is_valid(cli, tmp_path):
    pkg = build_minimal(tmp_path / "minimal")
    code, out, _ = cli("validate", str(pkg), "--format", "json")
    doc = json.loads(out)
    assert doc["errors"] == [] and code == 0


@pytest.mark.parametrize("example", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example(cli, tmp_path, example: Path):
    pkg, case = build_example(example, tmp_path / example.name)
    code, out, _ = cli("validate", str(pkg), "--format", "json")
    doc = json.loads(out)
    assert code == case.get("exit", 1)
    got = [{k: e[k] for k in ("table", "row", "column", "check")} for e in doc["errors"]]
    assert got == case["errors"], json.dumps(doc["errors"], ensure_ascii=False, indent=1)
    for want, e in zip(case.get("messages", []), doc["errors"]):
        assert want in e["message"]


def test_every_check_has_a_negative_example():
    from jakdata.catalogue import CATALOGUE

    covered = set()
    for ex in INVALID:
        covered |= {e["check"] for e in json.loads((ex / "case.json").read_text(encoding="utf-8"))["errors"]}
    missing = set(CATALOGUE) - covered - {"min-length"}  # no schema of the model uses minLength
    assert not missing, f"checks without a negative example: {sorted(missing)}"


def _examples_of(check: str) -> list[Path]:
    return [
        ex
        for ex in INVALID
        if check in {e["check"] for e in json.loads((ex / "case.json").read_text(encoding="utf-8"))["errors"]}
    ]


@pytest.mark.parametrize("rule", sorted(__import__("jakdata.validate.checker", fromlist=["RULES"]).RULES))
def test_each_rule_is_load_bearing(tmp_path, monkeypatch, rule):
    """Removing a rule makes its negative example go unreported: the example
    tests above fail if a rule is dropped."""
    from jakdata.validate import checker
    from jakdata.validate.checker import validate_package

    (example,) = _examples_of(rule)[:1]
    pkg, case = build_example(example, tmp_path / example.name)
    wanted = {(e["table"], e["row"], e["column"]) for e in case["errors"] if e["check"] == rule}

    def reported(result):
        return {(f.table, f.row, f.column) for f in result.findings if f.check == rule}

    assert wanted <= reported(validate_package(pkg))
    monkeypatch.setattr(checker, "RULES", {k: v for k, v in checker.RULES.items() if k != rule})
    assert not reported(validate_package(pkg)) & wanted
