"""Effect sizes from arm counts and their pooling, by a well-kept library.

Effect sizes follow metafor's ``escalc`` (so R and Python agree to the
digit): the log risk ratio ``log((a/n1)/(c/n2))`` with variance
``1/a - 1/n1 + 1/c - 1/n2``, and the risk difference ``a/n1 - c/n2`` with
variance ``a(n1-a)/n1³ + c(n2-c)/n2³``; where a study has a zero cell, 1/2
is added to each of its four cells (escalc's ``add=1/2, to="only0"``).
Pooling is DerSimonian–Laird random effects, computed by statsmodels'
``combine_effects`` (``method_re="dl"``), with a normal-based 95% CI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jakdata.errors import MissingExtra

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

METHOD = "DerSimonian–Laird random effects (statsmodels combine_effects), 95% CI"


def _cells(event1: pd.Series, n1: pd.Series, event2: pd.Series, n2: pd.Series) -> tuple[np.ndarray, ...]:
    import numpy as np

    a = event1.to_numpy(dtype=float)
    c = event2.to_numpy(dtype=float)
    b = n1.to_numpy(dtype=float) - a
    d = n2.to_numpy(dtype=float) - c
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    add = np.where(zero, 0.5, 0.0)
    return a + add, b + add, c + add, d + add


def log_risk_ratio(event1: pd.Series, n1: pd.Series, event2: pd.Series, n2: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per study: the log risk ratio and its sampling variance (as escalc "RR")."""
    import numpy as np

    a, b, c, d = _cells(event1, n1, event2, n2)
    m1, m2 = a + b, c + d
    return np.log((a / m1) / (c / m2)), 1 / a - 1 / m1 + 1 / c - 1 / m2


def risk_difference(
    event1: pd.Series, n1: pd.Series, event2: pd.Series, n2: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Per study: the risk difference and its sampling variance (as escalc "RD")."""
    import numpy as np

    a = event1.to_numpy(dtype=float)
    c = event2.to_numpy(dtype=float)
    m1 = n1.to_numpy(dtype=float)
    m2 = n2.to_numpy(dtype=float)
    return a / m1 - c / m2, np.asarray(a * (m1 - a) / m1**3 + c * (m2 - c) / m2**3)


@dataclass(frozen=True)
class Pooled:
    estimate: float
    ci_lower: float
    ci_upper: float
    se: float
    tau2: float
    k: int
    method: str = METHOD


def pool(yi: np.ndarray, vi: np.ndarray) -> Pooled:
    """DerSimonian–Laird random-effects pooling of effects ``yi`` with
    sampling variances ``vi`` (statsmodels)."""
    try:
        from statsmodels.stats.meta_analysis import combine_effects
    except ImportError:
        raise MissingExtra("pooling (statsmodels)", "analysis") from None
    import numpy as np

    with np.errstate(invalid="ignore"):  # a negative moment estimate of τ² (see below) makes NaN weights
        res = combine_effects(yi, vi, method_re="dl", use_t=False)
        frame = res.summary_frame(alpha=0.05, use_t=False)
    tau2 = float(res.tau2)
    # DerSimonian–Laird truncates the moment estimate at 0; statsmodels 0.15
    # does not (a negative τ² where Q < k - 1). With τ² = 0 the random-effects
    # model is the fixed-effect one, which statsmodels computes too: take it,
    # as metafor's rma(method="DL") does.
    row = frame.loc["random effect"] if tau2 > 0 else frame.loc["fixed effect"]
    return Pooled(
        float(row["eff"]),
        float(row["ci_low"]),
        float(row["ci_upp"]),
        float(row["sd_eff"]),
        max(tau2, 0.0),
        len(yi),
    )
