"""Who the network reaches: group reach, team responsiveness, and 12345 complainants outside 园园's reach."""

from __future__ import annotations

import pandas as pd

from jiesu.analysis.registry import received_between
from jiesu.categories import label_of
from jiesu.privacy import suppress_small

STAFF_REPLY_HOURS = (2, 24)
"""Response-time thresholds reported for team responsiveness (hours)."""


def group_reach(
    groups: pd.DataFrame,
    memberships: pd.DataFrame,
    friends: pd.DataFrame,
    households: pd.DataFrame,
    messages: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """How far each of 园园's groups reaches into the registry.

    Returns
    -------
    One row per group (sorted by households reached, desc): ``group_id``, ``group_name``, ``kind``,
    ``members``, ``households`` (distinct households of linked members), ``household_share`` (of all
    registry households, 0–1), ``buildings`` (distinct), ``vulnerable_households``, and with
    ``messages``: ``messages`` and ``active_senders``.
    """
    link = (
        friends.dropna(subset=["member_id"])
        .drop_duplicates("member_id")
        .set_index("member_id")["household_id"]
    )
    frame = memberships[["group_id", "member_id"]].drop_duplicates().copy()
    frame["household_id"] = frame["member_id"].astype(str).map(link)
    hh = households.set_index("household_id")
    frame["building"] = frame["household_id"].map(hh["building"])
    vulnerable = hh["vulnerable"].fillna(False).astype(bool)
    frame["vulnerable_household"] = frame["household_id"].where(
        frame["household_id"].map(vulnerable).fillna(False).astype(bool)
    )
    table = frame.groupby("group_id").agg(
        members=("member_id", "nunique"),
        households=("household_id", "nunique"),
        buildings=("building", "nunique"),
        vulnerable_households=("vulnerable_household", "nunique"),
    )
    table["household_share"] = table["households"] / max(1, len(households))
    out = groups[["group_id", "group_name", "kind"]].merge(table.reset_index(), on="group_id", how="left")
    for col in ("members", "households", "buildings", "vulnerable_households"):
        out[col] = out[col].fillna(0).astype(int)
    out["household_share"] = out["household_share"].fillna(0.0)
    if messages is not None:
        stats = messages.groupby("group_id").agg(
            messages=("msg_id", "size"), active_senders=("sender_id", "nunique")
        )
        out = out.merge(stats.reset_index(), on="group_id", how="left")
        out["messages"] = out["messages"].fillna(0).astype(int)
        out["active_senders"] = out["active_senders"].fillna(0).astype(int)
    return out.sort_values(["households", "group_id"], ascending=[False, True]).reset_index(drop=True)


def team_responsiveness(
    issues: pd.DataFrame, teams: pd.DataFrame, *, thresholds_hours: tuple[float, ...] = STAFF_REPLY_HOURS
) -> dict[str, pd.DataFrame]:
    """Who answers residents' reports, and how fast, per issue category.

    Parameters
    ----------
    issues : :func:`jiesu.analysis.chats.chat_issues` (who answered each issue, and how fast).
    teams : processed ``teams`` (``member_id`` → ``team``); a responder in no team is ``园园/其他``.

    Returns
    -------
    ``{"by_category": …, "by_team": …, "by_member": …}``:

    * ``by_category``: ``category`` (code), ``label``, ``reports``, ``answered_share`` (0–1),
      ``median_hours`` (to the first staff reply, answered reports only), ``within_2h``/``within_24h``
      (share of *all* reports answered within the threshold), ``top_team``;
    * ``by_team``: ``category``, ``label``, ``team``, ``replies``, ``share`` (of the category's answered
      reports), ``median_hours``;
    * ``by_member``: ``category``, ``label``, ``responder_id`` (pseudonym), ``team``, ``replies``,
      ``median_hours``.
    """

    team_of = teams.drop_duplicates("member_id").set_index("member_id")["team"]
    frame = issues.assign(team=issues["responder_id"].map(team_of))
    frame.loc[frame["answered"] & frame["team"].isna(), "team"] = "园园/其他"
    grouped = frame.groupby("category", sort=True)
    by_category = pd.DataFrame(
        {
            "reports": grouped.size(),
            "answered_share": grouped["answered"].mean(),
            "median_hours": grouped["answer_hours"].median(),
        }
    )
    for hours in thresholds_hours:
        by_category[f"within_{hours:g}h"] = grouped["answer_hours"].apply(
            lambda h, t=hours: float((h <= t).mean())
        )
    answered = frame.loc[frame["answered"]]
    team_counts = (
        answered.groupby(["category", "team"])
        .agg(replies=("msg_id", "size"), median_hours=("answer_hours", "median"))
        .reset_index()
    )
    team_counts["share"] = team_counts["replies"] / team_counts.groupby("category")["replies"].transform(
        "sum"
    )
    team_counts = team_counts.sort_values(["category", "replies", "team"], ascending=[True, False, True])
    by_category["top_team"] = team_counts.drop_duplicates("category").set_index("category")["team"]
    by_category = by_category.reset_index()
    by_category.insert(1, "label", by_category["category"].map(label_of))
    by_member = (
        answered.groupby(["category", "responder_id", "team"])
        .agg(replies=("msg_id", "size"), median_hours=("answer_hours", "median"))
        .reset_index()
    )
    by_member = by_member.sort_values(["category", "replies", "responder_id"], ascending=[True, False, True])
    team_counts["label"] = team_counts["category"].map(label_of)
    by_member.insert(1, "label", by_member["category"].map(label_of))
    return {
        "by_category": by_category,
        "by_team": team_counts[["category", "label", "team", "replies", "share", "median_hours"]].reset_index(
            drop=True
        ),
        "by_member": by_member.reset_index(drop=True),
    }


COMPLAINANT_COLUMNS = (
    "complainant_id",
    "household_id",
    "building",
    "cases",
    "first_case",
    "last_case",
    "categories",
    "repeat",
    "is_friend",
    "household_covered",
    "groups",
    "group_kinds",
    "outside_reach",
)
"""Columns of :func:`complainant_linkage`, one row per complainant."""


def complainant_linkage(
    cases: pd.DataFrame,
    households: pd.DataFrame,
    friends: pd.DataFrame,
    memberships: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    start=None,
    end=None,
    repeat_threshold: int = 3,
) -> pd.DataFrame:
    """12345 complainants matched to registry households and to 园园's groups.

    Considers cases with ``start <= received_at < end`` (bounds optional) that ingest linked to a
    resident (``complainant_id``). A **repeat complainant** called at least ``repeat_threshold`` times.

    Returns
    -------
    One row per complainant (most cases first): ``complainant_id`` (pseudonym), ``household_id``,
    ``building``, ``cases``, ``first_case``, ``last_case``, ``categories`` (``、``-joined labels),
    ``repeat`` (≥ ``repeat_threshold`` cases), ``is_friend`` (the complainant is a friend of 园园), ``household_covered``
    (someone in the household is), ``groups`` (number of 园园's groups the complainant is in),
    ``group_kinds`` (``、``-joined), ``outside_reach`` (the household is not covered: 园园 cannot hear this
    family's "未尽诉求" before it becomes a hotline call).
    """

    mask = cases["complainant_id"].notna() & received_between(cases, start, end)
    linked = cases.loc[mask].assign(received_at=pd.to_datetime(cases.loc[mask, "received_at"]))
    if linked.empty:
        return pd.DataFrame(columns=list(COMPLAINANT_COLUMNS))
    per = (
        linked.sort_values("received_at", kind="stable")
        .groupby("complainant_id", sort=True)
        .agg(
            household_id=("household_id", lambda s: s.dropna().mode().iloc[0] if s.notna().any() else None),
            cases=("case_id", "size"),
            first_case=("received_at", "min"),
            last_case=("received_at", "max"),
            categories=("category", lambda s: "、".join(dict.fromkeys(s.dropna().astype(str)))),
        )
        .reset_index()
    )
    per["building"] = (
        per["household_id"].map(households.set_index("household_id")["building"]).astype("Int64")
    )
    per["repeat"] = per["cases"] >= repeat_threshold
    friend_residents = set(friends["resident_id"].dropna().astype(str))
    covered = set(friends["household_id"].dropna().astype(str))
    per["is_friend"] = per["complainant_id"].astype(str).isin(friend_residents)
    per["household_covered"] = per["household_id"].astype("str").isin(covered)
    member_of = friends.dropna(subset=["resident_id", "member_id"])[["resident_id", "member_id"]]
    kind_of = groups.set_index("group_id")["kind"]
    joined = member_of.merge(memberships[["group_id", "member_id"]], on="member_id").drop_duplicates(
        ["resident_id", "group_id"]
    )
    joined["kind"] = joined["group_id"].map(kind_of)
    group_counts = joined.groupby("resident_id")["group_id"].nunique()
    kinds = joined.groupby("resident_id")["kind"].agg(
        lambda s: "、".join(sorted(set(s.dropna().astype(str))))
    )
    per["groups"] = per["complainant_id"].map(group_counts).fillna(0).astype(int)
    per["group_kinds"] = per["complainant_id"].map(kinds).fillna("").astype("str")
    per["outside_reach"] = ~per["household_covered"]
    return (
        per[list(COMPLAINANT_COLUMNS)]
        .sort_values(["cases", "complainant_id"], ascending=[False, True])
        .reset_index(drop=True)
    )


def complainants_by_building(linkage: pd.DataFrame, *, threshold: int = 5) -> pd.DataFrame:
    """:func:`complainant_linkage` summed per building, for reports: ``building``, ``complainants``,
    ``repeat``, ``outside_reach`` (complainants), ``cases``, ``outside_reach_cases``. Counts from 1 to
    ``threshold`` − 1 are suppressed (``<NA>``), as resident-level counts under 5 must be."""

    frame = linkage.dropna(subset=["building"])
    table = (
        frame.groupby("building")
        .agg(
            complainants=("complainant_id", "size"),
            repeat=("repeat", "sum"),
            outside_reach=("outside_reach", "sum"),
            cases=("cases", "sum"),
            outside_reach_cases=("cases", lambda c: int(c[frame.loc[c.index, "outside_reach"]].sum())),
        )
        .reset_index()
    )
    counts = ["complainants", "repeat", "outside_reach", "cases", "outside_reach_cases"]
    return suppress_small(table, counts, threshold=threshold)
