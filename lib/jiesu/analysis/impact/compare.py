"""The naive before/after comparison beside ITS and DiD, and the ranks of the model's expected rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from jiesu.analysis.impact.design import LEVEL, Estimate, Intervention, area_series
from jiesu.analysis.impact.did import _did_counts, _fe_design, did, poisson_fit
from jiesu.analysis.impact.its import its
from jiesu.analysis.ranking import competition_ranks


def expected_ranks(panel: pd.DataFrame, focus: str, design: Intervention, *, top: int = 5) -> pd.DataFrame:
    """Model-based league table: ranks of the *expected* monthly rates of the DiD model (community and
    month fixed effects plus the focus's ramped effect, :func:`did`), i.e. the observed table with the
    Poisson noise of each month taken out.

    Single-month ranks of a community with ~20 requests a month jump by several places from noise
    alone; the expected-rate ranks answer "when did the focus's *underlying* rate pass into the bottom
    5", assuming the intervention's phase-in is the linear ramp.  Returns ``community``, ``month``,
    ``expected_rate`` (per 10,000), ``rank`` (1 = highest, ties 'min'), ``n_units``, ``in_top5``,
    ``in_bottom5``.
    """

    counts = _did_counts(panel, design)
    X = _fe_design(counts)
    X["effect"] = design.intensity(counts["month"]) * (counts["community"] == focus).to_numpy()
    residents = counts["residents"].to_numpy(float)
    fit = poisson_fit(counts["requests"].to_numpy(float), X.to_numpy(), np.log(residents))
    frame = counts[["community", "month"]].assign(expected_rate=fit.mu / residents * 1e4)
    wide = frame.pivot(index="month", columns="community", values="expected_rate")
    low, high = competition_ranks(wide.to_numpy())
    n = np.isfinite(wide.to_numpy()).sum(axis=1)[:, None]
    ranks = pd.DataFrame(low, index=wide.index, columns=wide.columns).stack().rename("rank")
    bottom = pd.DataFrame(n + 1 - high, index=wide.index, columns=wide.columns).stack().rename("from_bottom")
    out = frame.merge(ranks.reset_index(), on=["month", "community"]).merge(
        bottom.reset_index(), on=["month", "community"]
    )
    out["n_units"] = out["month"].map(pd.Series(n[:, 0], index=wide.index))
    out["in_top5"] = out["rank"] <= top
    out["in_bottom5"] = out["from_bottom"] <= top
    return out.drop(columns="from_bottom").sort_values(["month", "rank"]).reset_index(drop=True)


def naive_before_after(
    panel: pd.DataFrame,
    focus: str,
    design: Intervention,
    *,
    level: float = LEVEL,
) -> dict:
    """The comparison a press release makes: mean monthly requests of the focus from ``design.full_from``
    on over its mean before ``design.start`` (log ratio, exact-Poisson-style SE ``√(1/Y_after + 1/Y_before)``).

    Returns ``estimate`` (:class:`Estimate`), ``area_shift`` (the same log ratio for the peers pooled —
    the area-wide change the naive estimate wrongly attributes to the intervention), ``before`` and
    ``after`` (month ranges), ``residents_change`` (log ratio of mean residents, usually ~0).
    """
    series = design.clip(area_series(panel, focus))
    window = design.window(series["month"])
    pre, post = series.loc[window == "before"], series.loc[window == "after"]
    if pre.empty or post.empty:
        raise ValueError(f"need months before {design.start} and from {design.full_from} on")
    value = float(np.log(post["requests"].mean() / pre["requests"].mean()))
    se = float(np.sqrt(1 / max(post["requests"].sum(), 1) + 1 / max(pre["requests"].sum(), 1)))
    z = stats.norm.ppf(0.5 + level / 2)
    shift = float(np.log(post["peer_rate"].mean() / pre["peer_rate"].mean()))
    return {
        "estimate": Estimate(
            "naive before/after (focus only)",
            value,
            value - z * se,
            value + z * se,
            se,
            "Poisson SE; ignores area-wide shocks",
        ),
        "area_shift": shift,
        "before": f"{pre['month'].min()}..{pre['month'].max()}",
        "after": f"{post['month'].min()}..{post['month'].max()}",
        "residents_change": float(np.log(post["residents"].mean() / pre["residents"].mean())),
    }


def compare_estimates(
    panel: pd.DataFrame,
    focus: str,
    design: Intervention,
    *,
    level: float = LEVEL,
) -> pd.DataFrame:
    """The estimates side by side (log rate ratio and rate ratio, with intervals): naive before/after,
    single-series ITS, controlled ITS, DiD.  One row per method (columns of :meth:`Estimate.as_dict`)."""
    rows = [
        naive_before_after(panel, focus, design, level=level)["estimate"],
        its(panel, focus, design, control="none", level=level)["estimate"],
        its(panel, focus, design, control="peers", level=level)["estimate"],
        did(panel, focus, design, level=level)["estimate"],
    ]
    return pd.DataFrame([e.as_dict() for e in rows])
