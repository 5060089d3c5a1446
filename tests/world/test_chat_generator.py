"""Chat rhythm and seasons (the full chats are checked against the planted truth in test_simulate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiesu.world.chats import hour_profile, season_mask
from jiesu.world.spec import CHATS


def test_hour_profiles_sum_to_one_and_reports_avoid_the_night():
    everyday, reports = hour_profile(), hour_profile(daytime=True)
    assert everyday.sum() == pytest.approx(1) and reports.sum() == pytest.approx(1)
    night = list(CHATS.night_hours)
    assert reports[night].sum() < 0.3 * everyday[night].sum()
    assert everyday[:6].sum() < 0.05


def test_heating_season_runs_from_15_november_to_15_march():
    days = pd.to_datetime(
        ["2019-11-14", "2019-11-15", "2019-12-31", "2020-02-29", "2020-03-15", "2020-03-16"]
    )
    assert season_mask("heating", days).tolist() == [False, True, True, True, True, False]


def test_campaign_seasons():
    days = pd.to_datetime(
        ["2020-01-19", "2020-01-20", "2020-04-30", "2020-05-01", "2020-06-30", "2020-07-01"]
    )
    assert season_mask("epidemic", days).tolist() == [False, True, True, True, True, False]
    assert season_mask("garbage", days).tolist() == [False, False, False, True, True, True]


def test_working_hours_move_night_repairs_to_the_next_morning():
    from jiesu.world.chats import DAY, HOUR, ChatGenerator

    gen = ChatGenerator.__new__(ChatGenerator)  # only the clock is needed
    gen.model, gen.rng = CHATS, np.random.default_rng(0)
    assert gen.working_hours(3 * DAY + 10 * HOUR) == 3 * DAY + 10 * HOUR
    late = gen.working_hours(3 * DAY + 22 * HOUR)
    early = gen.working_hours(3 * DAY + 5 * HOUR)
    assert 4 * DAY + 8 * HOUR <= late < 4 * DAY + 10 * HOUR
    assert 3 * DAY + 8 * HOUR <= early < 3 * DAY + 10 * HOUR
