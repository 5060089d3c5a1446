"""TF-IDF vectors of prepared documents with a past-only IDF (no decision sees the future)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import sparse

from jiesu.analysis.early_warning.params import HotParams
from jiesu.analysis.early_warning.predictive import week_origin


def centroid(x: sparse.csr_matrix) -> np.ndarray:
    """The L2-normalized mean of the rows of ``x``."""
    c = np.asarray(x.mean(axis=0)).ravel()
    norm = np.linalg.norm(c)
    return c / norm if norm > 0 else c


class Vectors:
    """TF-IDF vectors of prepared documents (:func:`~jiesu.analysis.early_warning.documents.prepare`).

    Features are content tokens, bigrams and the place (``@`` + name, term frequency
    ``params.place_weight``); term frequency is sublinear (1 + ln tf).  :meth:`matrix` gives
    L2-normalized rows with the IDF of the ``idf_weeks`` weeks ending with a given week, from
    issue-like documents only: the vectors of a decision at the end of week ``W`` depend only on
    documents up to ``W``.

    Parameters
    ----------
    docs : prepared documents.
    params : :class:`HotParams` (``place_weight``, ``idf_weeks``).
    origin : the Monday of week 0 (default: the week of the first document).
    """

    def __init__(
        self, docs: pd.DataFrame, params: HotParams = HotParams(), origin: pd.Timestamp | None = None
    ):
        self.params = params
        self.origin = origin if origin is not None else week_origin(docs["day"])
        self.week = ((docs["day"] - self.origin).dt.days // 7).to_numpy()
        self.n_weeks = int(self.week.max()) + 1 if len(docs) else 0
        self.vocab, self.tf = self._term_frequencies(docs)
        usable = docs["issue_like"].to_numpy()
        presence = self.tf.copy()
        presence.data[:] = 1.0
        week_rows = sparse.csr_matrix(
            (np.ones(int(usable.sum())), (self.week[usable], np.flatnonzero(usable))),
            shape=(self.n_weeks, len(docs)),
        )
        self.df_week = (week_rows @ presence).tocsr()  # weeks × features: issue-like docs containing it
        self.docs_week = np.bincount(self.week[usable], minlength=self.n_weeks).astype(np.float64)
        self._idf_cache: dict[int, np.ndarray] = {}

    def _term_frequencies(self, docs: pd.DataFrame) -> tuple[dict[str, int], sparse.csr_matrix]:
        vocab: dict[str, int] = {}
        indptr, indices, data = [0], [], []
        for toks, bis, place in zip(docs["tokens"], docs["bigrams"], docs["place"], strict=True):
            counts: dict[int, float] = {}
            for f in list(toks) + list(bis):
                j = vocab.setdefault(f, len(vocab))
                counts[j] = counts.get(j, 0.0) + 1.0
            if place:
                j = vocab.setdefault("@" + place, len(vocab))
                counts[j] = counts.get(j, 0.0) + self.params.place_weight  # before the log
            indices.extend(counts.keys())
            data.extend(1.0 + math.log(v) if v >= 1 else v for v in counts.values())
            indptr.append(len(indices))
        tf = sparse.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(docs), len(vocab)),
        )
        return vocab, tf

    def window_df(self, week: int) -> tuple[np.ndarray, float]:
        """Issue-like documents containing each feature, and all issue-like documents, in the
        ``idf_weeks`` weeks up to ``week``."""
        lo = max(0, week - self.params.idf_weeks + 1)
        df = np.asarray(self.df_week[lo : week + 1].sum(axis=0)).ravel()
        return df, float(self.docs_week[lo : week + 1].sum())

    def idf(self, week: int) -> np.ndarray:
        """Smoothed IDF ln((n + 1) / (df + 1)) + 1 of the window ending with ``week``."""
        if week not in self._idf_cache:
            df, n = self.window_df(week)
            self._idf_cache = {week: np.log((n + 1.0) / (df + 1.0)) + 1.0}
        return self._idf_cache[week]

    def df_share(self, week: int) -> np.ndarray:
        """Share (0–1) of the window's issue-like documents containing each feature."""
        df, n = self.window_df(week)
        return df / max(n, 1.0)

    def matrix(self, rows: np.ndarray, week: int) -> sparse.csr_matrix:
        """L2-normalized TF-IDF rows of documents ``rows`` with the IDF of ``week``."""
        x = self.tf[rows].multiply(self.idf(week)[None, :]).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ x
