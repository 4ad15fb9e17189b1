"""Generated documents stay equal to what their command prints for the
bundled data: the data dictionary and the trial coverage table."""

from __future__ import annotations

import pytest

from jakdata.package.descriptor import bundled_root

ROOT = bundled_root()


@pytest.mark.skipif(not (ROOT / "docs").is_dir(), reason="not a source checkout")
def test_coverage_table_is_current():
    from jakdata.tools.coverage import render

    assert (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8") == render(ROOT), (
        "docs/coverage.md is stale: run `jakdata coverage -o docs/coverage.md`"
    )


def test_coverage_lists_every_trial_once():
    import jakdata
    from jakdata.tools.coverage import trials

    ds = jakdata.load()
    t = trials(ds)
    assert t["study_id"].is_unique
    registered = set(ds.studies["study_id"][ds.studies["registry_id"].notna()])
    assert registered <= set(t["study_id"])
    assert "measure-up-1" in set(t["study_id"])
