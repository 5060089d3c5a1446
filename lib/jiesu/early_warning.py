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
* **Weekly watch list** and **seasonal checklist** for the next month.
* **Interception** — issue messages, whether staff answered and closed them in the group, time to
  close, and whether a similar case reached 12345 anyway (:func:`interception`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from jiesu import datasets
from jiesu.categories import BY_CODE, BY_LABEL, CATEGORIES, OTHER, TEAMS, label_of
from jiesu.settings import Paths

DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class BurstParams:
    """Settings of the burst test (see the module docstring).

    window : half-width (days) of the same-season window in other years.
    trailing : (gap, length) of the trailing window: days ``d-gap-length+1 … d-gap``.
    alpha : per term-day significance level of the negative-binomial upper-tail test.
    min_count : fewest messages mentioning the term on an alarm day.
    floor : smallest baseline mean (messages/day), so a never-seen term needs real volume to alarm.
    min_total : a term is tested only if at least this many messages mention it in the whole period.
    max_terms : at most this many terms (the most frequent) are tested.
    min_term_length : shortest term tested (characters); single characters (车, 找) are too vague.
    merge_gap : alarm days of one term at most this many days apart belong to one event.
    link_days, min_overlap : term events starting within ``link_days`` and sharing messages (or sharing a
        category) form one burst.
    onset_alpha, lookback : the onset is moved back over up to ``lookback`` preceding days that are each
        already elevated at level ``onset_alpha`` (the first alarm day is often the second day of a burst).
    """

    window: int = 14
    trailing: tuple[int, int] = (8, 28)
    alpha: float = 1e-5
    min_count: int = 4
    floor: float = 0.2
    min_total: int = 20
    max_terms: int = 3000
    merge_gap: int = 3
    link_days: int = 7
    min_overlap: float = 0.2
    onset_alpha: float = 0.01
    lookback: int = 7
    min_term_length: int = 2


# --------------------------------------------------------------------------------------------------
# Daily term counts and the seasonal baseline
# --------------------------------------------------------------------------------------------------


def term_occurrences(docs: pd.DataFrame) -> pd.DataFrame:
    """One row per (document, distinct term): ``doc_id``, ``day``, ``term`` (and ``group_id`` when
    ``docs`` has it).

    ``docs`` needs ``doc_id``, ``day`` (datetime64, midnight) and ``tokens`` (space-joined string).
    """
    lists = docs["tokens"].fillna("").astype(str).str.split(" ")
    frame = pd.DataFrame(
        {
            "doc_id": docs["doc_id"].to_numpy(),
            "day": docs["day"].to_numpy(),
            "term": [sorted(set(t)) for t in lists],
        }
    )
    if "group_id" in docs.columns:
        frame["group_id"] = docs["group_id"].to_numpy()
    frame = frame.explode("term")
    frame = frame.loc[frame["term"].notna() & (frame["term"] != "")]
    return frame.reset_index(drop=True)


def daily_term_counts(
    occurrences: pd.DataFrame,
    *,
    min_total: int = 20,
    max_terms: int = 3000,
    min_length: int = 2,
    start=None,
    end=None,
) -> pd.DataFrame:
    """Messages per day mentioning each term: DataFrame indexed by every calendar day from ``start`` to
    ``end`` (default: the data's range), one column per term (the ``max_terms`` most frequent terms
    of at least ``min_length`` characters with at least ``min_total`` mentions), zeros filled in."""
    totals = occurrences["term"].value_counts()
    totals = totals.loc[totals.index.str.len() >= min_length]
    terms = totals.loc[totals >= min_total].head(max_terms).index
    kept = occurrences.loc[occurrences["term"].isin(terms)]
    counts = kept.groupby(["day", "term"]).size().unstack("term", fill_value=0)
    start = pd.Timestamp(start) if start is not None else occurrences["day"].min()
    end = pd.Timestamp(end) if end is not None else occurrences["day"].max()
    days = pd.date_range(start, end, freq="D", name="day")
    return counts.reindex(index=days, columns=list(terms), fill_value=0).astype(np.float64)


def seasonal_baseline(
    counts: pd.DataFrame, *, window: int = 14, trailing: tuple[int, int] = (8, 28)
) -> pd.DataFrame:
    """Expected daily count of each term: max(same-season level in other years, trailing level,
    leading level).

    Same-season level: the centred ``2·window+1``-day mean, taken 364, 728 and 1092 days earlier and
    later (same weekday), averaged over the years available.  Trailing level: mean of days
    ``d-gap-length+1 … d-gap``; leading level: the same window after the day.  Taking the largest
    makes a *lasting* change (a new campaign such as 垃圾分类 from May 2020, the start of the epidemic)
    part of the baseline rather than a burst: a burst is a rise above what came before *and* after.
    This is a retrospective baseline (it looks ahead); for the latest weeks the leading level is
    missing and the test falls back to the other two.  NaN where none is available.
    """
    smooth = counts.rolling(2 * window + 1, center=True, min_periods=window + 1).mean()
    shifted = [smooth.shift(364 * k) for k in (-3, -2, -1, 1, 2, 3)]
    stacked = np.stack([s.to_numpy() for s in shifted])
    with np.errstate(invalid="ignore"), _quiet_nanmean():
        seasonal = np.nanmean(stacked, axis=0)
    gap, length = trailing
    trail = counts.shift(gap).rolling(length, min_periods=length // 2).mean()
    lead = counts[::-1].shift(gap).rolling(length, min_periods=length // 2).mean()[::-1]
    baseline = np.fmax(np.fmax(seasonal, trail.to_numpy()), lead.to_numpy())  # fmax ignores NaN on one side
    return pd.DataFrame(baseline, index=counts.index, columns=counts.columns)


class _quiet_nanmean:
    """Silence numpy's 'Mean of empty slice' for all-NaN columns (they stay NaN, as intended)."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", category=RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def dispersion(counts: pd.DataFrame, baseline: pd.DataFrame, *, floor: float = 0.2) -> pd.Series:
    """Negative-binomial size ``r`` per term by the method of moments: ``Var = μ + μ²/r``.

    Squared residuals are winsorized at their 99th percentile so a burst does not make its own test
    lenient.  ``inf`` (Poisson) when there is no excess variance."""
    mu = np.fmax(baseline.to_numpy(), floor)
    x = counts.to_numpy()
    ok = ~np.isnan(baseline.to_numpy())
    sq = np.where(ok, (x - mu) ** 2, np.nan)
    cap = np.nanpercentile(sq, 99, axis=0) if ok.any() else np.zeros(x.shape[1])
    sq = np.minimum(sq, cap)
    with _quiet_nanmean():
        excess = np.nanmean(sq - np.where(ok, mu, np.nan), axis=0) / np.nanmean(
            np.where(ok, mu**2, np.nan), axis=0
        )
    size = np.where(np.nan_to_num(excess, nan=0.0) > 1e-9, 1.0 / np.maximum(excess, 1e-9), np.inf)
    return pd.Series(size, index=counts.columns, name="size")


def upper_tail_pvalues(
    counts: pd.DataFrame, baseline: pd.DataFrame, size: pd.Series, *, floor: float = 0.2
) -> pd.DataFrame:
    """``P(X ≥ x)`` for X ~ NegBin(mean = max(baseline, floor), size) (Poisson where size is inf);
    NaN where the baseline is NaN."""
    from scipy import stats

    mu = np.fmax(baseline.to_numpy(), floor)
    x = counts.to_numpy()
    r = np.broadcast_to(size.to_numpy(), mu.shape)
    finite = np.isfinite(r)
    p = np.empty_like(mu)
    p[finite] = stats.nbinom.sf(x[finite] - 1, r[finite], r[finite] / (r[finite] + mu[finite]))
    p[~finite] = stats.poisson.sf(x[~finite] - 1, mu[~finite])
    p[np.isnan(baseline.to_numpy())] = np.nan
    return pd.DataFrame(p, index=counts.index, columns=counts.columns)


# --------------------------------------------------------------------------------------------------
# Events and bursts
# --------------------------------------------------------------------------------------------------


def term_events(
    counts: pd.DataFrame,
    baseline: pd.DataFrame,
    pvalues: pd.DataFrame,
    *,
    alpha: float = 1e-5,
    min_count: int = 4,
    merge_gap: int = 3,
    onset_alpha: float = 0.01,
    lookback: int = 7,
) -> pd.DataFrame:
    """Runs of alarm days per term.

    Returns DataFrame ``term``, ``onset`` (first alarm day, moved back over the directly preceding days
    with p < ``onset_alpha``, at most ``lookback``), ``end`` (last alarm day), ``peak`` (day of the largest
    count), ``count`` (messages on alarm days), ``baseline`` (expected on those days), ``score``
    (−log10 of the smallest p-value), ``days`` (alarm days).
    """
    alarm = (pvalues.to_numpy() < alpha) & (counts.to_numpy() >= min_count)
    rows = []
    days = counts.index
    for j in np.flatnonzero(alarm.any(axis=0)):
        idx = np.flatnonzero(alarm[:, j])
        breaks = np.flatnonzero(np.diff(idx) > merge_gap)
        pj = pvalues.iloc[:, j].to_numpy()
        for run in np.split(idx, breaks + 1):
            c = counts.iloc[run, j].to_numpy()
            first = run[0]
            while first > 0 and run[0] - first < lookback and pj[first - 1] < onset_alpha:
                first -= 1
            rows.append(
                {
                    "term": counts.columns[j],
                    "onset": days[first],
                    "end": days[run[-1]],
                    "peak": days[run[int(np.argmax(c))]],
                    "count": int(c.sum()),
                    "baseline": float(np.nan_to_num(baseline.iloc[run, j].to_numpy()).sum()),
                    "score": float(-np.log10(max(np.nanmin(pvalues.iloc[run, j].to_numpy()), 1e-300))),
                    "days": len(run),
                }
            )
    columns = ["term", "onset", "end", "peak", "count", "baseline", "score", "days"]
    return pd.DataFrame(rows, columns=columns).sort_values(["onset", "term"]).reset_index(drop=True)


def group_term_events(
    events: pd.DataFrame,
    occurrences: pd.DataFrame,
    *,
    link_days: int = 7,
    min_overlap: float = 0.2,
    term_category: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Merge term events into bursts: two events are linked when their onsets are at most ``link_days``
    apart and the messages mentioning them during their events overlap (|A∩B| / min(|A|,|B|) ≥
    ``min_overlap``); bursts are the connected components.

    Returns one row per burst: ``burst``, ``onset`` (earliest), ``peak`` (peak of the top term),
    ``end``, ``term`` (top term by count), ``terms`` (up to 6, by count), ``count`` (messages mentioning
    any burst term on alarm days), ``baseline`` and ``score`` (of the top term), ``category`` (most
    common category of the terms, count-weighted, via ``term_category``; ``"other"`` if none).
    """
    columns = ["burst", "onset", "peak", "end", "term", "terms", "count", "baseline", "score", "category"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    docs_by_event, group_by_event = [], []
    occ = occurrences.set_index("term")
    for ev in events.itertuples():
        part = occ.loc[[ev.term]] if ev.term in occ.index else occ.iloc[0:0]
        within = part.loc[(part["day"] >= ev.onset) & (part["day"] <= ev.end)]
        docs_by_event.append(set(within["doc_id"].tolist()))
        modal = None
        if "group_id" in within.columns and len(within):
            shares = within["group_id"].value_counts(normalize=True)
            modal = shares.index[0] if shares.iloc[0] >= 0.5 else None
        group_by_event.append(modal)
    parent = list(range(len(events)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    term_category = term_category or {}
    cats = [term_category.get(t, OTHER) for t in events["term"]]
    onsets = events["onset"].to_numpy()
    for i in range(len(events)):
        for j in range(i + 1, len(events)):
            if (onsets[j] - onsets[i]) > np.timedelta64(link_days, "D"):
                break
            a, b = docs_by_event[i], docs_by_event[j]
            same_category = cats[i] != OTHER and cats[i] == cats[j]
            same_group = group_by_event[i] is not None and group_by_event[i] == group_by_event[j]
            if same_category or same_group or (a and b and len(a & b) / min(len(a), len(b)) >= min_overlap):
                parent[find(j)] = find(i)
    components = pd.Series([find(i) for i in range(len(events))], index=events.index)
    rows = []
    for _, members in events.groupby(components.to_numpy()):
        members = members.sort_values(["count", "term"], ascending=[False, True])
        top = members.iloc[0]
        weights: dict[str, int] = {}
        for term, count in zip(members["term"], members["count"], strict=True):
            cat = term_category.get(term, OTHER)
            if cat != OTHER:
                weights[cat] = weights.get(cat, 0) + int(count)
        docs = set().union(*(docs_by_event[i] for i in members.index))
        rows.append(
            {
                "onset": members["onset"].min(),
                "peak": top["peak"],
                "end": members["end"].max(),
                "term": top["term"],
                "terms": " ".join(members["term"].head(6)),
                "count": len(docs),
                "baseline": round(float(top["baseline"]), 2),
                "score": round(float(top["score"]), 2),
                "category": max(weights, key=lambda c: (weights[c], c)) if weights else OTHER,
            }
        )
    bursts = pd.DataFrame(rows).sort_values(["onset", "term"]).reset_index(drop=True)
    bursts.insert(0, "burst", np.arange(1, len(bursts) + 1))
    return bursts[columns]


@lru_cache(maxsize=1 << 16)
def lexicon_category(term: str) -> str:
    """Category code whose lexicon word (the longest) is contained in ``term``, else ``"other"``.
    (Memoized: a corpus has a few tens of thousands of distinct terms, asked about again and again.)"""
    best, best_len = OTHER, 0
    for cat in CATEGORIES:
        for entry in cat.lexicon:
            hit = term == entry if len(entry) == 1 else entry in term
            if hit and len(entry) > best_len:
                best, best_len = cat.code, len(entry)
    return best


def detect_bursts(
    docs: pd.DataFrame, params: BurstParams = BurstParams(), *, term_category: dict[str, str] | None = None
) -> dict:
    """Run the whole burst test on tokenized documents.

    Parameters
    ----------
    docs : ``doc_id``, ``day`` (datetime64 at midnight) and ``tokens`` (space-joined) of each message.
    params : :class:`BurstParams`.
    term_category : term → category code (default :func:`lexicon_category` per term).

    Returns
    -------
    ``{"bursts": DataFrame (see :func:`group_term_events`), "events": term events,
    "counts", "baseline", "pvalues": day × term DataFrames, "occurrences"}``.
    """
    occurrences = term_occurrences(docs)
    counts = daily_term_counts(
        occurrences, min_total=params.min_total, max_terms=params.max_terms, min_length=params.min_term_length
    )
    baseline = seasonal_baseline(counts, window=params.window, trailing=params.trailing)
    size = dispersion(counts, baseline, floor=params.floor)
    pvalues = upper_tail_pvalues(counts, baseline, size, floor=params.floor)
    events = term_events(
        counts,
        baseline,
        pvalues,
        alpha=params.alpha,
        min_count=params.min_count,
        merge_gap=params.merge_gap,
        onset_alpha=params.onset_alpha,
        lookback=params.lookback,
    )
    if term_category is None:
        term_category = {t: lexicon_category(t) for t in counts.columns}
    occ = occurrences.loc[occurrences["term"].isin(set(events["term"]))]
    bursts = group_term_events(
        events, occ, link_days=params.link_days, min_overlap=params.min_overlap, term_category=term_category
    )
    return {
        "bursts": bursts,
        "events": events,
        "counts": counts,
        "baseline": baseline,
        "pvalues": pvalues,
        "occurrences": occurrences,
    }


def false_alarm_rate(
    pvalues: pd.DataFrame, counts: pd.DataFrame, quiet: pd.Series, *, alpha: float = 1e-5, min_count: int = 4
) -> float:
    """Share of tested term-days that alarm on days marked ``quiet`` (bool Series indexed by day:
    no planted burst within a week).  The nominal level is ``alpha``; this is the measured one."""
    mask = quiet.reindex(counts.index, fill_value=False).to_numpy()[:, None] & ~np.isnan(pvalues.to_numpy())
    alarms = (pvalues.to_numpy() < alpha) & (counts.to_numpy() >= min_count) & mask
    tested = int(mask.sum())
    return float(alarms.sum() / tested) if tested else float("nan")


# --------------------------------------------------------------------------------------------------
# The chat snapshot → documents
# --------------------------------------------------------------------------------------------------


def snapshot_documents(data: Paths | str | os.PathLike | None = None) -> pd.DataFrame:
    """Text messages of the snapshot with their cached tokens: ``doc_id`` (= msg_id), ``msg_id``,
    ``group_id``, ``sender_id``, ``is_staff``, ``mentions``, ``sent_at``, ``day``, ``text``, ``tokens``."""
    from jiesu.topics import snapshot_tokens, text_messages

    where = datasets.resolve(data)
    messages = text_messages(datasets.load("messages", where))
    tokens = pd.read_parquet(snapshot_tokens(where), columns=["doc_id", "tokens"])
    frame = messages[["msg_id", "group_id", "sender_id", "is_staff", "mentions", "sent_at", "text"]].merge(
        tokens, left_on="msg_id", right_on="doc_id"
    )
    frame["day"] = frame["sent_at"].dt.normalize()
    return frame.loc[frame["tokens"] != ""].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Lead-lag against 12345 cases
# --------------------------------------------------------------------------------------------------


def _case_codes(cases: pd.DataFrame) -> pd.Series:
    return cases["category"].map(lambda lab: BY_LABEL[lab].code if lab in BY_LABEL else OTHER)


def lead_lag(bursts: pd.DataFrame, cases: pd.DataFrame, *, horizon: int = 21) -> pd.DataFrame:
    """Days from each chat burst's onset to the first 12345 case of the same category.

    Returns ``bursts`` with ``first_case`` (timestamp or NaT) and ``lag_days`` (0…``horizon``; NaN
    when no case of the category arrived within ``horizon`` days of the onset)."""
    codes = _case_codes(cases)
    out = bursts.copy()
    firsts, lags = [], []
    for onset, cat in zip(out["onset"], out["category"], strict=True):
        received = cases.loc[(codes == cat).to_numpy(), "received_at"]
        window = received.loc[(received >= onset) & (received < onset + (horizon + 1) * DAY)]
        first = window.min() if len(window) else pd.NaT
        firsts.append(first)
        lags.append((first.normalize() - onset).days if pd.notna(first) else np.nan)
    out["first_case"] = pd.to_datetime(pd.Series(firsts, index=out.index, dtype="datetime64[us]"))
    out["lag_days"] = lags
    return out


def category_cross_correlation(docs: pd.DataFrame, cases: pd.DataFrame, *, max_lag: int = 21) -> pd.DataFrame:
    """Per category, the lag (days) at which daily chat mentions best predict daily 12345 cases.

    Chat mentions: text messages with a token of the category's lexicon.  Both series are
    differenced against their 28-day centred mean (removes season) before the Pearson correlation
    ``corr(chat[t], cases[t+lag])`` for lag = 0…``max_lag``.  Returns ``category``, ``label``,
    ``best_lag_days``, ``correlation``, ``chat_mentions``, ``cases``.
    """
    start, end = docs["day"].min(), docs["day"].max()
    days = pd.date_range(start, end, freq="D")
    case_codes = _case_codes(cases)
    cdays = cases["received_at"].dt.normalize()
    rows = []
    vocabulary = {t for doc in docs["tokens"] for t in str(doc).split(" ") if t}
    category_of = {t: lexicon_category(t) for t in vocabulary}
    doc_categories = docs["tokens"].map(lambda doc: {category_of.get(t, OTHER) for t in str(doc).split(" ")})
    for cat in CATEGORIES:
        mentions = doc_categories.map(lambda cats, code=cat.code: code in cats)
        chat = docs.loc[mentions.to_numpy()].groupby("day").size().reindex(days, fill_value=0).astype(float)
        case = (
            cdays.loc[(case_codes == cat.code).to_numpy()]
            .value_counts()
            .reindex(days, fill_value=0)
            .astype(float)
        )
        if chat.sum() == 0 or case.sum() == 0:
            continue
        chat_d = chat - chat.rolling(28, center=True, min_periods=7).mean()
        case_d = case - case.rolling(28, center=True, min_periods=7).mean()
        corr = [chat_d.corr(case_d.shift(-lag)) for lag in range(max_lag + 1)]
        best = int(np.nanargmax(corr)) if not np.all(np.isnan(corr)) else 0
        rows.append(
            {
                "category": cat.code,
                "label": cat.label,
                "best_lag_days": best,
                "correlation": round(float(corr[best]), 3),
                "chat_mentions": int(chat.sum()),
                "cases": int(case.sum()),
            }
        )
    return pd.DataFrame(
        rows, columns=["category", "label", "best_lag_days", "correlation", "chat_mentions", "cases"]
    )


# --------------------------------------------------------------------------------------------------
# Watch list and seasonal checklist
# --------------------------------------------------------------------------------------------------

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


def seasonal_checklist(month: int | str, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """What to prepare for ``month`` (1–12 or ``YYYY-MM``): categories whose season starts that month
    (before the rains, before the windy spring, at the start of heating) first, then other seasonal
    categories in season, then year-round ones.

    ``history`` (optional): DataFrame ``month`` (1–12), ``category``, ``messages`` of past issue
    messages, to show how many arrived in this calendar month in earlier years.

    Returns ``category``, ``label``, ``season``, ``starts``, ``action``, ``owner_team``,
    ``past_messages`` (mean per year, NaN without history).
    """
    m = int(str(month)[-2:]) if isinstance(month, str) else int(month)
    rows = []
    for cat in CATEGORIES:
        if m not in cat.months:
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
    table["category_code"] = [category.get(t) or lexicon_category(t) for t in table.index]
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
        sample = ([s for s in candidates if s not in shown] + [s for s in candidates if s in shown])[:examples]
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


# --------------------------------------------------------------------------------------------------
# Interception (截留): issues settled in the groups before they reach 12345
# --------------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------------
# Categories of terms, the snapshot's bursts, and the planted-truth score
# --------------------------------------------------------------------------------------------------


def topic_term_categories(model, *, min_share: float = 0.7, min_docs: int = 20) -> dict[str, str]:
    """Category code of each vocabulary word of a topic model: the label of the topic with the largest
    p(topic | word) (uniform topic prior), when that share is at least ``min_share`` and the word occurs
    in at least ``min_docs`` training documents (rare words are assigned by chance); bigrams also give
    their parts (暖气_不热 → 暖气, 不热) unless those are words of their own.  Lexicon words keep their
    lexicon category."""
    phi = model.lda.get_topics()
    frequent = {i for i, n in model.dictionary.dfs.items() if n >= min_docs}
    share = phi / phi.sum(axis=0, keepdims=True)
    code_of_topic = model.topics.set_index("topic")["category"]
    best = share.argmax(axis=0)
    out: dict[str, str] = {}
    for word_id, word in model.dictionary.items():
        if word_id not in frequent or share[best[word_id], word_id] < min_share:
            continue
        code = code_of_topic.get(int(best[word_id]), OTHER)
        if code == OTHER:
            continue
        out[word] = code
        for part in word.split("_"):
            out.setdefault(part, code)
    for word in list(out):
        lexical = lexicon_category(word)
        if lexical != OTHER:
            out[word] = lexical
    return out


def _term_category_lookup(topic_categories: dict[str, str]):
    def category(term: str) -> str:
        lexical = lexicon_category(term)
        return lexical if lexical != OTHER else topic_categories.get(term, OTHER)

    return category


def match_bursts(detected: pd.DataFrame, planted: list[dict], *, max_onset_error: int = 7) -> pd.DataFrame:
    """Match detected bursts to planted ones: a detection matches a planted burst when its onset is
    within ``max_onset_error`` days and it has the planted category or shares a word with the planted
    terms.  Each planted burst takes its closest-onset match.

    Returns one row per planted burst: ``id``, ``category``, ``onset``, ``detected`` (burst number or
    -1), ``onset_error_days`` (detected − planted, NaN if missed)."""
    from jiesu.text import Tokenizer

    tokenizer = Tokenizer("rjieba", min_length=2)
    rows = []
    for burst in planted:
        onset = pd.Timestamp(burst["onset"])
        words = {t for term in burst["terms"] for t in tokenizer.tokens(term)}
        best, error = -1, np.nan
        for det in detected.itertuples():
            delta = (det.onset - onset).days
            if abs(delta) > max_onset_error:
                continue
            if det.category == burst["category"] or words & set(str(det.terms).split(" ")):
                if best < 0 or abs(delta) < abs(error):
                    best, error = int(det.burst), delta
        rows.append(
            {
                "id": burst["id"],
                "category": burst["category"],
                "onset": onset,
                "detected": best,
                "onset_error_days": error,
            }
        )
    return pd.DataFrame(rows)


def snapshot_bursts(
    data: Paths | str | os.PathLike | None = None, params: BurstParams = BurstParams()
) -> dict:
    """:func:`detect_bursts` on the snapshot's text messages; term categories from the lexicons and the
    cached topic model of :func:`jiesu.topics.snapshot_model` (trained if missing)."""
    from jiesu.topics import snapshot_model

    docs = snapshot_documents(data)
    lookup = _term_category_lookup(topic_term_categories(snapshot_model(data).model))
    terms = set(t for doc in docs["tokens"] for t in doc.split(" ") if t)
    return detect_bursts(docs, params, term_category={t: lookup(t) for t in terms})


def score_bursts(truth: dict, data: Paths | str | os.PathLike | None = None) -> dict:
    """Planted-truth score of burst detection: ``recall`` (planted bursts detected with onset within 7
    days), ``precision`` (detected bursts that match a planted one) and ``median_onset_error_days``
    (absolute, over detected planted bursts)."""
    return score_detected_bursts(snapshot_bursts(data)["bursts"], truth.get("bursts") or [])


def score_detected_bursts(found: pd.DataFrame, planted: list[dict]) -> dict:
    """:func:`score_bursts` for an already detected burst table."""
    matches = match_bursts(found, planted)
    hit = matches.loc[matches["detected"] >= 0]
    matched_detections = set()
    for det in found.itertuples(index=False):
        one = match_bursts(pd.DataFrame([det._asdict()]), planted)
        if (one["detected"] >= 0).any():
            matched_detections.add(int(det.burst))
    return {
        "recall": round(len(hit) / len(planted), 4) if planted else None,
        "precision": round(len(matched_detections) / len(found), 4) if len(found) else None,
        "median_onset_error_days": float(hit["onset_error_days"].abs().median()) if len(hit) else None,
    }


# --------------------------------------------------------------------------------------------------
# The snapshot's interception, watch list and checklist (report-facing)
# --------------------------------------------------------------------------------------------------


def issue_messages(messages: pd.DataFrame, categories: pd.Series, *, dedupe_hours: float = 6) -> pd.DataFrame:
    """Residents' issue messages: non-staff text messages with a category (``categories``: msg_id →
    code, messages absent or ``"other"`` are not issues); repeats of the same category in the same group within ``dedupe_hours``
    of the previous one (我家也是, +1, follow-ups) are folded into the first.  Returns ``msg_id``,
    ``group_id``, ``sender_id``, ``sent_at``, ``text``, ``category``."""
    frame = messages.loc[
        (messages["msg_type"] == "文本") & ~messages["is_staff"].fillna(False).astype(bool),
        ["msg_id", "group_id", "sender_id", "sent_at", "text"],
    ]
    frame = frame.assign(category=frame["msg_id"].map(categories).fillna(OTHER))
    frame = frame.loc[frame["category"] != OTHER].sort_values(
        ["group_id", "category", "sent_at"], kind="stable"
    )
    gap = frame["sent_at"].diff() > pd.Timedelta(hours=dedupe_hours)
    first = (
        gap
        | (frame["group_id"] != frame["group_id"].shift())
        | (frame["category"] != frame["category"].shift())
    )
    return frame.loc[first].sort_values("sent_at", kind="stable").reset_index(drop=True)


def issue_categories(msg_ids: pd.Series, snap) -> pd.Series:
    """Category of each message in ``msg_ids``: the label of its dominant topic in the snapshot model,
    or, when that is a chatter topic, the category of its first lexicon word; ``"other"`` if neither.
    Returns a Series msg_id → code."""
    topic_codes = message_categories(snap.doc_topics, snap.model.topics, min_weight=0.0)
    ids = pd.Index(pd.unique(np.asarray(msg_ids)))
    codes = topic_codes.reindex(ids).fillna(OTHER)
    fallback = codes.index[codes.to_numpy() == OTHER]
    if len(fallback):
        tokens = pd.read_parquet(snap.tokens_path, columns=["doc_id", "tokens"]).set_index("doc_id")["tokens"]
        codes.loc[fallback] = [
            next((c for c in map(lexicon_category, words.split(" ")) if c != OTHER), OTHER)
            for words in tokens.reindex(fallback).fillna("")
        ]
    return codes.astype(object).rename("category")


def snapshot_interception(data: Paths | str | os.PathLike | None = None) -> pd.DataFrame:
    """:func:`interception` for the issues residents raised with staff in the groups: non-staff messages
    that @mention a staff member or that staff @mention back (:func:`jiesu.topics.staff_exchange`),
    categorized by :func:`issue_categories`.  Sender households come from 园园's friends and the team
    roster, group buildings from the groups table."""
    from jiesu.topics import snapshot_model, staff_exchange, text_messages

    snap = snapshot_model(data)
    messages = datasets.load("messages", data)
    texts = text_messages(messages)
    raised = texts.loc[staff_exchange(texts), "msg_id"]
    categories = issue_categories(raised, snap)
    issues = issue_messages(messages, categories)
    households = pd.concat(
        [
            datasets.load("friends", data)[["member_id", "household_id"]],
            datasets.load("teams", data)[["member_id", "household_id"]],
        ]
    ).dropna()
    groups = datasets.load("groups", data)
    return interception(
        issues,
        messages,
        datasets.load("cases", data),
        sender_households=households.drop_duplicates("member_id").set_index("member_id")["household_id"],
        group_buildings=groups.set_index("group_id")["building"].dropna(),
    )


def interception_by_month(data: Paths | str | os.PathLike | None = None) -> pd.DataFrame:
    """Monthly interception of the snapshot: ``month``, ``issues``, ``closed_in_group``,
    ``reached_12345``, ``interception_share`` (see :func:`monthly_interception`)."""
    table = monthly_interception(snapshot_interception(data))
    return table[["month", "issues", "closed_in_group", "reached_12345", "interception_share"]]


def _month_end(month: str) -> pd.Timestamp:
    return pd.Period(month, freq="M").end_time.normalize()


def report_watch(data: Paths | str | os.PathLike | None = None, month: str | None = None) -> dict:
    """What to watch at the end of ``month`` (YYYY-MM; default the latest month with messages).

    Returns ``{"month", "watch_list": DataFrame(term, category, trend, examples, owner_team),
    "interception_share": float or None (that month), "checklist": DataFrame for the NEXT month
    (see :func:`seasonal_checklist`, with ``past_messages`` from the snapshot's issue messages)}``.
    """
    from jiesu.topics import snapshot_model

    docs = snapshot_documents(data)
    month = month or docs["day"].max().strftime("%Y-%m")
    week_end = min(_month_end(month), docs["day"].max())
    issues = snapshot_interception(data)
    # watch what residents raise with staff, not the chatter around it
    from jiesu.topics import staff_exchange

    docs = docs.loc[staff_exchange(docs).to_numpy()]
    lookup = _term_category_lookup(topic_term_categories(snapshot_model(data).model))
    recent_terms = set(
        t for doc in docs.loc[docs["day"] > week_end - 35 * DAY, "tokens"] for t in doc.split(" ") if t
    )
    watch = weekly_watch_list(docs, week_end, term_category={t: lookup(t) for t in recent_terms}, min_count=2)
    monthly = monthly_interception(issues)
    row = monthly.loc[monthly["month"] == month, "interception_share"]
    years = max(issues["sent_at"].dt.year.nunique(), 1)
    history = (
        issues.assign(month=issues["sent_at"].dt.month)
        .groupby(["month", "category"])
        .size()
        .div(years)
        .rename("messages")
        .reset_index()
    )
    next_month = (pd.Period(month, freq="M") + 1).strftime("%Y-%m")
    return {
        "month": month,
        "watch_list": watch[["term", "category", "trend", "examples", "owner_team"]],
        "interception_share": float(row.iloc[0]) if len(row) and pd.notna(row.iloc[0]) else None,
        "checklist": seasonal_checklist(next_month, history).assign(month=next_month),
    }


def planted_false_alarm_rate(
    found: dict, truth: dict, params: BurstParams = BurstParams(), *, guard_days: int = 7
) -> float:
    """The measured false-alarm rate of the burst test on a synthetic world: the share of tested
    term-days that alarm on days at least ``guard_days`` away from every planted burst (``found``:
    the result of :func:`detect_bursts`/:func:`snapshot_bursts`).  Compare with the nominal ``alpha``."""
    days = found["counts"].index
    quiet = pd.Series(True, index=days)
    for burst in truth.get("bursts") or []:
        onset = pd.Timestamp(burst["onset"])
        end = onset + pd.Timedelta(days=int(burst["duration_days"]) - 1)
        quiet.loc[(days >= onset - guard_days * DAY) & (days <= end + guard_days * DAY)] = False
    return false_alarm_rate(
        found["pvalues"], found["counts"], quiet, alpha=params.alpha, min_count=params.min_count
    )
