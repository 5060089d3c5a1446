"""12345 work orders: spill-over, the call-taker's text, agreement with the panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiesu.world.cases import BURST_PHRASE, case_content, spill_lag_days, spill_probability


def test_spill_probability_falls_along_the_ramp():
    assert spill_probability("2018-06") == pytest.approx(0.5)
    assert spill_probability("2018-10") == pytest.approx(0.275)
    assert spill_probability("2019-03") == pytest.approx(0.05)


def test_spill_lag_is_three_to_five_days_and_fixed_per_burst():
    lags = [spill_lag_days(0, bid) for bid in BURST_PHRASE]
    assert set(lags) <= {3, 4, 5}
    assert lags == [spill_lag_days(0, bid) for bid in BURST_PHRASE]


def test_spilled_case_repeats_the_burst_phrase():
    rng = np.random.default_rng(0)
    text = case_content("heating", "6号楼", rng, term=BURST_PHRASE["B01"])
    assert "6号楼回水管是凉的" in text and text.endswith("。")


def test_every_case_text_has_opening_place_and_demand():
    rng = np.random.default_rng(1)
    for code in ("heating", "noise", "other", "epidemic"):
        for _ in range(20):
            text = case_content(code, "3号楼2单元", rng)
            assert text.startswith(("市民", "来电人")) and "，" in text


def test_cases_aggregate_exactly_to_the_panel_rows(small_world_raw):
    raw = small_world_raw
    cases = pd.read_excel(raw / "hotline_cases.xlsx", dtype=str)
    panel = pd.read_csv(raw / "area_panel.csv")
    focus = panel[panel["社区"] == "甘露园南里二社区"]
    assert focus["诉求量"].sum() == len(cases)
    assert focus["响应量"].sum() == (cases["是否响应"] == "是").sum()
    assert focus["解决量"].sum() == (cases["是否解决"] == "解决").sum()
    assert focus["参评量"].sum() == (cases["是否满意"] != "未评价").sum()
    assert focus["满意量"].sum() == cases["是否满意"].isin(["满意", "基本满意"]).sum()
    received = pd.to_datetime(cases["受理时间"])
    assert (pd.to_datetime(cases["派单时间"]) >= received).all()
    closed = pd.to_datetime(cases["办结时间"])
    assert (closed[closed.notna()] >= received[closed.notna()]).all()


@pytest.fixture(scope="module")
def small_world_raw(small_world):
    return small_world.paths.raw


def test_case_outcomes_have_the_months_rates_and_resolution_needs_a_response():
    from jiesu.world.cases import case_outcome

    rng = np.random.default_rng(0)
    p = (0.97, 0.7, 0.8, 0.85)
    outcomes = pd.DataFrame([case_outcome(p, rng) for _ in range(40_000)], columns=["resp", "res", "sat"])
    rated = outcomes["sat"] != "未评价"
    satisfied = outcomes["sat"].isin(["满意", "基本满意"])
    assert (outcomes["resp"] == "是").mean() == pytest.approx(0.97, abs=0.005)
    assert (outcomes["res"] == "解决").mean() == pytest.approx(0.7, abs=0.01)
    assert rated.mean() == pytest.approx(0.8, abs=0.01)
    assert satisfied[rated].mean() == pytest.approx(0.85, abs=0.01)
    assert not ((outcomes["resp"] == "否") & (outcomes["res"] != "未解决")).any()
    solved = outcomes["res"] == "解决"
    assert satisfied[rated & solved].mean() > satisfied[rated & ~solved].mean() + 0.2
