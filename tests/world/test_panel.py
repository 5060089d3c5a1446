"""The area panel's Poisson model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jiesu.world.panel import CODES, build_panel, community_names, gamma_tk
from jiesu.world.spec import PANEL


@pytest.fixture(scope="module")
def panel_and_truth():
    return build_panel(5730, 2602, 0)


def test_one_row_per_community_month_and_category(panel_and_truth):
    panel, _ = panel_and_truth
    assert len(panel) == 24 * 45 * len(CODES)
    assert not panel.duplicated(["community", "month", "category"]).any()
    assert panel["community"].unique().tolist() == community_names(23)


def test_surge_and_seasons_in_gamma():
    before, after = gamma_tk("2018-10", "noise"), gamma_tk("2019-10", "noise")
    assert after - before == pytest.approx(math.log(PANEL.surge[1]))
    assert gamma_tk("2019-01", "heating") > gamma_tk("2019-07", "heating") + 2
    assert gamma_tk("2020-02", "epidemic") > gamma_tk("2019-02", "epidemic") + 4


def test_planted_effect_only_on_the_focus_community(panel_and_truth):
    panel, truth = panel_and_truth
    ratio = panel["mu"] / panel["mu0"]
    focus = panel["community"] == "甘露园南里二社区"
    assert np.allclose(ratio[~focus], 1.0)
    late = focus & (panel["month"] >= "2019-01")
    assert np.allclose(np.log(ratio[late]), panel.loc[late, "category"].map(PANEL.effect_log_rr))
    assert -1.3 <= truth["intervention"]["effect_log_rr_total"] <= -0.9


def test_counts_respect_the_cross_field_rules(panel_and_truth):
    panel, _ = panel_and_truth
    assert (panel["responded"] <= panel["requests"]).all()
    assert (panel["resolved"] <= panel["requests"]).all()
    assert (panel["satisfied"] <= panel["rated"]).all() and (panel["rated"] <= panel["requests"]).all()


def test_focus_goes_from_top5_to_bottom5_in_expected_rates(panel_and_truth):
    _, truth = panel_and_truth
    rank = truth["rank"]
    assert rank["top5_before"] and rank["bottom5_after"]
    assert "2018-07" <= rank["first_month_stays_bottom5"] <= "2019-06"
