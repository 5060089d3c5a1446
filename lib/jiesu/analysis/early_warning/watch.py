"""What to watch this week and what to prepare for next month: the watch list and the seasonal checklist."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu import categories
from jiesu.analysis.early_warning.bursts import DAY, term_occurrences
from jiesu.categories import BY_CODE, CATEGORIES, OTHER, TEAMS, label_of

SEASONAL_ACTIONS: dict[str, str] = {
    "heating": "供暖季前：入户试水、排查暖气片和阀门漏水，公布供热报修电话",
    "flood": "雨季前：清理路侧雨篦子和下水道，维护顶层防雨层，备好沙袋和抽水泵",
    "wind": "大风季前：巡查阳台花盆、广告牌和松动窗户，提醒住户防范高空坠物",
    "garbage": "检查桶站清运频次和分类投放指导，安排志愿者值守",
    "epidemic": "核对出入登记和返京人员，备足口罩等防疫物资",
    "lighting": "巡查楼道灯和声控灯，更换损坏灯泡",
    "parking": "巡查车棚和电动车充电，清理占道停车",
    "noise": "提示装修时间规定，协调广场舞音量和时间",
    "vendors": "与城管联动巡查无照商贩和占道经营",
    "security": "检查门禁和监控，提醒防盗",
}
"""What to do before each category's season (from the seed article: 雨季来临前清理雨篦子、防雨层维护；
春季大风前提前巡逻，防范高空坠物)."""


def owner_team(code: str) -> str:
    """Chinese name of the backbone team that should act first on a category (``""`` for other)."""
    return TEAMS[BY_CODE[code].owner_team] if code in BY_CODE else ""


def seasonal_checklist(
    month: int | str, history: pd.DataFrame | None = None, *, known_by: str | None = None
) -> pd.DataFrame:
    """What to prepare for ``month`` (1–12 or ``YYYY-MM``): categories whose season starts that month
    (before the rains, before the windy spring, at the start of heating) first, then other seasonal
    categories in season, then year-round ones.

    ``history`` (optional): DataFrame ``month`` (1–12), ``category``, ``messages`` of past issue
    messages (:func:`issue_history`), to show how many arrived in this calendar month in earlier years.
    ``known_by`` (``YYYY-MM``): the month the checklist is written in; a campaign that had not begun by
    then (a category's ``since``, e.g. 垃圾分类 from 2020-05) is not on it — nobody could know of it.

    Returns ``category``, ``label``, ``season``, ``starts``, ``action``, ``owner_team``,
    ``past_messages`` (mean per year, NaN without history).
    """
    m = int(str(month)[-2:]) if isinstance(month, str) else int(month)
    rows = []
    for cat in CATEGORIES:
        if m not in cat.months or (known_by is not None and cat.since is not None and cat.since > known_by):
            continue
        seasonal = len(cat.months) < 12
        starts = seasonal and ((m - 2) % 12 + 1) not in cat.months
        past = np.nan
        if history is not None and len(history):
            part = history.loc[(history["month"] == m) & (history["category"] == cat.code), "messages"]
            past = float(part.mean()) if len(part) else 0.0
        rows.append(
            {
                "category": cat.code,
                "label": cat.label,
                "season": cat.season,
                "starts": starts,
                "seasonal": seasonal,
                "action": SEASONAL_ACTIONS[cat.code],
                "owner_team": owner_team(cat.code),
                "past_messages": past,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.sort_values(["starts", "seasonal"], ascending=[False, False], kind="stable")
    return frame.drop(columns="seasonal").reset_index(drop=True)


def issue_history(issues: pd.DataFrame, messages: pd.DataFrame) -> pd.DataFrame:
    """Issues per calendar month and category, as a mean per year over the years whose chats cover
    that calendar month (a year without chat data in March says nothing about March).

    ``issues``: :func:`jiesu.analysis.chats.chat_issues` (``sent_at``, ``category``); ``messages``: the
    chat messages the issues come from (their months say which years are covered).  Returns ``month``
    (1–12), ``category``, ``messages`` (mean issues per covered year), ``years`` (covered years).
    """
    covered = messages["sent_at"].dt.to_period("M").drop_duplicates()
    years = covered.groupby(covered.dt.month).size().rename("years")
    counts = issues.groupby([issues["sent_at"].dt.month.rename("month"), "category"]).size().rename("count")
    out = counts.reset_index().merge(years, left_on="month", right_index=True)
    out["messages"] = out["count"] / out["years"]
    return out[["month", "category", "messages", "years"]]


def weekly_watch_list(
    docs: pd.DataFrame,
    week_end,
    *,
    weeks_back: int = 4,
    top: int = 10,
    min_count: int = 3,
    examples: int = 2,
    term_category: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Terms rising in the 7 days ending ``week_end`` compared with the ``weeks_back`` weeks before.

    ``trend`` = (this week + 1) / (mean of previous weeks + 1), a smoothed rate ratio; only rising terms
    (trend > 1) with a category (lexicon or ``term_category``) and ≥ ``min_count`` messages this week are listed.  Examples
    are the shortest distinct messages with the term (already masked by ingest; trimmed to 40 chars),
    preferring messages not already shown under a term higher in the list.
    Returns ``term``, ``category`` (label), ``this_week``, ``trend``, ``examples``, ``owner_team``.
    """
    end = pd.Timestamp(week_end).normalize()
    start = end - 6 * DAY
    before = start - 7 * weeks_back * DAY
    recent = docs.loc[(docs["day"] >= before) & (docs["day"] <= end)]
    occ = term_occurrences(recent)
    this = occ.loc[occ["day"] >= start, "term"].value_counts()
    prev = occ.loc[occ["day"] < start, "term"].value_counts() / weeks_back
    table = pd.DataFrame({"this_week": this}).join(prev.rename("previous"), how="left").fillna(0.0)
    table = table.loc[table["this_week"] >= min_count]
    category = term_category or {}
    table["category_code"] = [category.get(t) or categories.term_category(t) for t in table.index]
    table = table.loc[table["category_code"] != OTHER]
    table["trend"] = ((table["this_week"] + 1) / (table["previous"] + 1)).round(2)
    table = table.loc[table["trend"] > 1.0]
    table = table.sort_values(["trend", "this_week"], ascending=False).head(top)
    texts = recent.loc[recent["day"] >= start].set_index("doc_id")["text"]
    week_occ = occ.loc[occ["day"] >= start]
    rows, shown = [], set()
    for term, row in table.iterrows():
        ids = week_occ.loc[week_occ["term"] == term, "doc_id"]
        candidates = sorted(set(texts.reindex(ids).dropna().astype(str)), key=lambda s: (len(s), s))
        # a message naming two rising terms is shown under the first; later terms show others if they can
        sample = ([s for s in candidates if s not in shown] + [s for s in candidates if s in shown])[
            :examples
        ]
        shown.update(sample)
        rows.append(
            {
                "term": term,
                "category": label_of(row["category_code"]),
                "this_week": int(row["this_week"]),
                "trend": float(row["trend"]),
                "examples": " / ".join(s[:40] for s in sample),
                "owner_team": owner_team(row["category_code"]),
            }
        )
    return pd.DataFrame(rows, columns=["term", "category", "this_week", "trend", "examples", "owner_team"])
