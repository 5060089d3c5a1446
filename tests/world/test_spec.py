"""The generating parameters: consistent tables, the intervention ramp, the planted bursts."""

from __future__ import annotations

import dataclasses

import pytest

from jiesu.categories import BY_CODE, CATEGORIES, GROUP_KINDS, OTHER
from jiesu.world import spec


def test_intervention_ramp_is_zero_before_linear_then_one():
    ramp = spec.FOCUS_INTERVENTION.ramp
    assert [ramp(m) for m in ("2018-06", "2018-07", "2018-10", "2019-01", "2020-09")] == [0, 0, 0.5, 1, 1]
    late = spec.Intervention("2019-09", 4)
    assert late.ramp("2019-11") == pytest.approx(0.5) and late.ramp("2020-01") == 1.0


def test_parameters_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.CHATS.notice_p = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.PANEL.effect_log_rr["heating"] = 0.0  # type: ignore[index]


@pytest.mark.parametrize(
    "shares",
    [
        spec.HOUSEHOLDS.tenure_p,
        spec.HOUSEHOLDS.size_p,
        spec.HOUSEHOLDS.large_flat_p,
        spec.HOUSEHOLDS.small_flat_p,
        spec.CHATS.chatter_type_p,
        *(tuple(g.values()) for g in spec.CHATS.thread_groups.values()),
    ],
)
def test_shares_sum_to_one(shares):
    assert sum(shares) == pytest.approx(1.0)


def test_every_category_has_its_chat_and_panel_parameters():
    codes = {c.code for c in CATEGORIES}
    for table in (spec.CHATS.thread_rate, spec.CHATS.thread_groups, spec.CHATS.responder_role):
        assert set(table) == codes
    assert set(spec.PANEL.category_share) == set(spec.PANEL.effect_log_rr) == codes | {OTHER}
    assert all(-1.5 < d < -0.8 for d in spec.PANEL.effect_log_rr.values())  # top 5 → bottom 5
    assert sum(spec.PANEL.category_share.values()) == pytest.approx(1.16)  # weights, see PanelModel


def test_bursts_are_distinct_and_point_at_real_groups():
    ids = [b.id for b in spec.BURSTS]
    assert len(set(ids)) == len(ids) == 12
    for burst in spec.BURSTS:
        assert burst.category in BY_CODE and burst.group_kind in GROUP_KINDS
        if burst.group_kind == "building":
            assert burst.building > 0
        assert 0 <= burst.building <= len(spec.BUILDING_LAYOUT)
        assert burst.terms and burst.duration_days >= 4


def test_the_focus_community_matches_the_seed_article():
    layout = spec.FOCUS.layout
    assert len(layout) == 18 and all(1990 <= year <= 1999 for *_, year in layout)
    assert (spec.FOCUS.households, spec.FOCUS.friends) == (2602, 2759)
    assert abs(spec.FOCUS.residents - 5700) <= 0.02 * 5700
    assert sum(u * f * d for u, f, d, _ in layout) >= spec.FOCUS.households
