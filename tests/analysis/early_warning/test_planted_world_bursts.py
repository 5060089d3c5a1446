"""Planted bursts of the small synthetic worlds are found by the weekly test, scored as the scorecard
scores them (:func:`jiesu.evaluation.planted.score_detected_bursts`: onset within 7 days, same category
or a shared term).  Measured (``bench/hot_quality.py``): recall 1.0 and precision 1.0 on seeds 0 and
7; the thresholds are the goal (recall ≥ 0.9, precision ≥ 0.8)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import build_world

from jiesu.analysis.early_warning import check_watch_list, hot_issues, watch_list, weekly_bursts
from jiesu.evaluation.planted import score_detected_bursts
from jiesu.snapshot.watch import watch_detector

MIN_RECALL, MIN_PRECISION = 0.9, 0.8


@pytest.fixture(scope="module", params=[0, 7], ids=["small-seed0", "small-seed7"])
def detected(request):
    world = build_world("small", request.param)
    det = watch_detector(world)
    return world, det, weekly_bursts(det)


def test_planted_bursts_are_found_with_few_false_alarms(detected):
    world, _, bursts = detected
    score = score_detected_bursts(bursts, world.planted_truth()["bursts"])
    assert score["recall"] >= MIN_RECALL and score["precision"] >= MIN_PRECISION, score
    assert score["median_onset_error_days"] <= 3


def test_bursts_are_named_by_phrases_and_placed(detected):
    _, _, bursts = detected
    assert ((bursts["title"] != "") | (bursts["place"] != "")).all()
    assert not bursts["title"].str.contains("_").any()
    assert (bursts["owner_team"] != "").all()


def test_watch_lists_at_each_planted_onset_week_pass_the_check(detected):
    world, det, bursts = detected
    for burst in world.planted_truth()["bursts"]:
        onset = pd.Timestamp(burst["onset"])
        end = onset + pd.Timedelta(days=6 - onset.day_of_week)
        listed = watch_list(hot_issues(det, end, bursts=bursts.loc[bursts["decided"] <= end]))
        assert check_watch_list(listed, det.docs) == [], end
