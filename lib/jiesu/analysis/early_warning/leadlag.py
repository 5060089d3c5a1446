"""Do chat bursts come before 12345 cases?  Lead-lag per burst and cross-correlation per category."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.analysis.early_warning.bursts import DAY
from jiesu.categories import CATEGORIES, OTHER, label_codes, term_category


def lead_lag(bursts: pd.DataFrame, cases: pd.DataFrame, *, horizon: int = 21) -> pd.DataFrame:
    """Days from each chat burst's onset to the first 12345 case of the same category.

    Returns ``bursts`` with ``first_case`` (timestamp or NaT) and ``lag_days`` (0…``horizon``; NaN
    when no case of the category arrived within ``horizon`` days of the onset)."""
    codes = label_codes(cases["category"])
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
    case_codes = label_codes(cases["category"])
    cdays = cases["received_at"].dt.normalize()
    rows = []
    vocabulary = {t for doc in docs["tokens"] for t in str(doc).split(" ") if t}
    category_of = {t: term_category(t) for t in vocabulary}
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
