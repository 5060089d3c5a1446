"""Controlled interrupted time series: the focus community's monthly counts against its peers' rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from jiesu.analysis.impact.design import (
    LEVEL,
    Estimate,
    Intervention,
    _fourier,
    _log_ratio_of_sums,
    _one_blas_thread,
    area_series,
)

ITS_LABELS = {
    "peers": "ITS, peers' rate as offset",
    "covariate": "ITS, peers' rate as covariate",
    "none": "ITS, single series (no control)",
}
"""The name of each ITS variant (``control``) in tables and figures."""


def its(
    panel: pd.DataFrame,
    focus: str,
    design: Intervention,
    *,
    control: str = "peers",
    trend: bool = False,
    harmonics: int = 2,
    level: float = LEVEL,
) -> dict:
    """Segmented Poisson GLM for the focus community (see the module docstring for the model).

    Parameters
    ----------
    panel : the processed ``panel`` table.
    focus : the community that received the intervention.
    design : the intervention (:class:`Intervention`: start, phase-in, last month used).
    control : ``"peers"`` (peers' log rate as offset), ``"covariate"`` (as a covariate with a free
        coefficient) or ``"none"`` (single series: biased by area-wide shocks; with ``"none"`` a
        linear trend is always included).
    trend : add a linear pre-existing trend (months since the first month).
    harmonics : pairs of Fourier terms for month-of-year seasonality (0 = none).

    Returns
    -------
    dict with ``estimate`` (:class:`Estimate`, log rate ratio over months ≥ full_from; quasi-Poisson
    SE, t interval), ``hac_se`` (Newey–West, 3 lags, for comparison), ``dispersion`` (Pearson χ²/df),
    ``series`` (month, observed, fitted, counterfactual — the fit with the ramp switched off),
    ``params`` (coefficient table), ``full_from``.
    """
    series = design.clip(area_series(panel, focus)).reset_index(drop=True)
    full_from = design.full_from
    r = design.intensity(series["month"])
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
    label = ITS_LABELS[control]
    out = pd.DataFrame(
        {
            "month": series["month"],
            "observed": y,
            "fitted": np.exp(X.to_numpy(float) @ fit.params.to_numpy() + offset),
            "counterfactual": np.exp(X_cf.to_numpy(float) @ fit.params.to_numpy() + offset),
            "ramp": r,
        }
    )
    params = pd.DataFrame({"coef": fit.params, "se": fit.bse, "p": fit.pvalues})
    return {
        "estimate": Estimate(
            label, value, value - q * se, value + q * se, se, "quasi-Poisson SE, t interval"
        ),
        "hac_se": hac_se,
        "dispersion": float(fit.pearson_chi2 / fit.df_resid),
        "series": out,
        "params": params,
        "full_from": full_from,
    }
