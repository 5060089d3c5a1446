"""Keyword bursts: daily term counts tested against a negative-binomial seasonal baseline."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jiesu import categories
from jiesu.categories import OTHER

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
    from scipy import stats  # heavy (~1.4 s to import); only the burst test needs it

    mu = np.fmax(baseline.to_numpy(), floor)
    x = counts.to_numpy()
    r = np.broadcast_to(size.to_numpy(), mu.shape)
    finite = np.isfinite(r)
    p = np.empty_like(mu)
    p[finite] = stats.nbinom.sf(x[finite] - 1, r[finite], r[finite] / (r[finite] + mu[finite]))
    p[~finite] = stats.poisson.sf(x[~finite] - 1, mu[~finite])
    p[np.isnan(baseline.to_numpy())] = np.nan
    return pd.DataFrame(p, index=counts.index, columns=counts.columns)


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


def detect_bursts(
    docs: pd.DataFrame, params: BurstParams = BurstParams(), *, term_category: dict[str, str] | None = None
) -> dict:
    """Run the whole burst test on tokenized documents.

    Parameters
    ----------
    docs : ``doc_id``, ``day`` (datetime64 at midnight) and ``tokens`` (space-joined) of each message.
    params : :class:`BurstParams`.
    term_category : term → category code (default :func:`jiesu.categories.term_category` per term).

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
        term_category = {t: categories.term_category(t) for t in counts.columns}
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
        lexical = categories.term_category(word)
        if lexical != OTHER:
            out[word] = lexical
    return out


def _term_category_lookup(topic_categories: dict[str, str]):
    def category(term: str) -> str:
        lexical = categories.term_category(term)
        return lexical if lexical != OTHER else topic_categories.get(term, OTHER)

    return category
