"""The prospective weekly upper-tail test of counts against a trailing and a same-season baseline.

Weeks run Monday–Sunday; the decision for week ``W`` is taken at its end and reads only rows ≤ ``W``.
Counts are tested against a Poisson–Gamma (negative-binomial) predictive distribution: the predictive
form of the quasi-Poisson / negative-binomial thresholds of the Farrington family of outbreak-detection
algorithms (Farrington et al. 1996; Noufaily et al. 2013), with the EARS C2/C3 guard band (Hutwagner et
al. 2003) and a two-week span as a short CUSUM-like accumulation for slow starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from jiesu.analysis.early_warning.params import HotParams

SEASON_LAG_WEEKS = 52
"""The same season last year: 52 weeks back (weekdays line up)."""
MIN_GUARDED_HISTORY = 4
"""With fewer trailing weeks than this before the tested span, the guard week is not left out."""


def week_origin(days: pd.Series | pd.DatetimeIndex) -> pd.Timestamp:
    """The Monday on or before the earliest day."""
    first = pd.Timestamp(pd.Series(days).min()).normalize()
    return first - pd.Timedelta(days=first.day_of_week)


def week_end(origin: pd.Timestamp, week: int) -> pd.Timestamp:
    """The Sunday (midnight) ending week number ``week`` counted from ``origin``."""
    return origin + pd.Timedelta(days=7 * int(week) + 6)


def week_of(origin: pd.Timestamp, when) -> int:
    """The week number (from ``origin``) holding the day of ``when``."""
    return int((pd.Timestamp(when).normalize() - origin).days // 7)


def predictive_pvalue(
    y: np.ndarray,
    hist_count: np.ndarray,
    hist_exposure: np.ndarray,
    *,
    prior_count: float,
    prior_weeks: float,
    dispersion: float,
    min_size: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Upper-tail p-value ``P(Y ≥ y)`` and expected count under the Poisson–Gamma predictive.

    Parameters
    ----------
    y : tested counts (distinct senders).
    hist_count, hist_exposure : baseline counts and exposure (baseline volume in units of the tested
        span's volume).
    prior_count, prior_weeks : Gamma prior of the rate per unit exposure.
    dispersion : k of the extra-Poisson variance μ²/k (``inf``: none).
    min_size : floor of the posterior shape in the size (caps the rate uncertainty of anchors seen
        almost never).

    Returns
    -------
    ``(p, mu)``: the posterior is Gamma(a = prior_count + hist_count, b = prior_weeks + hist_exposure);
    ``Y`` is negative binomial with mean μ = a / b and size 1 / (1 / max(a, min_size) + 1 / k).
    """
    a = prior_count + np.asarray(hist_count, dtype=np.float64)
    b = prior_weeks + np.asarray(hist_exposure, dtype=np.float64)
    mu = a / b
    inv = 1.0 / np.maximum(a, min_size) + (0.0 if not np.isfinite(dispersion) else 1.0 / dispersion)
    size = 1.0 / inv
    p = stats.nbinom.sf(np.asarray(y) - 1, size, size / (size + mu))
    return p, mu


def baseline_windows(
    week: int, params: HotParams, n_weeks: int, span: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Trailing baseline weeks and same-season weeks (a year earlier) for a decision on ``week`` about
    the ``span`` weeks ending with it; the trailing window ends ``guard_weeks`` before the tested span
    (no guard with under :data:`MIN_GUARDED_HISTORY` weeks of history)."""
    first = week - span + 1
    guarded = first - params.guard_weeks >= MIN_GUARDED_HISTORY
    hi = first - (params.guard_weeks if guarded else 0)  # exclusive
    lo = max(0, hi - params.baseline_weeks)
    trailing = np.arange(lo, max(hi, lo))
    centre = week - SEASON_LAG_WEEKS
    first_season = centre - params.season_weeks - span + 1
    if first_season < 0:
        return trailing, np.array([], dtype=int)
    season = np.arange(first_season, centre + params.season_weeks + 1)
    return trailing, season[(season >= 0) & (season < n_weeks)]


@dataclass
class SpanResult:
    """Per series: tested count ``y``, ``expected`` count, ``p`` value, ``alarm``, and the ``span`` that
    decided; ``tested`` is False when the history is too short."""

    y: np.ndarray
    expected: np.ndarray
    p: np.ndarray
    alarm: np.ndarray
    tested: bool
    span: np.ndarray

    @classmethod
    def untested(cls, y: np.ndarray) -> SpanResult:
        z = np.zeros_like(y, dtype=np.float64)
        return cls(y, z, np.ones_like(z), z.astype(bool), False, np.ones(len(z), dtype=int))


def _expected(y, counts, volume, window, cur, params: HotParams, k: float):
    return predictive_pvalue(
        y,
        counts[window].sum(axis=0),
        np.full_like(y, volume[window].sum() / cur),
        prior_count=params.prior_count,
        prior_weeks=params.prior_weeks,
        dispersion=k,
        min_size=params.min_size,
    )


def weekly_test(
    counts: np.ndarray,
    volume: np.ndarray,
    week: int,
    params: HotParams,
    *,
    alpha: float,
    min_count: int,
    span: int = 1,
    dispersion: float | None = None,
) -> SpanResult:
    """Test the counts of the ``span`` weeks ending with ``week`` against the baselines.

    Parameters
    ----------
    counts : weeks × series (distinct senders per week); only rows ≤ ``week`` are read.
    volume : issue-like messages per week (the offset: expected counts scale with the tested volume).
    week, span : the tested weeks are ``week-span+1 … week``.
    params : :class:`HotParams` (baseline windows, prior, size floor, ``min_ratio``).
    alpha, min_count : alarm when ``p < alpha``, ``y ≥ min_count`` and ``y ≥ min_ratio × expected``.
    dispersion : k (default ``params.dispersion``).

    Returns
    -------
    :class:`SpanResult`; the same-season expectation is used where it is larger than the trailing one.
    """
    counts = np.asarray(counts, dtype=np.float64)
    tested_weeks = np.arange(week - span + 1, week + 1)
    if tested_weeks[0] < 0:
        return SpanResult.untested(np.zeros(counts.shape[1]))
    y = counts[tested_weeks].sum(axis=0)
    trailing, season = baseline_windows(week, params, counts.shape[0], span)
    cur = volume[tested_weeks].sum()
    if len(trailing) < params.min_history_weeks or cur <= 0:
        return SpanResult.untested(y)
    k = params.dispersion if dispersion is None else dispersion
    p, mu = _expected(y, counts, volume, trailing, cur, params, k)
    if len(season) and volume[season].sum() > 0:
        p2, mu2 = _expected(y, counts, volume, season, cur, params, k)
        use = mu2 > mu
        p, mu = np.where(use, p2, p), np.where(use, mu2, mu)
    alarm = (p < alpha) & (y >= min_count) & (y >= params.min_ratio * mu)
    return SpanResult(y, mu, p, alarm, True, np.full(len(y), span))


def span_tests(
    counts: np.ndarray,
    volume: np.ndarray,
    week: int,
    params: HotParams,
    *,
    alpha: float,
    min_count: int,
    dispersion: float | None = None,
) -> SpanResult:
    """:func:`weekly_test` over every span of ``params.spans``, each at level ``alpha / len(spans)`` with
    fewest count ``min_count + 2·(span − 1)``; per series the span with the smallest p-value among those
    that alarm (else the smallest p-value overall)."""
    best = None
    for span in params.spans:
        r = weekly_test(
            counts,
            volume,
            week,
            params,
            alpha=alpha / len(params.spans),
            min_count=min_count + 2 * (span - 1),
            span=span,
            dispersion=dispersion,
        )
        if not r.tested:
            continue
        if best is None:
            best = r
            continue
        better = (r.alarm & ~best.alarm) | ((r.alarm == best.alarm) & (r.p < best.p))
        best = SpanResult(
            *(np.where(better, getattr(r, f), getattr(best, f)) for f in ("y", "expected", "p", "alarm")),
            True,
            np.where(better, r.span, best.span),
        )
    return best if best is not None else SpanResult.untested(np.zeros(np.asarray(counts).shape[1]))
