"""The semi-synthetic surge-set builder (jiesu.evaluation.surges) on the real 留言板 text: deterministic
for a seed, the truth matches the messages, the shapes and rates are what was asked for, and the
background of a "new subject" set holds none of the subject's messages."""

from __future__ import annotations

import pandas as pd
import pytest

from jiesu.evaluation import real_sets
from jiesu.evaluation import surges as S

pytestmark = pytest.mark.skipif(
    real_sets.missing_reason() is not None, reason=str(real_sets.missing_reason())
)

SPECS = (
    S.SurgeSpec("hukou_points", 6, weeks=3, shape="step", rate=10),
    S.SurgeSpec("ev_charging", 12, weeks=3, shape="ramp", rate=12),
    S.SurgeSpec("covid_test", 17, shape="spike", rate=10, spike_days=3),
)


@pytest.fixture(scope="module")
def built():
    return S.build_surge_set(3, weeks=20, background_per_week=150, surges=SPECS)


def test_same_seed_same_set(built):
    again = S.build_surge_set(3, weeks=20, background_per_week=150, surges=SPECS)
    pd.testing.assert_frame_equal(built.messages, again.messages)
    pd.testing.assert_frame_equal(built.truth.drop(columns="msg_ids"), again.truth.drop(columns="msg_ids"))
    other = S.build_surge_set(4, weeks=20, background_per_week=150, surges=SPECS)
    assert not other.messages["text"].equals(built.messages["text"])


def test_truth_matches_messages(built):
    msgs = built.messages.set_index("msg_id")
    for t in built.truth.itertuples():
        part = msgs.loc[t.msg_ids]
        assert (part["surge_id"] == t.surge_id).all() and len(part) == t.messages
        assert part["sent_at"].min().normalize() == t.onset and part["sent_at"].max().normalize() == t.end
        assert part["text"].str.contains(S.SUBJECTS[t.subject].pattern, regex=True).all()
        assert t.distinct_messages == int((~part["is_repeat"]).sum())


def test_shapes_and_rates(built):
    truth = built.truth.set_index("subject")
    spike = truth.loc["covid_test"]
    assert (spike["end"] - spike["onset"]).days <= 2
    ramp = [int(v) for v in truth.loc["ev_charging", "weekly"].split()]
    assert max(ramp[1:]) > ramp[0]  # rises after its first (partial) week
    bg = built.messages.loc[built.messages["source"] == "background"]
    per_week = bg.groupby(bg["sent_at"].dt.to_period("W")).size()
    assert 120 <= per_week.mean() <= 180


def test_new_subject_is_absent_from_the_background(built):
    bg = built.messages.loc[built.messages["source"] == "background", "text"]
    for name in ("hukou_points", "ev_charging", "covid_test"):
        assert not bg.str.contains(S.SUBJECTS[name].pattern, regex=True).any()


def test_background_texts_repeat_only_after_the_pool_is_used():
    bg_set = S.build_surge_set(0, weeks=4, background_per_week=300)
    bg = bg_set.messages.loc[~bg_set.messages["is_repeat"]]
    assert bg["corpus_row"].is_unique  # 1,200 messages from a pool of 9,449


def test_place_fill_names_the_surge_place():
    s = S.build_surge_set(
        1,
        weeks=16,
        background_per_week=100,
        place_fill=True,
        surges=(S.SurgeSpec("heating", 6, weeks=3, rate=8, place="金榆东里", place_mention=1.0),),
    )
    surge = s.messages.loc[s.messages["source"] == "surge"]
    assert (surge["place"] == "金榆东里").all() and surge["text"].str.contains("金榆东里").all()
    assert "*" not in "".join(s.messages.loc[s.messages["place"] != "", "place"])
    assert set(S.place_dictionary(s)) <= set(S.gazetteer(1))
