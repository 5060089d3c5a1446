"""Impact evaluation: the estimators on a hand-made area with a known effect and a known area-wide
shock, the Poisson solver against statsmodels, mix/timing tables, and the planted effect on the full
synthetic world."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from jiesu.analysis.chats import chat_issues, monthly_chat_issues
from jiesu.analysis.impact.channels import category_mix, channel_substitution, channel_summary, time_to_close
from jiesu.analysis.impact.compare import naive_before_after
from jiesu.analysis.impact.design import Intervention, area_series, with_controls
from jiesu.analysis.impact.did import did, event_study, parallel_trends, poisson_fit
from jiesu.analysis.impact.its import its
from jiesu.evaluation.planted import planted_design, score_effect
from jiesu.months import MonthError

FOCUS = "焦点社区"
START, RAMP = "2018-07", 6
DESIGN = Intervention(START, RAMP)
EFFECT = -0.8  # planted log rate ratio for the hand-made area
SURGE = math.log(1.8)  # area-wide shock from 2019-01, exactly when the ramp completes


def hand_made_area(seed: int = 0, *, exact: bool = False) -> pd.DataFrame:
    """Eight communities × 36 months × two categories: community levels, seasons, an area-wide surge
    from 2019-01 and the focus effect ramped in from 2018-07; Poisson counts, or (``exact``) the means
    themselves ×1000, rounded: a panel without noise."""
    rng = np.random.default_rng(seed)
    months = [p.strftime("%Y-%m") for p in pd.period_range("2017-01", "2019-12", freq="M")]
    names = [FOCUS] + [f"对照{i}" for i in range(1, 8)]
    alpha = [0.4, 0.3, 0.1, 0.0, -0.1, -0.2, 0.2, -0.3]
    r = DESIGN.intensity(months)
    rows = []
    for c, name in enumerate(names):
        residents = 6000 + 700 * c
        for t, month in enumerate(months):
            season = 0.3 * math.cos(2 * math.pi * (int(month[5:]) - 1) / 12)
            shock = SURGE if month >= "2019-01" else 0.0
            for category, share in (("供暖", 0.4), ("其他", 0.6)):
                mu = (
                    (1000 if exact else 1)
                    * residents
                    / 1e4
                    * 30
                    * share
                    * math.exp(alpha[c] + season + shock + (EFFECT * r[t] if c == 0 else 0.0))
                )
                count = int(round(mu)) if exact else int(rng.poisson(mu))
                rows.append(
                    (name, month, residents, residents // 2, category, count, count, count, count, count)
                )
    return pd.DataFrame(
        rows,
        columns=[
            "community",
            "month",
            "residents",
            "households",
            "category",
            "requests",
            "responded",
            "resolved",
            "rated",
            "satisfied",
        ],
    )


@pytest.fixture(scope="module")
def area():
    return hand_made_area()


@pytest.fixture(scope="module")
def exact_area():
    return hand_made_area(exact=True)


def test_ramp_is_zero_before_linear_over_six_months_then_one():
    months = ["2018-06", "2018-07", "2018-10", "2019-01", "2020-01"]
    assert Intervention("2018-07", 6).intensity(months).tolist() == [0, 0, 0.5, 1, 1]
    assert Intervention("2018-07", 0).intensity(["2018-06", "2018-07"]).tolist() == [0, 1]
    assert Intervention("2018-07", 6).window(months).tolist() == ["before", "ramp", "ramp", "after", "after"]
    assert Intervention("2018-07", 6, end="2019-01").clip(pd.DataFrame({"month": months}))[
        "month"
    ].tolist() == [
        "2018-06",
        "2018-07",
        "2018-10",
        "2019-01",
    ]


def test_a_bad_intervention_is_refused_naming_the_field():
    with pytest.raises(MonthError, match="intervention start '2018-13'"):
        Intervention("2018-13")
    with pytest.raises(ValueError, match="ramp_months must be ≥ 0"):
        Intervention("2018-07", -1)


def test_poisson_solver_agrees_with_statsmodels(area):
    counts = area.groupby(["community", "month"], as_index=False)[["requests", "residents"]].agg(
        {"requests": "sum", "residents": "first"}
    )
    X = pd.get_dummies(counts[["community", "month"]], drop_first=True, dtype=float)
    X.insert(0, "const", 1.0)
    X["effect"] = DESIGN.intensity(counts["month"]) * (counts["community"] == FOCUS).to_numpy()
    offset = np.log(counts["residents"].to_numpy(float))
    y = counts["requests"].to_numpy(float)
    ours = poisson_fit(y, X.to_numpy(), offset)
    ref = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
    assert ours.params == pytest.approx(ref.fit().params.to_numpy(), abs=1e-7)
    groups = counts["community"].to_numpy()
    for kind, fit in (
        ("model", ref.fit()),
        ("quasi", ref.fit(scale="X2")),
        ("cluster", ref.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]})),
    ):
        assert np.sqrt(ours.cov(kind, groups)[-1, -1]) == pytest.approx(fit.bse.iloc[-1], rel=1e-5), kind
    # HC1 = statsmodels' HC0 sandwich corrected by n / (n − k) (statsmodels' GLM applies no correction)
    n, k = X.shape
    hc0 = ref.fit(cov_type="HC0").cov_params().to_numpy()
    assert ours.cov("HC1") == pytest.approx(hc0 * n / (n - k), rel=1e-5)


def test_noise_free_area_gives_the_planted_effect_and_the_naive_bias(exact_area):
    assert did(exact_area, FOCUS, DESIGN)["estimate"].estimate == pytest.approx(EFFECT, abs=2e-3)
    assert its(exact_area, FOCUS, DESIGN)["estimate"].estimate == pytest.approx(EFFECT, abs=2e-3)
    naive = naive_before_after(exact_area, FOCUS, DESIGN)
    # naive = effect + area-wide shift; the shift is the surge plus the seasonal difference of the windows
    assert naive["estimate"].estimate == pytest.approx(EFFECT + naive["area_shift"], abs=5e-3)
    assert naive["area_shift"] > 0.4
    study = event_study(exact_area, FOCUS, DESIGN)
    assert study.loc[study["bin"] < 0, "coef"].abs().max() < 0.01
    assert study.loc[study["bin"] >= 2, "coef"].to_numpy() == pytest.approx(EFFECT, abs=5e-3)
    trends = parallel_trends(exact_area, FOCUS, DESIGN)
    assert trends.loc[trends["month"] < START, "gap"].abs().max() < 0.01


def test_single_series_its_is_fooled_by_the_area_shock(exact_area):
    uncontrolled = its(exact_area, FOCUS, DESIGN, control="none")["estimate"].estimate
    controlled = its(exact_area, FOCUS, DESIGN)["estimate"].estimate
    assert abs(uncontrolled - EFFECT) > 0.3 > abs(controlled - EFFECT)


def test_intervals_cover_on_a_noisy_area_and_clustered_errors_are_too_narrow(area):
    result = did(area, FOCUS, DESIGN)
    assert result["estimate"].covers(EFFECT)
    assert its(area, FOCUS, DESIGN)["estimate"].covers(EFFECT)
    se = result["standard_errors"].set_index("kind")["se"]
    # one treated community: its own noise is invisible to the community-clustered variance
    assert se["cluster"] < 0.5 * se["HC1"]


def test_area_series_pools_the_peers(area):
    series = area_series(area, FOCUS)
    month = area.loc[area["month"] == "2017-03"]
    peers = month.loc[month["community"] != FOCUS]
    row = series.set_index("month").loc["2017-03"]
    assert row["peer_requests"] == peers["requests"].sum()
    assert row["peer_residents"] == peers.groupby("community")["residents"].first().sum()


def test_category_mix_shares_sum_to_one_and_compare_with_peers(area):
    mix = category_mix(area, FOCUS, DESIGN)
    assert mix["before_share"].sum() == pytest.approx(1) and mix["after_share"].sum() == pytest.approx(1)
    assert set(mix.index) == {"供暖", "其他"}
    assert mix["excess_change"].abs().max() < 0.1  # the planted effect is the same for both categories
    assert 0 <= mix.attrs["chi2_p"] <= 1


def test_time_to_close_quantiles_per_category_and_window():
    received = pd.to_datetime(["2018-01-01"] * 6 + ["2019-03-01"] * 5 + ["2018-09-01"])
    days = [1, 2, 3, 4, 10, None, 1, 1, 2, 2, 3, 5]
    cases = pd.DataFrame(
        {
            "category": ["供暖"] * 12,
            "received_at": received,
            "closed_at": [
                r + pd.Timedelta(days=d) if d is not None else pd.NaT
                for r, d in zip(received, days, strict=True)
            ],
        }
    )
    out = time_to_close(cases, DESIGN).set_index("window")
    assert out.loc["before", "cases"] == 6 and out.loc["before", "open"] == 1
    assert out.loc["before", "median_days"] == pytest.approx(3.0)
    assert out.loc["before", "within_7d"] == pytest.approx(0.8)
    assert out.loc["after", "median_days"] == pytest.approx(2.0)
    assert "ramp" not in out.index  # the ramp month's case is left out


def test_channel_table_adds_chat_issues_only_where_chats_exist(small_world):

    panel, messages = small_world.table("panel"), small_world.table("messages")
    channels = channel_substitution(
        panel, "甘露园南里二社区", monthly_chat_issues(chat_issues(messages), messages)
    )
    hotline = panel.loc[panel["community"] == "甘露园南里二社区"].groupby("month")["requests"].sum()
    assert (channels.set_index("month")["hotline"] == hotline).all()
    chat_months = set(messages["sent_at"].dt.strftime("%Y-%m"))
    has_chat = channels["chat_issues"].notna()
    assert set(channels.loc[has_chat, "month"]) == chat_months
    assert (channels.loc[has_chat, "total"] >= channels.loc[has_chat, "hotline"]).all()
    # the small world has no chats before the intervention: the before/after summary is empty, not made up
    assert channel_summary(channels, DESIGN).empty


def test_planted_effect_is_covered_and_did_beats_naive(full_world):

    scores = score_effect(full_world.planted_truth(), full_world)
    assert scores["its_covers_truth"] is True
    assert scores["did_covers_truth"] is True
    assert scores["did_abs_error"] < scores["naive_abs_error"]
    assert scores["did_abs_error"] < 0.25


def test_did_compares_against_the_never_treated_peers_only(full_world):
    """The full world's area has peers that adopted a 园园-like way themselves; the scorecard's
    controls are the never-treated ones (19 of 23 peers on seed 0)."""
    truth = full_world.planted_truth()
    never = truth["area"]["never_treated"]
    focus = truth["intervention"]["community"]
    panel = with_controls(full_world.table("panel"), focus, never)
    assert set(panel["community"]) == {focus, *never} and len(never) == 19
    fit = did(panel, focus, planted_design(truth))
    assert fit["n_communities"] == 20
    assert fit["estimate"].covers(truth["intervention"]["effect_log_rr_total"])


def test_synthetic_weights_recover_a_convex_combination():
    from jiesu.analysis.impact.synthetic_control import _synthetic_weights

    rng = np.random.default_rng(0)
    donors = rng.uniform(10, 50, size=(30, 6))
    target = donors @ np.array([0.0, 0.3, 0.0, 0.7, 0.0, 0.0])
    assert _synthetic_weights(target, donors) == pytest.approx([0, 0.3, 0, 0.7, 0, 0], abs=1e-6)


def test_synthetic_control_weights_are_a_convex_combination_of_peers(area):
    from jiesu.analysis.impact.synthetic_control import synthetic_control

    result = synthetic_control(area, FOCUS, DESIGN)
    weights = result["weights"]
    assert (weights >= 0).all() and weights.sum() == pytest.approx(1)
    assert FOCUS not in weights.index and len(result["placebos"]) == 7
    assert (
        result["estimate"] < -0.3
    )  # the focus is above every peer before: the estimate is shrunk, not reversed


def test_expected_ranks_move_the_focus_down_along_the_ramp(exact_area):
    from jiesu.analysis.impact.compare import expected_ranks

    table = expected_ranks(exact_area, FOCUS, DESIGN, top=2)
    own = table.loc[table["community"] == FOCUS].set_index("month")
    # focus log level 0.4 (highest) before; 0.4 − 0.8·ramp after: below every peer (lowest −0.3) once ramp > 7/8
    assert (own.loc[own.index < START, "rank"] == 1).all()
    assert (own.loc[own.index >= "2019-01", "rank"] == 8).all()
    assert own.loc["2018-10", "rank"] == 4  # level 0.4 − 0.4 = 0.0 halfway: three peers (0.3, 0.2, 0.1) above
    assert (table.groupby("month")["n_units"].first() == 8).all()
