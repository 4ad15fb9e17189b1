"""Pictures of the data (needs the optional extra: ``jakdata[plot]``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jakdata.errors import MissingExtra, UnusableInput
from jakdata.package.files import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset

KINDS = ("trajectories", "evidence-map")


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise MissingExtra("plotting (matplotlib)", "plot") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, output: str | Path, force: bool) -> Path:
    """Save atomically, in the format the output's extension names."""
    fmt = Path(output).suffix[1:].lower() or "png"
    with atomic_path(output, force) as tmp:
        fig.savefig(tmp, dpi=120, format=fmt)
    return Path(output)


def _require(ds: Dataset, *tables: str) -> None:
    for table in tables:
        if table not in ds:
            raise UnusableInput(f"the package has no {table} table: nothing to plot")


def trajectories(ds: Dataset, output: str | Path, force: bool = False) -> Path:
    """Every arm's values over time on each scaled measure (one panel per
    measure; measures without min/max, such as times to an event, are left out)."""
    import pandas as pd

    _require(ds, "outcomes", "measures", "arms")
    plt = _pyplot()
    measures = ds.measures.set_index("measure_id")
    scaled = measures.index[measures["min"].notna() & measures["max"].notna()]
    o = ds.outcomes
    o = o[o["arm_id"].notna() & o["value"].notna() & o["timepoint_days"].notna() & o["measure_id"].isin(scaled)]
    if o.empty:
        raise UnusableInput("no outcome on a scaled measure has an arm, a value and a timepoint: nothing to plot")
    arms = ds.arms.set_index("arm_id")
    panels = sorted(o["measure_id"].astype(str).unique())
    ncols = min(2, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 3.8 * nrows), squeeze=False)
    # one colour and marker per arm, the same in every panel
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    all_arms = sorted(o["arm_id"].astype(str).unique())
    style = {arm: (palette[i % len(palette)], "osD^v"[i % 5]) for i, arm in enumerate(all_arms)}
    for ax, m in zip(axes.flat, panels):
        sub = o[o["measure_id"] == m]
        for arm, g in sub.groupby("arm_id", sort=True):
            g = g.sort_values("timepoint_days")
            label = f"{arms.at[arm, 'label']} ({arms.at[arm, 'study_id']})" if arm in arms.index else arm
            color, marker = style[str(arm)]
            ax.plot(
                g["timepoint_days"].astype(float),
                g["value"].astype(float),
                marker=marker,
                color=color,
                label=label,
                clip_on=False,
            )
        ax.margins(x=0.04, y=0.08)
        name = measures.at[m, "name"] if m in measures.index else m
        unit = measures.at[m, "unit"] if m in measures.index else None
        ax.set_title(str(name), fontsize=10)
        ax.set_xlabel("days from start of treatment")
        ax.set_ylabel(str(unit) if isinstance(unit, str) and unit else "value")
        lo = measures.at[m, "min"] if m in measures.index else None
        if lo is not None and not pd.isna(lo):
            top = ax.get_ylim()[1]
            ax.set_ylim(bottom=float(lo) - 0.04 * (top - float(lo)), top=top)  # markers at the minimum stay whole
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    fig.suptitle(f"Measured values per arm over time — jakdata {ds.version}", fontsize=11)
    fig.tight_layout()
    try:
        return _save(fig, output, force)
    finally:
        plt.close(fig)


def evidence_map(ds: Dataset, output: str | Path, force: bool = False) -> Path:
    """Drug x indication grid: studies and results per cell, coloured by the
    best (lowest) evidence level among its studies."""
    import numpy as np
    import pandas as pd

    _require(ds, "outcomes", "studies", "drugs", "indications")
    if ds.outcomes.empty:
        raise UnusableInput("the outcomes table is empty: nothing to plot")
    plt = _pyplot()
    o = ds.outcomes.copy()
    studies = ds.studies.set_index("study_id")
    o["level"] = o["study_id"].map(studies["evidence_level"]).astype("Float64")
    drugs = ds.drugs.set_index("drug_id")
    ind = ds.indications.set_index("indication_id")
    grid = o.groupby(["drug_id", "indication_id"], observed=True).agg(
        results=("outcome_id", "size"), studies=("study_id", "nunique"), best=("level", "min")
    )
    row_ids = sorted({d for d, _ in grid.index})
    col_ids = sorted({i for _, i in grid.index})
    levels = np.full((len(row_ids), len(col_ids)), np.nan)
    fig, ax = plt.subplots(figsize=(1.3 * len(col_ids) + 3.5, 0.6 * len(row_ids) + 2.5))
    cmap = plt.get_cmap("viridis_r", 5)
    for (d, i), r in grid.iterrows():
        y, x = row_ids.index(d), col_ids.index(i)
        levels[y, x] = np.nan if pd.isna(r["best"]) else float(r["best"])
        ax.add_patch(plt.Rectangle((x - 0.5, y - 0.5), 1, 1, color="#e6e6e6", zorder=0))
        ax.text(
            x,
            y,
            f"{r['studies']} st.\n{r['results']} res.",
            ha="center",
            va="center",
            fontsize=7,
            color="black",
            zorder=3,
        )
    im = ax.imshow(np.ma.masked_invalid(levels), cmap=cmap, vmin=0.5, vmax=5.5, aspect="auto", alpha=0.75)
    ax.set_xticks(range(len(col_ids)))
    ax.set_xticklabels(
        [str(ind.at[i, "name"]) if i in ind.index else i for i in col_ids], rotation=35, ha="right", fontsize=8
    )
    ax.set_yticks(range(len(row_ids)))
    ax.set_yticklabels([str(drugs.at[d, "inn"]) if d in drugs.index else d for d in row_ids], fontsize=8)
    ax.set_xticks(np.arange(-0.5, len(col_ids)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(row_ids)), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    cbar = fig.colorbar(im, ax=ax, ticks=[1, 2, 3, 4, 5])
    cbar.set_label("best evidence level (Oxford CEBM 2011);\ngrey: results without a graded study", fontsize=8)
    ax.set_title(f"Evidence map: studies (st.) and results (res.) — jakdata {ds.version}", fontsize=10)
    fig.tight_layout()
    try:
        return _save(fig, output, force)
    finally:
        plt.close(fig)


def plot(kind: str, ds: Dataset, output: str | Path, force: bool = False) -> Path:
    """Draw ``kind`` into ``output`` (written atomically; an existing file
    only with ``force``; never through a symlink)."""
    if kind not in KINDS:
        raise UnusableInput(f"kind must be one of {', '.join(KINDS)}")
    from jakdata.package.files import check_target

    check_target(Path(output), force)  # before any drawing
    return (trajectories if kind == "trajectories" else evidence_map)(ds, output, force)
