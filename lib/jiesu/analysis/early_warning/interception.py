"""Interception (截留): chat issues settled in the groups before they reach 12345."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.categories import OTHER, label_codes


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
    cases: pd.DataFrame,
    *,
    case_days: float = 14,
    sender_households: pd.Series | None = None,
    group_buildings: pd.Series | None = None,
) -> pd.DataFrame:
    """Which chat issues were settled in the group before they reached 12345 (截留).

    Parameters
    ----------
    issues : :func:`jiesu.analysis.chats.chat_issues` (``msg_id``, ``group_id``, ``sender_id``,
        ``sent_at``, ``category``, ``closed_in_group`` …).
    cases : 12345 cases: ``received_at``, ``category`` (二级分类 label), ``household_id``.
    case_days : a 12345 case of the same category within this many days after the issue means it
        reached 12345 anyway; it must come from the sender's household when both are known
        (``sender_households``: sender_id → household_id), else from the group's building when known
        (``group_buildings``: group_id → building, and the case household's building), else any case.

    Returns
    -------
    ``issues`` with ``reached_12345`` (bool) and ``intercepted`` (closed in the group and no case).
    """
    issues = issues.reset_index(drop=True)
    key = pd.RangeIndex(len(issues))
    cases = cases.assign(category=label_codes(cases["category"]).to_numpy(), at=cases["received_at"])
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
    base = issues[["sent_at"]].assign(
        key=key,
        category=issues["category"].to_numpy(),
        household_id=household.to_numpy(),
        building=pd.to_numeric(building, errors="coerce").fillna(-1).astype(int).to_numpy(),
    )
    window = pd.Timedelta(days=case_days)
    known_household = base["household_id"].notna()
    known_building = ~known_household & (base["building"] >= 0)
    found = [
        _first_case(
            base.loc[known_household],
            cases.loc[cases["household_id"].notna()],
            ["household_id", "category"],
            window,
        ),
        _first_case(base.loc[known_building], cases, ["building", "category"], window),
        _first_case(base.loc[~known_household & ~known_building], cases, ["category"], window),
    ]
    reached = pd.concat(found).reindex(key).notna()
    out = issues.copy()
    out["reached_12345"] = reached.to_numpy()
    out["intercepted"] = out["closed_in_group"].astype(bool) & ~out["reached_12345"]
    return out


def _first_case(base: pd.DataFrame, cases: pd.DataFrame, by: list[str], window: pd.Timedelta) -> pd.Series:
    """Time of the first case of the same ``by`` within ``window`` after each issue (NaT if none), by key."""
    if base.empty:
        return pd.Series(dtype="datetime64[us]")
    merged = pd.merge_asof(
        base.sort_values("sent_at", kind="stable").astype({"sent_at": "datetime64[us]"}),
        cases[[*by, "at"]].sort_values("at", kind="stable").astype({"at": "datetime64[us]"}),
        left_on="sent_at",
        right_on="at",
        by=by,
        direction="forward",
        allow_exact_matches=False,
        tolerance=window,
    )
    return merged.set_index("key")["at"]


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
