"""Prospective weekly bursts: what the decision at the end of each week would have reported.

For every week ``W`` (decision at the end of ``W``, reading only messages up to then) the distinct
senders of each anchor (:mod:`~jiesu.analysis.early_warning.anchors`) in ``W`` and in ``W-1 … W`` are
tested against the predictive baseline (:mod:`~jiesu.analysis.early_warning.predictive`).  Alarmed
anchors of a week that share messages are one burst, named and filed by
:func:`~jiesu.analysis.early_warning.naming.describe`; a burst that shares terms with (or has a similar
centroid to) a burst of the last weeks continues it.  Method and measured results:
``bench/hot_quality.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from jiesu.analysis.early_warning.anchors import Detector
from jiesu.analysis.early_warning.documents import prepare
from jiesu.analysis.early_warning.naming import Description, describe, title_ok
from jiesu.analysis.early_warning.params import HotParams, Places
from jiesu.analysis.early_warning.predictive import baseline_windows, span_tests, week_end, week_of
from jiesu.analysis.early_warning.vectors import centroid
from jiesu.analysis.early_warning.vocabulary import suggested_team
from jiesu.categories import OTHER, OTHER_LABEL, label_of

BURST_COLUMNS = [
    "burst",
    "decided",
    "onset",
    "title",
    "place",
    "category",
    "label",
    "terms",
    "count",
    "expected",
    "p_value",
    "weeks_alarmed",
    "last_decided",
    "examples",
    "owner_team",
    "msg_ids",
]
MIN_SHARED = 0.5
"""Alarmed anchors sharing at least this share of the smaller one's messages are one group."""
MAX_TERMS = 6
"""Terms listed per burst."""
RATE_FLOOR = 1e-3


def detector_of(data, *, places: Places | None = None, params: HotParams = HotParams()) -> Detector:
    """A :class:`Detector` from a detector (returned as is), prepared documents (with ``issue_like``)
    or raw messages (prepared with ``places``)."""
    if isinstance(data, Detector):
        return data
    docs = data if "issue_like" in data.columns else prepare(data, places=places, params=params)
    return Detector(docs, params)


@dataclass
class Candidate:
    """Alarmed anchors of one week that share messages: the group's document rows, its anchors
    (``phrases``), the best test (``y``, ``expected``, ``p``, ``span``) and its centroid."""

    week: int
    rows: np.ndarray
    phrases: tuple[str, ...]
    y: float
    expected: float
    p: float
    span: int
    center: np.ndarray | None = None


def _names_an_issue(anchor: str) -> bool:
    """Places, pairs and place–word anchors always may; a single word must pass :func:`title_ok`."""
    return anchor.startswith(("@", "[")) or "+" in anchor or title_ok(anchor, df_share=0.0)


def _join(groups: list[Candidate], cand: Candidate) -> None:
    """Add ``cand`` to the first group sharing ≥ :data:`MIN_SHARED` of the smaller one's messages (a
    much broader candidate adds only its anchors, not its messages), else start a group."""
    rows = set(cand.rows.tolist())
    for g in groups:
        grows = set(g.rows.tolist())
        inter = len(rows & grows)
        if inter >= MIN_SHARED * min(len(rows), len(grows)):
            if len(rows) - inter <= inter:
                g.rows = np.array(sorted(grows | rows))
            g.phrases = tuple(dict.fromkeys(g.phrases + cand.phrases))
            return
    groups.append(cand)


def phrase_candidates(det: Detector, week: int) -> list[Candidate]:
    """The alarmed anchors of ``week`` grouped by shared messages, most significant first."""
    p = det.params
    pm = det.phrase_matrix()
    if pm.counts.shape[1] == 0:
        return []
    res = span_tests(
        pm.counts,
        det.volume,
        week,
        p,
        alpha=p.phrase_alpha,
        min_count=p.phrase_min_count,
        dispersion=det.dispersion_at(week),
    )
    if not res.tested:
        return []
    groups: list[Candidate] = []
    alarmed = np.flatnonzero(res.alarm)
    for j in alarmed[np.argsort(res.p[alarmed], kind="stable")]:
        f = pm.names[j]
        if not _names_an_issue(f):
            continue
        span = int(res.span[j])
        r = pm.rows_of[f]
        r = r[(det.week[r] <= week) & (det.week[r] > week - span)]
        cand = Candidate(week, np.array(sorted(set(r.tolist()))), (f,), *_stats(res, j), span)
        _join(groups, cand)
    merged: list[Candidate] = []
    for g in sorted(groups, key=lambda c: (c.p, -c.y)):
        _join(merged, g)
    for c in merged:
        c.center = centroid(det.vec.matrix(c.rows, week))
    return merged


def _stats(res, j: int) -> tuple[float, float, float]:
    return float(res.y[j]), float(res.expected[j]), float(res.p[j])


def _specific_anchors(cand: Candidate, index: dict[str, int]) -> list[str]:
    """The group's specific anchors (words, pairs, place–word); a bare place only when nothing else."""
    specific = [f for f in cand.phrases if f in index and ("+" in f or not f.startswith(("@", "[")))]
    return specific or [f for f in cand.phrases if f in index][:1]


def onset(det: Detector, cand: Candidate) -> pd.Timestamp:
    """Back-dated onset of a burst.

    The first day, among the messages carrying the group's specific anchors, of the earliest week of
    the run of weeks before the alarm in which their distinct senders were already above the expected
    level (Poisson upper tail below ``onset_alpha``; at most ``lookback_weeks`` before the tested span).
    Reads only weeks up to the alarm week.
    """
    p = det.params
    week, span = cand.week, cand.span
    first = week - span + 1
    rate = max(cand.expected, RATE_FLOOR) / max(det.volume[first : week + 1].sum(), 1.0)  # per message
    pm = det.phrase_matrix()
    specific = _specific_anchors(cand, pm.index)
    series, rows = np.zeros(det.n_weeks), cand.rows
    if specific:
        rows = np.unique(np.concatenate([pm.rows_of[f] for f in specific]))
        rows = rows[det.week[rows] <= week]
        series = det.sender_series(rows)
        trailing, _ = baseline_windows(week, p, det.n_weeks, span)
        if len(trailing) and det.volume[trailing].sum() > 0:
            cols = [pm.index[f] for f in specific]
            rate = max(rate, float(pm.counts[np.ix_(trailing, cols)].sum() / det.volume[trailing].sum()))
    start_week = week
    for w in range(week - 1, max(-1, first - p.lookback_weeks - 1), -1):
        if series[w] >= 1 and stats.poisson.sf(series[w] - 1, rate * det.volume[w]) < p.onset_alpha:
            start_week = w
        else:
            break
    rows = rows[(det.week[rows] >= start_week) & (det.week[rows] <= week)]
    rows = rows if len(rows) else cand.rows
    return pd.Timestamp(det.docs["day"].iloc[rows].min())


def _linked(open_bursts: list[dict], cand: Candidate, terms: tuple[str, ...], week: int, p: HotParams):
    """The open burst ``cand`` continues (shared terms or centroid cosine ≥ ``link_sim``), or None."""
    for b in open_bursts:
        if week - b["_last_week"] > p.link_weeks:
            continue
        same = len(b["_center"]) == len(cand.center) and float(b["_center"] @ cand.center) >= p.link_sim
        if same or set(terms) & set(b["_terms"]):
            return b
    return None


def _burst_row(det: Detector, cand: Candidate, d: Description, terms: tuple[str, ...], decided) -> dict:
    return {
        "decided": decided,
        "onset": onset(det, cand),
        "title": d.title,
        "place": d.place,
        "category": d.category,
        "label": label_of(d.category) if d.category != OTHER else OTHER_LABEL,
        "terms": " ".join(terms[:MAX_TERMS]),
        "count": int(cand.y),
        "expected": round(float(cand.expected), 2),
        "p_value": float(cand.p),
        "weeks_alarmed": 1,
        "last_decided": decided,
        "examples": " / ".join(d.examples),
        "owner_team": suggested_team(d.category),
        "msg_ids": " ".join(det.docs["msg_id"].iloc[cand.rows].tolist()),
        "_center": cand.center,
        "_last_week": cand.week,
        "_terms": terms,
    }


def _decide_week(det: Detector, week: int, open_bursts: list[dict]) -> list[dict]:
    """The new bursts of the decision at the end of ``week``; open bursts it continues are updated."""
    decided = week_end(det.vec.origin, week)
    new = []
    for cand in phrase_candidates(det, week):
        d = describe(det, cand.rows, week, cand.center)
        if not d.title and not d.place:
            continue  # no phrase names it: not an issue
        terms = tuple(dict.fromkeys(tuple(t.lstrip("@") for t in cand.phrases) + d.phrases))
        linked = _linked(open_bursts, cand, terms, week, det.params)
        if linked is None:
            row = _burst_row(det, cand, d, terms, decided)
            open_bursts.append(row)
            new.append(row)
            continue
        linked["_last_week"] = week
        linked["weeks_alarmed"] += 1
        linked["last_decided"] = decided
        linked["_terms"] = tuple(dict.fromkeys(linked["_terms"] + terms))
    return new


def weekly_bursts(
    data,
    *,
    start=None,
    end=None,
    places: Places | None = None,
    params: HotParams = HotParams(),
) -> pd.DataFrame:
    """Prospective weekly bursts (未诉先办): for every week from ``start`` to ``end``, the decision at
    the week's end, using only messages up to that moment.

    Parameters
    ----------
    data : raw messages (``msg_id``, ``sent_at``, ``text``, ``sender_id`` [, ``likes``, ``place``,
        ``is_staff``, ``msg_type``]), prepared documents, or a :class:`Detector` (shared with
        :func:`~jiesu.analysis.early_warning.hot.hot_issues`).
    start, end : first and last day whose week is decided (default: every testable week).
    places : the area's place dictionary (raw messages only).
    params : :class:`HotParams`.

    Returns
    -------
    One row per burst (:data:`BURST_COLUMNS`; alarms on following weeks that continue it are the same
    row): ``decided`` (end of the first alarm week: when it would have been reported), ``onset``
    (back-dated first day), ``title``, ``place``, ``category`` (code), ``label``, ``terms``, ``count``
    and ``expected`` (distinct senders in the tested span), ``p_value``, ``weeks_alarmed``,
    ``last_decided``, ``examples`` (" / "-joined), ``owner_team``, ``msg_ids`` (space-joined members).
    """
    det = detector_of(data, places=places, params=params)
    w0 = 0 if start is None else max(0, week_of(det.vec.origin, start))
    w1 = det.n_weeks - 1 if end is None else min(det.n_weeks - 1, week_of(det.vec.origin, end))
    bursts: list[dict] = []
    open_bursts: list[dict] = []
    for week in range(w0, w1 + 1):
        trailing, _ = baseline_windows(week, det.params, det.n_weeks)
        if len(trailing) < det.params.min_history_weeks:
            continue
        bursts += _decide_week(det, week, open_bursts)
        open_bursts = [b for b in open_bursts if week - b["_last_week"] <= det.params.link_weeks]
    frame = pd.DataFrame(
        [{k: v for k, v in b.items() if not k.startswith("_")} for b in bursts], columns=BURST_COLUMNS[1:]
    )
    frame.insert(0, "burst", np.arange(1, len(frame) + 1))
    return frame
