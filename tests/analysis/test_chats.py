"""The one definition of a chat issue: raised, folded, answered, closed (analysis.chats)."""

from __future__ import annotations

import pandas as pd
import pytest

from jiesu.analysis.chats import ISSUE_COLUMNS, IssueRules, chat_issues, monthly_chat_issues

T0 = pd.Timestamp("2020-06-01 09:00")


def chat(rows) -> pd.DataFrame:
    """Messages of one or more groups: (msg_id, group, sender, minutes after T0, text, mentions, staff[, type])."""
    frame = pd.DataFrame(
        [(*r, "文本") if len(r) == 7 else r for r in rows],
        columns=["msg_id", "group_id", "sender_id", "minutes", "text", "mentions", "is_staff", "msg_type"],
    )
    frame["sent_at"] = T0 + pd.to_timedelta(frame.pop("minutes"), unit="min")
    frame["text_simplified"] = frame["text"]
    frame["mentions"] = frame["mentions"].replace("", None)
    return frame


def test_an_issue_is_raised_by_an_at_exchange_or_by_an_answered_categorized_message():
    messages = chat(
        [
            ("m1", "g", "r1", 0, "@物业 门口那个怎么办", "s1", False),  # @-mentions staff, no category
            ("m2", "g", "s1", 10, "收到", "r1", True),
            ("m3", "g", "r2", 60, "楼道灯不亮了", "", False),  # categorized, answered next within 1 h
            ("m4", "g", "s1", 90, "马上去看", "", True),
            ("m5", "g", "r3", 200, "今天天气真好", "", False),  # answered next, but no category
            ("m6", "g", "s1", 210, "是啊", "", True),
            ("m7", "g", "r4", 300, "暖气不热", "", False),  # categorized, nobody answers
        ]
    )
    issues = chat_issues(messages).set_index("msg_id")
    assert list(issues.index) == ["m1", "m3"]
    assert issues.loc["m1", "category"] == "other" and issues.loc["m3", "category"] == "lighting"
    assert tuple(chat_issues(messages).columns) == ISSUE_COLUMNS


def test_me_too_and_follow_ups_of_the_same_sender_fold_into_the_first_report():
    messages = chat(
        [
            ("a1", "g", "r1", 0, "楼道灯不亮了", "", False),
            ("a2", "g", "s1", 5, "@某人 收到", "r1", True),
            ("a3", "g", "r2", 6, "+1 楼道灯不亮", "", False),  # me-too: joins a1
            ("a4", "g", "s1", 8, "好的", "r2", True),
            ("a5", "g", "r1", 60, "楼道灯还是不亮", "", False),  # same sender, category, within 6 h
            ("a6", "g", "s1", 61, "@某人 在修了", "r1", True),
            ("a7", "g", "r1", 60 * 8, "楼道灯又坏了", "", False),  # 7 h after a5: a new issue
            ("a8", "g", "s1", 60 * 8 + 1, "@某人 马上", "r1", True),
        ]
    )
    assert chat_issues(messages)["msg_id"].tolist() == ["a1", "a7"]


def test_the_answer_prefers_an_at_mention_of_the_reporter_then_the_first_staff_message():
    messages = chat(
        [
            ("b1", "g", "r1", 0, "@物业 雨篦子堵了", "s1", False),
            ("b2", "g", "r2", 30, "暖气漏水了", "", False),
            ("b3", "g", "s2", 45, "我们去看看", "", True),  # the first staff message after b1 and b2
            ("b4", "g", "s1", 60, "@某人 马上派人", "r1", True),  # @-mentions b1's reporter
        ]
    )
    issues = chat_issues(messages).set_index("msg_id")
    assert issues.loc["b1", "reply_msg_id"] == "b4" and issues.loc["b1", "answer_hours"] == 1.0
    assert issues.loc["b2", "reply_msg_id"] == "b3" and issues.loc["b2", "responder_id"] == "s2"
    assert issues.loc["b2", "answer_hours"] == pytest.approx(0.25)


def test_only_the_answering_staff_member_closes_an_issue_within_the_window():
    rules = IssueRules(close_days=2)
    messages = chat(
        [
            ("c1", "g", "r1", 0, "@物业 楼道灯不亮", "s1", False),
            ("c2", "g", "s1", 20, "@某人 收到", "r1", True),
            ("c3", "g", "r2", 30, "@保洁 桶站满了", "s2", False),
            ("c4", "g", "s2", 40, "@某人 好的", "r2", True),
            ("c5", "g", "s2", 60 * 5, "已清运", "", True),  # s2 closes c3 only
            ("c6", "g", "s1", 60 * 24 * 3, "灯已更换", "", True),  # s1 closes c1, but after two days
            ("c7", "g", "s1", 60 * 24 * 3 + 1, "[图片]", "", True, "图片"),
        ]
    )
    issues = chat_issues(messages, rules=rules).set_index("msg_id")
    assert not issues.loc["c1", "closed_in_group"]
    assert issues.loc["c3", "closed_in_group"] and issues.loc["c3", "close_hours"] == pytest.approx(4.5)
    assert chat_issues(messages).set_index("msg_id").loc["c1", "closed_in_group"]  # default: 7 days


def test_categories_given_by_the_caller_replace_the_lexicon():
    messages = chat(
        [("d1", "g", "r1", 0, "门口堆了好多东西", "", False), ("d2", "g", "s1", 10, "马上清", "", True)]
    )
    assert chat_issues(messages).empty  # no lexicon word: not an issue without an @-exchange
    issues = chat_issues(messages, categories=pd.Series({"d1": "garbage"}))
    assert issues["category"].tolist() == ["garbage"] and issues["answered"].tolist() == [True]


def test_monthly_counts_keep_months_without_issues():
    messages = chat(
        [
            ("e1", "g", "r1", 0, "@物业 楼道灯不亮", "s1", False),  # s1 is staff: see e3
            ("e2", "g", "r2", 60 * 24 * 40, "今天真热", "", False),
            ("e3", "h", "s1", 60 * 24 * 41, "明天停水", "", True),
        ]
    )
    counts = monthly_chat_issues(chat_issues(messages), messages)
    assert counts.to_dict("records") == [
        {"month": "2020-06", "chat_issues": 1, "chat_messages": 1},
        {"month": "2020-07", "chat_issues": 0, "chat_messages": 2},
    ]


# ---------------------------------------------------------------------------------------------
# against the planted threads of the synthetic world
# ---------------------------------------------------------------------------------------------


def _agreement(world) -> dict[str, float]:
    planted = world.planted_table("messages")
    planted["sent_at"] = pd.to_datetime(planted["sent_at"])
    by_id = planted.set_index("msg_id")
    issues = chat_issues(world.table("messages"))
    role = by_id["role"].reindex(issues["msg_id"]).fillna("").to_numpy()
    on = role == "report"
    thread = by_id["thread_id"].reindex(issues["msg_id"]).to_numpy()[on]
    reports = planted.loc[planted["role"] == "report"]
    first_reply = planted.loc[planted["role"] == "reply"].sort_values("sent_at").drop_duplicates("thread_id")
    closed = set(planted.loc[planted["role"] == "close", "thread_id"])
    first = reports.drop_duplicates("thread_id").set_index("thread_id")["sent_at"]
    planted_hours = (first_reply.set_index("thread_id")["sent_at"] - first).dropna().dt.total_seconds() / 3600
    return {
        "precision": float(on.mean()),
        "recall": float(on.sum() / len(reports)),
        "reply_match": float(
            (
                issues["reply_msg_id"].to_numpy()[on]
                == pd.Series(thread).map(first_reply.set_index("thread_id")["msg_id"]).to_numpy()
            ).mean()
        ),
        "closed_agreement": float(
            (issues["closed_in_group"].to_numpy()[on] == pd.Series(thread).isin(closed)).mean()
        ),
        "answer_hours_error": abs(
            float(issues.loc[on, "answer_hours"].median()) - float(planted_hours.median())
        ),
    }


def test_chat_issues_recover_the_planted_threads_of_the_small_world(small_world):
    # measured on seed 0: precision 0.919, recall 0.879, reply match 0.925, closed agreement 0.918
    scores = _agreement(small_world)
    assert scores["precision"] >= 0.87 and scores["recall"] >= 0.83
    assert scores["reply_match"] >= 0.88 and scores["closed_agreement"] >= 0.87
    assert scores["answer_hours_error"] < 0.1


@pytest.mark.full
def test_chat_issues_recover_the_planted_threads_of_the_full_world(full_world):
    # measured on seed 0: precision 0.800, recall 0.849, reply match 0.940, closed agreement 0.944
    scores = _agreement(full_world)
    assert scores["precision"] >= 0.75 and scores["recall"] >= 0.8
    assert scores["reply_match"] >= 0.9 and scores["closed_agreement"] >= 0.9
    assert scores["answer_hours_error"] < 0.1
