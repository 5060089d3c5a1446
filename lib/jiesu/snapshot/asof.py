"""Data as it stood at the end of a month: the rule that keeps every report free of look-ahead.

A report or notebook for month ``M`` sees each processed table cut at the end of ``M``
(:data:`DATED`): messages sent, cases received, friends added, groups created, memberships joined and
panel months up to ``M``; a case received by then but closed later is still open at the cut (its
closing time, resolution and satisfaction are not known yet).  Registry tables (households,
residents, record links) and the team roster have no dates: they are the community's records as
exported, and reports say so.

Truncation invariance is the property this buys: a report for ``M`` rendered on the full data and on
the same data cut at ``M`` (``jiesu cut``) is identical (``tests/report/test_truncation.py``).
"""

from __future__ import annotations

import pandas as pd

from jiesu.months import check_month, month_end

DATED: dict[str, str] = {
    "messages": "sent_at",
    "cases": "received_at",
    "friends": "added",
    "groups": "created",
    "memberships": "joined",
    "panel": "month",
}
"""Processed table → the column that dates its rows (``month`` is ``YYYY-MM``, the others timestamps)."""

LATER_FACTS: dict[str, dict[str, str]] = {
    "cases": {"closed_at": "closed_at", "resolved": "closed_at", "satisfied": "closed_at"},
}
"""Columns known only once another dated event happened: column → the event's column.  At a cut
before that event they are missing."""


def cut_table(name: str, frame: pd.DataFrame, month: str) -> pd.DataFrame:
    """``frame`` (processed table ``name``) as known at the end of ``month`` (``YYYY-MM``).

    >>> cases = pd.DataFrame({"received_at": pd.to_datetime(["2020-01-20", "2020-01-30", "2020-02-03"]),
    ...                       "closed_at": pd.to_datetime(["2020-01-25", "2020-02-02", "2020-02-04"]),
    ...                       "resolved": ["解决", "解决", "解决"]})
    >>> cut = cut_table("cases", cases, "2020-01")
    >>> len(cut), cut["closed_at"].isna().tolist(), cut["resolved"].isna().tolist()
    (2, [False, True], [False, True])
    """
    column = DATED.get(name)
    if column is None:
        return frame
    check_month(month)
    if column == "month":
        kept = frame.loc[frame[column].astype(str) <= month]
    else:
        kept = frame.loc[pd.to_datetime(frame[column]) <= month_end(month)]
    later = {target: event for target, event in LATER_FACTS.get(name, {}).items() if target in kept.columns}
    if later and len(kept):
        # every mask from the original event times, before any of them is masked itself
        unknown = {event: pd.to_datetime(kept[event]) > month_end(month) for event in set(later.values())}
        kept = kept.assign(**{target: kept[target].mask(unknown[event]) for target, event in later.items()})
    return kept
