"""Two-way fixed-effects Poisson difference-in-differences, the event study, parallel trends and
the placebo-in-space test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from jiesu.analysis.impact.design import LEVEL, Estimate, Intervention, _one_blas_thread, area_series
from jiesu.analysis.ranking import area_counts
from jiesu.months import months_between, shift_month


def _fe_design(counts: pd.DataFrame) -> pd.DataFrame:
    """Intercept plus community and month dummies (first level of each dropped)."""
    dummies = pd.get_dummies(counts[["community", "month"]].astype(str), drop_first=True, dtype=float)
    dummies.insert(0, "const", 1.0)
    return dummies


def _did_counts(panel: pd.DataFrame, design: Intervention) -> pd.DataFrame:
    counts = design.clip(area_counts(panel))
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


def poisson_fit(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray, *, tol: float = 1e-10, max_iter: int = 100
) -> PoissonFit:
    """Poisson GLM (log link) by iteratively reweighted least squares (a direct solve of the weighted
    normal equations each step) — the same estimator as ``statsmodels.GLM(..., family=Poisson())``
    (the tests check they agree), fast enough to refit the fixed-effects model for every placebo."""
    with _one_blas_thread():
        return _poisson_irls(
            np.asarray(y, float), np.asarray(X, float), np.asarray(offset, float), tol, max_iter
        )


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


def did(
    panel: pd.DataFrame,
    focus: str,
    design: Intervention,
    *,
    se: str = "HC1",
    level: float = LEVEL,
) -> dict:
    """Two-way fixed-effects Poisson difference-in-differences of the focus against all peers.

    Parameters
    ----------
    panel, focus, design : as in :func:`jiesu.analysis.impact.its.its`.
    se : which standard error makes the interval: ``"HC1"`` (default, heteroskedasticity-robust),
        ``"quasi"`` (Pearson scale) or ``"cluster"`` (by community; anti-conservative with one treated
        community, see the module docstring).

    Returns
    -------
    dict with ``estimate`` (:class:`Estimate` for ``se``), ``standard_errors`` (DataFrame: kind, se,
    lo, hi for every kind), ``full_from``, ``n_communities``, ``n_months``.
    """
    counts = _did_counts(panel, design)
    if focus not in set(counts["community"]):
        raise ValueError(f"{focus} is not in the panel")
    if se not in SE_KINDS:
        raise ValueError(f"se must be one of {', '.join(SE_KINDS)}, got {se!r}")
    X = _fe_design(counts)
    X["effect"] = design.intensity(counts["month"]) * (counts["community"] == focus).to_numpy()
    fit = poisson_fit(
        counts["requests"].to_numpy(float), X.to_numpy(), np.log(counts["residents"].to_numpy(float))
    )
    z = stats.norm.ppf(0.5 + level / 2)
    b = float(fit.params[-1])
    rows = []
    for kind in SE_KINDS:
        s_k = float(np.sqrt(fit.cov(kind, counts["community"].to_numpy())[-1, -1]))
        rows.append({"kind": kind, "se": s_k, "lo": b - z * s_k, "hi": b + z * s_k})
    table = pd.DataFrame(rows)
    chosen = table.set_index("kind").loc[se]
    return {
        "estimate": Estimate(
            "DiD, community + month fixed effects",
            b,
            float(chosen["lo"]),
            float(chosen["hi"]),
            float(chosen["se"]),
            f"{se} SE",
        ),
        "standard_errors": table,
        "full_from": design.full_from,
        "n_communities": int(counts["community"].nunique()),
        "n_months": int(counts["month"].nunique()),
    }


def event_study(
    panel: pd.DataFrame,
    focus: str,
    design: Intervention,
    *,
    bin_months: int = 3,
    level: float = LEVEL,
) -> pd.DataFrame:
    """Event-study coefficients: focus × event-time bins in a community + month fixed-effects Poisson.

    Bins are ``bin_months`` long, numbered from ``design.start`` (bin 0 = the first ``bin_months``
    months of the intervention); bin −1 (just before the start) is the reference (coefficient 0).  HC1
    errors.  The ramp is not used: the bins trace the phase-in themselves.

    Returns one row per bin: ``bin``, ``first_month``, ``coef`` (log rate ratio vs. the reference),
    ``lo``, ``hi``, ``period`` (``"before"``/``"after"``).
    """
    counts = _did_counts(panel, design)
    since = np.array([months_between(design.start, m) for m in counts["month"]])
    bins = np.floor_divide(since, bin_months)
    X = _fe_design(counts)
    is_focus = (counts["community"] == focus).to_numpy()
    kept = [b for b in sorted(set(bins.tolist())) if b != -1]
    for b in kept:
        X[f"bin{b:+d}"] = ((bins == b) & is_focus).astype(float)
    fit = poisson_fit(
        counts["requests"].to_numpy(float), X.to_numpy(), np.log(counts["residents"].to_numpy(float))
    )
    cov = fit.cov("HC1")
    z = stats.norm.ppf(0.5 + level / 2)
    rows = [{"bin": -1, "coef": 0.0, "lo": 0.0, "hi": 0.0}]
    first = X.shape[1] - len(kept)
    for j, b in enumerate(kept):
        c, s = float(fit.params[first + j]), float(np.sqrt(cov[first + j, first + j]))
        rows.append({"bin": b, "coef": c, "lo": c - z * s, "hi": c + z * s})
    out = pd.DataFrame(rows).sort_values("bin").reset_index(drop=True)
    out.insert(1, "first_month", [shift_month(design.start, int(b) * bin_months) for b in out["bin"]])
    out["period"] = np.where(out["bin"] < 0, "before", "after")
    return out


def parallel_trends(panel: pd.DataFrame, focus: str, design: Intervention) -> pd.DataFrame:
    """Focus and peers' monthly log request rates, each minus its own mean before the intervention.

    Under parallel trends the two lines move together before ``design.start``.  Returns ``month``,
    ``focus``, ``peers`` (log-rate deviations) and ``gap`` (focus − peers).
    """
    series = design.clip(area_series(panel, focus))
    before = series["month"] < design.start
    focus_log = np.log(series["rate"].clip(lower=1e-9))
    peers_log = np.log(series["peer_rate"])
    out = pd.DataFrame(
        {
            "month": series["month"],
            "focus": focus_log - focus_log[before].mean(),
            "peers": peers_log - peers_log[before].mean(),
        }
    )
    out["gap"] = out["focus"] - out["peers"]
    return out


def placebo_in_space(panel: pd.DataFrame, focus: str, design: Intervention) -> dict:
    """Permutation inference for a single treated unit (Abadie, Diamond & Hainmueller 2010; Conley &
    Taber 2011): the DiD estimate with each peer in turn as the "treated" community (focus excluded).

    Returns ``placebos`` (DataFrame community, estimate), ``estimate`` (the focus's) and ``p_value``
    (share of all units, focus included, with |estimate| ≥ the focus's).
    """
    counts = _did_counts(panel, design)
    peers = counts.loc[counts["community"] != focus].reset_index(drop=True)
    X = _fe_design(peers)
    r = design.intensity(peers["month"])
    y = peers["requests"].to_numpy(float)
    offset = np.log(peers["residents"].to_numpy(float))
    rows = []
    for name in sorted(peers["community"].unique()):
        Xp = X.assign(effect=r * (peers["community"] == name).to_numpy())
        rows.append({"community": name, "estimate": float(poisson_fit(y, Xp.to_numpy(), offset).params[-1])})
    placebos = pd.DataFrame(rows)
    own = did(panel, focus, design)["estimate"].estimate
    extreme = (placebos["estimate"].abs() >= abs(own)).sum() + 1
    return {"placebos": placebos, "estimate": own, "p_value": float(extreme / (len(placebos) + 1))}
