"""Which peers adopt the 园园 way, and what that does to the panel."""

from __future__ import annotations

import numpy as np
import pytest

from jiesu.world.area import plan_adoptions, thin
from jiesu.world.panel import build_panel, community_names
from jiesu.world.spec import ADOPTION, AdoptionModel


@pytest.fixture(scope="module")
def with_and_without():
    return build_panel(5730, 2602, 0), build_panel(5730, 2602, 0, adoption=AdoptionModel(share=0.0))


def test_a_few_high_rate_peers_adopt_at_their_own_month():
    communities = community_names(23)
    alpha = np.concatenate([[0.45], np.linspace(-0.5, 0.5, 23)])
    adoptions = plan_adoptions(communities, alpha, np.random.default_rng(3))
    assert len(adoptions) == round(ADOPTION.share * 23) == 4
    assert all(alpha[row] >= np.median(alpha[1:]) for row in adoptions)  # among the upper half
    for a in adoptions.values():
        assert ADOPTION.first_start <= a.intervention.start_month <= ADOPTION.last_start
        assert ADOPTION.ramp_months[0] <= a.intervention.ramp_months < ADOPTION.ramp_months[1]
        assert ADOPTION.effect_scale[0] <= a.scale <= ADOPTION.effect_scale[1]
    assert len({a.intervention.start_month for a in adoptions.values()}) > 1


def test_thinning_keeps_each_request_with_the_given_probability():
    rng = np.random.default_rng(0)
    kept = thin(np.full(20_000, 10), np.full(20_000, 0.3), rng)
    assert (kept <= 10).all() and kept.mean() == pytest.approx(3.0, abs=0.05)


def test_adoptions_change_only_the_adopters_counts(with_and_without):
    (panel, truth), (plain, plain_truth) = with_and_without
    treated = set(truth["area"]["treated"]) - {"甘露园南里二社区"}
    assert len(treated) == 4 and plain_truth["area"]["treated"] == ["甘露园南里二社区"]
    others = ~panel["community"].isin(treated)
    assert (panel.loc[others, "requests"] == plain.loc[others, "requests"]).all()
    mine = panel["community"].isin(treated)
    assert (panel.loc[mine, "requests"] <= plain.loc[mine, "requests"]).all()
    assert panel.loc[mine, "requests"].sum() < plain.loc[mine, "requests"].sum()
    assert truth["rank"] == plain_truth["rank"]  # the focus community's story is untouched
    assert truth["intervention"]["effect_log_rr_total"] == plain_truth["intervention"]["effect_log_rr_total"]


def test_every_community_has_its_intervention_or_none_in_the_truth(with_and_without):
    (panel, truth), _ = with_and_without
    area = truth["area"]
    assert set(area["interventions"]) == set(panel["community"])
    assert set(area["treated"]) | set(area["never_treated"]) == set(panel["community"])
    assert len(area["never_treated"]) == 19
    for name in area["treated"]:
        iv = area["interventions"][name]
        assert {"start_month", "ramp_months", "full_from", "effect_scale"} <= set(iv)
        if name != "甘露园南里二社区" and iv["effect_log_rr_total"] is not None:
            assert -0.6 < iv["effect_log_rr_total"] < -0.2


def test_adopters_improve_their_three_rates(with_and_without):
    (panel, truth), (plain, _) = with_and_without
    name = next(n for n in truth["area"]["treated"] if n != "甘露园南里二社区")
    late = (panel["community"] == name) & (panel["month"] == "2020-09")
    assert panel.loc[late, "p_resolved"].iloc[0] > plain.loc[late, "p_resolved"].iloc[0]
