"""Rank uncertainty by simulation, milestones (first and lasting bottom-5 months) and the seed's rank claims tested."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jiesu.analysis.ranking.tables import RATE_BASES, TOP, area_counts, area_ranks, period_ranks
from jiesu.months import shift_month


def rank_intervals(
    table: pd.DataFrame,
    *,
    unit: str = "community",
    period: str = "month",
    n_sim: int = 1000,
    level: float = 0.95,
    top: int = TOP,
    seed: int = 0,
    only=None,
) -> pd.DataFrame:
    """Rank uncertainty by parametric simulation (see the module docstring).

    Parameters
    ----------
    table : output of :func:`rank_table` (needs ``unit``, ``period``, ``count``, ``exposure``).
    n_sim : simulated league tables per period.
    level : central interval of simulated ranks.
    seed : seed of the numpy Generator; the same seed gives the same intervals.
    only : optional iterable of unit names: simulate every unit but report intervals for these only
        (the others get NaN); far cheaper at city scale when one community is the question.

    Returns
    -------
    ``table`` plus ``rank_lo``, ``rank_hi`` (1 = highest) and ``p_top5``, ``p_bottom5`` (share of
    simulations in which the unit is among the ``top`` highest / lowest rates).
    """
    rng = np.random.default_rng(seed)
    alpha = (1 - level) / 2
    q_lo = int(math.floor(alpha * (n_sim - 1)))
    q_hi = int(math.ceil((1 - alpha) * (n_sim - 1)))
    wanted = None if only is None else {str(u) for u in only}
    parts = []
    # one vectorized draw per period; the loop runs over periods (≤ a few hundred), never over units
    for _, part in table.groupby(period, sort=True):
        n = len(part)
        shape = part["count"].to_numpy(float) + 0.5
        draws = rng.standard_gamma(np.broadcast_to(shape, (n_sim, n)).astype(np.float32), dtype=np.float32)
        draws /= part["exposure"].to_numpy(np.float32)
        if wanted is None:
            order = np.argsort(-draws, axis=1)
            ranks = np.empty((n_sim, n), dtype=np.int32)
            ranking = np.broadcast_to(np.arange(1, n + 1, dtype=np.int32), (n_sim, n))
            np.put_along_axis(ranks, order, ranking, axis=1)
            index = part.index
        else:
            pick = part[unit].astype(str).isin(wanted).to_numpy()
            if not pick.any():
                continue
            # rank = 1 + number of units with a higher simulated rate, for the chosen units only
            ranks = 1 + (draws[:, :, None] > draws[:, pick][:, None, :]).sum(axis=1, dtype=np.int32)
            index = part.index[pick]
        bounds = np.partition(ranks, (q_lo, q_hi), axis=0)
        parts.append(
            pd.DataFrame(
                {
                    "rank_lo": bounds[q_lo].astype("int64"),
                    "rank_hi": bounds[q_hi].astype("int64"),
                    "p_top5": (ranks <= top).mean(axis=0),
                    "p_bottom5": (ranks > n - top).mean(axis=0),
                },
                index=index,
            )
        )
    columns = ["rank_lo", "rank_hi", "p_top5", "p_bottom5"]
    sims = pd.concat(parts) if parts else pd.DataFrame(columns=columns, dtype=float)
    out = table.join(sims)
    if wanted is not None:
        out[["rank_lo", "rank_hi"]] = out[["rank_lo", "rank_hi"]].astype("Int64")
    return out


def milestones(
    table: pd.DataFrame,
    unit_name: str,
    *,
    unit: str = "community",
    period: str = "month",
    max_gap: int = 1,
    top: int = TOP,
) -> dict:
    """When did ``unit_name`` reach the bottom 5, and from when did it stay there?

    Parameters
    ----------
    table : output of :func:`rank_table` (``in_bottom5``, ``in_top5``, ``n_units`` per period), or of
        :func:`rank_intervals` (adds ``rank_hi`` for ``unit_name``, which selects the interval rule).
    max_gap : gap rule (without rank intervals): an exit from the bottom 5 of at most this many
        consecutive periods, followed by a return, does not end a stay.  0 = strict.
    top : size of the bottom group.

    Rules for "stays": with rank intervals, a month ends a stay only if the unit is *clearly* out of the
    bottom 5 — its whole 95% rank interval lies above it (``rank_hi ≤ n − top``) — and the stay begins
    at the first observed bottom-5 month after the last such month.  Without intervals the gap rule
    applies.  Either way one noisy month does not move the milestone by a year.

    Returns
    -------
    ``first_month_bottom5``, ``first_month_stays_bottom5`` (period labels or None), ``last_month_top5``
    (last period in the top 5 before the stay began, or None) and ``months_in_bottom5_after``
    (periods in the bottom 5 from the stay on, and how many periods that is, as ``"k/n"``).
    """
    own = table.loc[table[unit] == unit_name].sort_values(period)
    flags = own["in_bottom5"].to_numpy(bool)
    labels = own[period].astype(str).to_numpy()
    first = labels[flags.argmax()] if flags.any() else None
    stays = None
    if "rank_hi" in own.columns and own["rank_hi"].notna().all() and len(own):
        clearly_out = own["rank_hi"].to_numpy(float) <= own["n_units"].to_numpy(float) - top
        after_last_out = np.flatnonzero(clearly_out).max() + 1 if clearly_out.any() else 0
        later = np.flatnonzero(flags[after_last_out:])
        stays = labels[after_last_out + later[0]] if len(later) else None
    elif flags.any() and flags[-1]:
        # walk back from the end over the run of "in, or a short gap followed by in"
        i, start, gap = len(flags) - 1, len(flags) - 1, 0
        while i >= 0:
            if flags[i]:
                start, gap = i, 0
            else:
                gap += 1
                if gap > max_gap:
                    break
            i -= 1
        stays = labels[start]
    last_top = None
    if stays is not None:
        before = own.loc[(own[period].astype(str) < stays) & own["in_top5"]]
        last_top = str(before[period].iloc[-1]) if len(before) else None
    after = flags[list(labels).index(stays) :] if stays is not None else np.array([], bool)
    return {
        "first_month_bottom5": first,
        "first_month_stays_bottom5": stays,
        "last_month_top5": last_top,
        "months_in_bottom5_after": f"{int(after.sum())}/{len(after)}",
    }


def rank_claims(
    panel: pd.DataFrame,
    focus: str,
    *,
    before_end: str,
    after_start: str,
    rate_basis: str = "residents",
    n_sim: int = 1000,
    seed: int = 0,
) -> dict:
    """The seed's claims, tested on data: was ``focus`` in the top 5 by the rate pooled over all months
    before ``before_end`` (exclusive), is it in the bottom 5 by the rate pooled from ``after_start``
    on, and when did it get there (:func:`milestones` on monthly ranks with the focus's simulated rank
    intervals, ``n_sim`` draws per month, ``seed``)?

    Returns ``top5_before``, ``bottom5_after`` (bool), ``rank_before``, ``rank_after``, ``n_communities``,
    ``share_months_top5_before``, ``share_months_bottom5_after`` (0–1) and the :func:`milestones` keys.
    """
    exposure, per, _ = RATE_BASES[rate_basis]
    counts = area_counts(panel)
    first, last = counts["month"].min(), counts["month"].max()
    before = period_ranks(counts, first, shift_month(before_end, -1), exposure=exposure, per=per)
    after = period_ranks(counts, after_start, last, exposure=exposure, per=per)
    monthly = rank_intervals(area_ranks(panel, rate_basis=rate_basis), n_sim=n_sim, seed=seed, only=[focus])
    own = monthly.loc[monthly["community"] == focus]
    b = before.set_index("community").loc[focus]
    a = after.set_index("community").loc[focus]
    return {
        "top5_before": bool(b["in_top5"]),
        "bottom5_after": bool(a["in_bottom5"]),
        "rank_before": int(b["rank"]),
        "rank_after": int(a["rank"]),
        "n_communities": int(a["n_units"]),
        "share_months_top5_before": float(own.loc[own["month"] < before_end, "in_top5"].mean()),
        "share_months_bottom5_after": float(own.loc[own["month"] >= after_start, "in_bottom5"].mean()),
        **milestones(monthly, focus),
    }
