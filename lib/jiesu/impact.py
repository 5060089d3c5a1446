"""Did the intervention work?  Interrupted time series, difference-in-differences, the naive
before/after comparison and why it misleads, channel substitution, category mix and time to close.

The seed's story: 甘露园南里二社区 started its "12345全攻略" in mid-2018 (园园, categorized groups,
未诉先办) and its complaint rate fell.  But Beijing launched 接诉即办 in January 2019 — calls rose
everywhere — and the 2020 epidemic changed what people called about.  An area-wide shock that
coincides with the intervention is the classic trap of before/after comparisons.

Design (names as in the code):

* ``ramp(t)`` – intervention intensity 0…1: 0 before ``start``, linear over ``ramp_months``, 1 from
  ``full_from = start + ramp_months``.  The **estimand** is the log rate ratio of the focus
  community's total requests in the months from ``full_from`` on, with versus without the
  intervention: ``log Σ_{t≥full_from} μ_t − log Σ_{t≥full_from} μ⁰_t``.
* **Controlled ITS** (:func:`its`) – a segmented Poisson GLM for the focus community's monthly
  requests, ``log μ_t = log residents_t + log r^peers_t + β₀ + Σ Fourier(month-of-year) + δ·ramp(t)``
  (+ ``β₁·t`` with ``trend=True``), where ``r^peers_t`` is the pooled request rate of all other
  communities of the area in the same month.  *Why the peers' rate:* the 2019-01 launch surge and the
  2020 epidemic hit every community at the same time as the ramp completes; a single-series ITS
  would read the surge as "the intervention failed" (or any simultaneous drop as success).  Using the
  peers' rate as an offset (coefficient 1: the focus would have moved with the area) removes every
  area-wide shock and the area's seasonality; the Fourier terms catch seasonality of the focus beyond
  the area's.  ``control="covariate"`` estimates the coefficient instead; ``control="none"`` is the
  uncontrolled single-series ITS, shown for contrast.  Standard errors: quasi-Poisson (Pearson
  χ²/df scale) with a t reference distribution on the residual degrees of freedom; Newey–West (HAC)
  errors are reported beside them but not used for the interval, because in series this short they
  are too narrow (Turner et al. 2021, *BMC Med Res Methodol* 21:181; Bernal, Cummins & Gasparrini
  2017, *Int J Epidemiol* 46:348 for the design).
* **Difference-in-differences** (:func:`did`) – Poisson GLM on community × month counts with
  community and month fixed effects and ``δ·ramp(t)·[focus]`` (offset log residents): a two-way
  fixed-effects log-linear DiD (Wooldridge 2023, *Econometrics Journal* 26:C31).  Its interval uses
  heteroskedasticity-robust (HC1) errors, valid with one treated unit when its months are not
  serially correlated (the event study and the placebos are the check).  Cluster-robust (by community) errors are computed and
  reported, but with a single treated community they are badly anti-conservative: the treated
  cluster's score for δ is zero at the estimate, so the clustered variance misses the focus's own
  noise (Conley & Taber 2011, *REStat* 93:113; MacKinnon & Webb 2017, *J Appl Econometrics* 32:233).
  A placebo-in-space distribution (:func:`placebo_in_space`, each peer in turn as the "treated"
  community) gives the permutation p-value.
* **Event study** (:func:`event_study`) – the same fixed-effects model with focus × event-time bins
  (quarters relative to ``start``; the quarter before ``start`` is the reference) instead of the ramp:
  flat pre-period coefficients support parallel trends.
* **Synthetic control** (:func:`synthetic_control`) – a convex combination of peers matched on the
  focus's pre-period monthly rates, with placebo inference; a cross-check, weak here because the
  focus is at the edge of the peers' range before the intervention.
* **Naive before/after** (:func:`naive_before_after`) – ``log(mean monthly requests from full_from /
  mean monthly requests before start)`` for the focus alone.  Its bias is the area-wide change over
  the same windows, measured on the peers (``area_shift``): naive ≈ effect + area_shift.

Channel substitution (:func:`channel_substitution`): did problems fall, or move from the 12345 hotline
into the WeChat groups?  Hotline counts are compared with total issues = hotline + issues raised in
the groups (resident messages taken up by staff, :func:`chat_issues`), and with interception
(issues closed in the group that never reached 12345) from :mod:`jiesu.early_warning` when that
module provides it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from jiesu import datasets
from jiesu.ranking import area_counts
from jiesu.settings import Paths

LEVEL = 0.95


def _one_blas_thread():
    """Run small linear algebra on one BLAS thread: the matrices here are at most ~1,000 × 100, where
    thread start-up and contention on a shared machine cost far more than they save."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(1, user_api="blas")


# --------------------------------------------------------------------------------------------------
# Design
# --------------------------------------------------------------------------------------------------


def _period(month: str) -> pd.Period:
    return pd.Period(month, freq="M")


def shift_month(month: str, months: int) -> str:
    """``YYYY-MM`` shifted by ``months`` calendar months."""
    return (_period(month) + months).strftime("%Y-%m")


def ramp(months, start: str, ramp_months: int) -> np.ndarray:
    """Intervention intensity per month: ``clip((months since start) / ramp_months, 0, 1)``; a step at
    ``start`` when ``ramp_months`` is 0."""
    since = np.array([(_period(str(m)) - _period(start)).n for m in months], dtype=float)
    if ramp_months <= 0:
        return (since >= 0).astype(float)
    return np.clip(since / ramp_months, 0.0, 1.0)


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
        return {"method": self.method, "estimate": self.estimate, "lo": self.lo, "hi": self.hi, "se": self.se,
                "rate_ratio": self.rate_ratio, "rr_lo": float(np.exp(self.lo)), "rr_hi": float(np.exp(self.hi)),
                "note": self.note}


def area_series(panel: pd.DataFrame, focus: str) -> pd.DataFrame:
    """Monthly requests and residents of the focus community and of all other communities pooled.

    Returns one row per month: ``month``, ``requests``, ``residents`` (focus), ``peer_requests``,
    ``peer_residents`` (sum over peers), ``rate`` and ``peer_rate`` (per 10,000 residents).
    """
    counts = area_counts(panel)
    if focus not in set(counts["community"]):
        raise ValueError(f"{focus} is not in the panel")
    own = counts.loc[counts["community"] == focus, ["month", "requests", "residents"]]
    peers = counts.loc[counts["community"] != focus].groupby("month", as_index=False).agg(
        peer_requests=("requests", "sum"), peer_residents=("residents", "sum"))
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


def _log_ratio_of_sums(fit, X: pd.DataFrame, X_cf: pd.DataFrame, offset: np.ndarray, rows: np.ndarray,
                       cov: np.ndarray) -> tuple[float, float]:
    """``log Σ_rows exp(Xβ+o) − log Σ_rows exp(X_cf β+o)`` and its delta-method standard error."""
    beta = fit.params.to_numpy()
    eta, eta_cf = X.to_numpy(float)[rows] @ beta + offset[rows], X_cf.to_numpy(float)[rows] @ beta + offset[rows]
    w, w_cf = np.exp(eta - eta.max()), np.exp(eta_cf - eta_cf.max())
    value = (np.log(w.sum()) + eta.max()) - (np.log(w_cf.sum()) + eta_cf.max())
    grad = (w / w.sum()) @ X.to_numpy(float)[rows] - (w_cf / w_cf.sum()) @ X_cf.to_numpy(float)[rows]
    return float(value), float(np.sqrt(grad @ cov @ grad))


# --------------------------------------------------------------------------------------------------
# Interrupted time series
# --------------------------------------------------------------------------------------------------


def its(panel: pd.DataFrame, focus: str, start: str, ramp_months: int = 6, *, control: str = "peers",
        trend: bool = False, harmonics: int = 2, level: float = LEVEL, end: str | None = None) -> dict:
    """Segmented Poisson GLM for the focus community (see the module docstring for the model).

    Parameters
    ----------
    panel : the processed ``panel`` table.
    focus : the community that received the intervention.
    start, ramp_months : the intervention's start month (``YYYY-MM``) and phase-in length.
    control : ``"peers"`` (peers' log rate as offset), ``"covariate"`` (as a covariate with a free
        coefficient) or ``"none"`` (single series: biased by area-wide shocks; with ``"none"`` a
        linear trend is always included).
    trend : add a linear pre-existing trend (months since the first month).
    harmonics : pairs of Fourier terms for month-of-year seasonality (0 = none).
    end : last month used (default: all).

    Returns
    -------
    dict with ``estimate`` (:class:`Estimate`, log rate ratio over months ≥ full_from; quasi-Poisson
    SE, t interval), ``hac_se`` (Newey–West, 3 lags, for comparison), ``dispersion`` (Pearson χ²/df),
    ``series`` (month, observed, fitted, counterfactual — the fit with the ramp switched off),
    ``params`` (coefficient table), ``full_from``.
    """
    series = area_series(panel, focus)
    if end:
        series = series.loc[series["month"] <= end].reset_index(drop=True)
    full_from = shift_month(start, ramp_months)
    r = ramp(series["month"], start, ramp_months)
    X = pd.DataFrame({"const": 1.0, "ramp": r}, index=series.index)
    if trend or control == "none":
        X["trend"] = np.arange(len(series), dtype=float)
    if harmonics:
        X = X.join(_fourier(series["month"], harmonics))
    offset = np.log(series["residents"].to_numpy(float))
    log_peer = np.log(series["peer_rate"].to_numpy(float))
    if control == "peers":
        offset = offset + log_peer
    elif control == "covariate":
        X["log_peer_rate"] = log_peer
    elif control != "none":
        raise ValueError(f"control must be peers, covariate or none, got {control!r}")
    y = series["requests"].to_numpy(float)
    model = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
    with _one_blas_thread():
        fit = model.fit(scale="X2")
        hac = model.fit(cov_type="HAC", cov_kwds={"maxlags": 3})
    post = (series["month"] >= full_from).to_numpy()
    X_cf = X.assign(ramp=0.0)
    value, se = _log_ratio_of_sums(fit, X, X_cf, offset, post, fit.cov_params().to_numpy())
    _, hac_se = _log_ratio_of_sums(hac, X, X_cf, offset, post, hac.cov_params().to_numpy())
    q = stats.t.ppf(0.5 + level / 2, fit.df_resid)
    label = {"peers": "ITS, peers' rate as offset", "covariate": "ITS, peers' rate as covariate",
             "none": "ITS, single series (no control)"}[control]
    out = pd.DataFrame({"month": series["month"], "observed": y,
                        "fitted": np.exp(X.to_numpy(float) @ fit.params.to_numpy() + offset),
                        "counterfactual": np.exp(X_cf.to_numpy(float) @ fit.params.to_numpy() + offset),
                        "ramp": r})
    params = pd.DataFrame({"coef": fit.params, "se": fit.bse, "p": fit.pvalues})
    return {"estimate": Estimate(label, value, value - q * se, value + q * se, se,
                                 "quasi-Poisson SE, t interval"),
            "hac_se": hac_se, "dispersion": float(fit.pearson_chi2 / fit.df_resid), "series": out,
            "params": params, "full_from": full_from}


# --------------------------------------------------------------------------------------------------
# Difference-in-differences and event study
# --------------------------------------------------------------------------------------------------


def _fe_design(counts: pd.DataFrame) -> pd.DataFrame:
    """Intercept plus community and month dummies (first level of each dropped)."""
    dummies = pd.get_dummies(counts[["community", "month"]].astype(str), drop_first=True, dtype=float)
    dummies.insert(0, "const", 1.0)
    return dummies


def _did_counts(panel: pd.DataFrame, end: str | None) -> pd.DataFrame:
    counts = area_counts(panel)
    if end:
        counts = counts.loc[counts["month"] <= end]
    return counts.sort_values(["community", "month"]).reset_index(drop=True)


@dataclass(frozen=True)
class PoissonFit:
    """Maximum-likelihood Poisson regression: coefficients, fitted means and the pieces of every
    sandwich variance (``bread`` = (X'WX)⁻¹, ``scores`` = x_i·(y_i − μ_i))."""

    params: np.ndarray
    mu: np.ndarray
    bread: np.ndarray
    scores: np.ndarray
    y: np.ndarray

    @property
    def df_resid(self) -> int:
        return len(self.y) - len(self.params)

    def cov(self, kind: str = "HC1", groups: np.ndarray | None = None) -> np.ndarray:
        """Covariance of the coefficients: ``"model"`` (Poisson), ``"quasi"`` (× Pearson χ²/df),
        ``"HC1"`` (White, × n/(n−k)) or ``"cluster"`` (CR1 over ``groups``, × G/(G−1)·(n−1)/(n−k))."""
        n, k = len(self.y), len(self.params)
        if kind == "model":
            return self.bread
        if kind == "quasi":
            return self.bread * float(np.sum((self.y - self.mu) ** 2 / self.mu) / (n - k))
        if kind == "HC1":
            return self.bread @ (self.scores.T @ self.scores) @ self.bread * n / (n - k)
        if kind == "cluster":
            codes, _ = pd.factorize(groups)
            sums = np.zeros((codes.max() + 1, k))
            np.add.at(sums, codes, self.scores)
            g = len(sums)
            return self.bread @ (sums.T @ sums) @ self.bread * g / (g - 1) * (n - 1) / (n - k)
        raise ValueError(f"unknown covariance kind {kind!r}")


def poisson_fit(y: np.ndarray, X: np.ndarray, offset: np.ndarray, *, tol: float = 1e-10,
                max_iter: int = 100) -> PoissonFit:
    """Poisson GLM (log link) by iteratively reweighted least squares (a direct solve of the weighted
    normal equations each step) — the same estimator as ``statsmodels.GLM(..., family=Poisson())``
    (the tests check they agree), fast enough to refit the fixed-effects model for every placebo."""
    with _one_blas_thread():
        return _poisson_irls(np.asarray(y, float), np.asarray(X, float), np.asarray(offset, float), tol, max_iter)


def _poisson_irls(y: np.ndarray, X: np.ndarray, offset: np.ndarray, tol: float, max_iter: int) -> PoissonFit:
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(max(y.mean(), 1e-9)) - offset.mean()
    deviance = np.inf
    for _ in range(max_iter):
        eta = X @ beta + offset
        mu = np.exp(eta)
        z = eta - offset + (y - mu) / mu
        xtw = X.T * mu
        beta = np.linalg.solve(xtw @ X, xtw @ z)
        mu = np.exp(X @ beta + offset)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = 2 * np.sum(np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
        if abs(deviance - dev) <= tol * (abs(dev) + 0.1):
            break
        deviance = dev
    bread = np.linalg.inv((X.T * mu) @ X)
    return PoissonFit(beta, mu, bread, X * (y - mu)[:, None], y)


SE_KINDS = ("HC1", "quasi", "cluster")


def did(panel: pd.DataFrame, focus: str, start: str, ramp_months: int = 6, *, se: str = "HC1",
        level: float = LEVEL, end: str | None = None) -> dict:
    """Two-way fixed-effects Poisson difference-in-differences of the focus against all peers.

    Parameters
    ----------
    panel, focus, start, ramp_months, end : as in :func:`its`.
    se : which standard error makes the interval: ``"HC1"`` (default, heteroskedasticity-robust),
        ``"quasi"`` (Pearson scale) or ``"cluster"`` (by community; anti-conservative with one treated
        community, see the module docstring).

    Returns
    -------
    dict with ``estimate`` (:class:`Estimate` for ``se``), ``standard_errors`` (DataFrame: kind, se,
    lo, hi for every kind), ``full_from``, ``n_communities``, ``n_months``.
    """
    counts = _did_counts(panel, end)
    if focus not in set(counts["community"]):
        raise ValueError(f"{focus} is not in the panel")
    if se not in SE_KINDS:
        raise ValueError(f"se must be one of {', '.join(SE_KINDS)}, got {se!r}")
    X = _fe_design(counts)
    X["effect"] = ramp(counts["month"], start, ramp_months) * (counts["community"] == focus).to_numpy()
    fit = poisson_fit(counts["requests"].to_numpy(float), X.to_numpy(), np.log(counts["residents"].to_numpy(float)))
    z = stats.norm.ppf(0.5 + level / 2)
    b = float(fit.params[-1])
    rows = []
    for kind in SE_KINDS:
        s_k = float(np.sqrt(fit.cov(kind, counts["community"].to_numpy())[-1, -1]))
        rows.append({"kind": kind, "se": s_k, "lo": b - z * s_k, "hi": b + z * s_k})
    table = pd.DataFrame(rows)
    chosen = table.set_index("kind").loc[se]
    return {"estimate": Estimate("DiD, community + month fixed effects", b, float(chosen["lo"]), float(chosen["hi"]),
                                 float(chosen["se"]), f"{se} SE"),
            "standard_errors": table, "full_from": shift_month(start, ramp_months),
            "n_communities": int(counts["community"].nunique()), "n_months": int(counts["month"].nunique())}


def event_study(panel: pd.DataFrame, focus: str, start: str, *, bin_months: int = 3, level: float = LEVEL,
                end: str | None = None) -> pd.DataFrame:
    """Event-study coefficients: focus × event-time bins in a community + month fixed-effects Poisson.

    Bins are ``bin_months`` long, numbered from ``start`` (bin 0 = the first ``bin_months`` months of
    the intervention); bin −1 (just before ``start``) is the reference (coefficient 0).  HC1 errors.

    Returns one row per bin: ``bin``, ``first_month``, ``coef`` (log rate ratio vs. the reference),
    ``lo``, ``hi``, ``period`` (``"before"``/``"after"``).
    """
    counts = _did_counts(panel, end)
    since = np.array([(_period(m) - _period(start)).n for m in counts["month"]])
    bins = np.floor_divide(since, bin_months)
    X = _fe_design(counts)
    is_focus = (counts["community"] == focus).to_numpy()
    kept = [b for b in sorted(set(bins.tolist())) if b != -1]
    for b in kept:
        X[f"bin{b:+d}"] = ((bins == b) & is_focus).astype(float)
    fit = poisson_fit(counts["requests"].to_numpy(float), X.to_numpy(), np.log(counts["residents"].to_numpy(float)))
    cov = fit.cov("HC1")
    z = stats.norm.ppf(0.5 + level / 2)
    rows = [{"bin": -1, "coef": 0.0, "lo": 0.0, "hi": 0.0}]
    first = X.shape[1] - len(kept)
    for j, b in enumerate(kept):
        c, s = float(fit.params[first + j]), float(np.sqrt(cov[first + j, first + j]))
        rows.append({"bin": b, "coef": c, "lo": c - z * s, "hi": c + z * s})
    out = pd.DataFrame(rows).sort_values("bin").reset_index(drop=True)
    out.insert(1, "first_month", [shift_month(start, int(b) * bin_months) for b in out["bin"]])
    out["period"] = np.where(out["bin"] < 0, "before", "after")
    return out


def parallel_trends(panel: pd.DataFrame, focus: str, start: str) -> pd.DataFrame:
    """Focus and peers' monthly log request rates, each minus its own mean before ``start``.

    Under parallel trends the two lines move together before ``start``.  Returns ``month``,
    ``focus``, ``peers`` (log-rate deviations) and ``gap`` (focus − peers).
    """
    series = area_series(panel, focus)
    before = series["month"] < start
    focus_log = np.log(series["rate"].clip(lower=1e-9))
    peers_log = np.log(series["peer_rate"])
    out = pd.DataFrame({"month": series["month"], "focus": focus_log - focus_log[before].mean(),
                        "peers": peers_log - peers_log[before].mean()})
    out["gap"] = out["focus"] - out["peers"]
    return out


def placebo_in_space(panel: pd.DataFrame, focus: str, start: str, ramp_months: int = 6, *,
                     end: str | None = None) -> dict:
    """Permutation inference for a single treated unit (Abadie, Diamond & Hainmueller 2010; Conley &
    Taber 2011): the DiD estimate with each peer in turn as the "treated" community (focus excluded).

    Returns ``placebos`` (DataFrame community, estimate), ``estimate`` (the focus's) and ``p_value``
    (share of all units, focus included, with |estimate| ≥ the focus's).
    """
    counts = _did_counts(panel, end)
    peers = counts.loc[counts["community"] != focus].reset_index(drop=True)
    X = _fe_design(peers)
    r = ramp(peers["month"], start, ramp_months)
    y = peers["requests"].to_numpy(float)
    offset = np.log(peers["residents"].to_numpy(float))
    rows = []
    for name in sorted(peers["community"].unique()):
        Xp = X.assign(effect=r * (peers["community"] == name).to_numpy())
        rows.append({"community": name, "estimate": float(poisson_fit(y, Xp.to_numpy(), offset).params[-1])})
    placebos = pd.DataFrame(rows)
    own = did(panel, focus, start, ramp_months, end=end)["estimate"].estimate
    extreme = (placebos["estimate"].abs() >= abs(own)).sum() + 1
    return {"placebos": placebos, "estimate": own, "p_value": float(extreme / (len(placebos) + 1))}


def _synthetic_weights(target: np.ndarray, donors: np.ndarray, *, penalty: float = 1e4) -> np.ndarray:
    """Non-negative weights summing to 1 that minimise ‖target − donors·w‖²: non-negative least squares
    with the sum-to-one constraint as a heavily weighted extra row (Lawson–Hanson NNLS)."""
    from scipy.optimize import nnls

    scale = penalty * max(float(np.abs(target).mean()), 1.0)
    A = np.vstack([donors, np.full((1, donors.shape[1]), scale)])
    b = np.concatenate([target, [scale]])
    weights, _ = nnls(A, b, maxiter=50 * donors.shape[1])
    return weights / weights.sum()


def synthetic_control(panel: pd.DataFrame, focus: str, start: str, ramp_months: int = 6, *,
                      end: str | None = None) -> dict:
    """Synthetic control (Abadie, Diamond & Hainmueller 2010) on monthly request rates.

    The synthetic focus is the convex combination of peers whose monthly rates per 10,000 residents
    best match the focus's before ``start``; its rates after are the counterfactual.  The effect is
    ``log Σ_{t≥full_from} observed / Σ_{t≥full_from} synthetic·residents``.  Inference is by placebo:
    every peer gets its own synthetic control from the other peers, and ``p_value`` is the share of all
    units whose post/pre RMSPE ratio is at least the focus's.  Caveat: the focus is near the top of the
    area before the intervention, so it sits at the edge of the donors' convex hull and the pre-period
    fit (``pre_rmspe``) may be loose — read it before the estimate.

    Returns ``estimate`` (float, log rate ratio), ``weights`` (Series over peers, ≥ 0, sum 1),
    ``series`` (month, observed, synthetic requests), ``pre_rmspe`` (per 10k), ``p_value``,
    ``placebos`` (DataFrame community, estimate, rmspe_ratio).
    """
    counts = _did_counts(panel, end)
    rate = counts.pivot(index="month", columns="community", values="requests") / counts.pivot(
        index="month", columns="community", values="residents") * 1e4
    rate = rate.dropna(axis=1)
    full_from = shift_month(start, ramp_months)
    pre = (rate.index < start)
    post = (rate.index >= full_from)

    def fit(unit: str, pool: list[str]) -> tuple[np.ndarray, np.ndarray, float, float]:
        weights = _synthetic_weights(rate.loc[pre, unit].to_numpy(), rate.loc[pre, pool].to_numpy())
        synthetic = rate[pool].to_numpy() @ weights
        gap = rate[unit].to_numpy() - synthetic
        rmspe_pre = float(np.sqrt(np.mean(gap[pre] ** 2)))
        ratio = float(np.sqrt(np.mean(gap[post] ** 2)) / max(rmspe_pre, 1e-9))
        effect = float(np.log(rate.loc[post, unit].sum() / max(synthetic[post].sum(), 1e-9)))
        return weights, synthetic, effect, ratio

    peers = [c for c in rate.columns if c != focus]
    weights, synthetic, effect, ratio = fit(focus, peers)
    rows = []
    for name in peers:
        _, _, e, r = fit(name, [c for c in peers if c != name])
        rows.append({"community": name, "estimate": e, "rmspe_ratio": r})
    placebos = pd.DataFrame(rows)
    residents = counts.loc[counts["community"] == focus].set_index("month")["residents"].reindex(rate.index)
    series = pd.DataFrame({"month": rate.index, "observed": (rate[focus] * residents / 1e4).to_numpy(),
                           "synthetic": synthetic * residents.to_numpy() / 1e4})
    gap = rate[focus].to_numpy() - synthetic
    return {"estimate": effect, "weights": pd.Series(weights, index=peers).sort_values(ascending=False),
            "series": series.reset_index(drop=True), "pre_rmspe": float(np.sqrt(np.mean(gap[pre] ** 2))),
            "p_value": float(((placebos["rmspe_ratio"] >= ratio).sum() + 1) / (len(placebos) + 1)),
            "placebos": placebos}


def expected_ranks(panel: pd.DataFrame, focus: str, start: str, ramp_months: int = 6, *, top: int = 5,
                   end: str | None = None) -> pd.DataFrame:
    """Model-based league table: ranks of the *expected* monthly rates of the DiD model (community and
    month fixed effects plus the focus's ramped effect, :func:`did`), i.e. the observed table with the
    Poisson noise of each month taken out.

    Single-month ranks of a community with ~20 requests a month jump by several places from noise
    alone; the expected-rate ranks answer "when did the focus's *underlying* rate pass into the bottom
    5", assuming the intervention's phase-in is the linear ramp.  Returns ``community``, ``month``,
    ``expected_rate`` (per 10,000), ``rank`` (1 = highest, ties 'min'), ``n_units``, ``in_top5``,
    ``in_bottom5``.
    """
    from jiesu.ranking import competition_ranks

    counts = _did_counts(panel, end)
    X = _fe_design(counts)
    X["effect"] = ramp(counts["month"], start, ramp_months) * (counts["community"] == focus).to_numpy()
    residents = counts["residents"].to_numpy(float)
    fit = poisson_fit(counts["requests"].to_numpy(float), X.to_numpy(), np.log(residents))
    frame = counts[["community", "month"]].assign(expected_rate=fit.mu / residents * 1e4)
    wide = frame.pivot(index="month", columns="community", values="expected_rate")
    low, high = competition_ranks(wide.to_numpy())
    n = np.isfinite(wide.to_numpy()).sum(axis=1)[:, None]
    ranks = pd.DataFrame(low, index=wide.index, columns=wide.columns).stack().rename("rank")
    bottom = pd.DataFrame(n + 1 - high, index=wide.index, columns=wide.columns).stack().rename("from_bottom")
    out = frame.merge(ranks.reset_index(), on=["month", "community"]).merge(bottom.reset_index(),
                                                                             on=["month", "community"])
    out["n_units"] = out["month"].map(pd.Series(n[:, 0], index=wide.index))
    out["in_top5"] = out["rank"] <= top
    out["in_bottom5"] = out["from_bottom"] <= top
    return out.drop(columns="from_bottom").sort_values(["month", "rank"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Naive before/after
# --------------------------------------------------------------------------------------------------


def naive_before_after(panel: pd.DataFrame, focus: str, start: str, ramp_months: int = 6, *,
                       level: float = LEVEL, end: str | None = None) -> dict:
    """The comparison a press release makes: mean monthly requests of the focus from ``full_from`` on
    over its mean before ``start`` (log ratio, exact-Poisson-style SE ``√(1/Y_after + 1/Y_before)``).

    Returns ``estimate`` (:class:`Estimate`), ``area_shift`` (the same log ratio for the peers pooled —
    the area-wide change the naive estimate wrongly attributes to the intervention), ``before`` and
    ``after`` (month ranges), ``residents_change`` (log ratio of mean residents, usually ~0).
    """
    series = area_series(panel, focus)
    if end:
        series = series.loc[series["month"] <= end]
    full_from = shift_month(start, ramp_months)
    pre, post = series.loc[series["month"] < start], series.loc[series["month"] >= full_from]
    if pre.empty or post.empty:
        raise ValueError(f"need months before {start} and from {full_from} on")
    value = float(np.log(post["requests"].mean() / pre["requests"].mean()))
    se = float(np.sqrt(1 / max(post["requests"].sum(), 1) + 1 / max(pre["requests"].sum(), 1)))
    z = stats.norm.ppf(0.5 + level / 2)
    shift = float(np.log(post["peer_rate"].mean() / pre["peer_rate"].mean()))
    return {"estimate": Estimate("naive before/after (focus only)", value, value - z * se, value + z * se, se,
                                 "Poisson SE; ignores area-wide shocks"),
            "area_shift": shift,
            "before": f"{pre['month'].min()}..{pre['month'].max()}",
            "after": f"{post['month'].min()}..{post['month'].max()}",
            "residents_change": float(np.log(post["residents"].mean() / pre["residents"].mean()))}


def compare_estimates(panel: pd.DataFrame, focus: str, start: str, ramp_months: int = 6, *,
                      level: float = LEVEL, end: str | None = None) -> pd.DataFrame:
    """The estimates side by side (log rate ratio and rate ratio, with intervals): naive before/after,
    single-series ITS, controlled ITS, DiD.  One row per method (columns of :meth:`Estimate.as_dict`)."""
    rows = [naive_before_after(panel, focus, start, ramp_months, level=level, end=end)["estimate"],
            its(panel, focus, start, ramp_months, control="none", level=level, end=end)["estimate"],
            its(panel, focus, start, ramp_months, control="peers", level=level, end=end)["estimate"],
            did(panel, focus, start, ramp_months, level=level, end=end)["estimate"]]
    return pd.DataFrame([e.as_dict() for e in rows])


# --------------------------------------------------------------------------------------------------
# Channel substitution, mix and timing
# --------------------------------------------------------------------------------------------------


def chat_issues(messages: pd.DataFrame, *, answer_hours: float = 24) -> pd.DataFrame:
    """Issues raised in the WeChat groups, per month: resident (non-staff) messages that @mention a
    staff member or are @-answered by staff within ``answer_hours`` (:func:`jiesu.topics.staff_exchange`),
    counted once per sender, group and day (one issue thread, not every message of it).

    Returns ``month``, ``chat_issues`` (threads) and ``chat_messages`` (all messages that month, for
    scale)."""
    from jiesu.topics import staff_exchange

    taken_up = messages.loc[staff_exchange(messages, answer_hours=answer_hours).to_numpy()]
    threads = taken_up.assign(day=taken_up["sent_at"].dt.normalize()).drop_duplicates(
        ["group_id", "sender_id", "day"])
    issues = threads.groupby(threads["sent_at"].dt.strftime("%Y-%m")).size().rename("chat_issues")
    volume = messages.groupby(messages["sent_at"].dt.strftime("%Y-%m")).size().rename("chat_messages")
    out = pd.concat([issues, volume], axis=1).fillna(0).astype("int64")
    out.index.name = "month"
    return out.reset_index()


def chat_interception(data: Paths | str | os.PathLike | None = None) -> pd.DataFrame | None:
    """Monthly interception — issues raised with staff in the groups that were closed there and never
    reached 12345 — from :mod:`jiesu.early_warning` when that module provides it, else None.

    Prefers ``early_warning.interception_by_month(data)`` (topic-model categories, sender households;
    trains or reuses the cached chat snapshot model).  Falls back to ``early_warning.interception`` on
    the issues of :func:`chat_issues` with lexicon categories.  Returns ``month``, ``issues``,
    ``closed_in_group``, ``reached_12345``, ``interception_share`` or None."""
    where = datasets.resolve(data)
    try:
        from jiesu.early_warning import interception_by_month
    except (ImportError, AttributeError):
        interception_by_month = None
    if interception_by_month is not None:
        return interception_by_month(where)
    try:
        from jiesu.early_warning import interception, lexicon_category, monthly_interception
        from jiesu.topics import staff_exchange
    except (ImportError, AttributeError):
        return None
    messages, cases = datasets.load("messages", where), datasets.load("cases", where)
    taken_up = messages.loc[staff_exchange(messages).to_numpy()]
    issues = taken_up.assign(day=taken_up["sent_at"].dt.normalize()).drop_duplicates(
        ["group_id", "sender_id", "day"])
    issues = issues.assign(category=issues["text_simplified"].fillna("").astype(str).map(lexicon_category))
    if issues.empty:
        return None
    table = interception(issues[["msg_id", "group_id", "sender_id", "sent_at", "category"]], messages, cases)
    return monthly_interception(table)


def channel_substitution(panel: pd.DataFrame, focus: str, messages: pd.DataFrame | None = None,
                         interception: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hotline versus all issues, month by month, for the focus community.

    Parameters
    ----------
    panel : the ``panel`` table (the focus's hotline requests per month).
    messages : processed ``messages`` (None or empty when no chats are available).
    interception : optional output of :func:`chat_interception`.

    Returns
    -------
    One row per panel month: ``month``, ``hotline`` (12345 requests), ``chat_issues`` (NaN for months
    without chat data), ``total`` (hotline + chat issues), ``hotline_share`` (0–1), and, with
    ``interception``, ``intercepted_share``.
    """
    series = area_series(panel, focus)[["month", "requests"]].rename(columns={"requests": "hotline"})
    if messages is not None and len(messages):
        chats = chat_issues(messages)
        series = series.merge(chats[["month", "chat_issues"]], on="month", how="left")
        first, last = chats["month"].min(), chats["month"].max()
        covered = (series["month"] >= first) & (series["month"] <= last)
        series["chat_issues"] = series["chat_issues"].astype(float).where(covered).fillna(
            pd.Series(0.0, index=series.index).where(covered))
    else:
        series["chat_issues"] = np.nan
    series["total"] = series["hotline"] + series["chat_issues"]
    series["hotline_share"] = series["hotline"] / series["total"]
    if interception is not None and len(interception):
        series = series.merge(interception[["month", "interception_share"]].rename(
            columns={"interception_share": "intercepted_share"}), on="month", how="left")
    return series


def channel_summary(channels: pd.DataFrame, start: str, ramp_months: int = 6) -> pd.DataFrame:
    """Mean monthly hotline, chat issues and total before ``start`` and from ``full_from`` on, over the
    months with chat data only (so both channels are compared on the same months), with the log ratio
    after/before of each.  Rows: hotline, chat_issues, total; columns: before, after, log_ratio,
    rate_ratio, months_before, months_after.  Empty when there are no chat data before and after."""
    full_from = shift_month(start, ramp_months)
    has_chat = channels["chat_issues"].notna()
    pre = channels.loc[has_chat & (channels["month"] < start)]
    post = channels.loc[has_chat & (channels["month"] >= full_from)]
    if pre.empty or post.empty:
        return pd.DataFrame(columns=["before", "after", "log_ratio", "rate_ratio", "months_before", "months_after"])
    rows = {}
    for col in ("hotline", "chat_issues", "total"):
        b, a = float(pre[col].mean()), float(post[col].mean())
        ratio = np.log(a / b) if a > 0 and b > 0 else np.nan
        rows[col] = {"before": b, "after": a, "log_ratio": ratio, "rate_ratio": float(np.exp(ratio)),
                     "months_before": len(pre), "months_after": len(post)}
    return pd.DataFrame(rows).T


def category_mix(panel: pd.DataFrame, focus: str, start: str, ramp_months: int = 6, *,
                 end: str | None = None) -> pd.DataFrame:
    """The focus community's request mix by category before ``start`` and from ``full_from`` on, beside
    the peers' mix over the same months (so a campaign that changed every community's mix, such as
    垃圾分类 or the epidemic, is not mistaken for the intervention).

    Returns one row per category: ``before``, ``after`` (focus counts), ``before_share``,
    ``after_share`` (0–1), ``change`` (after − before share), ``peer_before_share``,
    ``peer_after_share``, ``excess_change`` (focus change − peers' change).  ``attrs["chi2_p"]``: p of the
    χ² test that the focus's mix did not change.
    """
    frame = panel if end is None else panel.loc[panel["month"] <= end]
    full_from = shift_month(start, ramp_months)
    window = np.where(frame["month"] < start, "before", np.where(frame["month"] >= full_from, "after", ""))
    frame = frame.assign(window=window).loc[window != ""]
    is_focus = frame["community"] == focus
    own = frame.loc[is_focus].pivot_table(index="category", columns="window", values="requests", aggfunc="sum",
                                          observed=True).reindex(columns=["before", "after"]).fillna(0)
    peers = frame.loc[~is_focus].pivot_table(index="category", columns="window", values="requests", aggfunc="sum",
                                             observed=True).reindex(columns=["before", "after"]).fillna(0)
    own, peers = own.astype(float), peers.astype(float)
    out = own.astype("int64")
    out["before_share"] = own["before"] / own["before"].sum()
    out["after_share"] = own["after"] / own["after"].sum()
    out["change"] = out["after_share"] - out["before_share"]
    out["peer_before_share"] = peers["before"] / peers["before"].sum()
    out["peer_after_share"] = peers["after"] / peers["after"].sum()
    out["excess_change"] = out["change"] - (out["peer_after_share"] - out["peer_before_share"])
    table = own.loc[own.sum(axis=1) > 0, ["before", "after"]].to_numpy(float)
    out.attrs["chi2_p"] = float(stats.chi2_contingency(table)[1]) if len(table) > 1 else float("nan")
    out.columns.name = None
    return out.sort_values("before_share", ascending=False)


def time_to_close(cases: pd.DataFrame, *, start: str | None = None, ramp_months: int = 6) -> pd.DataFrame:
    """Days from 受理 (received) to 办结 (closed) per category, from the focus community's ``cases``.

    With ``start``, the distribution is split into ``before`` (received before ``start``) and ``after``
    (from ``full_from``) and cases in the ramp are left out; without it, one ``all`` window.  Cases not
    closed are counted in ``open`` and excluded from the quantiles.

    Returns one row per category and window: ``category``, ``window``, ``cases``, ``open``,
    ``median_days``, ``p25_days``, ``p75_days``, ``p90_days``, ``within_7d`` (share closed within 7
    days, 0–1).  Groups with fewer than 5 closed cases get NaN quantiles (too few to describe).
    """
    days = (cases["closed_at"] - cases["received_at"]).dt.total_seconds() / 86400
    month = cases["received_at"].dt.strftime("%Y-%m")
    if start is None:
        window = pd.Series("all", index=cases.index)
    else:
        full_from = shift_month(start, ramp_months)
        window = pd.Series(np.where(month < start, "before", np.where(month >= full_from, "after", "")),
                           index=cases.index)
    frame = pd.DataFrame({"category": cases["category"].astype(str), "window": window, "days": days})
    frame = frame.loc[frame["window"] != ""]
    grouped = frame.groupby(["category", "window"], sort=True)["days"]
    out = pd.DataFrame({
        "cases": grouped.size(), "open": grouped.apply(lambda s: int(s.isna().sum())),
        "median_days": grouped.median(), "p25_days": grouped.quantile(0.25), "p75_days": grouped.quantile(0.75),
        "p90_days": grouped.quantile(0.9), "within_7d": grouped.apply(lambda s: float((s.dropna() <= 7).mean())
                                                                      if s.notna().any() else np.nan),
    }).reset_index()
    few = (out["cases"] - out["open"]) < 5
    out.loc[few, ["median_days", "p25_days", "p75_days", "p90_days", "within_7d"]] = np.nan
    return out


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------


def _title(text: str, synthetic: bool) -> str:
    return text + ("（模拟数据 synthetic）" if synthetic else "")


def its_figure(result: dict, *, synthetic: bool = False):
    """Observed monthly requests, the ITS fit and its counterfactual (ramp switched off)."""
    import plotly.graph_objects as go

    from jiesu.figures import FOCUS_COLOR, MUTED_COLOR

    s = result["series"]
    fig = go.Figure([
        go.Scatter(x=s["month"], y=s["observed"], mode="markers", name="观测 observed", marker=dict(color="#2c3e50")),
        go.Scatter(x=s["month"], y=s["fitted"], name="拟合 fitted", line=dict(color=FOCUS_COLOR, width=2)),
        go.Scatter(x=s["month"], y=s["counterfactual"], name="无干预反事实 counterfactual",
                   line=dict(color=MUTED_COLOR, width=2, dash="dash")),
    ])
    fig.add_vrect(x0=s.loc[s["ramp"] > 0, "month"].min(), x1=result["full_from"], fillcolor="#fdf2e9",
                  line_width=0, layer="below")
    e = result["estimate"]
    fig.update_layout(title=_title(f"中断时间序列 ITS: RR {e.rate_ratio:.2f} "
                                   f"[{np.exp(e.lo):.2f}, {np.exp(e.hi):.2f}]", synthetic),
                      xaxis_title="月份 month", yaxis_title="诉求量 requests", height=420,
                      legend=dict(orientation="h", y=-0.2))
    return fig


def parallel_trends_figure(trends: pd.DataFrame, start: str, *, focus: str = "focus", synthetic: bool = False):
    """Focus and peers' log-rate deviations from their own pre-period means."""
    import plotly.graph_objects as go

    from jiesu.figures import FOCUS_COLOR, MUTED_COLOR

    fig = go.Figure([
        go.Scatter(x=trends["month"], y=trends["peers"], name="其他社区 peers", line=dict(color=MUTED_COLOR, width=3)),
        go.Scatter(x=trends["month"], y=trends["focus"], name=focus, line=dict(color=FOCUS_COLOR, width=2)),
    ])
    fig.add_vline(x=start, line_dash="dot")
    fig.update_layout(title=_title("平行趋势 Parallel trends (log rate − pre-period mean)", synthetic),
                      xaxis_title="月份 month", yaxis_title="log 诉求率 deviation", height=400,
                      legend=dict(orientation="h", y=-0.2))
    return fig


def event_study_figure(coefs: pd.DataFrame, *, truth: float | None = None, synthetic: bool = False):
    """Event-study coefficients with 95% intervals; ``truth`` (if given) as a horizontal line."""
    import plotly.graph_objects as go

    from jiesu.figures import FOCUS_COLOR

    fig = go.Figure(go.Scatter(
        x=coefs["first_month"], y=coefs["coef"], mode="markers", marker=dict(color=FOCUS_COLOR, size=8),
        error_y=dict(type="data", symmetric=False, array=coefs["hi"] - coefs["coef"],
                     arrayminus=coefs["coef"] - coefs["lo"]), name="事件研究 event study"))
    fig.add_hline(y=0, line_color="#7f8c8d")
    if truth is not None:
        fig.add_hline(y=truth, line_dash="dash", line_color="#27ae60", annotation_text="planted 真值")
    fig.update_layout(title=_title("事件研究 Event study (log RR vs. the quarter before start)", synthetic),
                      xaxis_title="季度起始月 quarter starting", yaxis_title="log rate ratio", height=400)
    return fig


def estimates_figure(table: pd.DataFrame, *, truth: float | None = None, synthetic: bool = False):
    """Forest plot of :func:`compare_estimates` on the rate-ratio scale."""
    import plotly.graph_objects as go

    from jiesu.figures import FOCUS_COLOR

    fig = go.Figure(go.Scatter(
        x=table["rate_ratio"], y=table["method"], mode="markers", marker=dict(color=FOCUS_COLOR, size=10),
        error_x=dict(type="data", symmetric=False, array=table["rr_hi"] - table["rate_ratio"],
                     arrayminus=table["rate_ratio"] - table["rr_lo"])))
    fig.add_vline(x=1, line_color="#7f8c8d")
    if truth is not None:
        fig.add_vline(x=float(np.exp(truth)), line_dash="dash", line_color="#27ae60",
                      annotation_text="planted 真值")
    fig.update_layout(title=_title("效果估计 Effect estimates (rate ratio, 95% CI)", synthetic),
                      xaxis_title="rate ratio (after / counterfactual)", height=360, margin=dict(l=260))
    return fig


def channel_figure(channels: pd.DataFrame, start: str, *, synthetic: bool = False):
    """Monthly hotline requests, chat issues and their total."""
    import plotly.graph_objects as go

    from jiesu.figures import FOCUS_COLOR, MUTED_COLOR

    fig = go.Figure([
        go.Bar(x=channels["month"], y=channels["hotline"], name="12345 热线 hotline", marker_color=FOCUS_COLOR),
        go.Bar(x=channels["month"], y=channels["chat_issues"], name="群内诉求 chat issues", marker_color=MUTED_COLOR),
    ])
    fig.add_vline(x=start, line_dash="dot")
    fig.update_layout(barmode="stack", title=_title("渠道替代 Channel substitution", synthetic),
                      xaxis_title="月份 month", yaxis_title="件 issues", height=400, legend=dict(orientation="h", y=-0.2))
    return fig


# --------------------------------------------------------------------------------------------------
# Scorecard
# --------------------------------------------------------------------------------------------------


def score_effect(truth: dict, data: Paths | str | os.PathLike | None = None) -> dict:
    """Recovery of the planted effect ``truth["intervention"]["effect_log_rr_total"]``.

    ``its_covers_truth``/``did_covers_truth``: the controlled ITS and the DiD 95% intervals contain it;
    ``did_abs_error``/``naive_abs_error``: |estimate − truth| on the log rate-ratio scale.
    """
    planted = truth["intervention"]
    target = float(planted["effect_log_rr_total"])
    panel = datasets.load("panel", data)
    focus, start, ramp_months = planted["community"], planted["start_month"], int(planted["ramp_months"])
    its_e = its(panel, focus, start, ramp_months)["estimate"]
    did_e = did(panel, focus, start, ramp_months)["estimate"]
    naive_e = naive_before_after(panel, focus, start, ramp_months)["estimate"]
    return {"its_covers_truth": its_e.covers(target), "did_covers_truth": did_e.covers(target),
            "did_abs_error": abs(did_e.estimate - target), "naive_abs_error": abs(naive_e.estimate - target)}
