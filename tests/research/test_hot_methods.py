"""Tests of the hot-issue / prospective-burst prototype (bench/hot_methods.py) on small synthetic frames
(no real data needed): the vocabulary rules, the test, re-send marking, the watch-list check, and that
no decision looks ahead."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import hot_methods as H  # noqa: E402

FILLER_FROM_ISSUE = ["协商", "有限公司", "强烈建议", "市长", "进去", "特别", "坏", "里", "占", "七点", "不要"]


@pytest.mark.parametrize(
    "word", FILLER_FROM_ISSUE + ["A市", "X号", "***", "2022年", "3号", "暖气_不热", "某小区"]
)
def test_filler_and_placeholders_are_not_content(word):
    assert not H.is_content_token(word)


@pytest.mark.parametrize("word", ["搅拌站", "噪音", "积分落户", "充电桩", "暖气片", "雨篦子"])
def test_issue_words_are_content(word):
    assert H.is_content_token(word)


def test_title_rules_reject_common_and_adverbs():
    assert H.title_ok("搅拌站", df_share=0.001)
    assert not H.title_ok("搅拌站", df_share=0.3)  # too common to name an issue
    assert not H.title_ok("特别", df_share=0.001)
    assert not H.title_ok("@6号楼", df_share=0.0)


def test_predictive_pvalue_is_monotone_and_history_aware():
    y = np.array([2, 4, 8])
    p, mu = H.predictive_pvalue(
        y, np.zeros(3), np.full(3, 12.0), prior_count=0.5, prior_weeks=1.0, dispersion=np.inf
    )
    assert np.all(np.diff(p) < 0) and np.allclose(mu, 0.5 / 13)
    p_seen, _ = H.predictive_pvalue(
        np.array([8]), np.array([24.0]), np.array([12.0]), prior_count=0.5, prior_weeks=1.0, dispersion=np.inf
    )
    assert p_seen[0] > p[2]  # 8 in a week is ordinary for an anchor seen twice a week


def test_weekly_test_reads_no_later_week():
    rng = np.random.default_rng(0)
    counts = rng.poisson(1.0, size=(30, 5)).astype(float)
    volume = np.full(30, 100.0)
    params = H.HotParams()
    a = H.span_tests(counts, volume, 20, params, alpha=1e-3, min_count=3)
    counts2 = counts.copy()
    counts2[21:] = 50  # the future changes wildly
    b = H.span_tests(counts2, volume, 20, params, alpha=1e-3, min_count=3)
    for key in ("y", "expected", "p", "alarm"):
        assert np.array_equal(a[key], b[key])


def _messages(seed: int = 0, weeks: int = 30, surge_week: int = 20) -> pd.DataFrame:
    """Random messages from a small vocabulary, with a surge about 搅拌站 at 金榆东里 from ``surge_week``."""
    rng = np.random.default_rng(seed)
    words = [
        "停车",
        "物业",
        "电梯",
        "路灯",
        "绿化",
        "快递",
        "公交",
        "学校",
        "医院",
        "超市",
        "噪音",
        "施工",
        "供水",
        "燃气",
        "网络",
        "道路",
        "垃圾",
        "宠物",
        "健身",
        "菜市场",
    ]
    rows = []
    start = pd.Timestamp("2023-01-02")
    for d in range(7 * weeks):
        for _ in range(rng.poisson(20)):
            w = rng.choice(words, size=3, replace=False)
            rows.append(
                (
                    start + pd.Timedelta(days=d, hours=int(rng.integers(8, 20))),
                    f"{w[0]}问题，{w[1]}和{w[2]}需要改进",
                    f"u{int(rng.integers(0, 3000))}",
                )
            )
        if d >= 7 * surge_week and d < 7 * (surge_week + 3):
            for _ in range(rng.poisson(1.2)):
                rows.append(
                    (
                        start + pd.Timedelta(days=d, hours=int(rng.integers(8, 20))),
                        "金榆东里小区旁边的搅拌站夜里一直施工，噪音扰民" + "，" * int(rng.integers(0, 3)),
                        f"s{int(rng.integers(0, 10_000))}",
                    )
                )
    frame = pd.DataFrame(rows, columns=["sent_at", "text", "sender_id"]).sort_values("sent_at", kind="stable")
    frame.insert(0, "msg_id", [f"m{i}" for i in range(len(frame))])
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def synthetic():
    msgs = _messages()
    places = H.Places(names=("金榆东里",))
    docs = H.prepare(msgs, places=places)
    return msgs, docs, H.Detector(docs)


def test_the_surge_is_found_with_its_place_and_no_false_alarm(synthetic):
    msgs, docs, det = synthetic
    bursts = H.weekly_bursts(det, start=pd.Timestamp("2023-03-27"))
    assert len(bursts) >= 1
    first = bursts.iloc[0]
    assert first["onset"] >= pd.Timestamp("2023-05-22") - pd.Timedelta(days=7)
    assert "搅拌站" in first["title"] or first["place"] == "金榆东里"
    assert first["category"] == "noise"
    assert (bursts["decided"] < pd.Timestamp("2023-05-21")).sum() == 0  # nothing before the surge


def test_decisions_do_not_depend_on_later_data(synthetic):
    msgs, docs, det = synthetic
    cut = pd.Timestamp("2023-06-04 23:59:59")  # end of the surge's second week
    full = H.weekly_bursts(det, end=cut)
    truncated = H.weekly_bursts(
        H.Detector(H.prepare(msgs.loc[msgs["sent_at"] <= cut], places=H.Places(names=("金榆东里",)))), end=cut
    )
    cols = ["decided", "onset", "title", "place", "category", "count", "msg_ids"]
    pd.testing.assert_frame_equal(full[cols].reset_index(drop=True), truncated[cols].reset_index(drop=True))


def test_resends_of_the_same_sender_are_marked():
    msgs = pd.DataFrame(
        {
            "msg_id": ["a", "b", "c", "d"],
            "sent_at": pd.to_datetime(
                ["2023-01-02 09:00", "2023-01-04 09:00", "2023-01-05 09:00", "2023-03-30 09:00"]
            ),
            "text": [
                "小区门口搅拌站夜间施工噪音太大",
                "再次反映：小区门口搅拌站夜间施工噪音太大",
                "小区门口搅拌站夜间施工噪音太大",
                "小区门口搅拌站夜间施工噪音太大",
            ],
            "sender_id": ["u1", "u1", "u2", "u1"],
        }
    )
    docs = H.prepare(msgs).set_index("msg_id")
    assert docs.loc["b", "resend_of"] == "a"
    assert docs.loc["c", "resend_of"] == ""  # another resident: an independent report
    assert docs.loc["d", "resend_of"] == ""  # months later: a new report


def test_watch_list_check_catches_filler_categories_and_repeated_examples(synthetic):
    msgs, docs, det = synthetic
    ids = " ".join(docs["msg_id"].head(5))
    bad = pd.DataFrame(
        {
            "title": ["特别", "搅拌站"],
            "place": ["", ""],
            "category": ["供暖", "其他"],
            "this_week": [3, 3],
            "trend": [2.0, 2.0],
            "bursting": [False, False],
            "onset": [pd.NaT, pd.NaT],
            "examples": ["同一句话 / 同一句话", "同一句话 / 另一句完全不同的话"],
            "owner_team": ["吹哨报到部门", "社区工作者"],
            "msg_ids": [ids, ids],
        }
    )
    problems = H.check_watch_list(bad, docs)
    text = " ".join(problems)
    assert "特别" in text and "供暖" in text and "near-duplicates" in text and "also shown" in text


def test_hot_issues_and_watch_list_pass_the_check(synthetic):
    msgs, docs, det = synthetic
    bursts = H.weekly_bursts(det, start=pd.Timestamp("2023-03-27"))
    hot = H.hot_issues(det, "2023-06-04", bursts=bursts)
    assert len(hot)
    top = hot.iloc[0]
    assert top["bursting"] and top["place"] == "金榆东里"
    watch = H.watch_list(hot)
    assert H.check_watch_list(watch, docs) == []
