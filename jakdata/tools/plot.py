"""Pictures of the data (needs the optional extra: ``jakdata[plot]``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jakdata.errors import MissingExtra, UnusableInput
from jakdata.package.files import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.dataset import Dataset

KINDS = ("trajectories", "evidence-map", "forest")


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


def _arm_legend(arms: Any, arm: str) -> str:
    """'Patient A — upadacitinib 15 mg/day (study)': the arm with its drug and dose."""
    import pandas as pd

    if arm not in arms.index:
        return arm
    a = arms.loc[arm]
    drug = "" if pd.isna(a["drug_id"]) else str(a["drug_id"])
    if not drug:
        drug = str(a.get("role", "")) if isinstance(a.get("role"), str) else "no drug"
    dose = "" if pd.isna(a["dose"]) else f" {a['dose']:g}"
    unit = "" if pd.isna(a["dose_unit"]) else f" {a['dose_unit']}"
    return f"{a['label']} — {drug}{dose}{unit} ({a['study_id']})"


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
    # a trajectory needs two timepoints or more of one arm on one measure
    points = o.groupby(["arm_id", "measure_id"], observed=True)["timepoint_days"].transform("nunique")
    o = o[points >= 2]
    if o.empty:
        raise UnusableInput("no arm has values at two timepoints or more on a scaled measure: nothing to plot")
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
        pop = sub["analysis_population"].astype("str").fillna("") if "analysis_population" in sub else None
        keys = (
            [sub["arm_id"], pop.where(sub["analysis_population"].notna(), "")] if pop is not None else [sub["arm_id"]]
        )
        for key, g in sub.groupby(keys, sort=True):
            arm, population = (key[0], key[1]) if isinstance(key, tuple) and len(key) == 2 else (key, "")
            # one line per arm and population: its most frequent statistic, one value per timepoint
            g = g[g["statistic"] == g["statistic"].mode().iloc[0]].drop_duplicates("timepoint_days")
            g = g.sort_values("timepoint_days")
            label = _arm_legend(arms, str(arm)) + (f" [{population}]" if population else "")
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
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / fig.get_figheight()))  # room for the title above the panels
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
    from jakdata.views import evidence

    ev = evidence(ds)
    ev = ev[ev["drug_id"].notna()]
    drugs = ds.drugs.set_index("drug_id")
    ind = ds.indications.set_index("indication_id")
    cells = []
    for (d, i), g in ev.groupby(["drug_id", "indication_id"], observed=True):
        named = {s for s in g.loc[g["study_basis"] == "named", "candidate_studies"] if s}
        cited = {s for c in g.loc[g["study_basis"] == "cited", "candidate_studies"] for s in c.split("|") if s}
        cells.append(
            {
                "drug_id": d,
                "indication_id": i,
                "results": len(g),
                "named": len(named),
                "cited_only": len(cited - named),
                "best": g["resolved_evidence_level"].min(),
            }
        )
    grid = pd.DataFrame(cells).set_index(["drug_id", "indication_id"])
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
            f"{r['named'] + r['cited_only']} st.{'*' if r['cited_only'] else ''}\n{r['results']} res.",
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
    fig.text(
        0.01,
        0.01,
        "st.: studies behind the results, named or cited; * some rest only on studies the reporting "
        "document cites without naming which produced the result",
        fontsize=7,
    )
    ax.set_title(f"Evidence map: studies (st.) and results (res.) — jakdata {ds.version}", fontsize=10)
    fig.tight_layout()
    try:
        return _save(fig, output, force)
    finally:
        plt.close(fig)


def plot(kind: str, ds: Dataset, output: str | Path, force: bool = False, **options: Any) -> Path:
    """Draw ``kind`` into ``output`` (written atomically; an existing file
    only with ``force``; never through a symlink). ``forest`` takes
    ``measure``, ``timepoint_days``, ``effect`` and ``include_news``."""
    if kind not in KINDS:
        raise UnusableInput(f"kind must be one of {', '.join(KINDS)}")
    from jakdata.package.files import check_target

    check_target(Path(output), force)  # before any drawing
    if kind == "forest":
        if not options.get("measure"):
            raise UnusableInput("a forest plot needs --measure (e.g. pasi-75)")
        return forest(ds, output, force=force, **options)
    return (trajectories if kind == "trajectories" else evidence_map)(ds, output, force)


EFFECTS = {"rr": ("risk-ratio", "Risk ratio"), "rd": ("risk-difference", "Risk difference (percentage points)")}


def forest_rows(
    ds: Dataset, measure: str, timepoint_days: int | None, effect: str = "rr", include_news: bool = False
) -> tuple[Any, list[str]]:
    """The rows of a forest plot: one per comparison within a trial, with its
    effect and 95% CI from arm counts (or the between-arm estimate a source
    reports, labelled so) and the pooled estimate per drug and dose; plus the
    comparisons that could not be drawn, and why."""
    import math

    import pandas as pd

    from jakdata.frames import pairwise
    from jakdata.meta import log_risk_ratio, pool, risk_difference

    if effect not in EFFECTS:
        raise UnusableInput(f"effect must be one of {', '.join(EFFECTS)}")
    pairs = pairwise(ds, measure=measure, timepoint_days=timepoint_days, include_news=include_news, derive_counts=True)
    if pairs.empty:
        raise UnusableInput(
            f"no comparative trial result for {measure}"
            + (f" at day {timepoint_days}" if timepoint_days is not None else "")
            + ": nothing to plot"
        )
    reported = ds.comparisons if "comparisons" in ds else pd.DataFrame()
    rows, skipped = [], []
    for p in pairs.itertuples(index=False):
        label = f"{p.study_label}: {p.treat1} vs {p.treat2}"
        group = f"{p.treat1} vs {p.treat2}"
        if not any(pd.isna(x) for x in (p.event1, p.n1, p.event2, p.n2)):
            one = pd.Series
            est, var = (log_risk_ratio if effect == "rr" else risk_difference)(
                one([p.event1]), one([p.n1]), one([p.event2]), one([p.n2])
            )
            y, v = float(est[0]), float(var[0])
            se = math.sqrt(v)
            rows.append(
                {
                    "group": group,
                    "label": label,
                    "y": y,
                    "var": v,
                    "lo": y - 1.96 * se,
                    "hi": y + 1.96 * se,
                    "counts": f"{p.event1}/{p.n1} vs {p.event2}/{p.n2}",
                    "source": "counts",
                    "derived": bool(p.derived),
                }
            )
            continue
        hit = pd.DataFrame()
        if not reported.empty:
            hit = reported[
                (reported["arm_id"] == p.arm1)
                & (reported["control_arm_id"] == p.arm2)
                & (reported["measure_id"].astype("str") == measure)
                & (reported["effect_measure"].astype("str") == EFFECTS[effect][0])
                & reported["estimate"].notna()
                & reported["ci_lower"].notna()
                & reported["ci_upper"].notna()
            ]
            if timepoint_days is not None:
                hit = hit[hit["timepoint_days"] == timepoint_days]
        if len(hit):
            r = hit.iloc[0]
            scale = (lambda x: math.log(float(x))) if effect == "rr" else (lambda x: float(x) / 100)
            rows.append(
                {
                    "group": group,
                    "label": label,
                    "y": scale(r["estimate"]),
                    "var": None,
                    "lo": scale(r["ci_lower"]),
                    "hi": scale(r["ci_upper"]),
                    "counts": "reported estimate",
                    "source": f"reported ({r['reported_in']})",
                    "derived": False,
                }
            )
        else:
            skipped.append(f"{label} (no counts and no reported {EFFECTS[effect][0]})")
    frame = pd.DataFrame(rows)
    pooled = []
    if not frame.empty:
        for group, g in frame.groupby("group", sort=True):
            counted = g[g["var"].notna()]
            if len(counted) >= 2:
                res = pool(counted["y"].to_numpy(float), counted["var"].to_numpy(float))
                pooled.append(
                    {
                        "group": group,
                        "label": f"Pooled ({res.k} trials), τ² = {res.tau2:.3g}",
                        "y": res.estimate,
                        "lo": res.ci_lower,
                        "hi": res.ci_upper,
                        "pooled": True,
                    }
                )
    out = (
        pd.concat([frame.assign(pooled=False), pd.DataFrame(pooled)], ignore_index=True)
        if pooled
        else frame.assign(pooled=False)
    )
    return out, skipped


def forest(
    ds: Dataset,
    output: str | Path,
    measure: str,
    timepoint_days: int | None = None,
    effect: str = "rr",
    include_news: bool = False,
    force: bool = False,
) -> Path:
    """A forest plot of ``measure``: one line per trial comparison, grouped
    by drug and dose, with a DerSimonian–Laird pooled estimate per group."""
    import math

    from jakdata.meta import METHOD

    _require(ds, "outcomes", "arms", "studies")
    rows, skipped = forest_rows(ds, measure, timepoint_days, effect, include_news)
    if rows.empty:
        raise UnusableInput(f"no comparison of {measure} has counts or a reported estimate: nothing to plot")
    plt = _pyplot()
    lines: list[tuple[str, Any]] = []
    for group, g in rows.groupby("group", sort=True):
        lines.append(("header", group))
        for r in g[~g["pooled"]].itertuples(index=False):
            lines.append(("row", r))
        for r in g[g["pooled"]].itertuples(index=False):
            lines.append(("pooled", r))
    height = 0.32 * len(lines) + 1.9 + 0.18 * len(skipped)
    fig, ax = plt.subplots(figsize=(11, height))
    back = (lambda v: math.exp(v)) if effect == "rr" else (lambda v: 100 * v)
    ys = list(range(len(lines), 0, -1))
    texts = []
    for y, (kind, r) in zip(ys, lines):
        if kind == "header":
            texts.append((y, str(r), "bold"))
            continue
        lo, hi, mid = back(r.lo), back(r.hi), back(r.y)
        if kind == "pooled":
            ax.fill([lo, mid, hi, mid], [y, y + 0.28, y, y - 0.28], color="black", zorder=3)
            texts.append((y, f"   {r.label}", "italic"))
            detail = f"{mid:.2f} [{lo:.2f}, {hi:.2f}]"
        else:
            ax.plot([lo, hi], [y, y], color="#1f4e79", lw=1.3, zorder=2)
            ax.plot([mid], [y], marker="s", color="#1f4e79", ms=5, zorder=3)
            mark = "*" if r.derived else ("†" if r.source != "counts" else "")
            texts.append((y, f"   {r.label.split(': ')[0]}{mark}  ({r.counts})", "normal"))
            detail = f"{mid:.2f} [{lo:.2f}, {hi:.2f}]"
        ax.text(1.02, y, detail, transform=ax.get_yaxis_transform(), va="center", fontsize=8)
    for y, text, style in texts:
        ax.text(
            -0.02,
            y,
            text,
            transform=ax.get_yaxis_transform(),
            ha="right",
            va="center",
            fontsize=8,
            fontweight="bold" if style == "bold" else "normal",
            fontstyle="italic" if style == "italic" else "normal",
        )
    null = 1.0 if effect == "rr" else 0.0
    ax.axvline(null, color="grey", lw=0.8, ls="--")
    if effect == "rr":
        from matplotlib.ticker import FuncFormatter, LogLocator

        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))
    ax.set_yticks([])
    ax.set_ylim(0.3, len(lines) + 0.7)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"{EFFECTS[effect][1]} (95% CI) of the first treatment against the second")
    when = f", day {timepoint_days}" if timepoint_days is not None else ""
    ax.set_title(f"{measure}{when} — jakdata {ds.version}", fontsize=10, loc="left")
    notes = [
        f"Pooled: {METHOD}.",
        (
            "* counts derived from a printed percentage and the arm's n; "
            "† between-arm estimate as a source reports it (not pooled)."
        ),
    ]
    notes += [f"Not drawn: {s}" for s in skipped]
    fig.text(0.01, 0.01, "\n".join(notes), fontsize=7, va="bottom", ha="left")
    fig.subplots_adjust(left=0.42, right=0.82, top=1 - 0.45 / height, bottom=(0.55 + 0.13 * len(notes)) / height)
    try:
        return _save(fig, output, force)
    finally:
        plt.close(fig)
