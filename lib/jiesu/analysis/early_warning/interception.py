"""Interception (截留): chat issues settled in the groups before they reach 12345."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.analysis.chats import CLOSING_CUES
from jiesu.analysis.early_warning.leadlag import _case_codes
from jiesu.categories import OTHER


def message_categories(
    doc_topics: pd.DataFrame, topics: pd.DataFrame, *, min_weight: float = 0.4
) -> pd.Series:
    """Category code of each message from its dominant topic's label (``"other"`` for chatter topics,
    no known word, or a dominant weight below ``min_weight``), indexed by ``msg_id``."""
    code_of_topic = dict(zip(topics["topic"], topics["category"], strict=True))
    codes = doc_topics["topic"].astype(int).map(code_of_topic).fillna(OTHER)
    codes = codes.where(doc_topics["weight"] >= min_weight, OTHER)
    return pd.Series(codes.to_numpy(), index=doc_topics["msg_id"].to_numpy(), name="category")


def interception(
    issues: pd.DataFrame,
    messages: pd.DataFrame,
    cases: pd.DataFrame,
    *,
    answer_hours: float = 24,
    close_days: float = 7,
    case_days: float = 14,
    sender_households: pd.Series | None = None,
    group_buildings: pd.Series | None = None,
) -> pd.DataFrame:
    """For every issue message: answered and closed in the group? how fast? did 12345 get it anyway?

    Parameters
    ----------
    issues : issue messages: ``msg_id``, ``group_id``, ``sender_id``, ``sent_at``, ``category`` (code).
    messages : all messages of the groups (``group_id``, ``sender_id``, ``sent_at``, ``msg_type``, ``text``,
        ``is_staff``, ``mentions``).
    cases : 12345 cases: ``received_at``, ``category`` (二级分类 label), ``household_id``.
    answer_hours : a staff message in the same group within this many hours answers the issue.
    close_days : a staff closing message (text with a :data:`CLOSING_CUES` word, or a staff photo) in the
        group after the answer and within this many days of the issue closes it.  The answer is the
        first staff message that @mentions the reporter within ``answer_hours``, else the first staff
        message in the group.
    case_days : a 12345 case of the same category within this many days after the message means the
        issue reached 12345 anyway; it must come from the sender's household when both are known
        (``sender_households``: sender_id → household_id), else from the group's building when known
        (``group_buildings``: group_id → building, and the case household's building), else any case.

    Returns
    -------
    ``issues`` with ``answered`` (bool), ``answer_hours``, ``closed_in_group`` (bool), ``close_hours``,
    ``reached_12345`` (bool), ``intercepted`` (closed in the group and no case), one row per issue.
    """
    issues = issues.reset_index(drop=True)
    key = pd.RangeIndex(len(issues))
    staff = messages.loc[
        messages["is_staff"].fillna(False).astype(bool),
        ["group_id", "sent_at", "msg_type", "text", "mentions"],
    ]
    text = staff["text"].fillna("").astype(str)
    closing = (
        text.str.contains("|".join(CLOSING_CUES), regex=True)
        | staff["msg_type"].eq("图片")
        | text.str.contains(r"\[图片\]", regex=True)
    )
    base = issues[["group_id", "sender_id", "sent_at"]].assign(key=key)

    def first_after(
        left: pd.DataFrame, right: pd.DataFrame, on: str, by: list[str], within: pd.Timedelta
    ) -> pd.Series:
        """Time of the first ``right`` row strictly after ``left[on]`` (same ``by``) within ``within``."""
        left = left.dropna(subset=[on]).sort_values(on, kind="stable")
        right = right.sort_values("at", kind="stable")
        if left.empty or right.empty:
            return pd.Series(pd.NaT, index=key, dtype="datetime64[us]")
        merged = pd.merge_asof(
            left.astype({on: "datetime64[us]"}),
            right.astype({"at": "datetime64[us]"}),
            left_on=on,
            right_on="at",
            by=by,
            direction="forward",
            allow_exact_matches=False,
            tolerance=within,
        )
        return merged.set_index("key")["at"].reindex(key)

    replies = staff[["group_id", "sent_at"]].rename(columns={"sent_at": "at"})
    mentioned = staff.assign(sender_id=staff["mentions"].fillna("").astype(str).str.split(";")).explode(
        "sender_id"
    )
    mentioned = mentioned.loc[mentioned["sender_id"] != "", ["group_id", "sender_id", "sent_at"]].rename(
        columns={"sent_at": "at"}
    )
    answer_window = pd.Timedelta(hours=answer_hours)
    answered_at = first_after(base, mentioned, "sent_at", ["group_id", "sender_id"], answer_window).fillna(
        first_after(base, replies, "sent_at", ["group_id"], answer_window)
    )
    closes = staff.loc[closing, ["group_id", "sent_at"]].rename(columns={"sent_at": "at"})
    from_answer = base.assign(answered_at=answered_at.to_numpy())
    closed_at = first_after(from_answer, closes, "answered_at", ["group_id"], pd.Timedelta(days=close_days))
    closed_at = closed_at.where(closed_at <= issues["sent_at"] + pd.Timedelta(days=close_days))

    cases = cases.assign(category=_case_codes(cases).to_numpy(), at=cases["received_at"])
    cases = cases.assign(
        building=cases["household_id"].map(
            lambda h: int(h[:2]) if isinstance(h, str) and h[:2].isdigit() else -1
        )
    )
    household = (
        issues["sender_id"].map(sender_households)
        if sender_households is not None
        else pd.Series(None, index=key, dtype=object)
    )
    building = (
        issues["group_id"].map(group_buildings)
        if group_buildings is not None
        else pd.Series(np.nan, index=key)
    )
    case_window = pd.Timedelta(days=case_days)
    cat_base = base.assign(
        category=issues["category"].to_numpy(),
        household_id=household.to_numpy(),
        building=pd.to_numeric(building, errors="coerce").fillna(-1).astype(int).to_numpy(),
    )
    known_household = cat_base["household_id"].notna()
    by_household = first_after(
        cat_base.loc[known_household],
        cases.loc[cases["household_id"].notna(), ["household_id", "category", "at"]],
        "sent_at",
        ["household_id", "category"],
        case_window,
    )
    known_building = ~known_household & (cat_base["building"] >= 0)
    by_building = first_after(
        cat_base.loc[known_building],
        cases[["building", "category", "at"]],
        "sent_at",
        ["building", "category"],
        case_window,
    )
    anywhere = ~known_household & ~known_building
    by_category = first_after(
        cat_base.loc[anywhere], cases[["category", "at"]], "sent_at", ["category"], case_window
    )
    reached = by_household.notna() | by_building.notna() | by_category.notna()

    out = issues.copy()
    out["answered"] = answered_at.notna().to_numpy()
    out["answer_hours"] = ((answered_at - issues["sent_at"]).dt.total_seconds() / 3600).to_numpy()
    out["closed_in_group"] = closed_at.notna().to_numpy()
    out["close_hours"] = ((closed_at - issues["sent_at"]).dt.total_seconds() / 3600).to_numpy()
    out["reached_12345"] = reached.to_numpy()
    out["intercepted"] = out["closed_in_group"] & ~out["reached_12345"]
    return out


def monthly_interception(table: pd.DataFrame) -> pd.DataFrame:
    """Monthly summary of :func:`interception`: ``month``, ``issues``, ``closed_in_group``,
    ``reached_12345``, ``interception_share`` (issues closed in the group that did not reach 12345,
    over issues), ``median_close_hours``."""
    frame = table.assign(month=table["sent_at"].dt.strftime("%Y-%m"))
    out = (
        frame.groupby("month")
        .agg(
            issues=("msg_id", "size"),
            closed_in_group=("closed_in_group", "sum"),
            reached_12345=("reached_12345", "sum"),
            intercepted=("intercepted", "sum"),
            median_close_hours=("close_hours", "median"),
        )
        .reset_index()
    )
    out["interception_share"] = (out["intercepted"] / out["issues"]).round(4)
    out["median_close_hours"] = out["median_close_hours"].round(1)
    return out[
        ["month", "issues", "closed_in_group", "reached_12345", "interception_share", "median_close_hours"]
    ]
