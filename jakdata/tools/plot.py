"""Pictures of the data (needs the optional extra: ``jakdata[plot]``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

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


def _arm_legend(arms: Any, arm: str, studies: dict[str, str] | None = None) -> str:
    """'Patient A — upadacitinib 15 mg/day (study name)': the arm with its drug,
    dose and study (by its acronym or title, never its id)."""
    import pandas as pd

    if arm not in arms.index:
        return arm
    a = arms.loc[arm]
    drug = "" if pd.isna(a["drug_id"]) else str(a["drug_id"])
    if not drug:
        drug = str(a.get("role", "")) if isinstance(a.get("role"), str) else "no drug"
    dose = "" if pd.isna(a["dose"]) else f" {a['dose']:g}"
    unit = "" if pd.isna(a["dose_unit"]) else f" {a['dose_unit']}"
    study = (studies or {}).get(str(a["study_id"]), str(a["study_id"]))
    return f"{a['label']} — {drug}{dose}{unit} ({study})"


def trajectories(ds: Dataset, output: str | Path, force: bool = False) -> Path:
    """Every arm's values over time on each scaled measure (one panel per
    measure; measures without min/max, such as times to an event, are left out)."""
    import textwrap

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
    from jakdata.tools.labels import study_labels

    names = study_labels(ds)
    panels = sorted(o["measure_id"].astype(str).unique())
    # one colour and marker per arm, the same in every panel
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    all_arms = sorted(o["arm_id"].astype(str).unique())
    style = {arm: (palette[i % len(palette)], "osD^v"[i % 5]) for i, arm in enumerate(all_arms)}
    lines: dict[str, list[tuple[str, Any, Any, str]]] = {}
    for m in panels:
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
            label = _arm_legend(arms, str(arm), names) + (f" [{population}]" if population else "")
            label = textwrap.fill(label, 80, subsequent_indent="   ")
            lines.setdefault(m, []).append(
                (label, g["timepoint_days"].astype(float), g["value"].astype(float), str(arm))
            )
    ncols = min(2, len(panels))
    nrows = -(-len(panels) // ncols)
    # each row tall enough for its panels' legends, which sit below the panels
    legend_lines = [
        max(sum(lab.count("\n") + 1 for lab, *_ in lines[m]) for m in panels[r * ncols : (r + 1) * ncols])
        for r in range(nrows)
    ]
    heights = [3.2 + 0.16 * n for n in legend_lines]
    fig = plt.figure(figsize=(6.5 * ncols, sum(heights) + 0.5), layout="constrained")
    grid = fig.add_gridspec(nrows, ncols, height_ratios=heights)
    axes = [fig.add_subplot(grid[i // ncols, i % ncols]) for i in range(len(panels))]
    for ax, m in zip(axes, panels):
        for label, x, y, arm in lines[m]:
            color, marker = style[arm]
            ax.plot(x, y, marker=marker, color=color, label=label, clip_on=False)
        ax.margins(x=0.04, y=0.08)
        name = measures.at[m, "name"] if m in measures.index else m
        unit = measures.at[m, "unit"] if m in measures.index else None
        ax.set_title(str(name), fontsize=10)
        ax.set_xlabel("days from start of treatment", fontsize=8)
        ax.set_ylabel(str(unit) if isinstance(unit, str) and unit else "value", fontsize=8)
        lo = measures.at[m, "min"] if m in measures.index else None
        if lo is not None and not pd.isna(lo):
            top = ax.get_ylim()[1]
            ax.set_ylim(bottom=float(lo) - 0.04 * (top - float(lo)), top=top)  # markers at the minimum stay whole
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0, -0.2), frameon=False, borderaxespad=0)
    fig.suptitle(f"Measured values per arm over time — jakdata {ds.version}", fontsize=11)
    try:
        return _save(fig, output, force)
    finally:
        plt.close(fig)


def evidence_map(ds: Dataset, output: str | Path, force: bool = False) -> Path:
    """Draw :func:`evidence_map_figure` into ``output``."""
    plt = _pyplot()
    fig = evidence_map_figure(ds)
    try:
        return _save(fig, output, force)
    finally:
        plt.close(fig)


def evidence_map_figure(ds: Dataset) -> Any:
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
    note = fig.text(
        0.01,
        0.12 / fig.get_figheight(),
        "st.: studies behind the results, named or cited; * some rest only on studies the reporting\n"
        "document cites without naming which produced the result",
        fontsize=7,
        va="bottom",
        linespacing=1.3,
    )
    ax.set_title(f"Evidence map: studies (st.) and results (res.) — jakdata {ds.version}", fontsize=10)
    # the axes, their rotated labels included, sit above the footnote with a clear gap
    fig.canvas.draw()
    note_top = note.get_window_extent().y1 / fig.bbox.height
    fig.tight_layout(rect=(0, note_top + 0.18 / fig.get_figheight(), 1, 1))
    return fig


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
SHORT = {"rr": "RR", "rd": "RD"}


class ForestData(NamedTuple):
    """What a forest plot draws and what it leaves out."""

    rows: Any  # one per drawn comparison (DataFrame)
    pooled: Any  # one per group pooled from two trials or more (DataFrame)
    excluded: list[tuple[str, str]]  # (comparison, why it is not drawn)


def _heterogeneity(y: Any, v: Any, tau2: float) -> tuple[float, Any]:
    """I² (Higgins and Thompson, from Cochran's Q with inverse-variance
    weights) and each study's random-effects weight (1 / (v + τ²), summing to 1)."""
    import numpy as np

    w = 1 / v
    fixed = float((w * y).sum() / w.sum())
    q = float((w * (y - fixed) ** 2).sum())
    df = len(y) - 1
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    re = 1 / (v + tau2)
    return i2, np.asarray(re / re.sum())


def _excluded_by_frames(pairs: Any, names: dict[str, str]) -> list[tuple[str, str]]:
    """The comparisons the frame itself left out, with the reason it gives
    (``pairs.attrs["excluded"]``). Rows without counts stay in the frame
    (a source may report their between-arm estimate): whether one is drawn
    is decided, and said, where the rows are drawn."""
    import pandas as pd

    ex = pairs.attrs.get("excluded")
    if ex is None:
        return []
    out = []
    for r in ex.itertuples(index=False):
        if str(r.reason) == "no counts":
            continue
        study = names.get(str(r.study_id)) or str(getattr(r, "study_label", "") or r.study_id)
        t1, t2 = getattr(r, "treat1", None), getattr(r, "treat2", None)
        what = f"{t1} vs {t2}" if not (pd.isna(t1) or pd.isna(t2) or not t1 or not t2) else "all arms"
        out.append((f"{study}: {what}", str(r.reason)))
    return out


def forest_rows(
    ds: Dataset, measure: str, timepoint_days: int | None, effect: str = "rr", include_news: bool = False
) -> ForestData:
    """The rows of a forest plot: one per comparison within a trial, with its
    effect and 95% CI from arm counts (or the between-arm estimate a source
    reports, labelled so); the pooled estimate per drug and dose where two
    trials or more have counts, with τ², I² and each trial's weight; and every
    comparison left out, with the reason."""
    import math

    import pandas as pd

    from jakdata.frames import pairwise
    from jakdata.meta import log_risk_ratio, pool, risk_difference
    from jakdata.tools.labels import study_labels

    if effect not in EFFECTS:
        raise UnusableInput(f"effect must be one of {', '.join(EFFECTS)}")
    query: dict[str, Any] = {
        "measure": measure,
        "timepoint_days": timepoint_days,
        "include_news": include_news,
        "derive_counts": True,
    }
    pairs = pairwise(ds, **query)
    names = study_labels(ds)
    excluded = _excluded_by_frames(pairs, names)
    if pairs.empty:
        raise UnusableInput(
            f"no comparative trial result for {measure}"
            + (f" at day {timepoint_days}" if timepoint_days is not None else "")
            + ": nothing to plot"
            + (f" ({len(excluded)} comparisons left out: {excluded[0][1]}, ...)" if excluded else "")
        )
    reported = ds.comparisons if "comparisons" in ds else pd.DataFrame()
    measure = str(pairs["measure_id"].iloc[0])
    rows = []
    for p in pairs.itertuples(index=False):
        study = names.get(str(p.study_id)) or str(p.study_label)
        population = getattr(p, "analysis_population", None)
        if isinstance(population, str) and population:
            study = f"{study} [{population}]"
        group = f"{p.treat1} vs {p.treat2}"
        base = {"group": group, "study": study, "derived": bool(p.derived), "weight": float("nan")}
        if not any(pd.isna(x) for x in (p.event1, p.n1, p.event2, p.n2)):
            one = pd.Series
            est, var = (log_risk_ratio if effect == "rr" else risk_difference)(
                one([p.event1]), one([p.n1]), one([p.event2]), one([p.n2])
            )
            y, v = float(est[0]), float(var[0])
            se = math.sqrt(v)
            rows.append(
                base
                | {
                    "y": y,
                    "var": v,
                    "lo": y - 1.96 * se,
                    "hi": y + 1.96 * se,
                    "arm1": f"{p.event1}/{p.n1}",
                    "arm2": f"{p.event2}/{p.n2}",
                    "source": "counts",
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
                base
                | {
                    "y": scale(r["estimate"]),
                    "var": float("nan"),
                    "lo": scale(r["ci_lower"]),
                    "hi": scale(r["ci_upper"]),
                    "arm1": "",
                    "arm2": "",
                    "source": f"reported ({r['reported_in']})",
                    "derived": False,
                }
            )
        else:
            missing = [
                t for t, e, n in ((p.treat1, p.event1, p.n1), (p.treat2, p.event2, p.n2)) if pd.isna(e) or pd.isna(n)
            ]
            counts = f"no count for {missing[0]}" if len(missing) == 1 else f"no counts for {' or '.join(missing)}"
            effect_name = EFFECTS[effect][1].split(" (")[0].lower()
            excluded.append((f"{study}: {group}", f"{counts}, and no reported {effect_name}"))
    frame = pd.DataFrame(
        rows, columns=["group", "study", "derived", "weight", "y", "var", "lo", "hi", "arm1", "arm2", "source"]
    )
    frame = frame.sort_values(["group", "study"], kind="stable").reset_index(drop=True)
    pooled = []
    for group, g in frame.groupby("group", sort=True):
        counted = g[g["var"].notna()]
        if len(counted) >= 2:
            y, v = counted["y"].to_numpy(float), counted["var"].to_numpy(float)
            res = pool(y, v)
            i2, weights = _heterogeneity(y, v, res.tau2)
            frame.loc[counted.index, "weight"] = weights
            pooled.append(
                {
                    "group": group,
                    "k": res.k,
                    "y": res.estimate,
                    "lo": res.ci_lower,
                    "hi": res.ci_upper,
                    "tau2": res.tau2,
                    "i2": i2,
                }
            )
    excluded = list(dict.fromkeys(excluded))  # a comparison the frame and the plot both name, once
    return ForestData(frame, pd.DataFrame(pooled, columns=["group", "k", "y", "lo", "hi", "tau2", "i2"]), excluded)


def _favours(ds: Dataset, measure: str, effect: str) -> tuple[str, str]:
    """The words under the axis, left and right of no effect: which side
    favours the treatment depends on whether a higher value is worse."""
    import pandas as pd

    worse = None
    if "measures" in ds and "higher_is_worse" in ds.measures.columns:
        hit = ds.measures.loc[ds.measures["measure_id"].astype(str) == measure, "higher_is_worse"]
        if len(hit) and not pd.isna(hit.iloc[0]):
            worse = bool(hit.iloc[0])
    if worse is None:
        return "← higher with the second", "higher with the first →"
    if worse:
        return "← favours the treatment", "favours the comparator →"
    return "← favours the comparator", "favours the treatment →"


def forest(
    ds: Dataset,
    output: str | Path,
    measure: str,
    timepoint_days: int | None = None,
    effect: str = "rr",
    include_news: bool = False,
    force: bool = False,
) -> Path:
    """Draw :func:`forest_figure` into ``output``."""
    plt = _pyplot()
    fig = forest_figure(ds, measure, timepoint_days, effect, include_news)
    try:
        return _save(fig, output, force)
    finally:
        plt.close(fig)


def forest_figure(
    ds: Dataset, measure: str, timepoint_days: int | None = None, effect: str = "rr", include_news: bool = False
) -> Any:
    """A forest plot of ``measure``: one line per trial comparison, grouped
    by drug and dose, with a DerSimonian–Laird pooled estimate per group
    where two trials or more have counts; column headers, favours labels,
    I² and τ² per pooled group, weights, and a footer naming every
    comparison not drawn and why."""
    import math
    import textwrap

    from matplotlib.transforms import blended_transform_factory

    from jakdata.meta import METHOD
    from jakdata.tools.labels import measure_title

    _require(ds, "outcomes", "arms", "studies")
    data = forest_rows(ds, measure, timepoint_days, effect, include_news)
    rows, pooled, excluded = data
    if rows.empty:
        raise UnusableInput(
            f"no comparison of {measure} has counts or a reported estimate: nothing to plot "
            f"({len(excluded)} left out; the first: {excluded[0][0]}, {excluded[0][1]})"
            if excluded
            else f"no comparison of {measure} has counts or a reported estimate: nothing to plot"
        )
    from jakdata.views import resolve

    measure_id = str(resolve(ds, "measure", measure))
    plt = _pyplot()
    lines: list[tuple[str, Any]] = []
    for group, g in rows.groupby("group", sort=True):
        if lines:
            lines.append(("gap", None))
        lines.append(("group", group))
        for r in g.itertuples(index=False):
            lines.append(("row", r))
        for r in pooled[pooled["group"] == group].itertuples(index=False):
            lines.append(("pooled", r))
            lines.append(("het", r))
    notes = []
    if not pooled.empty:
        notes.append(
            f"Pooled: {METHOD}, per drug and dose where two trials or more have counts; weights are each trial's "
            "share of its pooled estimate. I²: share of the variation due to heterogeneity; τ²: between-trial "
            "variance (log scale)."
            if effect == "rr"
            else f"Pooled: {METHOD}, per drug and dose where two trials or more have counts; weights are each "
            "trial's share of its pooled estimate. I²: share of the variation due to heterogeneity; τ²: "
            "between-trial variance."
        )
    else:
        notes.append("Nothing is pooled: no drug and dose has counts from two trials or more.")
    if rows["derived"].any():
        notes.append("* events computed from a printed percentage and the arm's n (half away from zero).")
    if (rows["source"] != "counts").any():
        notes.append("† between-arm estimate as a source reports it (no counts; not pooled).")
    if excluded:
        notes.append(f"Not drawn ({len(excluded)}):")
        notes += [f"   {what} — {why}" for what, why in excluded]
    else:
        notes.append("Not drawn: none; every comparison the data holds is drawn.")
    wrapped = [w for n in notes for w in textwrap.wrap(n, 190, subsequent_indent="      ") or [""]]

    width, line_h = 13.0, 0.27
    top_in, axis_in, note_h = 1.05, 0.8, 0.145
    height = top_in + line_h * (len(lines) + 0.6) + axis_in + note_h * len(wrapped) + 0.2
    fig, ax = plt.subplots(figsize=(width, height))
    bottom = (axis_in + note_h * len(wrapped) + 0.2) / height
    fig.subplots_adjust(left=0.50, right=0.765, top=1 - top_in / height, bottom=bottom)
    row_text = blended_transform_factory(fig.transFigure, ax.transData)
    header_text = blended_transform_factory(fig.transFigure, fig.transFigure)
    back = (lambda v: math.exp(v)) if effect == "rr" else (lambda v: 100 * v)
    fmt = (lambda v: f"{v:.2f}") if effect == "rr" else (lambda v: f"{v:.1f}")
    x_study, x_arm1, x_arm2, x_est, x_weight = 0.012, 0.405, 0.485, 0.775, 0.95
    n = len(lines)
    ys = list(range(n, 0, -1))
    kw: dict[str, Any] = {"transform": row_text, "va": "center", "fontsize": 8}
    low, high = [], []
    for y, (kind, r) in zip(ys, lines):
        if kind == "gap":
            continue
        if kind == "group":
            ax.text(x_study, y, str(r), fontweight="bold", **kw)
            continue
        if kind == "het":
            ax.text(
                x_study + 0.012,
                y,
                f"Heterogeneity: I² = {100 * r.i2:.0f}%, τ² = {r.tau2:.3g}",
                fontstyle="italic",
                color="#444444",
                **kw,
            )
            continue
        lo, hi, mid = back(r.lo), back(r.hi), back(r.y)
        low.append(lo)
        high.append(hi)
        if kind == "pooled":
            ax.fill([lo, mid, hi, mid], [y, y + 0.3, y, y - 0.3], color="black", zorder=3)
            ax.text(x_study + 0.012, y, f"Pooled, {r.k} trials (random effects)", fontweight="bold", **kw)
            ax.text(x_est, y, f"{fmt(mid)} [{fmt(lo)}, {fmt(hi)}]", fontweight="bold", **kw)
            ax.text(x_weight, y, "100%", ha="right", fontweight="bold", **kw)
            continue
        size = 4 + 6 * math.sqrt(r.weight) if r.weight == r.weight else 5
        ax.plot([lo, hi], [y, y], color="#1f4e79", lw=1.2, zorder=2, solid_capstyle="butt")
        ax.plot([mid], [y], marker="s", color="#1f4e79", ms=size, zorder=3, lw=0)
        mark = "*" if r.derived else ("†" if r.source != "counts" else "")
        ax.text(x_study + 0.012, y, f"{r.study}{mark}", **kw)
        ax.text(x_arm1, y, r.arm1, ha="right", **kw)
        ax.text(x_arm2, y, r.arm2, ha="right", **kw)
        ax.text(x_est, y, f"{fmt(mid)} [{fmt(lo)}, {fmt(hi)}]", **kw)
        ax.text(x_weight, y, f"{100 * r.weight:.1f}%" if r.weight == r.weight else "—", ha="right", **kw)
    # the column headers, above the first row
    head_y = 1 - (top_in - 0.2) / height
    hkw: dict[str, Any] = {"transform": header_text, "va": "bottom", "fontsize": 8.5, "fontweight": "bold"}
    ax.text(x_study, head_y, "Study", **hkw)
    ax.text(x_arm1, head_y, "Treatment\nevents/total", ha="right", **hkw)
    ax.text(x_arm2, head_y, "Comparator\nevents/total", ha="right", **hkw)
    ax.text((0.50 + 0.765) / 2, head_y, f"{EFFECTS[effect][1].split(' (')[0]} (95% CI)", ha="center", **hkw)
    ax.text(x_est, head_y, f"{SHORT[effect]} [95% CI]", **hkw)
    ax.text(x_weight, head_y, "Weight", ha="right", **hkw)
    fig.add_artist(
        plt.Line2D([x_study, x_weight], [head_y - 0.04 / height] * 2, transform=fig.transFigure, color="black", lw=0.8)
    )
    null = 1.0 if effect == "rr" else 0.0
    ax.plot([null, null], [0.4, n + 0.4], color="grey", lw=0.8, ls="--", zorder=1)
    if effect == "rr":
        from matplotlib.ticker import FuncFormatter, LogLocator

        ax.set_xscale("log")
        ax.set_xlim(min([*low, null]) / 1.25, max([*high, null]) * 1.25)
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))
    else:
        span = max([*high, null]) - min([*low, null])
        ax.set_xlim(min([*low, null]) - 0.08 * span, max([*high, null]) + 0.08 * span)
    ax.set_yticks([])
    ax.set_ylim(0.4, n + 0.6)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", labelsize=8)
    left, right = _favours(ds, measure_id, effect)
    fkw: dict[str, Any] = {"xycoords": ax.get_xaxis_transform(), "textcoords": "offset points", "fontsize": 8}
    ax.annotate(left, xy=(null, 0), xytext=(-5, -22), ha="right", va="top", **fkw)
    ax.annotate(right, xy=(null, 0), xytext=(5, -22), ha="left", va="top", **fkw)
    ax.set_xlabel(
        f"{EFFECTS[effect][1]}, treatment against comparator (log scale)"
        if effect == "rr"
        else f"{EFFECTS[effect][1]}, treatment minus comparator",
        fontsize=8,
        labelpad=22,
    )
    fig.text(
        x_study,
        1 - 0.12 / height,
        f"{measure_title(ds, measure_id, timepoint_days)}: {EFFECTS[effect][1].split(' (')[0].lower()}",
        fontsize=12,
        fontweight="bold",
        va="top",
    )
    news = "news reports included" if include_news else "news reports left out"
    fig.text(
        x_study,
        1 - 0.42 / height,
        f"Randomised trials, each treatment arm against its comparator; {news}. jakdata {ds.version}",
        fontsize=8,
        va="top",
        color="#333333",
    )
    fig.text(x_study, 0.1 / height, "\n".join(wrapped), fontsize=7, va="bottom", ha="left", linespacing=1.35)
    return fig
