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
from jiesu.months import month_range, months_between
from jiesu.settings import FOCUS_COMMUNITY
from jiesu.world import streams
from jiesu.world.area import adoption_truth, area_truth, plan_adoptions, thin
from jiesu.world.spec import (
    ADOPTION,
    FOCUS_INTERVENTION,
    PANEL,
    PANEL_END,
    PANEL_START,
    SURGE_MONTH,
    THREE_RATES,
    THREE_RATES_SOURCES,
    AdoptionModel,
    PanelModel,
    ThreeRatesModel,
    ramp,
)

CODES = tuple(c.code for c in CATEGORIES) + (OTHER,)
"""Category codes of the panel rows, in row order."""
RANK_BY = "expected requests per 10k residents, all categories, monthly; 1 = highest"
RATE_KINDS = ("response", "resolution", "satisfaction")
PROBABILITIES = ("p_responded", "p_resolved", "p_rated", "p_satisfied")
"""Panel columns with each row's 三率 probabilities (the same for every category of a community-month)."""


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
    adoption: AdoptionModel = ADOPTION,
) -> tuple[pd.DataFrame, dict]:
    """Expected and observed monthly requests for every community × month × category.

    ``n_peers``, ``start`` and ``end`` scale the panel (e.g. a city: 3,421 peers × 120 months); the
    defaults are the 高碑店 area of the seed article.  Vectorized over communities × months × categories.

    Returns
    -------
    (panel, truth): the panel frame (community, month, residents, households, category code, ``mu0``
    (expected requests without the intervention), ``mu`` (with it), requests, responded, resolved,
    rated, satisfied, and the 三率 probabilities p_responded, p_resolved, p_rated, p_satisfied) and
    the truth dict: ``intervention`` and ``rank`` (the focus community's), ``area`` (every community's
    intervention), ``adoptions`` (panel row → :class:`~jiesu.world.area.Adoption`), ``peer_interventions``,
    ``three_rates_levels`` and ``communities``.
    """
    rng = streams.stream(seed, streams.PANEL)
    months = month_range(start, end)
    communities = community_names(n_peers)
    n_c, n_t, n_k = len(communities), len(months), len(CODES)
    alpha, residents, households = _sizes(n_residents, n_households, n_peers, n_t, rng, model)
    ramps = np.array([ramp(m) for m in months])
    delta = np.array([model.effect_log_rr[k] for k in CODES])
    gamma = np.array([[gamma_tk(m, k, model) for k in CODES] for m in months])  # T × K
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
    adoptions = plan_adoptions(communities, alpha, area_rng := streams.stream(seed, streams.AREA), adoption)
    intensity, peer_truths = _adopt(panel, adoptions, mu, mu0, months, delta, area_rng, model)
    intensity[0] = ramps
    probabilities, levels = three_rates(months, intensity, streams.stream(seed, streams.THREE_RATES))
    for column in PROBABILITIES:
        panel[column] = np.repeat(probabilities[column].ravel(), n_k)
    _draw_outcomes(panel, streams.stream(seed, streams.OUTCOMES))
    focus_truth = _intervention_truth(months, mu, mu0, communities, alpha, model)
    truth = {
        "intervention": focus_truth,
        "rank": _rank_truth_expected(months, mu, residents, n_c),
        "three_rates_levels": levels,
        "communities": communities,
        "adoptions": adoptions,
        "peer_interventions": peer_truths,
        "area": area_truth(adoptions, communities, focus_truth, peer_truths),
    }
    return panel, truth


def _sizes(
    n_residents: int, n_households: int, n_peers: int, n_t: int, rng: np.random.Generator, model: PanelModel
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Baseline log rates ``alpha`` (C) and residents and households (C × T) of every community."""
    # peers' baseline log rates: evenly spaced normal quantiles (scipy.stats.norm.ppf is ndtri + 0.0,
    # without the import cost of scipy.stats), shuffled by the seed
    from scipy.special import ndtri

    q = (ndtri((np.arange(n_peers) + 0.5) / n_peers) + 0.0) * model.peer_log_sd
    alpha = np.concatenate([[model.focus_log_excess], rng.permutation(q)])
    residents0 = np.concatenate([[n_residents], rng.integers(*model.peer_residents, n_peers)])
    drift = np.concatenate([[0.0], rng.normal(0, model.peer_drift_sd, n_peers)])
    growth = (1 + drift[:, None]) ** (np.arange(n_t)[None, :] / 12)
    residents = np.rint(residents0[:, None] * growth).astype(np.int64)  # C × T
    residents[0, :] = n_residents
    households = np.rint(residents / model.persons_per_household).astype(np.int64)
    households[0, :] = n_households
    return alpha, residents, households


def _adopt(
    panel: pd.DataFrame,
    adoptions: dict,
    mu: np.ndarray,
    mu0: np.ndarray,
    months: list[str],
    delta: np.ndarray,
    rng: np.random.Generator,
    model: PanelModel,
) -> tuple[np.ndarray, dict]:
    """Peers that adopt the 园园 way later: their expected rates lowered (``mu`` in place), their counts
    thinned (see :mod:`jiesu.world.area`).  Returns the C × T intensity (0 for the focus row, filled by
    the caller) and each adopter's truth by panel row."""
    n_c, n_t, n_k = mu.shape
    intensity = np.zeros((n_c, n_t))
    requests = panel["requests"].to_numpy().reshape(n_c, n_t, n_k).copy()
    truths = {}
    for c, a in adoptions.items():
        r = a.ramps(months)
        keep = np.exp(delta[None, :] * a.scale * r[:, None])  # T × K
        mu[c] = mu0[c] * keep
        requests[c] = thin(requests[c], keep, rng)
        intensity[c] = a.scale * r
        truths[c] = adoption_truth(a, months, mu[c], mu0[c], dict(model.effect_log_rr))
    panel["mu"] = mu.ravel()
    panel["requests"] = requests.ravel()
    return intensity, truths


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def anchored(anchors: tuple[tuple[str, float], ...], months: list[str]) -> np.ndarray:
    """Values linear between the ``(month, value)`` anchors, flat before the first and after the last."""
    at = np.array([months_between(anchors[0][0], m) for m in months], dtype=float)
    xs = np.array([months_between(anchors[0][0], m) for m, _ in anchors], dtype=float)
    return np.interp(at, xs, [v for _, v in anchors])


def three_rates(
    months: list[str], intensity: np.ndarray, rng: np.random.Generator, model: ThreeRatesModel = THREE_RATES
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The 三率 probabilities of every community × month (``intensity``: C × T, 0–1, how fully each
    community works the 园园 way).

    Returns (probabilities, levels): C × T arrays ``p_responded``, ``p_resolved`` (resolved share of
    requests, at most ``p_responded``), ``p_rated`` (rated share of requests) and ``p_satisfied``
    (satisfied share of rated); and each community's own logit level (C) per rate kind.
    """
    n_c, n_t = intensity.shape
    kinds = (*RATE_KINDS, "rated")
    levels = {k: rng.normal(0, sd, n_c) for k, sd in zip(kinds, model.community_sd, strict=True)}
    for kind, level in zip(kinds, model.focus_level, strict=True):
        levels[kind][0] = level  # row 0 is the focus community
    out = {}
    columns = ("p_responded", "p_resolved", "p_satisfied")
    for kind, column, sd, gain in zip(RATE_KINDS, columns, model.month_sd, model.gain, strict=True):
        base = _logit(anchored(getattr(model, kind), months))[None, :]
        noise = rng.normal(0, sd, (n_c, n_t))
        out[column] = _expit(base + levels[kind][:, None] + noise + gain * intensity)
    out["p_resolved"] = np.minimum(out["p_resolved"], out["p_responded"])
    rated = _logit(anchored(model.rated, months))[None, :] + levels["rated"][:, None]
    out["p_rated"] = _expit(np.broadcast_to(rated, (n_c, n_t)))
    return out, levels


def _draw_outcomes(panel: pd.DataFrame, rng: np.random.Generator) -> None:
    """响应/解决/参评/满意 counts of each row from its probabilities, in place: resolved among the
    responded, satisfied among the rated."""
    req = panel["requests"].to_numpy()
    p_resp = panel["p_responded"].to_numpy()
    panel["responded"] = rng.binomial(req, p_resp)
    share = np.divide(panel["p_resolved"].to_numpy(), p_resp, out=np.zeros(len(panel)), where=p_resp > 0)
    panel["resolved"] = rng.binomial(panel["responded"].to_numpy(), np.clip(share, 0, 1))
    panel["rated"] = rng.binomial(req, panel["p_rated"].to_numpy())
    panel["satisfied"] = rng.binomial(panel["rated"].to_numpy(), panel["p_satisfied"].to_numpy())


def three_rates_truth(
    panel: pd.DataFrame,
    community: str,
    levels: dict[str, np.ndarray],
    communities: list[str],
    model: ThreeRatesModel = THREE_RATES,
) -> dict:
    """The planted 三率 of ``community``: the area trajectory, its own level and monthly probabilities."""
    rows = panel.loc[panel["community"] == community].drop_duplicates("month").set_index("month")
    months = list(rows.index)
    c = communities.index(community)
    area = {k: anchored(getattr(model, k), months) for k in RATE_KINDS}
    return {
        "definition": "响应率 = responded/requests, 解决率 = resolved/requests, 满意率 = satisfied/rated "
        "(满意 + 基本满意); monthly probabilities, before the binomial draws of the counts",
        "model": "logit p = logit(area(t)) + u_c + ε_{c,t} + gain·intensity_c(t), ε ~ N(0, month_sd)",
        "sources": list(THREE_RATES_SOURCES),
        "area_anchors": {k: dict(getattr(model, k)) for k in (*RATE_KINDS, "rated")},
        "area": {m: {k: round(float(area[k][i]), 4) for k in RATE_KINDS} for i, m in enumerate(months)},
        "community_level_logit": {k: round(float(levels[k][c]), 4) for k in (*RATE_KINDS, "rated")},
        "month_sd_logit": dict(zip(RATE_KINDS, model.month_sd, strict=True)),
        "intervention_gain_logit": dict(zip(RATE_KINDS, model.gain, strict=True)),
        "monthly": {
            m: {
                "response": round(float(r["p_responded"]), 4),
                "resolution": round(float(r["p_resolved"]), 4),
                "satisfaction": round(float(r["p_satisfied"]), 4),
                "rated": round(float(r["p_rated"]), 4),
            }
            for m, r in rows[list(PROBABILITIES)].iterrows()
        },
    }


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
