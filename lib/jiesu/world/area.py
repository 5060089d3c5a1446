"""The communities of the area and which of them work the 园园 way: the focus community from 2018-07,
a few peers from a month of 2019–2020 (:class:`~jiesu.world.spec.AdoptionModel`), most never.

A peer's adoption lowers its request rate by ``scale · δ_k · ramp(t)`` on the log scale (``δ_k`` the
focus community's planted effect) and raises its 三率 by ``scale`` × the focus's gain.  In the panel its
requests are the never-adopted counts *thinned*: each request is kept with probability
``exp(scale · δ_k · ramp(t))`` — a Poisson count thinned so is Poisson with the lowered mean — so the
counts of every other community are exactly what they would be without the adoption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from jiesu.months import month_range, months_between, shift_month
from jiesu.world.spec import ADOPTION, FOCUS_INTERVENTION, AdoptionModel, Intervention


@dataclass(frozen=True)
class Adoption:
    """How community ``index`` (row of the panel) works the 园园 way: ``intervention`` (start, ramp) and
    ``scale`` (its effect and 三率 gain as a share of the focus community's; 1 for the focus)."""

    community: str
    index: int
    intervention: Intervention
    scale: float

    @property
    def full_from(self) -> str:
        """The first month at full intensity."""
        return shift_month(self.intervention.start_month, self.intervention.ramp_months)

    def ramps(self, months: list[str]) -> np.ndarray:
        return np.array([self.intervention.ramp(m) for m in months])


def focus_adoption(name: str) -> Adoption:
    return Adoption(name, 0, FOCUS_INTERVENTION, 1.0)


def plan_adoptions(
    communities: list[str], alpha: np.ndarray, rng: np.random.Generator, model: AdoptionModel = ADOPTION
) -> dict[int, Adoption]:
    """The peers that adopt (panel row → :class:`Adoption`): ``round(share × peers)`` of them, drawn
    among the peers with the highest baseline log rates ``alpha``, each with its own start, ramp and
    scale (``rng``: the ``AREA`` stream).  The focus community (row 0) is not in the result (see
    :func:`focus_adoption`)."""
    n_peers = len(communities) - 1
    n = int(round(model.share * n_peers))
    by_rate = 1 + np.argsort(-alpha[1:], kind="stable")  # peer rows, highest baseline rate first
    pool = np.sort(by_rate[: max(n, int(math.ceil(model.candidates * n_peers)))])
    chosen = np.sort(rng.choice(pool, n, replace=False)) if n else np.array([], dtype=int)
    starts = month_range(model.first_start, model.last_start)
    out = {}
    for row in chosen:
        start = starts[int(rng.integers(len(starts)))]
        ramp_months = int(rng.integers(*model.ramp_months))
        scale = float(rng.uniform(*model.effect_scale))
        out[int(row)] = Adoption(communities[row], int(row), Intervention(start, ramp_months), scale)
    return out


def thin(requests: np.ndarray, keep: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each of ``requests`` kept with probability ``keep`` (binomial thinning, same shape)."""
    return rng.binomial(requests, np.clip(keep, 0.0, 1.0))


def adoption_truth(
    adoption: Adoption, months: list[str], mu: np.ndarray, mu0: np.ndarray, effect_log_rr: dict
) -> dict:
    """What was planted for one adopting community: timing, scale, effects and the estimand (``mu``,
    ``mu0``: its T × K expected requests with and without the adoption)."""
    full_from = adoption.full_from
    post = np.array([m >= full_from for m in months])
    total = math.log(mu[post].sum() / mu0[post].sum()) if post.any() else None
    iv = adoption.intervention
    return {
        "community": adoption.community,
        "start_month": iv.start_month,
        "ramp_months": iv.ramp_months,
        "full_from": full_from,
        "ramp": "clip((months since start_month) / ramp_months, 0, 1)",
        "effect_scale": adoption.scale,
        "effect_log_rr": {k: adoption.scale * v for k, v in effect_log_rr.items()},
        "effect_log_rr_total": total,
        "estimand": f"log(Σ_{{t≥{full_from},k}} μ / Σ μ without the adoption) for this community"
        if total is not None
        else "not fully in effect before the panel ends",
        "months_treated": sum(1 for m in months if months_between(iv.start_month, m) >= 0),
    }


def area_truth(
    adoptions: dict[int, Adoption], communities: list[str], focus_truth: dict, peer_truths: dict
) -> dict:
    """The ``area`` section: every community's intervention (None = never treated) and the
    never-treated list, for evaluations that must not use treated communities as controls."""
    interventions = {communities[0]: {k: focus_truth[k] for k in ("start_month", "ramp_months", "full_from")}}
    interventions[communities[0]] |= {
        "effect_scale": 1.0,
        "effect_log_rr_total": focus_truth["effect_log_rr_total"],
    }
    for row, name in enumerate(communities[1:], start=1):
        interventions[name] = peer_truths.get(row)
    return {
        "communities": list(communities),
        "interventions": interventions,
        "treated": [name for name, iv in interventions.items() if iv is not None],
        "never_treated": [name for name, iv in interventions.items() if iv is None],
        "adoption": "a few peers adopt a 园园-like way of working (requests × exp(scale·δ_k·ramp), 三率 gain × scale); "
        "their panel requests are the never-adopted counts binomially thinned, so other communities' counts are unchanged",
    }
