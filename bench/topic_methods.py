"""The comparison methods of ``bench/topic_quality.py`` that the library does not ship.

Tokens, the stopword rules, the consensus model and the plain baseline are the library's own
(:mod:`jiesu.analysis.topics`, :mod:`jiesu.evaluation.topic_quality`); only the methods it was
measured against live here.  Each ``fit_*`` takes token lists, ``k`` and ``seed`` and returns the
dominant topic of each document (``-1`` for a document without a modelled word) and the top words of
each topic.  Single-threaded (the caller sets ``OMP_NUM_THREADS=1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jiesu.analysis.topics.consensus import auto_min_df
from jiesu.evaluation.topic_quality import gensim_lda


@dataclass
class Fit:
    """labels: topic of each document (``-1``: none); top_words: each topic's words, best first."""

    labels: np.ndarray
    top_words: list[list[str]]


def _hard(theta: np.ndarray) -> np.ndarray:
    labels = theta.argmax(axis=1).astype(np.int64)
    labels[theta.sum(axis=1) == 0] = -1
    return labels


def _top_terms(weights: np.ndarray, vocab: Sequence[str], topn: int = 10) -> list[list[str]]:
    return [[vocab[i] for i in np.argsort(-row)[:topn]] for row in weights]


def doc_term_matrix(token_lists: Sequence[Sequence[str]], *, min_df: int, max_df: float = 0.5):
    """Sparse counts (documents × terms) and the vocabulary, sklearn's document-frequency bounds."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(analyzer=lambda doc: doc, min_df=min_df, max_df=max_df, dtype=np.float64)
    return vectorizer.fit_transform(token_lists).tocsr(), list(vectorizer.get_feature_names_out())


def tfidf(counts):
    """Sublinear TF-IDF (1 + log tf, smooth idf, l2 rows)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(sublinear_tf=True, norm="l2", smooth_idf=True).fit_transform(counts)


def fit_gensim_lda(token_lists: Sequence[Sequence[str]], k: int, seed: int = 0) -> Fit:
    """gensim ``LdaModel`` (online variational Bayes, Hoffman, Blei & Bach 2010), 10 passes,
    ``random_state=seed``, Dictionary filtered like the consensus vocabulary (min_df by corpus size,
    max_df 0.5); dominant topic of θ inferred from a uniform start."""
    lda, bow, gamma = gensim_lda(token_lists, k, seed, keep_extremes=(auto_min_df(len(token_lists)), 0.5))
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    theta[np.array([len(b) == 0 for b in bow])] = 0.0
    return Fit(_hard(theta), [[w for w, _ in lda.show_topic(t, 10)] for t in range(k)])


def fit_nmf(token_lists: Sequence[Sequence[str]], k: int, seed: int = 0) -> Fit:
    """NMF of the sublinear TF-IDF matrix (Lee & Seung 1999; sklearn coordinate descent, nndsvda
    initialisation, Boutsidis & Gallopoulos 2008); dominant component as topic."""
    from sklearn.decomposition import NMF

    counts, vocab = doc_term_matrix(token_lists, min_df=auto_min_df(len(token_lists)))
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    w = model.fit_transform(tfidf(counts))
    return Fit(_hard(w), _top_terms(model.components_, vocab))


def fit_lsa_kmeans(token_lists: Sequence[Sequence[str]], k: int, seed: int = 0) -> Fit:
    """LSA (truncated SVD of sublinear TF-IDF to 100 dimensions, Deerwester et al. 1990), rows
    l2-normalised, k-means (10 k-means++ starts seeded by ``seed``)."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    counts, vocab = doc_term_matrix(token_lists, min_df=auto_min_df(len(token_lists)))
    x = tfidf(counts)
    svd = TruncatedSVD(n_components=min(100, x.shape[1] - 1), random_state=seed)
    km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(normalize(svd.fit_transform(x)))
    labels = km.labels_.astype(np.int64)
    labels[np.asarray(x.sum(axis=1)).ravel() == 0] = -1
    return Fit(labels, _top_terms(km.cluster_centers_ @ svd.components_, vocab))


def fit_tomotopy_lda(
    token_lists: Sequence[Sequence[str]], k: int, seed: int = 0, *, iterations: int = 500
) -> Fit:
    """One collapsed-Gibbs LDA chain (Griffiths & Steyvers 2004) in tomotopy, ``workers=1``, α 0.1,
    η 0.01: what the consensus combines ten of."""
    import tomotopy as tp

    model = tp.LDAModel(k=k, alpha=0.1, eta=0.01, seed=seed, min_df=auto_min_df(len(token_lists)))
    index = [i for i, tokens in enumerate(token_lists) if tokens]
    for i in index:
        model.add_doc(list(token_lists[i]))
    model.train(iterations, workers=1)
    theta = np.zeros((len(token_lists), k))
    for row, doc in zip(index, model.docs, strict=True):
        theta[row] = doc.get_topic_dist()
    return Fit(_hard(theta), [[w for w, _ in model.get_topic_words(t, top_n=10)] for t in range(k)])


def fit_btm(token_lists: Sequence[Sequence[str]], k: int, seed: int = 0) -> Fit:
    """Biterm topic model (Yan et al. 2013) in bitermplus, window 15, 100 iterations; p(z|d) from the
    biterms of each document.  Needs ``pip install bitermplus`` (not a project dependency)."""
    import bitermplus as btm

    counts, vocab = doc_term_matrix(token_lists, min_df=auto_min_df(len(token_lists)), max_df=1.0)
    index = {w: i for i, w in enumerate(vocab)}
    docs = [np.array([index[t] for t in tokens if t in index], dtype=np.int32) for tokens in token_lists]
    model = btm.BTM(counts, np.array(vocab), seed=seed, T=k, M=20, alpha=50 / k, beta=0.01, win=15)
    model.fit(btm.get_biterms(docs, win=15), iterations=100, verbose=False)
    theta = np.nan_to_num(model.transform(docs, verbose=False))
    return Fit(_hard(theta), _top_terms(model.matrix_topics_words_, vocab))
