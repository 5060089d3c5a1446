"""Anchors — the phrases, places and word pairs whose weekly sender counts are tested — and the
:class:`Detector` that holds everything computed once per corpus.

Each distinct message contributes as anchors its content tokens and bigrams, ``@place``, the pairs
``a+b`` of its top TF-IDF keywords and, with a place, ``@place+token`` for every token and
``@place+[category]`` for every category whose words it contains ("the same problem at the same
place").  Anchors play the role of the bursty *segments* of Twevent (Li, Sun & Datta 2012).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jiesu.analysis.early_warning.params import HotParams
from jiesu.analysis.early_warning.vectors import Vectors
from jiesu.analysis.early_warning.vocabulary import message_categories

MIN_DISPERSION, MAX_DISPERSION = 2.0, 1000.0
"""The pooled negative-binomial k is clipped to this range (1000 is Poisson for weekly counts)."""
MIN_DISPERSION_WEIGHT = 50.0
"""Σ μ² needed before the pooled k is used instead of ``params.dispersion``."""
RESIDUAL_CAP_PERCENTILE = 99
"""Squared residuals of one week are capped at this percentile (a burst does not make k)."""


class PhraseMatrix:
    """Distinct senders per week (``counts``: weeks × anchors) of each anchor that reaches
    ``phrase_min_count`` senders in some week, its ``names`` and anchor → document rows (``rows_of``).
    Anchors that never reach the minimum count can never alarm, so leaving them out changes no decision."""

    def __init__(self, counts: np.ndarray, names: list[str], rows_of: dict[str, np.ndarray]):
        self.counts, self.names, self.rows_of = counts, names, rows_of
        self.index = {f: j for j, f in enumerate(names)}


class Detector:
    """A prepared corpus with its past-only vectors, weekly volumes, anchors and dispersion estimates:
    built once, shared by :func:`~jiesu.analysis.early_warning.weekly.weekly_bursts` and
    :func:`~jiesu.analysis.early_warning.hot.hot_issues`.

    Parameters
    ----------
    docs : :func:`~jiesu.analysis.early_warning.documents.prepare` output.
    params : :class:`HotParams`.
    """

    def __init__(self, docs: pd.DataFrame, params: HotParams = HotParams()):
        self.docs = docs.reset_index(drop=True)
        self.params = params
        self.vec = Vectors(self.docs, params)
        self.week = self.vec.week
        self.n_weeks = self.vec.n_weeks
        self.usable = self.docs["issue_like"].to_numpy()
        self.senders = self.docs["sender_id"].to_numpy()
        self.volume = self.vec.docs_week
        self.rows_of_week = [np.flatnonzero((self.week == w) & self.usable) for w in range(self.n_weeks)]
        self.categories = message_categories(self.docs)
        self._phrases: PhraseMatrix | None = None
        self._disp: tuple[np.ndarray, np.ndarray] | None = None

    # -- counts ----------------------------------------------------------------------------------
    def distinct_senders(self, rows: np.ndarray) -> int:
        """Distinct senders among document ``rows``."""
        return len(set(self.senders[rows])) if len(rows) else 0

    def weekly_senders(self, rows: np.ndarray, weeks: np.ndarray) -> dict[int, int]:
        """Distinct senders per week among ``rows``, for each of ``weeks``."""
        frame = pd.DataFrame({"w": self.week[rows], "s": self.senders[rows]}).drop_duplicates()
        counts = frame["w"].value_counts()
        return {int(w): int(counts.get(w, 0)) for w in weeks}

    def sender_series(self, rows: np.ndarray) -> np.ndarray:
        """Distinct senders per week (all weeks) among ``rows``."""
        frame = pd.DataFrame({"w": self.week[rows], "s": self.senders[rows]}).drop_duplicates()
        return np.bincount(frame["w"].to_numpy(), minlength=self.n_weeks).astype(float)

    # -- dispersion ------------------------------------------------------------------------------
    def dispersion_at(self, week: int) -> float:
        """Pooled negative-binomial k of weekly anchor counts, from weeks before ``week`` only.

        Method of moments over (week, anchor) pairs whose expected count (the larger of the trailing
        ``baseline_weeks`` and the same-season mean, volume-adjusted) is at least 1:
        1/k = Σ((y − μ)² − μ) / Σ μ², squared residuals capped at their 99th percentile per week; clipped
        to [2, 1000].  ``params.dispersion`` when not estimated or with too little history.
        """
        p = self.params
        if not p.estimate_dispersion:
            return p.dispersion
        if self._disp is None:
            self._disp = self._dispersion_sums()
        num, den = self._disp
        if week - 1 < 0 or den[week - 1] < MIN_DISPERSION_WEIGHT:
            return p.dispersion
        inv = num[week - 1] / den[week - 1]
        return float(np.clip(1.0 / inv if inv > 0 else MAX_DISPERSION, MIN_DISPERSION, MAX_DISPERSION))

    def _dispersion_sums(self) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative Σ((y − μ)² − μ) and Σ μ² of each week (see :meth:`dispersion_at`)."""
        mat, vol = self.phrase_matrix().counts, self.volume
        num, den = np.zeros(self.n_weeks), np.zeros(self.n_weeks)
        csum = np.vstack([np.zeros((1, mat.shape[1])), np.cumsum(mat, axis=0)])
        vsum = np.concatenate([[0.0], np.cumsum(vol)])
        length, h = self.params.baseline_weeks, self.params.season_weeks
        for w in range(length, self.n_weeks):
            if vol[w] <= 0:
                continue
            mu = (csum[w] - csum[w - length]) / max(vsum[w] - vsum[w - length], 1.0) * vol[w]
            if w - 52 - h >= 0:  # the expectation the test uses: the larger of trailing and season
                lo, hi = w - 52 - h, w - 52 + h + 1
                mu = np.maximum(mu, (csum[hi] - csum[lo]) / max(vsum[hi] - vsum[lo], 1.0) * vol[w])
            ok = mu >= 1.0
            if not ok.any():
                continue
            r2 = (mat[w, ok] - mu[ok]) ** 2
            r2 = np.minimum(r2, np.percentile(r2, RESIDUAL_CAP_PERCENTILE))
            num[w] = float((r2 - mu[ok]).sum())
            den[w] = float((mu[ok] ** 2).sum())
        return np.cumsum(num), np.cumsum(den)

    # -- anchors ---------------------------------------------------------------------------------
    def keywords(self) -> list[tuple[str, ...]]:
        """The ``pair_keywords`` content tokens of each document with the largest TF-IDF weight (IDF of
        the document's own week: from the past only), among tokens in at least ``pair_min_df``
        documents of the IDF window (a word seen once can never make a recurring pair)."""
        if getattr(self, "_keywords", None) is None:
            out: list[tuple[str, ...]] = [()] * len(self.docs)
            toks = self.docs["tokens"].tolist()
            for w in range(self.n_weeks):
                idf, (df, _) = self.vec.idf(w), self.vec.window_df(w)
                for i in np.flatnonzero(self.week == w):
                    out[i] = self._top_keywords(toks[i], idf, df)
            self._keywords = out
        return self._keywords

    def _top_keywords(self, tokens: list[str], idf: np.ndarray, df: np.ndarray) -> tuple[str, ...]:
        vocab = self.vec.vocab
        counts: dict[str, int] = {}
        for t in tokens:
            if df[vocab[t]] >= self.params.pair_min_df:
                counts[t] = counts.get(t, 0) + 1
        ranked = sorted(counts, key=lambda t: (-(1 + math.log(counts[t])) * idf[vocab[t]], t))
        return tuple(ranked[: self.params.pair_keywords])

    def anchors_of(self, i: int) -> set[str]:
        """The anchors document ``i`` contributes (see the module docstring)."""
        tokens, place = self.docs["tokens"].iat[i], self.docs["place"].iat[i]
        feats = set(tokens) | set(self.docs["bigrams"].iat[i])
        if place:
            feats.add("@" + place)
        if self.params.pair_keywords:
            kw = sorted(self.keywords()[i])
            feats.update(f"{a}+{b}" for j, a in enumerate(kw) for b in kw[j + 1 :])
            if place:  # the same problem at the same place
                feats.update(f"@{place}+{a}" for a in set(tokens))
                feats.update(f"@{place}+[{code}]" for code in self.categories[i])
        return feats

    def phrase_matrix(self) -> PhraseMatrix:
        """The anchor × week matrix of distinct senders (:class:`PhraseMatrix`), built once."""
        if self._phrases is None:
            self._phrases = self._build_phrase_matrix()
        return self._phrases

    def _build_phrase_matrix(self) -> PhraseMatrix:
        index: dict[str, int] = {}
        f_ids, d_ids = [], []
        for i in np.flatnonzero(self.usable):
            for f in self.anchors_of(int(i)):
                f_ids.append(index.setdefault(f, len(index)))
                d_ids.append(i)
        f_ids = np.asarray(f_ids, dtype=np.int64)
        d_ids = np.asarray(d_ids, dtype=np.int64)
        sender_code = pd.factorize(self.senders)[0].astype(np.int64)
        n_senders = int(sender_code.max()) + 1 if len(sender_code) else 1
        key = (f_ids * (self.n_weeks + 1) + self.week[d_ids]) * n_senders + sender_code[d_ids]
        fw_u, fw_c = np.unique(np.unique(key) // n_senders, return_counts=True)
        feat, wk = fw_u // (self.n_weeks + 1), fw_u % (self.n_weeks + 1)
        best = np.zeros(len(index), dtype=np.int64)
        np.maximum.at(best, feat, fw_c)
        keep_ids = np.flatnonzero(best >= self.params.phrase_min_count)
        col = -np.ones(len(index), dtype=np.int64)
        col[keep_ids] = np.arange(len(keep_ids))
        mat = np.zeros((self.n_weeks, len(keep_ids)))
        sel = col[feat] >= 0
        mat[wk[sel], col[feat[sel]]] = fw_c[sel]
        keep = np.array(list(index), dtype=object)[keep_ids].tolist()
        order = np.argsort(f_ids, kind="stable")
        bounds = np.searchsorted(f_ids[order], keep_ids)
        ends = np.searchsorted(f_ids[order], keep_ids, side="right")
        rows_of = {keep[j]: d_ids[order[bounds[j] : ends[j]]] for j in range(len(keep_ids))}
        return PhraseMatrix(mat, keep, rows_of)
