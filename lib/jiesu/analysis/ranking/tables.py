"""Rates, exact Poisson intervals and competition ranks of every community in every month (see the
package docstring for the definitions).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from statsmodels.stats.rates import confint_poisson

RATE_BASES: dict[str, tuple[str, float, str]] = {
    "residents": ("residents", 1e4, "每万人 per 10,000 residents"),
    "households": ("households", 1e3, "每千户 per 1,000 households"),
}
"""rate basis → (exposure column of the panel, per how many, label)."""

DEFAULT_WEIGHTS: dict[str, float] = {"response": 0.2, "resolution": 0.4, "satisfaction": 0.4}
"""Composite weights for 响应率/解决率/满意率.  An assumption, not Beijing's (unpublished) weights."""

TOP = 5
PANEL_COUNTS = ("requests", "responded", "resolved", "rated", "satisfied")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


# --------------------------------------------------------------------------------------------------
# Counts and exact Poisson intervals
# --------------------------------------------------------------------------------------------------


def area_counts(panel: pd.DataFrame, *, categories=None) -> pd.DataFrame:
    """Collapse the ``panel`` table (community × month × category) to community × month.

    Parameters
    ----------
    panel : the processed ``panel`` table.
    categories : optional iterable of 二级分类 labels to keep (default: all categories).

    Returns
    -------
    One row per community and month: ``community``, ``month``, ``residents``, ``households`` (persons,
    dwellings), and the summed counts ``requests``, ``responded``, ``resolved``, ``rated``,
    ``satisfied`` (件).
    """
    frame = panel
    if categories is not None:
        frame = frame.loc[frame["category"].isin(list(categories))]
    counts = frame.groupby(["community", "month"], sort=True, observed=True)[list(PANEL_COUNTS)].sum()
    exposure = frame.groupby(["community", "month"], sort=True, observed=True)[
        ["residents", "households"]
    ].max()
    out = exposure.join(counts).reset_index()
    for col in ("residents", "households", *PANEL_COUNTS):
        out[col] = out[col].astype("int64")
    out["community"] = out["community"].astype(str)
    out["month"] = out["month"].astype(str)
    return out


def requests_by(panel: pd.DataFrame, by: str = "category", *, community: str | None = None) -> pd.DataFrame:
    """诉求量 by category (or any panel column ``by``): a month × ``by`` table of requests, for one
    ``community`` or summed over the area when ``community`` is None."""
    frame = panel if community is None else panel.loc[panel["community"] == community]
    table = frame.pivot_table(index="month", columns=by, values="requests", aggfunc="sum", observed=True)
    return table.fillna(0).astype("int64")


def requests_by_type(cases: pd.DataFrame) -> pd.DataFrame:
    """诉求量 by 诉求类型 (咨询/求助/投诉/举报/建议) per month from the focus community's ``cases``;
    the area panel has no request type, so this exists for the focus community only."""
    month = cases["received_at"].dt.strftime("%Y-%m")
    table = pd.crosstab(month.rename("month"), cases["request_type"].rename("request_type"))
    return table.astype("int64")


# --------------------------------------------------------------------------------------------------
# The league table
# --------------------------------------------------------------------------------------------------


def _full_months(periods: pd.Index) -> pd.Index:
    """All calendar months from the first to the last period when periods are ``YYYY-MM`` strings."""
    values = [str(p) for p in periods]
    if values and all(_MONTH.match(v) for v in values):
        span = pd.period_range(min(values), max(values), freq="M")
        return pd.Index([p.strftime("%Y-%m") for p in span])
    return pd.Index(sorted(values))


def _grids(
    counts: pd.DataFrame, unit: str, period: str, count: str, exposure: str, window: int
) -> tuple[np.ndarray, np.ndarray, pd.Index, pd.Index]:
    """Dense period × unit arrays of (pooled) counts and exposure, NaN where not observed, with the
    period and unit labels."""
    dup = counts.duplicated([unit, period])
    if dup.any():
        first = counts.loc[dup, [unit, period]].iloc[0].tolist()
        raise ValueError(f"more than one row for {unit}×{period} {first}: aggregate first")
    unit_codes, units = pd.factorize(counts[unit].astype(str), sort=True)
    periods = _full_months(pd.Index(counts[period].astype(str).unique()))
    period_codes = periods.get_indexer(counts[period].astype(str))
    y = np.full((len(periods), len(units)), np.nan)
    e = np.full_like(y, np.nan)
    y[period_codes, unit_codes] = counts[count].to_numpy(float)
    e[period_codes, unit_codes] = counts[exposure].to_numpy(float)
    if window > 1:

        def pooled(a: np.ndarray) -> np.ndarray:
            sums = np.lib.stride_tricks.sliding_window_view(a, window, axis=0).sum(axis=-1)
            return np.vstack([np.full((window - 1, a.shape[1]), np.nan), sums])

        y, e = pooled(y), pooled(e)
    observed = np.isfinite(y) & np.isfinite(e) & (e > 0)
    return np.where(observed, y, np.nan), np.where(observed, e, np.nan), periods, pd.Index(units)


def competition_ranks(rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise ranks, 1 = highest, of a periods × units array (NaN = not ranked): the ``min`` rank
    (ties share the best rank of their block, 1-2-2-4) and the ``max`` rank (the worst, 1-3-3-4), as
    pandas ``DataFrame.rank`` computes them.  int64 arrays; entries at NaN are 0.

    >>> low, high = competition_ranks(np.array([[5.0, 3.0, 3.0, 1.0]]))
    >>> low.tolist(), high.tolist()
    ([[1, 2, 2, 4]], [[1, 3, 3, 4]])
    """
    frame = pd.DataFrame(rate)
    low = frame.rank(axis=1, method="min", ascending=False).fillna(0).to_numpy(np.int64)
    high = frame.rank(axis=1, method="max", ascending=False).fillna(0).to_numpy(np.int64)
    return low, high


def rank_table(
    counts: pd.DataFrame,
    *,
    unit: str = "community",
    period: str = "month",
    count: str = "requests",
    exposure: str = "residents",
    per: float = 1e4,
    window: int = 1,
    level: float = 0.95,
    top: int = TOP,
) -> pd.DataFrame:
    """Rates, exact CIs and ranks of every unit in every period (vectorized over units and periods).

    Parameters
    ----------
    counts : one row per unit and period with a count (件) and an exposure (persons or households > 0).
    unit, period, count, exposure : column names.  Periods ``YYYY-MM`` are completed to a full monthly
        calendar so rolling windows never bridge a gap.
    per : rate per how many units of exposure (1e4 residents, 1e3 households).
    window : months pooled (1 = monthly; 3 = trailing 3-month view).
    level : confidence level of the Garwood interval.
    top : size of the top/bottom group (5).

    Returns
    -------
    One row per observed unit and period, sorted by period then rank: ``unit``, ``period`` (labels as
    strings), ``count``, ``exposure`` (pooled over the window), ``rate`` and ``rate_lo``/``rate_hi``
    (per ``per``), ``rank`` (1 = highest, ties 'min'), ``rank_from_bottom``, ``n_units``,
    ``percentile`` (0–100), ``in_top5``, ``in_bottom5`` (named for ``top=5``; they use ``top``).
    Column names ``unit`` and ``period`` are kept as given.
    """
    y, e, periods, units = _grids(counts, unit, period, count, exposure, window)
    rate = y / e * per
    valid = np.isfinite(rate)
    n_units = valid.sum(axis=1)
    low, high = competition_ranks(rate)
    # ranks from the bottom and percentiles follow from the two tie conventions of the top-down rank:
    # #(rates < x) + 1 = n + 1 − max-rank(x), #(rates ≤ x) = n + 1 − min-rank(x)
    from_bottom = n_units[:, None] + 1 - high
    percentile = (n_units[:, None] + 1 - low) / np.maximum(n_units[:, None], 1) * 100
    rank = low
    p_idx, u_idx = np.nonzero(valid)
    y_obs, e_obs = y[p_idx, u_idx], e[p_idx, u_idx]
    lo, hi = confint_poisson(y_obs, 1.0, method="exact-c", alpha=1 - level)  # Garwood
    long = pd.DataFrame(
        {
            unit: units.to_numpy()[u_idx],
            period: periods.to_numpy()[p_idx],
            "count": y_obs.round().astype("int64"),
            "exposure": e_obs,
            "rate": rate[p_idx, u_idx],
            "rate_lo": lo / e_obs * per,
            "rate_hi": hi / e_obs * per,
            "rank": rank[p_idx, u_idx],
            "rank_from_bottom": from_bottom[p_idx, u_idx],
            "n_units": n_units[p_idx].astype("int64"),
            "percentile": percentile[p_idx, u_idx],
        }
    )
    long[unit] = long[unit].astype(str)
    long[period] = long[period].astype(str)
    long["in_top5"] = long["rank"].to_numpy() <= top
    long["in_bottom5"] = long["rank_from_bottom"].to_numpy() <= top
    order = np.lexsort((u_idx, long["rank"].to_numpy(), p_idx))
    return long.iloc[order].reset_index(drop=True)


def performance(counts: pd.DataFrame, *, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """响应率, 解决率, 满意率 and the composite score of each row of :func:`area_counts`.

    ``response_rate = responded/requests``, ``resolution_rate = resolved/requests``,
    ``satisfaction_rate = satisfied/rated`` (0–1, NaN when the denominator is 0) and
    ``composite = 100·Σ wᵢ·rateᵢ / Σ wᵢ`` with ``weights`` (keys ``response``, ``resolution``,
    ``satisfaction``; default :data:`DEFAULT_WEIGHTS`, an assumption).  Returns a new frame with
    the input columns plus the four scores.
    """
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(w) - set(DEFAULT_WEIGHTS)
    if unknown or sum(w.values()) <= 0 or any(v < 0 for v in w.values()):
        raise ValueError(f"weights need non-negative response/resolution/satisfaction, got {w}")
    out = counts.copy()
    requests = out["requests"].astype(float).where(out["requests"] > 0)
    rated = out["rated"].astype(float).where(out["rated"] > 0)
    out["response_rate"] = out["responded"] / requests
    out["resolution_rate"] = out["resolved"] / requests
    out["satisfaction_rate"] = out["satisfied"] / rated
    parts = {
        "response": "response_rate",
        "resolution": "resolution_rate",
        "satisfaction": "satisfaction_rate",
    }
    total = sum(w.get(k, 0.0) for k in parts)
    out["composite"] = 100 * sum(w.get(k, 0.0) * out[c] for k, c in parts.items()) / total
    return out


def area_ranks(
    panel: pd.DataFrame,
    *,
    rate_basis: str = "residents",
    window: int = 1,
    categories=None,
    weights: dict[str, float] | None = None,
    level: float = 0.95,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """The area's league table from the ``panel`` table: :func:`rank_table` on community × month
    counts (optionally some ``categories`` only, optionally months ``start``..``end`` inclusive),
    joined with the monthly :func:`performance` scores (not pooled over the window).

    ``rate_basis``: ``"residents"`` (per 10,000) or ``"households"`` (per 1,000).  The columns are
    those of :func:`rank_table` with ``community``/``month``, plus ``requests`` (= ``count``),
    ``response_rate``, ``resolution_rate``, ``satisfaction_rate``, ``composite``.
    """
    if rate_basis not in RATE_BASES:
        raise ValueError(f"rate_basis must be one of {', '.join(RATE_BASES)}, got {rate_basis!r}")
    exposure, per, _ = RATE_BASES[rate_basis]
    counts = area_counts(panel, categories=categories)
    if start:
        counts = counts.loc[counts["month"] >= start]
    if end:
        counts = counts.loc[counts["month"] <= end]
    table = rank_table(
        counts,
        unit="community",
        period="month",
        count="requests",
        exposure=exposure,
        per=per,
        window=window,
        level=level,
    )
    scores = performance(counts, weights=weights)[
        ["community", "month", "response_rate", "resolution_rate", "satisfaction_rate", "composite"]
    ]
    table = table.merge(scores, on=["community", "month"], how="left")
    table.insert(3, "requests", table["count"])
    return table


def period_ranks(
    counts: pd.DataFrame,
    start: str,
    end: str,
    *,
    unit: str = "community",
    period: str = "month",
    count: str = "requests",
    exposure: str = "residents",
    per: float = 1e4,
) -> pd.DataFrame:
    """Rank of each unit by its rate pooled over the months ``start``..``end`` (inclusive): total
    requests over total exposure-months.  Same columns as :func:`rank_table` with ``period`` set to
    ``"start..end"``.  Pooling is what an official means by "the complaint rate over the period"; it
    is far less noisy than any single month."""
    inside = counts.loc[(counts[period] >= start) & (counts[period] <= end)]
    pooled = inside.groupby(unit, as_index=False).agg(**{count: (count, "sum"), exposure: (exposure, "sum")})
    pooled[period] = f"{start}..{end}"
    return rank_table(pooled, unit=unit, period=period, count=count, exposure=exposure, per=per)


# --------------------------------------------------------------------------------------------------
# Trajectory
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# Bring your own panel: messy months, counts and populations → clean counts
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# Report and scorecard
# --------------------------------------------------------------------------------------------------
