"""What to watch this week and what to prepare for next month: the watch list (from
:func:`~jiesu.analysis.early_warning.hot.hot_issues`), the properties it must have, and the seasonal
checklist."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.analysis.early_warning.documents import jaccard
from jiesu.analysis.early_warning.naming import EXAMPLE_CHARS, MAX_EXAMPLE_JACCARD
from jiesu.analysis.early_warning.vocabulary import (
    category_hits,
    default_filler,
    is_content_token,
    owner_team,
    suggested_team,
)
from jiesu.categories import CATEGORIES, OTHER, OTHER_LABEL

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


WATCH_COLUMNS = [
    "title",
    "place",
    "category",
    "this_week",
    "weekly",
    "trend",
    "heat",
    "bursting",
    "onset",
    "examples",
    "owner_team",
    "msg_ids",
]
RISE_ALPHA = 1e-4
"""A non-bursting issue is listed when its rise is significant at this level: with thousands of
candidate phrases, a rise at 1 % is mostly chance (``bench/hot_quality.md``, section 5, item 9)."""


def watch_list(
    hot: pd.DataFrame, *, top: int = 10, min_this_week: int = 2, rise_alpha: float = RISE_ALPHA
) -> pd.DataFrame:
    """The watch list (未诉先办) from :func:`~jiesu.analysis.early_warning.hot.hot_issues`.

    Parameters
    ----------
    hot : hot issues.
    top : at most this many rows (fewer rather than padded).
    min_this_week : fewest distinct senders this week.
    rise_alpha : a non-bursting issue needs trend > 1 and ``rise_p`` below this.

    Returns
    -------
    :data:`WATCH_COLUMNS`, bursting issues first, then the most significant rise; ``category`` is the
    Chinese label.
    """
    if hot.empty:
        return pd.DataFrame(columns=WATCH_COLUMNS)
    notable = hot["bursting"] | ((hot["trend"] > 1.0) & (hot["rise_p"] < rise_alpha))
    rising = hot.loc[(hot["this_week"] >= min_this_week) & notable]
    rising = rising.sort_values(
        ["bursting", "rise_p", "heat"], ascending=[False, True, False], kind="stable"
    ).head(top)
    return rising.assign(category=rising["label"])[WATCH_COLUMNS].reset_index(drop=True)


def _title_problems(i: int, row) -> list[str]:
    parts = [t for t in str(row.title).split("·") if t]
    out = [] if parts or row.place else [f"row {i}: no title"]
    filler = default_filler()
    return out + [
        f"row {i}: title phrase {t!r} is filler/placeholder/too short"
        for t in parts
        if not is_content_token(t, filler)
    ]


def _category_problems(i: int, row, sub: pd.DataFrame) -> list[str]:
    labels = {c.label: c.code for c in CATEGORIES}
    out = []
    if row.category not in labels and row.category != OTHER_LABEL:
        out.append(f"row {i}: unknown category {row.category!r}")
    code = labels.get(row.category, OTHER)
    if code != OTHER:
        share = float(category_hits(sub["norm"], sub["singles"], code).mean()) if len(sub) else 0.0
        if share < 0.5:
            out.append(f"row {i}: category {row.category} words in only {share:.0%} of its messages")
    if row.owner_team != suggested_team(code):
        out.append(f"row {i}: owner team {row.owner_team!r} is not the category's")
    return out


def _example_problems(i: int, examples: list[str], texts: pd.Series, seen: dict[str, int]) -> list[str]:
    distinct: list[str] = []
    for t in texts.astype(str).str.strip().str.replace("\n", " ").str[:EXAMPLE_CHARS]:
        if all(jaccard(t, q) < MAX_EXAMPLE_JACCARD for q in distinct):
            distinct.append(t)
        if len(distinct) >= 2:
            break
    out = []
    if not examples or not min(2, len(distinct)) <= len(examples) <= 3:
        out.append(f"row {i}: {len(examples)} examples")
    for a, ex in enumerate(examples):
        out += [
            f"row {i}: examples {a} and {b} are near-duplicates"
            for b in range(a + 1, len(examples))
            if jaccard(ex, examples[b]) >= MAX_EXAMPLE_JACCARD
        ]
        if ex in seen:
            out.append(f"row {i}: example also shown in row {seen[ex]}")
        seen.setdefault(ex, i)
    return out


def check_watch_list(watch: pd.DataFrame, docs: pd.DataFrame) -> list[str]:
    """The properties a watch list must have; returns the violations (empty when it passes).

    Parameters
    ----------
    watch : :func:`watch_list` (needs ``title``, ``place``, ``category``, ``examples``, ``owner_team``,
        ``msg_ids``).
    docs : the prepared documents it was built from.

    Returns
    -------
    One line per violation:

    * titles: every phrase (split on ``·``) is a content token: ≥ 2 characters, not filler or a stopword,
      not a number or time (七点), no ``_``, no placeholder (A市, X号, ``***``);
    * categories: a label other than 其他 has its words in at least half of the row's messages, and the
      owner team is the category's;
    * examples: 2–3 per row (1 only when the row's messages hold a single distinct text), pairwise
      distinct (character-trigram Jaccard < 0.5), none shown in two rows.
    """
    by_id = docs.set_index("msg_id")
    seen: dict[str, int] = {}
    problems: list[str] = []
    for i, row in enumerate(watch.itertuples(index=False)):
        sub = by_id.loc[[m for m in str(row.msg_ids).split() if m in by_id.index]]
        examples = [e for e in str(row.examples).split(" / ") if e]
        problems += _title_problems(i, row)
        problems += _category_problems(i, row, sub)
        problems += _example_problems(i, examples, sub["text"], seen)
    return problems
