"""Synthetic control: a non-negative, sum-to-one combination of peers fitted before the intervention."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.analysis.impact.design import Intervention
from jiesu.analysis.impact.did import _did_counts


def _synthetic_weights(target: np.ndarray, donors: np.ndarray, *, penalty: float = 1e4) -> np.ndarray:
    """Non-negative weights summing to 1 that minimise ‖target − donors·w‖²: non-negative least squares
    with the sum-to-one constraint as a heavily weighted extra row (Lawson–Hanson NNLS)."""
    # heavy (scipy ~1 s to import); only the synthetic control needs it
    from scipy.optimize import nnls

    scale = penalty * max(float(np.abs(target).mean()), 1.0)
    A = np.vstack([donors, np.full((1, donors.shape[1]), scale)])
    b = np.concatenate([target, [scale]])
    weights, _ = nnls(A, b, maxiter=50 * donors.shape[1])
    return weights / weights.sum()


def synthetic_control(panel: pd.DataFrame, focus: str, design: Intervention) -> dict:
    """Synthetic control (Abadie, Diamond & Hainmueller 2010) on monthly request rates.

    The synthetic focus is the convex combination of peers whose monthly rates per 10,000 residents
    best match the focus's before ``design.start``; its rates after are the counterfactual.  The effect is
    ``log Σ_{t≥full_from} observed / Σ_{t≥full_from} synthetic·residents``.  Inference is by placebo:
    every peer gets its own synthetic control from the other peers, and ``p_value`` is the share of all
    units whose post/pre RMSPE ratio is at least the focus's.  Caveat: the focus is near the top of the
    area before the intervention, so it sits at the edge of the donors' convex hull and the pre-period
    fit (``pre_rmspe``) may be loose — read it before the estimate.

    Returns ``estimate`` (float, log rate ratio), ``weights`` (Series over peers, ≥ 0, sum 1),
    ``series`` (month, observed, synthetic requests), ``pre_rmspe`` (per 10k), ``p_value``,
    ``placebos`` (DataFrame community, estimate, rmspe_ratio).
    """
    counts = _did_counts(panel, design)
    rate = (
        counts.pivot(index="month", columns="community", values="requests")
        / counts.pivot(index="month", columns="community", values="residents")
        * 1e4
    )
    rate = rate.dropna(axis=1)
    window = design.window(rate.index)
    pre, post = window == "before", window == "after"

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
    series = pd.DataFrame(
        {
            "month": rate.index,
            "observed": (rate[focus] * residents / 1e4).to_numpy(),
            "synthetic": synthetic * residents.to_numpy() / 1e4,
        }
    )
    gap = rate[focus].to_numpy() - synthetic
    return {
        "estimate": effect,
        "weights": pd.Series(weights, index=peers).sort_values(ascending=False),
        "series": series.reset_index(drop=True),
        "pre_rmspe": float(np.sqrt(np.mean(gap[pre] ** 2))),
        "p_value": float(((placebos["rmspe_ratio"] >= ratio).sum() + 1) / (len(placebos) + 1)),
        "placebos": placebos,
    }
