"""The intervention design shared by every estimator: month ramps, the area series, the Estimate record."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from jiesu.analysis.ranking import area_counts
from jiesu.months import check_month, months_between, shift_month

LEVEL = 0.95


def _one_blas_thread():
    """Run small linear algebra on one BLAS thread: the matrices here are at most ~1,000 × 100, where
    thread start-up and contention on a shared machine cost far more than they save."""
    return threadpool_limits(1, user_api="blas")


@dataclass(frozen=True)
class Intervention:
    """When an intervention began and how it phased in: the design every estimator shares.

    Parameters
    ----------
    start : first month of the intervention (``YYYY-MM``).
    ramp_months : months over which it phases in linearly (0 = a step at ``start``).
    end : last month of data an estimator may use (``None`` = all).

    >>> design = Intervention("2018-07", ramp_months=6)
    >>> design.full_from
    '2019-01'
    >>> design.intensity(["2018-06", "2018-10", "2019-03"]).tolist()
    [0.0, 0.5, 1.0]
    >>> design.window(["2018-06", "2018-10", "2019-03"]).tolist()
    ['before', 'ramp', 'after']
    """

    start: str
    ramp_months: int = 6
    end: str | None = None

    def __post_init__(self) -> None:
        check_month(self.start, name="intervention start")
        if self.end is not None:
            check_month(self.end, name="end")
        if int(self.ramp_months) < 0:
            raise ValueError(f"ramp_months must be ≥ 0, got {self.ramp_months}")

    @property
    def full_from(self) -> str:
        """The first month at full intensity (``start`` + ``ramp_months``)."""
        return shift_month(self.start, int(self.ramp_months))

    def intensity(self, months) -> np.ndarray:
        """Intensity per month, 0–1: ``clip((months since start) / ramp_months, 0, 1)``; a step at
        ``start`` when ``ramp_months`` is 0."""
        since = np.array([months_between(self.start, str(m)) for m in months], dtype=float)
        if self.ramp_months <= 0:
            return (since >= 0).astype(float)
        return np.clip(since / self.ramp_months, 0.0, 1.0)

    def window(self, months) -> np.ndarray:
        """``"before"`` (before ``start``), ``"ramp"`` (phasing in) or ``"after"`` (from ``full_from``)
        for each month."""
        months = np.asarray([str(m) for m in months])
        return np.where(months < self.start, "before", np.where(months >= self.full_from, "after", "ramp"))

    def clip(self, frame: pd.DataFrame, column: str = "month") -> pd.DataFrame:
        """The rows of ``frame`` dated up to ``end`` (all rows when ``end`` is None)."""
        return frame if self.end is None else frame.loc[frame[column] <= self.end]


@dataclass(frozen=True)
class Estimate:
    """One effect estimate on the log rate-ratio scale (negative = fewer requests)."""

    method: str
    estimate: float
    lo: float
    hi: float
    se: float
    note: str = ""

    @property
    def rate_ratio(self) -> float:
        return float(np.exp(self.estimate))

    def covers(self, value: float) -> bool:
        return bool(self.lo <= value <= self.hi)

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "estimate": self.estimate,
            "lo": self.lo,
            "hi": self.hi,
            "se": self.se,
            "rate_ratio": self.rate_ratio,
            "rr_lo": float(np.exp(self.lo)),
            "rr_hi": float(np.exp(self.hi)),
            "note": self.note,
        }


def with_controls(panel: pd.DataFrame, focus: str, controls) -> pd.DataFrame:
    """The panel restricted to the focus community and the chosen control communities.

    Peers that adopted a similar way of working themselves are poor controls: their own effect pulls
    the comparison towards zero.  Keep only communities known never to have been treated.

    Parameters
    ----------
    panel : the processed ``panel`` table.
    focus : the treated community (always kept).
    controls : community names to compare against; ``None`` keeps every community.

    Returns
    -------
    The rows of ``panel`` of ``focus`` and ``controls``, in their order.

    Examples
    --------
    >>> panel = pd.DataFrame({"community": ["a", "b", "c"], "requests": [1, 2, 3]})
    >>> with_controls(panel, "a", ["c"])["community"].tolist()
    ['a', 'c']
    >>> with_controls(panel, "a", ["z"])
    Traceback (most recent call last):
    ValueError: control communities not in the panel: z
    """
    if controls is None:
        return panel
    wanted = [str(c) for c in controls if str(c) != focus]
    missing = sorted(set(wanted) - set(panel["community"].astype(str)))
    if missing:
        raise ValueError(f"control communities not in the panel: {', '.join(missing)}")
    if not wanted:
        raise ValueError("at least one control community is needed")
    return panel.loc[panel["community"].astype(str).isin([focus, *wanted])]


def area_series(panel: pd.DataFrame, focus: str) -> pd.DataFrame:
    """Monthly requests and residents of the focus community and of all other communities pooled.

    Returns one row per month: ``month``, ``requests``, ``residents`` (focus), ``peer_requests``,
    ``peer_residents`` (sum over peers), ``rate`` and ``peer_rate`` (per 10,000 residents).
    """
    counts = area_counts(panel)
    if focus not in set(counts["community"]):
        raise ValueError(f"{focus} is not in the panel")
    own = counts.loc[counts["community"] == focus, ["month", "requests", "residents"]]
    peers = (
        counts.loc[counts["community"] != focus]
        .groupby("month", as_index=False)
        .agg(peer_requests=("requests", "sum"), peer_residents=("residents", "sum"))
    )
    out = own.merge(peers, on="month", how="inner").sort_values("month").reset_index(drop=True)
    out["rate"] = out["requests"] / out["residents"] * 1e4
    out["peer_rate"] = out["peer_requests"] / out["peer_residents"] * 1e4
    return out


def _fourier(months: pd.Series, harmonics: int) -> pd.DataFrame:
    moy = months.str[5:7].astype(int).to_numpy()
    cols = {}
    for k in range(1, harmonics + 1):
        cols[f"sin{k}"] = np.sin(2 * np.pi * k * moy / 12)
        cols[f"cos{k}"] = np.cos(2 * np.pi * k * moy / 12)
    return pd.DataFrame(cols, index=months.index)


def _log_ratio_of_sums(
    fit, X: pd.DataFrame, X_cf: pd.DataFrame, offset: np.ndarray, rows: np.ndarray, cov: np.ndarray
) -> tuple[float, float]:
    """``log Σ_rows exp(Xβ+o) − log Σ_rows exp(X_cf β+o)`` and its delta-method standard error."""
    beta = fit.params.to_numpy()
    eta, eta_cf = (
        X.to_numpy(float)[rows] @ beta + offset[rows],
        X_cf.to_numpy(float)[rows] @ beta + offset[rows],
    )
    w, w_cf = np.exp(eta - eta.max()), np.exp(eta_cf - eta_cf.max())
    value = (np.log(w.sum()) + eta.max()) - (np.log(w_cf.sum()) + eta_cf.max())
    grad = (w / w.sum()) @ X.to_numpy(float)[rows] - (w_cf / w_cf.sum()) @ X_cf.to_numpy(float)[rows]
    return float(value), float(np.sqrt(grad @ cov @ grad))
