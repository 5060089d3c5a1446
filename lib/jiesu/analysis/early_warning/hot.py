"""Hot issues at one date: groups of messages about the same problem (at the same place) that are
hotter than they were, each named, filed, dated and illustrated (``bench/hot_quality.md``, section 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from jiesu.analysis.early_warning.anchors import Detector
from jiesu.analysis.early_warning.naming import describe, title_ok
from jiesu.analysis.early_warning.params import HotParams, Places
from jiesu.analysis.early_warning.predictive import week_end, week_of, weekly_test
from jiesu.analysis.early_warning.vectors import centroid
from jiesu.analysis.early_warning.vocabulary import suggested_team
from jiesu.analysis.early_warning.weekly import detector_of
from jiesu.categories import OTHER, OTHER_LABEL, label_of

HOT_COLUMNS = [
    "issue",
    "title",
    "place",
    "category",
    "label",
    "onset",
    "this_week",
    "window_count",
    "weekly",
    "trend",
    "heat",
    "rise_p",
    "likes",
    "span_days",
    "bursting",
    "examples",
    "owner_team",
    "anchors",
    "msg_ids",
]
HISTORY_WEEKS = 12
"""Weekly counts shown per issue (oldest first, ending with the as-of week)."""
TREND_WEEKS = 4
"""``trend`` compares this week with the mean of this many weeks before it."""
HEAT_LOG_SCALE = 4.0
"""Heat = senders × (1 + ln(1 + span days) / 4) × (1 + ln(1 + likes) / 4)."""
MAX_SEEDS_PER_ROW = 5
"""At most this many seed groups per requested row are described."""


@dataclass
class Seed:
    """One hot-issue group: its window ``rows``, seeding ``anchors``, rise p-value and centroid."""

    rows: np.ndarray
    anchors: list[str]
    p: float
    center: np.ndarray


def _may_seed(det: Detector, anchor: str, share: np.ndarray) -> bool:
    """Places, pairs and place–word anchors may seed; a single word only when specific (in at most
    ``hot_max_df`` of the messages) and able to name an issue."""
    if anchor.startswith("["):
        return False
    if "+" in anchor or anchor.startswith("@"):
        return True
    j = det.vec.vocab.get(anchor)
    return j is not None and share[j] <= det.params.hot_max_df and title_ok(anchor, df_share=share[j])


def hot_seeds(det: Detector, week: int, *, min_senders: int, limit: int) -> list[Seed]:
    """Seed groups of the ``window_weeks`` weeks ending with ``week``, most unusual first.

    Each anchor's window count is tested as one span against the weeks before it; anchors above at
    ``hot_alpha`` with at least ``min_senders`` senders take their unassigned window messages, and the
    TF-IDF vectors pull in other window messages with cosine ≥ ``pull_sim`` to the seed's centroid.
    """
    p = det.params
    first = max(0, week - p.window_weeks + 1)
    pm = det.phrase_matrix()
    window_rows = np.concatenate([det.rows_of_week[w] for w in range(first, week + 1)])
    in_window = np.zeros(len(det.docs), dtype=bool)
    in_window[window_rows] = True
    share = det.vec.df_share(week)
    res = weekly_test(
        pm.counts,
        det.volume,
        week,
        replace(p, min_history_weeks=1),
        alpha=1.0,
        min_count=min_senders,
        dispersion=det.dispersion_at(week),
        span=week - first + 1,
    )
    assigned = np.zeros(len(det.docs), dtype=bool)
    seeds: list[Seed] = []
    x_window = det.vec.matrix(window_rows, week)
    pos = {r: i for i, r in enumerate(window_rows)}
    for j in np.argsort(res.p, kind="stable"):
        if res.p[j] > p.hot_alpha or len(seeds) >= limit:
            break  # sorted by p: no later anchor qualifies
        f = pm.names[j]
        if res.y[j] < min_senders or not _may_seed(det, f, share):
            continue
        r = pm.rows_of[f]
        r = r[in_window[r] & ~assigned[r]]
        if det.distinct_senders(r) < min_senders:
            continue
        center = centroid(x_window[[pos[i] for i in r]])
        sims = np.asarray(x_window @ center).ravel()
        members = np.union1d(r, window_rows[(sims >= p.pull_sim) & ~assigned[window_rows]])
        assigned[members] = True
        seeds.append(Seed(members, [f], float(res.p[j]), center))
    return seeds


def _recent_burst_onsets(det: Detector, bursts: pd.DataFrame | None, first: int, week: int) -> dict:
    """Message → onset of the bursts decided by the end of ``week`` and still alarming in the window
    (the earliest onset when a message is in several)."""
    if bursts is None or not len(bursts):
        return {}
    lo = week_end(det.vec.origin, first) - pd.Timedelta(days=6)
    hi = week_end(det.vec.origin, week)
    recent = bursts.loc[(bursts["last_decided"] >= lo) & (bursts["decided"] <= hi)]
    out: dict[str, pd.Timestamp] = {}
    for ids, start in zip(recent["msg_ids"], recent["onset"], strict=True):
        for m in ids.split():
            out[m] = min(out.get(m, start), start)
    return out


def _history(det: Detector, seed: Seed, week: int) -> tuple[np.ndarray, np.ndarray]:
    """The issue's messages up to ``week`` (its anchors' and its own) and its weekly senders over the
    :data:`HISTORY_WEEKS` weeks ending with ``week``."""
    pm = det.phrase_matrix()
    anchor_rows = np.concatenate([pm.rows_of[a] for a in seed.anchors])
    hist = np.union1d(anchor_rows[det.week[anchor_rows] <= week], seed.rows)
    weeks = np.arange(max(0, week - HISTORY_WEEKS + 1), week + 1)
    weekly = det.weekly_senders(hist, weeks)
    return hist, np.array([weekly[int(w)] for w in weeks])


def _issue_onset(det: Detector, hist: np.ndarray, series: np.ndarray, week: int):
    """The first day of the run of weeks (ending now) with counts above the median of the weeks before
    the window."""
    window = det.params.window_weeks
    med = np.median(series[:-window]) if len(series) > window else 0.0
    run_start = len(series) - 1
    while run_start > 0 and series[run_start - 1] > med:
        run_start -= 1
    first_week = week - (len(series) - 1) + run_start
    rows = hist[det.week[hist] >= first_week]
    return pd.Timestamp(det.docs["day"].iloc[rows].min()) if len(rows) else pd.NaT


def _issue_row(det: Detector, seed: Seed, week: int, d, burst_onsets: dict) -> dict:
    hist, series = _history(det, seed, week)
    this = int(series[-1])
    before = series[-TREND_WEEKS - 1 : -1] if len(series) > TREND_WEEKS else series[:-1]
    trend = round((this + 1) / ((before.mean() if len(before) else 0.0) + 1), 2)
    members = seed.rows
    senders = det.distinct_senders(members)
    days = det.docs["day"].iloc[members]
    span_days = int((days.max() - days.min()).days) + 1
    likes = float(det.docs["likes"].iloc[members].sum())
    heat = senders * (1 + math.log1p(span_days) / HEAT_LOG_SCALE) * (1 + math.log1p(likes) / HEAT_LOG_SCALE)
    ids = det.docs["msg_id"].iloc[members].tolist()
    from_bursts = [burst_onsets[m] for m in ids if m in burst_onsets]
    start = _issue_onset(det, hist, series, week)
    if from_bursts:  # a bursting issue began when its burst did
        start = min(from_bursts) if pd.isna(start) else min(start, min(from_bursts))
    return {
        "title": d.title,
        "place": d.place,
        "category": d.category,
        "label": label_of(d.category) if d.category != OTHER else OTHER_LABEL,
        "onset": start,
        "this_week": this,
        "window_count": senders,
        "weekly": " ".join(str(int(v)) for v in series),
        "trend": trend,
        "heat": round(heat, 2),
        "rise_p": seed.p,
        "likes": likes,
        "span_days": span_days,
        "bursting": bool(from_bursts),
        "examples": " / ".join(d.examples),
        "owner_team": suggested_team(d.category),
        "anchors": " ".join(seed.anchors),
        "msg_ids": " ".join(ids),
    }


def hot_issues(
    data,
    as_of,
    *,
    bursts: pd.DataFrame | None = None,
    places: Places | None = None,
    params: HotParams = HotParams(),
    top: int = 20,
    min_senders: int = 3,
) -> pd.DataFrame:
    """The hot issues of the ``window_weeks`` weeks ending with the week of ``as_of``; data after the
    end of that week is never read.

    Parameters
    ----------
    data : raw messages, prepared documents or a :class:`Detector` (see
        :func:`~jiesu.analysis.early_warning.weekly.weekly_bursts`).
    as_of : a day; the window ends with the Sunday of its week.
    bursts : :func:`~jiesu.analysis.early_warning.weekly.weekly_bursts` of the same data: issues sharing
        messages with a burst decided by then and alarming in the window are ``bursting``, and their
        onset is at the latest the burst's.
    places, params : place dictionary (raw messages only) and :class:`HotParams`.
    top : rows returned.
    min_senders : fewest distinct senders of an issue in the window.

    Returns
    -------
    The ``top`` issues (:data:`HOT_COLUMNS`), bursting first, then by the significance of the rise
    (``rise_p``), then heat.  ``this_week`` / ``window_count`` are distinct senders; ``weekly`` the
    senders of each of the 12 weeks up to ``as_of`` (oldest first); ``trend`` = (this week + 1) / (mean
    of the 4 weeks before + 1); ``heat`` = window senders × (1 + ln(1 + span days)/4) × (1 + ln(1 +
    likes)/4); ``examples`` are distinct texts of distinct senders, none repeated across rows.
    """
    det = detector_of(data, places=places, params=params)
    week = min(week_of(det.vec.origin, as_of), det.n_weeks - 1)
    first = max(0, week - det.params.window_weeks + 1)
    burst_onsets = _recent_burst_onsets(det, bursts, first, week)
    used: set[str] = set()
    rows = []
    for seed in hot_seeds(det, week, min_senders=min_senders, limit=MAX_SEEDS_PER_ROW * top):
        d = describe(det, seed.rows, week, seed.center, used_examples=used, n_examples=det.params.examples)
        if d.title:
            rows.append(_issue_row(det, seed, week, d, burst_onsets))
    frame = pd.DataFrame(rows, columns=HOT_COLUMNS[1:])
    frame = frame.sort_values(
        ["bursting", "rise_p", "heat", "title"], ascending=[False, True, False, True], kind="stable"
    ).head(top)
    frame = frame.reset_index(drop=True)
    frame.insert(0, "issue", np.arange(1, len(frame) + 1))
    return frame
