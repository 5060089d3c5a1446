"""未诉先办 early warning: baseline, burst test, grouping, interception and checklist on hand-made data;
planted bursts and interception on the full synthetic world."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiesu.analysis.early_warning.bursts import (
    BurstParams,
    detect_bursts,
    false_alarm_rate,
    seasonal_baseline,
)
from jiesu.analysis.early_warning.interception import interception, monthly_interception
from jiesu.analysis.early_warning.leadlag import lead_lag
from jiesu.analysis.early_warning.watch import seasonal_checklist
from jiesu.evaluation.planted import match_bursts

DAYS = pd.date_range("2018-01-01", "2020-09-30", freq="D")


def noisy_docs(
    seed: int = 0, bursts=(("雨篦子 积水", "2019-07-10", 6, 12),), rate: float = 1.0
) -> pd.DataFrame:
    """Tokenized messages: background Poisson(rate) per day for each of 30 terms, plus planted bursts
    (tokens, onset, days, extra messages a day)."""
    rng = np.random.default_rng(seed)
    vocab = [f"词{i:02d}" for i in range(30)] + ["雨篦子", "积水"]
    rows = []
    for day in DAYS:
        for term in vocab:
            rows += [(day, term)] * int(rng.poisson(rate))
        for tokens, onset, length, extra in bursts:
            if pd.Timestamp(onset) <= day < pd.Timestamp(onset) + pd.Timedelta(days=length):
                rows += [(day, tokens)] * extra
    frame = pd.DataFrame(rows, columns=["day", "tokens"])
    return frame.assign(doc_id=[f"d{i}" for i in range(len(frame))], group_id="g1")


def test_baseline_is_the_same_season_of_other_years():
    counts = pd.DataFrame({"暖气": 0.0}, index=DAYS)
    season = (DAYS.month >= 11) | (DAYS.month <= 2)
    counts.loc[season, "暖气"] = 10.0
    base = seasonal_baseline(counts, window=7, trailing=(8, 28))
    # 2019-11-20: heating season in the other years, quiet in the trailing window until Nov 15
    assert base.loc["2019-11-20", "暖气"] == pytest.approx(10.0)
    assert base.loc["2019-07-01", "暖气"] == pytest.approx(0.0)


def test_a_lasting_change_is_not_a_burst_but_a_spike_on_it_is():
    counts = pd.DataFrame({"桶站": 0.0}, index=DAYS)
    counts.loc["2020-05-01":, "桶站"] = 5.0  # a new campaign from May 2020: no other year has it
    base = seasonal_baseline(counts)
    assert base.loc["2020-05-02", "桶站"] == pytest.approx(5.0)  # the level after is part of the baseline


def test_planted_burst_is_found_with_its_onset():
    found = detect_bursts(noisy_docs(), BurstParams(min_total=5))
    bursts = found["bursts"]
    hit = bursts.loc[bursts["terms"].str.contains("雨篦子")]
    assert len(hit) == 1
    assert hit["onset"].iloc[0] == pd.Timestamp("2019-07-10")
    assert set(hit["terms"].iloc[0].split()) == {"雨篦子", "积水"}  # co-mentioned terms form one burst
    assert hit["category"].iloc[0] == "flood"


def test_false_alarm_rate_on_pure_noise_is_near_the_nominal_level():
    found = detect_bursts(noisy_docs(seed=3, bursts=()), BurstParams(min_total=5))
    quiet = pd.Series(True, index=DAYS)
    rate = false_alarm_rate(found["pvalues"], found["counts"], quiet, alpha=1e-5, min_count=4)
    assert rate < 1e-4
    assert len(found["bursts"]) <= 1


def test_matching_needs_onset_within_a_week_and_the_category_or_a_word():
    detected = pd.DataFrame(
        {
            "burst": [1, 2, 3],
            "onset": pd.to_datetime(["2019-07-12", "2019-07-30", "2019-07-11"]),
            "terms": ["积水", "积水", "暖气"],
            "category": ["other", "flood", "heating"],
        }
    )
    planted = [{"id": "B1", "category": "flood", "terms": ["雨篦子堵了", "积水"], "onset": "2019-07-10"}]
    match = match_bursts(detected, planted)
    assert match["detected"].tolist() == [1] and match["onset_error_days"].tolist() == [2]


def test_lead_lag_is_days_to_first_case_of_the_same_category():
    bursts = pd.DataFrame(
        {
            "burst": [1, 2],
            "onset": pd.to_datetime(["2019-07-10", "2019-12-01"]),
            "category": ["flood", "heating"],
        }
    )
    cases = pd.DataFrame(
        {
            "received_at": pd.to_datetime(["2019-07-09 10:00", "2019-07-14 09:00", "2019-12-30 00:00"]),
            "category": ["防汛", "防汛", "供暖"],
        }
    )
    out = lead_lag(bursts, cases, horizon=21)
    assert out["lag_days"].iloc[0] == 4
    assert np.isnan(out["lag_days"].iloc[1])


def _chat(rows):
    return pd.DataFrame(
        rows,
        columns=["msg_id", "group_id", "sender_id", "sent_at", "msg_type", "text", "is_staff", "mentions"],
    ).assign(sent_at=lambda f: pd.to_datetime(f["sent_at"]))


def test_interception_counts_issues_closed_in_the_group_that_never_reached_12345():
    issues = pd.DataFrame(
        {
            "msg_id": ["m1", "m5", "m6"],
            "group_id": ["g", "g", "h"],
            "sender_id": ["r1", "r2", "r3"],
            "sent_at": pd.to_datetime(["2020-06-01 09:00", "2020-06-03 20:00", "2020-06-05 08:00"]),
            "category": ["flood", "lighting", "heating"],
            "closed_in_group": [True, False, False],
            "close_hours": [6.0, float("nan"), float("nan")],
        }
    )
    cases = pd.DataFrame(
        {
            "received_at": pd.to_datetime(["2020-06-04 10:00", "2020-06-06 00:00"]),
            "category": ["楼道照明", "供暖"],
            "household_id": ["03-1-101", "05-2-202"],
        }
    )
    out = interception(issues, cases, sender_households=pd.Series({"r2": "03-1-101", "r3": "09-9-909"}))
    assert out["reached_12345"].tolist() == [False, True, False]  # m6: the case is another household's
    assert out["intercepted"].tolist() == [True, False, False]
    monthly = monthly_interception(out)
    assert monthly.to_dict("records")[0] == {
        "month": "2020-06",
        "issues": 3,
        "closed_in_group": 1,
        "reached_12345": 1,
        "interception_share": 0.3333,
        "median_close_hours": 6.0,
    }


@pytest.mark.parametrize(("month", "first"), [(6, "flood"), (3, "wind"), (11, "heating")])
def test_checklist_puts_the_season_that_starts_first(month, first):
    checklist = seasonal_checklist(month)
    assert checklist["category"].iloc[0] == first
    assert checklist["starts"].iloc[0]
    assert checklist["owner_team"].iloc[0] != ""


@pytest.mark.full
def test_planted_bursts_are_recovered_with_few_false_alarms(full_world):
    from jiesu.evaluation.planted import planted_false_alarm_rate, score_detected_bursts
    from jiesu.snapshot.chats import snapshot_bursts

    truth = full_world.planted_truth()
    found = snapshot_bursts(full_world)
    score = score_detected_bursts(found["bursts"], truth["bursts"])
    assert score["recall"] >= 0.8
    assert score["precision"] >= 0.7
    assert score["median_onset_error_days"] <= 7
    # the stated test: α = 1e-5 per term-day; measured away from planted bursts it stays that low
    assert planted_false_alarm_rate(found, truth) <= 1e-4


@pytest.mark.full
def test_interception_agrees_with_planted_threads(full_world):
    from jiesu.snapshot.chats import interception_by_month, snapshot_interception

    table = snapshot_interception(full_world)
    planted = full_world.planted_table("messages").set_index("msg_id")
    reports = table.assign(
        role=planted["role"].reindex(table["msg_id"]).to_numpy(),
        thread=planted["thread_id"].reindex(table["msg_id"]).to_numpy(),
    ).query("role == 'report'")
    assert len(reports) / len(table) >= 0.75  # chat issues are mostly real reports
    closed_threads = set(planted.loc[planted["role"] == "close", "thread_id"])
    assert (reports["closed_in_group"] == reports["thread"].isin(closed_threads)).mean() >= 0.75
    monthly = interception_by_month(full_world)
    assert list(monthly.columns) == [
        "month",
        "issues",
        "closed_in_group",
        "reached_12345",
        "interception_share",
    ]
    assert monthly["interception_share"].between(0, 1).all()


def test_cross_correlation_finds_the_planted_lag():
    from jiesu.analysis.early_warning.leadlag import category_cross_correlation

    rng = np.random.default_rng(1)
    days = pd.date_range("2019-01-01", periods=200, freq="D")
    spikes = rng.poisson(0.3, len(days)) * 5
    docs = pd.DataFrame(
        [(day, "暖气 不热") for day, n in zip(days, spikes, strict=True) for _ in range(n)],
        columns=["day", "tokens"],
    )
    cases = pd.DataFrame(
        {
            "received_at": [
                day + pd.Timedelta(days=4, hours=9)
                for day, n in zip(days, spikes, strict=True)
                for _ in range(n)
            ],
            "category": "供暖",
        }
    )
    table = category_cross_correlation(docs, cases, max_lag=10).set_index("category")
    assert table.loc["heating", "best_lag_days"] == 4
    assert table.loc["heating", "correlation"] > 0.9
