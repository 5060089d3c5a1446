"""What happens in the community's WeChat groups, defined once: which messages can carry an issue,
who takes issues up with staff, and the one definition of a chat issue (a resident raises it, staff
answer it, staff close it) that interception, team responsiveness and channel substitution all count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jiesu.categories import OTHER, term_category, text_categories
from jiesu.months import month_of


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


@dataclass(frozen=True)
class IssueRules:
    """The one definition of a chat issue (see :func:`chat_issues`), every window named.

    answer_hours : a staff message in the same group within this many hours answers the issue; a
        staff @-mention of the reporter within it also makes the message an issue.
    adjacent_hours : a categorized resident message that the very next message of the group answers,
        from staff and within this many hours, is an issue even without an @-mention.
    fold_hours : a further message of the same sender, group and category within this many hours is
        the same issue (a follow-up, a photo caption), not a new one.
    close_days : a staff closing message (a :data:`CLOSING_CUES` word, or a staff photo) in the group
        after the answer and within this many days of the issue closes it.
    """

    answer_hours: float = 24.0
    adjacent_hours: float = 1.0
    fold_hours: float = 6.0
    close_days: float = 7.0


ISSUE_COLUMNS = (
    "msg_id",
    "group_id",
    "sender_id",
    "sent_at",
    "category",
    "answered",
    "reply_msg_id",
    "responder_id",
    "answer_hours",
    "closed_in_group",
    "close_hours",
)
"""Columns of :func:`chat_issues`, one row per issue."""


def chat_issues(
    messages: pd.DataFrame, categories: pd.Series | None = None, rules: IssueRules = IssueRules()
) -> pd.DataFrame:
    """Issues residents raised in the groups, whether staff answered them, and whether staff closed them.

    The one definition that interception, team responsiveness and channel substitution all count:

    1. **Raised.** A resident (non-staff) text message, not a me-too cue (:data:`ME_TOO_PATTERN`), that
       staff take up: the resident @-mentions a staff member, or staff @-mention the resident back
       within ``answer_hours`` (:func:`staff_exchange`); or that has an issue category and is answered
       by the very next message of the group, from staff, within ``adjacent_hours``.
    2. **One issue, not several.** Further raised messages of the same sender, group and category
       within ``fold_hours`` of the first fold into it.
    3. **Answered.** The first staff message in the group within ``answer_hours`` that @-mentions the
       reporter, else the first staff message in the group within ``answer_hours``.
    4. **Closed in the group.** A closing message (a :data:`CLOSING_CUES` word, or a photo) from the staff
       member who answered, in the group, after the answer and within ``close_days`` of the issue: in a
       busy group another thread's closing note must not close this one.

    Parameters
    ----------
    messages : processed ``messages`` (``msg_id``, ``group_id``, ``sender_id``, ``sent_at``, ``msg_type``,
        ``text``, ``text_simplified``, ``mentions``, ``is_staff``).
    categories : issue category code of each message (indexed by ``msg_id``; ``"other"`` or missing =
        none), e.g. from a topic model; default :func:`jiesu.categories.text_categories` of the text.
    rules : the windows, :class:`IssueRules`.

    Returns
    -------
    One row per issue, :data:`ISSUE_COLUMNS`: ``category`` (code, ``"other"`` when unknown),
    ``answered`` (bool), ``reply_msg_id``/``responder_id`` (the answering staff message and sender),
    ``answer_hours`` and ``close_hours`` (hours from the issue; NaN when not answered/closed),
    ``closed_in_group`` (bool).  Sorted by ``sent_at``.

    On the synthetic world (seed 0) these issues are the planted reports with precision 0.919 and
    recall 0.879 (small preset), 0.800 / 0.849 (full); ``tests/analysis/test_chats.py`` pins them.
    """
    # only the columns the rules read: sorting the raw text column along would double the cost
    needed = [
        "msg_id",
        "group_id",
        "sender_id",
        "sent_at",
        "msg_type",
        "text_simplified",
        "mentions",
        "is_staff",
    ]
    ordered = (
        messages[needed]
        .assign(has_text=messages["text"].notna(), closing=_closing(messages))
        .sort_values(["group_id", "sent_at", "msg_id"], kind="stable")
        .reset_index(drop=True)
    )
    is_staff = ordered["is_staff"].fillna(False).astype(bool)
    texts = ordered["msg_type"].eq("文本") & ordered["has_text"]
    if categories is None:
        codes = text_categories(ordered["text_simplified"]).fillna(OTHER)
    else:
        codes = ordered["msg_id"].map(categories).fillna(OTHER)
    codes = codes.where(codes.ne("nan"), OTHER).astype(object)
    exchange = staff_exchange(ordered.loc[texts], answer_hours=rules.answer_hours).reindex(ordered.index)
    exchange = exchange.fillna(False).astype(bool)
    next_is_staff = is_staff.shift(-1, fill_value=False) & ordered["group_id"].eq(
        ordered["group_id"].shift(-1)
    )
    gap = ordered["sent_at"].shift(-1) - ordered["sent_at"]
    adjacent = next_is_staff & (gap <= pd.Timedelta(hours=rules.adjacent_hours)) & codes.ne(OTHER)
    me_too = ordered["text_simplified"].fillna("").astype(str).str.contains(ME_TOO_PATTERN, regex=True)
    raised = texts & ~is_staff & ~me_too & (exchange | adjacent)
    issues = _fold(ordered.loc[raised].assign(category=codes[raised]), rules.fold_hours)
    staff = ordered.loc[is_staff]
    answered = _first_answer(issues, staff, rules.answer_hours)
    closed_at = _first_close(issues, answered, staff, rules.close_days)
    hours = pd.Timedelta(hours=1)
    out = issues[["msg_id", "group_id", "sender_id", "sent_at", "category"]].copy()
    out["answered"] = answered["answered_at"].notna().to_numpy()
    out["reply_msg_id"] = answered["reply_msg_id"].to_numpy()
    out["responder_id"] = answered["responder_id"].to_numpy()
    out["answer_hours"] = ((answered["answered_at"] - issues["sent_at"]) / hours).astype(float).to_numpy()
    out["closed_in_group"] = closed_at.notna().to_numpy()
    out["close_hours"] = ((closed_at - issues["sent_at"]) / hours).astype(float).to_numpy()
    return out.sort_values(["sent_at", "msg_id"], kind="stable").reset_index(drop=True)[list(ISSUE_COLUMNS)]


def _fold(raised: pd.DataFrame, fold_hours: float) -> pd.DataFrame:
    """Keep the first raised message of each run of one sender, group and category (rule 2)."""
    frame = raised.sort_values(["group_id", "sender_id", "category", "sent_at"], kind="stable")
    same = (
        frame["group_id"].eq(frame["group_id"].shift())
        & frame["sender_id"].eq(frame["sender_id"].shift())
        & frame["category"].eq(frame["category"].shift())
    )
    # measured from the previous raised message: a running follow-up keeps folding
    near = (frame["sent_at"] - frame["sent_at"].shift()) <= pd.Timedelta(hours=fold_hours)
    return frame.loc[~(same & near)].reset_index(drop=True)


def _first_after(
    left: pd.DataFrame, right: pd.DataFrame, by: list[str], within: pd.Timedelta, *, on: str = "sent_at"
) -> pd.DataFrame:
    """For each ``left`` row, the first ``right`` row of the same ``by`` strictly after ``left[on]`` and
    within ``within`` (columns of ``right`` prefixed ``r_``; NaT/NA where none).  ``left`` needs ``key``."""
    right = right.rename(columns={c: f"r_{c}" for c in right.columns if c not in by})
    found = [c for c in right.columns if c not in by]
    valid = left.dropna(subset=[on]).sort_values(on, kind="stable")
    if valid.empty or right.empty:
        empty = pd.DataFrame(index=pd.Index(left["key"], name="key"), columns=found, dtype=object)
        return empty.astype({"r_sent_at": "datetime64[us]"})
    merged = pd.merge_asof(
        valid.astype({on: "datetime64[us]"}),
        right.sort_values("r_sent_at", kind="stable").astype({"r_sent_at": "datetime64[us]"}),
        left_on=on,
        right_on="r_sent_at",
        by=by,
        direction="forward",
        allow_exact_matches=False,
        tolerance=within,
    )
    return merged.set_index("key")[found].reindex(left["key"])


def _first_answer(issues: pd.DataFrame, staff: pd.DataFrame, answer_hours: float) -> pd.DataFrame:
    """``answered_at``, ``reply_msg_id``, ``responder_id`` of each issue (rule 3), aligned with ``issues``."""
    base = issues[["group_id", "sender_id", "sent_at"]].assign(key=np.arange(len(issues)))
    window = pd.Timedelta(hours=answer_hours)
    replies = staff[["group_id", "sent_at", "msg_id", "sender_id"]].rename(columns={"sender_id": "responder"})
    mentioned = staff.assign(reporter=staff["mentions"].fillna("").astype(str).str.split(";")).explode(
        "reporter"
    )
    mentioned = mentioned.loc[
        mentioned["reporter"] != "", ["group_id", "reporter", "sent_at", "msg_id", "sender_id"]
    ]
    mentioned = mentioned.rename(columns={"reporter": "sender_id", "sender_id": "responder"})
    by_mention = _first_after(base, mentioned, ["group_id", "sender_id"], window)
    by_group = _first_after(base.drop(columns="sender_id"), replies, ["group_id"], window)
    chosen = by_mention.where(by_mention["r_sent_at"].notna(), by_group)
    return pd.DataFrame(
        {
            "answered_at": chosen["r_sent_at"].to_numpy(),
            "reply_msg_id": chosen["r_msg_id"].to_numpy(),
            "responder_id": chosen["r_responder"].to_numpy(),
        },
        index=issues.index,
    )


def _closing(messages: pd.DataFrame) -> pd.Series:
    """Whether a staff message can close an issue (rule 4): a :data:`CLOSING_CUES` word or a photo."""
    staff = messages["is_staff"].fillna(False).astype(bool)
    text = messages["text"].where(staff).fillna("").astype(str)
    closing = text.str.contains("|".join(CLOSING_CUES), regex=True) | messages["msg_type"].eq("图片")
    closing |= text.str.contains(r"\[图片\]", regex=True)
    return closing & staff


def _first_close(
    issues: pd.DataFrame, answered: pd.DataFrame, staff: pd.DataFrame, close_days: float
) -> pd.Series:
    """Time of the closing message of each issue (rule 4), NaT when none, aligned with ``issues``."""
    closes = staff.loc[staff["closing"], ["group_id", "sender_id", "sent_at"]].rename(
        columns={"sender_id": "responder"}
    )
    base = issues[["group_id"]].assign(
        key=np.arange(len(issues)),
        sent_at=answered["answered_at"].to_numpy(),
        responder=answered["responder_id"].to_numpy(),
    )
    base = base.loc[base["responder"].notna()]
    window = pd.Timedelta(days=close_days)
    found = _first_after(base, closes, ["group_id", "responder"], window)["r_sent_at"]
    found = found.reindex(np.arange(len(issues)))
    found = pd.Series(found.to_numpy(), index=issues.index)
    return found.where(found <= issues["sent_at"] + window)


def monthly_chat_issues(issues: pd.DataFrame, messages: pd.DataFrame) -> pd.DataFrame:
    """Chat issues per month beside the month's message volume: ``month``, ``chat_issues`` (from
    :func:`chat_issues`) and ``chat_messages`` (all messages that month, for scale); months with
    messages and no issue have 0."""
    issue_counts = issues.groupby(month_of(issues["sent_at"])).size().rename("chat_issues")
    volume = messages.groupby(month_of(messages["sent_at"])).size().rename("chat_messages")
    out = pd.concat([issue_counts, volume], axis=1).fillna(0).astype("int64")
    out.index.name = "month"
    return out.reset_index().sort_values("month").reset_index(drop=True)
