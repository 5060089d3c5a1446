"""诉求率排名: monthly 12345 request rates of every community in the area, their rank, and how sure
we can be of it.

The seed article's headline is a *rank*: 甘露园南里二社区 went from the area's top 5 by complaint rate
(投诉率) to its bottom 5.  Officials read such league tables every month; this module makes them
reproducible and adds what a league table usually hides, its uncertainty.

Definitions (all stated here once and used everywhere):

* **Rate** – requests (诉求量) per ``per`` units of exposure in a period: per 10,000 residents
  (``rate_basis="residents"``, the default) or per 1,000 households (``"households"``).
* **Rank** – 1 is the *highest* rate in the period.  Ties share the best rank of their block and the
  next rank is skipped (pandas ``method="min"``, "competition ranking" 1-2-2-4).  ``rank_from_bottom``
  ranks the other way with the same rule, so ``in_bottom5`` (``rank_from_bottom <= 5``) and
  ``in_top5`` (``rank <= 5``) both include ties at the boundary.  With ``n`` units and no ties,
  ``rank_from_bottom = n + 1 - rank``.
* **Percentile** – share of the period's units whose rate is at most this unit's rate, ×100 (100 = the
  highest rate; pandas ``rank(pct=True, method="max")``).
* **Rate CI** – exact Poisson (Garwood 1936) interval for the count, divided by exposure:
  ``[χ²(α/2; 2y)/2, χ²(1−α/2; 2y+2)/2]``, lower bound 0 when ``y = 0``.
* **Rank interval** – parametric simulation: each unit's rate is drawn from the Jeffreys posterior of
  a Poisson mean, ``Gamma(y + ½, 1) / exposure``, independently ``n_sim`` times; every draw is
  ranked and the central ``level`` interval of the simulated ranks is reported, with the
  probabilities of being in the top 5 and the bottom 5 (Goldstein & Spiegelhalter 1996, "League
  tables and their limitations", JRSS A 159:385; Marshall & Spiegelhalter 1998, BMJ 316:1701).
* **Rolling view** – ``window`` consecutive calendar months pooled: summed requests over summed
  exposure (a trailing window; a window with a missing month is not ranked).
* **Performance** – 响应率 = responded / requests, 解决率 = resolved / requests,
  满意率 = satisfied / rated (satisfied = 满意 + 基本满意), all 0–1; and a composite score 0–100,
  ``100 · Σ wᵢ·rateᵢ / Σ wᵢ`` with weights :data:`DEFAULT_WEIGHTS`.  Beijing's official weights for
  the 三率 assessment are not public: the defaults are an *assumption* (outcomes weighted above the
  process measure) and every function takes ``weights=`` so a user can substitute their own.
* **Milestones** – the first month in the bottom 5, and the first month from which the unit stays in
  the bottom 5 to the end of the data.  A single month's rank is noisy, so "stays" ignores exits
  that are within noise: with rank intervals, only a month whose whole 95% rank interval lies above
  the bottom 5 ends a stay; without them, an exit of at most ``max_gap`` consecutive months followed
  by a return does not (see :func:`milestones`).

Complaint volume is not need: a community that reports more is not necessarily worse off.  Rates
here describe reporting through 12345 and nothing else.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from statsmodels.stats.rates import confint_poisson, test_poisson_2indep

from jiesu.analysis.style import FOCUS_COLOR, MUTED_COLOR, synthetic_title
from jiesu.months import is_month, month_label, shift_month

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


def bump_figure(
    table: pd.DataFrame,
    focus: str | None = None,
    *,
    unit: str = "community",
    period: str = "month",
    top: int = TOP,
    max_lines: int = 40,
    title: str | None = None,
    synthetic: bool = False,
):
    """Bump chart: the rank (1 at the top = the highest 诉求率) of every unit over time.

    The focus is drawn in colour with its simulated 95% rank interval as a band (when ``table`` has
    ``rank_lo``/``rank_hi`` for it, from :func:`rank_intervals`); peers are faint thin lines; the top-5
    and bottom-5 zones are shaded; months are labelled in Chinese (2020年9月).  With more than
    ``max_lines`` units only the focus and the units in the top or bottom group in the last period are
    drawn (a bump chart of thousands of lines is unreadable).  Returns a plotly Figure.
    """
    import plotly.graph_objects as go

    periods = sorted(table[period].astype(str).unique())
    units = list(dict.fromkeys(table[unit].astype(str)))
    n_max = int(table["n_units"].max()) if len(table) else 0
    if len(units) > max_lines:
        last = table.loc[table[period].astype(str) == periods[-1]]
        keep = set(last.loc[last["in_top5"] | last["in_bottom5"], unit].astype(str))
        units = [u for u in units if u in keep or u == focus]
    fig = go.Figure()
    fig.add_hrect(y0=0.5, y1=top + 0.5, fillcolor="#fdecea", line_width=0, layer="below")
    fig.add_hrect(y0=n_max - top + 0.5, y1=n_max + 0.5, fillcolor="#e8f4ea", line_width=0, layer="below")
    wide = table.pivot(index=period, columns=unit, values="rank").reindex(periods)
    rates = table.pivot(index=period, columns=unit, values="rate").reindex(periods)
    labels = [_month_text(p) for p in periods]
    for name in units:
        if name == focus:
            continue
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=wide[name],
                mode="lines",
                name=name,
                line=dict(color=MUTED_COLOR, width=1),
                opacity=0.45,
                customdata=rates[name].round(1),
                hovertemplate=f"{name}<br>%{{x}}：第 %{{y}} 名，诉求率 %{{customdata}}<extra></extra>",
                showlegend=False,
            )
        )
    if focus is not None and focus in wide.columns:
        own = table.loc[table[unit] == focus].set_index(period).reindex(periods)
        if {"rank_lo", "rank_hi"} <= set(own.columns) and own["rank_lo"].notna().any():
            fig.add_trace(
                go.Scatter(
                    x=labels + labels[::-1],
                    y=list(own["rank_hi"]) + list(own["rank_lo"])[::-1],
                    fill="toself",
                    fillcolor="rgba(192,57,43,0.18)",
                    line=dict(width=0),
                    name="本社区名次的 95% 区间",
                    hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=wide[focus],
                mode="lines+markers",
                name=focus,
                line=dict(color=FOCUS_COLOR, width=3),
                customdata=rates[focus].round(1),
                hovertemplate=f"{focus}<br>%{{x}}：第 %{{y}} 名，诉求率 %{{customdata}}<extra></extra>",
            )
        )
    heading = title or "诉求率排名（第 1 名 = 诉求率最高；上方红带为前 5 名，下方绿带为后 5 名）"
    fig.update_layout(
        title=synthetic_title(heading, synthetic),
        xaxis_title="月份",
        yaxis_title="名次",
        height=520,
        legend=dict(orientation="h", y=-0.18),
    )
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(autorange="reversed", range=[n_max + 0.5, 0.5])
    return fig


def _month_text(period: str) -> str:
    """A month label for charts read by officials: ``2020-09`` → ``2020年9月`` (other periods unchanged)."""
    return month_label(period) if is_month(period) else period


def rate_change(
    count: float, exposure: float, before_count: float, before_exposure: float, *, alpha: float = 0.05
) -> dict:
    """The relative change of a rate from a previous period, with an exact test that it is not noise.

    The two counts are taken as independent Poisson counts with the given exposures; the test is the
    exact conditional (binomial) test of equal rates (Przyborowski & Wilenski 1940; statsmodels
    ``test_poisson_2indep(method="exact-cond")``), two-sided.  On a community with 9–33 cases a
    month, a +180 % change can be noise; this says so.

    Returns ``change`` (rate / previous rate − 1; None when the previous rate is 0 or unknown),
    ``p_value`` and ``significant`` (p < ``alpha``).

    >>> rate_change(33, 5700, 9, 5700)["significant"], rate_change(12, 5700, 9, 5700)["significant"]
    (True, False)
    """
    if not (before_exposure > 0 and exposure > 0) or before_count <= 0:
        return {"change": None, "p_value": None, "significant": False}
    change = float((count / exposure) / (before_count / before_exposure) - 1)
    p = float(test_poisson_2indep(count, exposure, before_count, before_exposure, method="exact-cond").pvalue)
    return {"change": change, "p_value": p, "significant": bool(p < alpha)}


def league_view(
    table: pd.DataFrame, focus: str, *, unit: str = "community", top: int = TOP, neighbours: int = 1
) -> pd.DataFrame:
    """The condensed league table officials read: the top ``top``, the bottom ``top``, and the focus
    with ``neighbours`` units on each side of it, in rank order (``table``: one period of
    :func:`rank_table`, sorted by rank).  A ``gap`` column is True on the first row after skipped rows,
    so a page can show "…" there."""
    ordered = table.sort_values(["rank", unit], kind="stable").reset_index(drop=True)
    n = len(ordered)
    keep = set(range(min(top, n))) | set(range(max(n - top, 0), n))
    where = ordered.index[ordered[unit].astype(str) == str(focus)]
    if len(where):
        at = int(where[0])
        keep |= set(range(max(at - neighbours, 0), min(at + neighbours + 1, n)))
    rows = sorted(keep)
    out = ordered.loc[rows].copy()
    out["gap"] = [i > 0 and rows[i] != rows[i - 1] + 1 for i in range(len(rows))]
    return out.reset_index(drop=True)


def rate_figure(
    table: pd.DataFrame,
    focus: str,
    *,
    unit: str = "community",
    period: str = "month",
    synthetic: bool = False,
    basis_label: str = RATE_BASES["residents"][2],
):
    """The focus unit's rate with its exact 95% CI, against the area's median and interquartile band."""
    import plotly.graph_objects as go

    quant = table.groupby(period)["rate"].quantile([0.25, 0.5, 0.75]).unstack()
    own = table.loc[table[unit] == focus].set_index(period).reindex(quant.index)
    x = list(quant.index.astype(str))
    fig = go.Figure(
        [
            go.Scatter(
                x=x + x[::-1],
                y=list(quant[0.75]) + list(quant[0.25])[::-1],
                fill="toself",
                fillcolor="rgba(176,183,195,0.3)",
                line=dict(width=0),
                name="地区四分位 area IQR",
            ),
            go.Scatter(
                x=x, y=quant[0.5], line=dict(color=MUTED_COLOR, width=2), name="地区中位数 area median"
            ),
            go.Scatter(
                x=x + x[::-1],
                y=list(own["rate_hi"]) + list(own["rate_lo"])[::-1],
                fill="toself",
                fillcolor="rgba(192,57,43,0.15)",
                line=dict(width=0),
                name="95% CI (Garwood)",
            ),
            go.Scatter(
                x=x, y=own["rate"], line=dict(color=FOCUS_COLOR, width=3), mode="lines+markers", name=focus
            ),
        ]
    )
    heading = f"诉求率 Request rate, {basis_label}"
    if synthetic:
        heading += "（模拟数据 synthetic）"
    fig.update_layout(
        title=heading,
        xaxis_title="月份 month",
        yaxis_title=basis_label,
        height=420,
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


# --------------------------------------------------------------------------------------------------
# Bring your own panel: messy months, counts and populations → clean counts
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# Report and scorecard
# --------------------------------------------------------------------------------------------------


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


def movers(now: pd.DataFrame, before: pd.DataFrame, *, unit: str = "community") -> dict[str, list[str]]:
    """Who moved into or out of the top and bottom groups between two periods of :func:`rank_table`
    (``before`` the earlier one): ``entered_top5``, ``left_top5``, ``entered_bottom5``,
    ``left_bottom5`` (unit names, sorted)."""

    def members(table: pd.DataFrame, flag: str) -> set[str]:
        return set(table.loc[table[flag].astype(bool), unit].astype(str))

    out = {}
    for group in ("top5", "bottom5"):
        was, now_in = members(before, f"in_{group}"), members(now, f"in_{group}")
        out[f"entered_{group}"] = sorted(now_in - was)
        out[f"left_{group}"] = sorted(was - now_in)
    return out


def trajectories_figure(
    table: pd.DataFrame,
    *,
    unit: str = "community",
    period: str = "month",
    columns: int = 4,
    synthetic: bool = False,
):
    """Small multiples: one panel per unit with its monthly rate and exact 95% interval (from
    :func:`rank_table`), all panels on one y-scale so heights compare; months labelled in Chinese."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    units = sorted(table[unit].astype(str).unique())
    rows = max(1, math.ceil(len(units) / columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=units,
        shared_xaxes=True,
        shared_yaxes=True,
        vertical_spacing=0.35 / rows,
        horizontal_spacing=0.03,
    )
    top = float(table["rate_hi"].max()) if len(table) else 1.0
    for i, name in enumerate(units):
        own = table.loc[table[unit].astype(str) == name].sort_values(period)
        x = [_month_text(str(p)) for p in own[period]]
        r, c = i // columns + 1, i % columns + 1
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=list(own["rate_hi"]) + list(own["rate_lo"])[::-1],
                fill="toself",
                fillcolor="rgba(31,111,178,0.15)",
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=own["rate"],
                mode="lines",
                line=dict(color="#1f6fb2", width=1.5),
                name=name,
                showlegend=False,
                hovertemplate=f"{name}<br>%{{x}}：诉求率 %{{y:.1f}}<extra></extra>",
            ),
            row=r,
            col=c,
        )
    fig.update_yaxes(range=[0, top * 1.05])
    fig.update_xaxes(type="category", showticklabels=False)
    fig.update_annotations(font_size=11)
    title = "各社区近 24 个月每万人诉求率（阴影为 95% 区间）"
    fig.update_layout(
        title=synthetic_title(title, synthetic), height=190 * rows + 120, margin=dict(l=40, r=10, t=80, b=20)
    )
    return fig
