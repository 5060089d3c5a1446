"""The area panel: monthly 12345 requests and their 三率 counts for every community of 高碑店地区.

One log-linear Poisson model for ~24 communities × months × categories:

``log μ = log(residents/1e4) + log(base) + α_c + γ_{t,k} + δ_k · ramp(t) · [focus]``

with area-wide seasons, the 2019-01 接诉即办 surge and the 2020 epidemic in ``γ`` (:func:`gamma_tk`),
and the focus community's planted intervention effect ``δ``; requests ~ Poisson(μ·ε) with lognormal
overdispersion ε.  The numbers are :class:`~jiesu.world.spec.PanelModel`.  A simulated community's
rows are later replaced by its own 12345 cases aggregated (:mod:`jiesu.world.cases`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jiesu.categories import BY_CODE, CATEGORIES, OTHER
from jiesu.months import month_range
from jiesu.settings import FOCUS_COMMUNITY
from jiesu.world import streams
from jiesu.world.spec import (
    FOCUS_INTERVENTION,
    PANEL,
    PANEL_END,
    PANEL_START,
    SURGE_MONTH,
    PanelModel,
    ramp,
)

CODES = tuple(c.code for c in CATEGORIES) + (OTHER,)
"""Category codes of the panel rows, in row order."""
RANK_BY = "expected requests per 10k residents, all categories, monthly; 1 = highest"


def gamma_tk(month: str, code: str, model: PanelModel = PANEL) -> float:
    """Area-wide log rate of category ``code`` in ``month`` relative to the baseline share (seasons,
    the 2019-01 接诉即办 launch surge, the 2020 epidemic and the 垃圾分类 campaign)."""
    y, m = map(int, month.split("-"))
    g = 0.0
    if code in ("heating", "flood", "wind"):
        months = BY_CODE[code].months
        g += (
            math.log(12 / len(months) * model.in_season_share)
            if m in months
            else math.log(model.off_season_share * 12 / (12 - len(months)))
        )
    if code == "garbage":
        g += (
            math.log(model.garbage_campaign[0])
            if (y, m) >= model.garbage_from
            else math.log(model.garbage_campaign[1])
        )
    if code == "epidemic":
        if y == 2020 and m <= 6:
            g += math.log(model.epidemic_2020[m] * model.epidemic_scale)
        else:
            g += math.log(model.epidemic_off)
    if (y, m) >= (2019, 1):  # launch of 接诉即办: far more calls, then settling
        g += math.log(model.surge[0]) if (y, m) <= model.surge_first_half_end else math.log(model.surge[1])
    if y == 2020 and m in model.lockdown_months and code not in ("epidemic",):
        g += math.log(model.lockdown_factor)
    return g + math.log(model.category_share[code])


def community_names(n_peers: int) -> list[str]:
    """The focus community, then 对照社区01…N (two digits at least)."""
    width = max(2, len(str(n_peers)))
    return [FOCUS_COMMUNITY] + [f"对照社区{i:0{width}d}" for i in range(1, n_peers + 1)]


def build_panel(
    n_residents: int,
    n_households: int,
    seed: int,
    *,
    n_peers: int = PANEL.n_peers,
    start: str = PANEL_START,
    end: str = PANEL_END,
    model: PanelModel = PANEL,
) -> tuple[pd.DataFrame, dict]:
    """Expected and observed monthly requests for every community × month × category.

    ``n_peers``, ``start`` and ``end`` scale the panel (e.g. a city: 3,421 peers × 120 months); the
    defaults are the 高碑店 area of the seed article.  Vectorized over communities × months × categories.

    Returns
    -------
    (panel, truth): the panel frame (community, month, residents, households, category code, ``mu0``
    (expected requests without the intervention), ``mu`` (with it), requests, responded, resolved,
    rated, satisfied) and the truth dict with ``intervention`` and ``rank``.
    """
    rng = streams.stream(seed, streams.PANEL)
    months = month_range(start, end)
    communities = community_names(n_peers)
    # peers' baseline log rates: evenly spaced normal quantiles (scipy.stats.norm.ppf is ndtri + 0.0,
    # without the import cost of scipy.stats), shuffled by the seed
    from scipy.special import ndtri

    q = (ndtri((np.arange(n_peers) + 0.5) / n_peers) + 0.0) * model.peer_log_sd
    alpha = np.concatenate([[model.focus_log_excess], rng.permutation(q)])
    residents0 = np.concatenate([[n_residents], rng.integers(*model.peer_residents, n_peers)])
    drift = np.concatenate([[0.0], rng.normal(0, model.peer_drift_sd, n_peers)])
    n_c, n_t, n_k = len(communities), len(months), len(CODES)
    gamma = np.array([[gamma_tk(m, k, model) for k in CODES] for m in months])  # T × K
    ramps = np.array([ramp(m) for m in months])
    delta = np.array([model.effect_log_rr[k] for k in CODES])
    growth = (1 + drift[:, None]) ** (np.arange(n_t)[None, :] / 12)
    residents = np.rint(residents0[:, None] * growth).astype(np.int64)  # C × T
    residents[0, :] = n_residents
    households = np.rint(residents / model.persons_per_household).astype(np.int64)
    households[0, :] = n_households
    mu0 = (
        residents[:, :, None]
        / 1e4
        * model.base_rate_per_10k
        * np.exp(alpha[:, None, None] + gamma[None, :, :])
    )  # C × T × K
    mu = mu0.copy()
    mu[0] *= np.exp(delta[None, :] * ramps[:, None])
    panel = pd.DataFrame(
        {
            "community": np.repeat(np.array(communities, dtype=object), n_t * n_k),
            "month": np.tile(np.repeat(np.array(months, dtype=object), n_k), n_c),
            "residents": np.repeat(residents.ravel(), n_k),
            "households": np.repeat(households.ravel(), n_k),
            "category": np.tile(np.array(CODES, dtype=object), n_c * n_t),
            "mu0": mu0.ravel(),
            "mu": mu.ravel(),
        }
    )
    sd = model.noise_sd
    noise = rng.lognormal(-(sd**2) / 2, sd, len(panel))
    panel["requests"] = rng.poisson(panel["mu"].to_numpy() * noise)
    month_of_row = np.tile(np.repeat(np.arange(n_t), n_k), n_c)
    is_focus = np.repeat(np.arange(n_c), n_t * n_k) == 0
    _draw_outcomes(
        panel, (np.array(months) >= SURGE_MONTH)[month_of_row], ramps[month_of_row] * is_focus, rng, model
    )
    truth = {
        "intervention": _intervention_truth(months, mu, mu0, communities, alpha, model),
        "rank": _rank_truth_expected(months, mu, residents, n_c),
    }
    return panel, truth


def _draw_outcomes(
    panel: pd.DataFrame, after_launch: np.ndarray, r: np.ndarray, rng: np.random.Generator, m: PanelModel
) -> None:
    """响应/解决/参评/满意 counts of each row, in place (``r``: the row's intervention intensity)."""
    p_resp = np.where(after_launch, m.responded_p[1], m.responded_p[0]) + m.responded_gain * r
    p_res = np.where(after_launch, m.resolved_p[1], m.resolved_p[0]) + m.resolved_gain * r
    p_rated = np.where(after_launch, m.rated_p[1], m.rated_p[0])
    p_sat = np.where(after_launch, m.satisfied_p[1], m.satisfied_p[0]) + m.satisfied_gain * r
    req = panel["requests"].to_numpy()
    panel["responded"] = rng.binomial(req, np.clip(p_resp, 0, 1))
    panel["resolved"] = rng.binomial(panel["responded"].to_numpy(), np.clip(p_res, 0, 1))
    panel["rated"] = rng.binomial(req, p_rated)
    panel["satisfied"] = rng.binomial(panel["rated"].to_numpy(), np.clip(p_sat, 0, 1))


def _intervention_truth(
    months: list[str],
    mu: np.ndarray,
    mu0: np.ndarray,
    communities: list[str],
    alpha: np.ndarray,
    m: PanelModel,
) -> dict:
    """The estimand, the naive before/after comparison and the model of the focus intervention."""
    months_arr = np.array(months)
    post, pre = months_arr >= SURGE_MONTH, months_arr < FOCUS_INTERVENTION.start_month
    effect_total = math.log(mu[0, post].sum() / mu0[0, post].sum())
    naive = math.log(mu[0, post].sum(axis=1).mean() / mu[0, pre].sum(axis=1).mean())
    return {
        "community": FOCUS_COMMUNITY,
        "start_month": FOCUS_INTERVENTION.start_month,
        "ramp_months": FOCUS_INTERVENTION.ramp_months,
        "full_from": SURGE_MONTH,
        "ramp": "clip((months since start_month) / ramp_months, 0, 1)",
        "effect_log_rr": dict(m.effect_log_rr),
        "effect_log_rr_total": effect_total,
        "effect_rr_total": math.exp(effect_total),
        "estimand": "log(Σ_{t≥2019-01,k} μ_{t,k}·e^{δ_k} / Σ_{t≥2019-01,k} μ_{t,k}) for the focus community",
        "naive_log_ratio_expected": naive,
        "naive_definition": "log(mean monthly expected requests 2019-01..2020-09 / mean 2017-01..2018-06)",
        "naive_bias_expected": naive - effect_total,
        "surge_month": SURGE_MONTH,
        "epidemic_months": ["2020-02", "2020-03", "2020-04"],
        "model": "requests ~ Poisson(μ·ε), log μ = log(residents/1e4) + log(base) + α_c + γ_{t,k} "
        "+ δ_k·ramp(t)·[focus], ε lognormal(sd 0.08)",
        "base_rate_per_10k": m.base_rate_per_10k,
        "alpha": {name: float(a) for name, a in zip(communities, alpha, strict=True)},
    }


def _rank_truth_expected(months: list[str], mu: np.ndarray, residents: np.ndarray, n: int) -> dict:
    """The focus community's monthly rank by expected rate, and its top-5 / bottom-5 milestones."""
    rate = mu.sum(axis=2) / residents  # C × T, expected requests per resident
    focus_rank = 1 + (rate[1:] > rate[0]).sum(axis=0)  # 1 = highest rate
    traj = pd.Series(focus_rank, index=months)
    bottom = traj >= n - 4
    first_bottom = next((m for m, v in bottom.items() if v), None)
    stays = None
    for m in traj.index:
        if bottom.loc[m:].all():
            stays = m
            break
    return {
        "n_communities": n,
        "by": RANK_BY,
        "trajectory": {m: int(v) for m, v in traj.items()},
        "top5_before": bool((traj[traj.index < FOCUS_INTERVENTION.start_month] <= 5).all()),
        "bottom5_after": bool((traj[traj.index >= "2020-01"] >= n - 4).all()),
        "first_month_bottom5": first_bottom,
        "first_month_stays_bottom5": stays,
    }


def rank_truth(panel: pd.DataFrame, name: str) -> dict:
    """Monthly rank of ``name`` by expected requests per resident (1 = highest), from the panel's ``mu``."""
    rate = panel.groupby(["month", "community"])[["mu", "residents"]].agg({"mu": "sum", "residents": "first"})
    rate = (rate["mu"] / rate["residents"]).unstack("community")
    ranks = rate.rank(axis=1, ascending=False, method="first")[name].astype(int)
    n = rate.shape[1]
    return {
        "n_communities": n,
        "by": RANK_BY,
        "community": name,
        "trajectory": {m: int(v) for m, v in ranks.items()},
        "top5_months": int((ranks <= 5).sum()),
        "bottom5_months": int((ranks >= n - 4).sum()),
    }
