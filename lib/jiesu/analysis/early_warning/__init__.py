"""未诉先办: find what is about to become a complaint, and measure what the groups settle first (截留).

The seed community had someone read 园园's chats for "keywords that keep coming back".  This module
makes that repeatable:

* **Burst detection** — daily counts of each term (text messages that contain it) are compared
  with a *seasonal baseline*: the largest of (a) the same ±``window`` days in the other years of the
  data (shifted by whole multiples of 364 days, so weekdays line up; leave-one-year-out), (b) the
  trailing level and (c) the leading level four weeks before/after with a one-week guard gap (so a
  burst stays out of its own baseline and a lasting change is not a burst) — a retrospective
  baseline, see :func:`seasonal_baseline`.  A day alarms when the upper-tail probability
  ``P(X ≥ x)`` under a negative binomial with that mean and a per-term dispersion (method of moments)
  is below ``alpha`` and at least ``min_count`` messages mention the term.  Consecutive alarm days
  form a term event; term events that start within ``link_days`` of each other and share messages
  (overlap coefficient ≥ ``min_overlap``) form one burst.  The false-alarm rate of the test is measured
  on term-days outside planted bursts (:func:`false_alarm_rate`).
* **Lead-lag** — for each burst, days until the first 12345 case of the same category, and the
  cross-correlation of daily chat and case counts per category (:func:`lead_lag`).
* **Hot issues and prospective weekly bursts** (:func:`weekly_bursts`, :func:`hot_issues`,
  :func:`watch_list`): messages grouped into issues by anchors (content words, bigrams, keyword pairs,
  place + word), each week's distinct senders tested against a trailing and same-season
  negative-binomial predictive baseline using only data up to the decision; issues named by their
  phrases, filed by their messages' words, with distinct examples and the suggested owner team.
  Method and measured quality: ``bench/hot_quality.md``.
* **Seasonal checklist** for the next month.
* **Interception** — issue messages, whether staff answered and closed them in the group, time to
  close, and whether a similar case reached 12345 anyway (:func:`interception`).
"""

# The public API, re-exported in the manner of networkx's algorithm packages: import from here.
from jiesu.analysis.early_warning.anchors import Detector
from jiesu.analysis.early_warning.bursts import (
    DAY,
    BurstParams,
    daily_term_counts,
    detect_bursts,
    dispersion,
    false_alarm_rate,
    group_term_events,
    seasonal_baseline,
    term_events,
    term_occurrences,
    topic_term_categories,
    upper_tail_pvalues,
)
from jiesu.analysis.early_warning.documents import prepare
from jiesu.analysis.early_warning.hot import hot_issues
from jiesu.analysis.early_warning.interception import (
    interception,
    message_categories,
    monthly_interception,
)
from jiesu.analysis.early_warning.leadlag import (
    category_cross_correlation,
    lead_lag,
)
from jiesu.analysis.early_warning.params import HotParams, Places
from jiesu.analysis.early_warning.vocabulary import owner_team, suggested_team
from jiesu.analysis.early_warning.watch import (
    SEASONAL_ACTIONS,
    check_watch_list,
    issue_history,
    seasonal_checklist,
    watch_list,
)
from jiesu.analysis.early_warning.weekly import weekly_bursts

__all__ = [
    "DAY",
    "BurstParams",
    "term_occurrences",
    "daily_term_counts",
    "seasonal_baseline",
    "dispersion",
    "upper_tail_pvalues",
    "term_events",
    "group_term_events",
    "detect_bursts",
    "false_alarm_rate",
    "topic_term_categories",
    "lead_lag",
    "category_cross_correlation",
    "SEASONAL_ACTIONS",
    "owner_team",
    "suggested_team",
    "seasonal_checklist",
    "issue_history",
    "HotParams",
    "Places",
    "Detector",
    "prepare",
    "weekly_bursts",
    "hot_issues",
    "watch_list",
    "check_watch_list",
    "message_categories",
    "interception",
    "monthly_interception",
]
