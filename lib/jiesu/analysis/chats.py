"""What happens in the community's WeChat groups, defined once: which messages can carry an issue,
who takes issues up with staff, and the one definition of a chat issue (a resident raises it, staff
answer it, staff close it) that interception, team responsiveness and channel substitution all count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.categories import OTHER, term_category, text_categories


def text_messages(messages: pd.DataFrame) -> pd.DataFrame:
    """Messages that can carry an issue: text messages (文本; not pictures, voice, stickers or system
    notices).  Staff are kept: backbone-team members who live here report issues too, and their
    generic replies (收到，马上安排) fall into a chatter topic of their own."""
    keep = (messages["msg_type"] == "文本") & messages["text"].notna()
    return messages.loc[keep]


def staff_exchange(messages: pd.DataFrame, *, answer_hours: float = 24) -> pd.Series:
    """Whether each message is part of an exchange with staff: a non-staff message that @mentions a
    staff member, or that a staff member @mentions back in the same group within ``answer_hours``.
    (The seed: residents @物业, @供热维修, @社区民警 in the groups and staff answer them.)
    Returns a boolean Series aligned with ``messages``."""
    is_staff = messages["is_staff"].fillna(False).astype(bool)
    staff_ids = set(messages.loc[is_staff, "sender_id"])
    mentions = messages["mentions"].fillna("").astype(str)
    mentioned = mentions.loc[mentions != ""].str.split(";").explode()
    mentions_staff = pd.Series(False, index=messages.index)
    mentions_staff.loc[mentioned.index[mentioned.isin(staff_ids)].unique()] = True
    replies = (
        messages.loc[is_staff & (mentions != ""), ["group_id", "sent_at"]]
        .assign(member=mentions[is_staff & (mentions != "")].str.split(";"))
        .explode("member")
    )
    pairs = messages[["msg_id", "group_id", "sender_id", "sent_at"]].merge(
        replies, left_on=["group_id", "sender_id"], right_on=["group_id", "member"], suffixes=("", "_reply")
    )
    delay = pairs["sent_at_reply"] - pairs["sent_at"]
    answered = set(
        pairs.loc[(delay > pd.Timedelta(0)) & (delay <= pd.Timedelta(hours=answer_hours)), "msg_id"]
    )
    return (mentions_staff | messages["msg_id"].isin(answered)) & ~is_staff


def issue_like(messages: pd.DataFrame, tokens: pd.Series) -> pd.Series:
    """Messages worth training the topic model on: part of a staff exchange (:func:`staff_exchange`)
    or naming a governance word (a token containing a lexicon word of :mod:`jiesu.categories`).

    Everyday chatter is ~90% of group traffic; trained on everything, LDA spends its topics on
    groceries and greetings.  The lexicons only *select* training documents; the topics themselves,
    and the vocabulary they attract by co-occurrence, are learned.  ``tokens``: space-joined tokens
    aligned with ``messages``.  Returns a boolean Series aligned with ``messages``."""

    vocabulary = {t for doc in tokens for t in doc.split(" ") if t}
    governance = {t for t in vocabulary if term_category(t) != OTHER}
    names = tokens.map(lambda doc: any(t in governance for t in doc.split(" ")))
    return staff_exchange(messages) | pd.Series(names.to_numpy(), index=messages.index)


def conversation_sessions(messages: pd.DataFrame, *, hours: float = 6.0) -> pd.Series:
    """Session number of each message: one group's messages that follow each other within ``hours``
    form one session.  Returns a Series ``msg_id`` → session (int)."""
    ordered = messages[["msg_id", "group_id", "sent_at"]].sort_values(
        ["group_id", "sent_at", "msg_id"], kind="stable"
    )
    gap = ordered["sent_at"].diff() > pd.Timedelta(hours=hours)
    new = gap | (ordered["group_id"] != ordered["group_id"].shift())
    return pd.Series(new.cumsum().to_numpy(), index=ordered["msg_id"].to_numpy(), name="session")


ME_TOO_PATTERN = r"^\s*(?:\+1|＋1|同问|同样|我家也|我们家也|我们(?:这边|单元|楼|这)也|楼上也|楼下也|好几家|不止一家|一样的问题)"
"""A chat message that opens with a me-too cue (+1, 同问, 我家也是 …) joins an existing report."""


def staff_replies(
    messages: pd.DataFrame, *, categories: pd.Series | None = None, max_hours: float = 72.0
) -> pd.DataFrame:
    """Pair every resident issue report in the chats with the first staff reply to it.

    A **report** is a non-staff 文本 message with an issue category: ``categories`` (a Series aligned with
    ``messages``, category codes, NA for none; e.g. from the topic model) or, by default,
    :func:`jiesu.categories.text_categories` on ``text_simplified``. Follow-ups are not new reports: a message opening
    with a me-too cue (:data:`ME_TOO_PATTERN`: +1, 同问, 我家也是 …), and a categorized message that
    follows a report of the same category in the same group within ``max_hours`` with no staff message
    in between. The **first staff reply** to a report is, within
    ``max_hours``:

    1. the first staff message in the same group that @mentions the reporter, else
    2. the first staff message in the same group after the report and before the next report there.

    Returns
    -------
    One row per report: ``msg_id``, ``group_id``, ``sender_id``, ``sent_at``, ``category``,
    ``reply_msg_id``, ``responder_id`` and ``reply_hours`` (NA when unanswered), ``answered`` (bool).
    """
    msgs = messages.copy()
    msgs["sent_at"] = pd.to_datetime(msgs["sent_at"])
    if categories is None:
        categories = text_categories(msgs["text_simplified"])
    msgs["category"] = categories.reindex(msgs.index)
    me_too = msgs["text_simplified"].fillna("").astype(str).str.contains(ME_TOO_PATTERN, regex=True)
    is_report = (
        ~msgs["is_staff"].astype(bool)
        & (msgs["msg_type"].astype(str) == "文本")
        & msgs["category"].notna()
        & ~me_too
    )
    msgs = msgs.sort_values(["group_id", "sent_at", "msg_id"], kind="stable")
    reports = msgs.loc[is_report.reindex(msgs.index)]
    staff = msgs.loc[msgs["is_staff"].astype(bool)]
    window = pd.Timedelta(hours=max_hours)
    rows = []
    for gid, candidates in reports.groupby("group_id", sort=True):
        group_staff = staff.loc[staff["group_id"] == gid]
        staff_times = group_staff["sent_at"].to_numpy()
        mentions = group_staff["mentions"].fillna("").astype(str).str.split(";").to_numpy()
        first_staff_after = np.searchsorted(staff_times, candidates["sent_at"].to_numpy(), side="right")
        opened: dict[str, tuple[pd.Timestamp, int]] = {}
        keep = []
        for rep, start in zip(candidates.itertuples(), first_staff_after, strict=True):
            previous = opened.get(rep.category)
            if previous is not None and previous[1] == start and rep.sent_at - previous[0] <= window:
                continue  # a follow-up of an open report: no staff message since
            opened[rep.category] = (rep.sent_at, start)
            keep.append((rep, start))
        for i, (rep, start) in enumerate(keep):
            stop = np.searchsorted(staff_times, np.datetime64(rep.sent_at + window), side="right")
            chosen = next((j for j in range(start, stop) if rep.sender_id in mentions[j]), None)
            if chosen is None and start < stop:
                next_report = keep[i + 1][0].sent_at if i + 1 < len(keep) else None
                if next_report is None or staff_times[start] < np.datetime64(next_report):
                    chosen = start
            if chosen is None:
                rows.append((rep.msg_id, gid, rep.sender_id, rep.sent_at, rep.category, None, None, np.nan))
            else:
                reply = group_staff.iloc[chosen]
                hours = (reply["sent_at"] - rep.sent_at) / pd.Timedelta(hours=1)
                rows.append(
                    (
                        rep.msg_id,
                        gid,
                        rep.sender_id,
                        rep.sent_at,
                        rep.category,
                        reply["msg_id"],
                        reply["sender_id"],
                        hours,
                    )
                )
    out = pd.DataFrame(
        rows,
        columns=[
            "msg_id",
            "group_id",
            "sender_id",
            "sent_at",
            "category",
            "reply_msg_id",
            "responder_id",
            "reply_hours",
        ],
    )
    out["reply_hours"] = out["reply_hours"].astype(float)
    out["answered"] = out["reply_msg_id"].notna()
    return out


CLOSING_CUES = (
    "修好",
    "已修",
    "已处理",
    "处理好",
    "处理完",
    "已解决",
    "解决了",
    "已清理",
    "清理完",
    "清理干净",
    "已更换",
    "换好",
    "已完成",
    "办结",
    "已安排",
    "已疏通",
    "疏通了",
    "恢复正常",
    "已恢复",
    "搞定",
    "已加固",
    "已拆除",
    "已劝离",
    "已清走",
    "已清运",
)
"""Words with which staff report in the group that an issue is done (closing messages, often with a photo)."""


def issue_messages(messages: pd.DataFrame, categories: pd.Series, *, dedupe_hours: float = 6) -> pd.DataFrame:
    """Residents' issue messages: non-staff text messages with a category (``categories``: msg_id →
    code, messages absent or ``"other"`` are not issues); repeats of the same category in the same group within ``dedupe_hours``
    of the previous one (我家也是, +1, follow-ups) are folded into the first.  Returns ``msg_id``,
    ``group_id``, ``sender_id``, ``sent_at``, ``text``, ``category``."""
    frame = messages.loc[
        (messages["msg_type"] == "文本") & ~messages["is_staff"].fillna(False).astype(bool),
        ["msg_id", "group_id", "sender_id", "sent_at", "text"],
    ]
    frame = frame.assign(category=frame["msg_id"].map(categories).fillna(OTHER))
    frame = frame.loc[frame["category"] != OTHER].sort_values(
        ["group_id", "category", "sent_at"], kind="stable"
    )
    gap = frame["sent_at"].diff() > pd.Timedelta(hours=dedupe_hours)
    first = (
        gap
        | (frame["group_id"] != frame["group_id"].shift())
        | (frame["category"] != frame["category"].shift())
    )
    return frame.loc[first].sort_values("sent_at", kind="stable").reset_index(drop=True)


def chat_issues(messages: pd.DataFrame, *, answer_hours: float = 24) -> pd.DataFrame:
    """Issues raised in the WeChat groups, per month: resident (non-staff) messages that @mention a
    staff member or are @-answered by staff within ``answer_hours`` (:func:`jiesu.analysis.topics.staff_exchange`),
    counted once per sender, group and day (one issue thread, not every message of it).

    Returns ``month``, ``chat_issues`` (threads) and ``chat_messages`` (all messages that month, for
    scale)."""

    taken_up = messages.loc[staff_exchange(messages, answer_hours=answer_hours).to_numpy()]
    threads = taken_up.assign(day=taken_up["sent_at"].dt.normalize()).drop_duplicates(
        ["group_id", "sender_id", "day"]
    )
    issues = threads.groupby(threads["sent_at"].dt.strftime("%Y-%m")).size().rename("chat_issues")
    volume = messages.groupby(messages["sent_at"].dt.strftime("%Y-%m")).size().rename("chat_messages")
    out = pd.concat([issues, volume], axis=1).fillna(0).astype("int64")
    out.index.name = "month"
    return out.reset_index()
