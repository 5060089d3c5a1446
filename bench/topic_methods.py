"""Candidate topic / clustering pipelines for real Chinese citizen text, compared on the same tokens.

Research code for ``bench/topic_quality.py`` (results and recommendation in ``bench/topic_quality.md``).
Every function takes data and returns data: no file I/O, no global state, a ``seed`` argument wherever
randomness is involved, single-threaded (callers set ``OMP_NUM_THREADS=1`` etc.).

Layers
------
* Tokenization: :func:`clean_text` (masks, placeholders, ids, phones, codes), :class:`RealTokenizer`
  (rjieba + the jiesu governance user dictionary, standard stopwords, the governance boilerplate list,
  tokens of at least 2 characters), :func:`learn_corpus_stopwords` (the document-frequency rule),
  :func:`plain_tokens` (the issue's plain baseline: jieba, tokens with digits or Latin letters dropped).
* Methods: each ``fit_*`` takes token lists (``list[list[str]]``), ``k`` and ``seed`` and returns a
  :class:`Fit` with hard labels (dominant topic per document, ``-1`` for an empty document), the
  doc-topic weights where the method has them, and the top words of each topic.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

# --------------------------------------------------------------------------------------------------
# Tokenization
# --------------------------------------------------------------------------------------------------

# 18-digit resident ID numbers (last digit may be X), before any other digit rule.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])")
# Phone numbers in any form: mobile (+86, separators, masked digits 138****1234 / 1XX-XXXX-XXXX),
# landlines with area code, 400/800 numbers, short hotlines are left (12345 is a digit run, dropped below).
_PHONE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?86[-\s]?)?1[0-9Xx*]{2}[-\s]?[0-9Xx*]{4}[-\s]?[0-9Xx*]{4}(?![0-9A-Za-z])"
    r"|(?<![0-9])0\d{2,3}[-\s]?\d{7,8}(?![0-9])"
    r"|(?<![0-9])[48]00[-\s]?\d{3}[-\s]?\d{4}(?![0-9])"
)
_URL = re.compile(r"(?:https?://|www\.)[^\s\u4e00-\u9fff，。！？、；：（）]+", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Mask runs: *, ×, x-runs used as masks, ＊, ■, □, ○ runs, and 某某 ("某某小区" keeps 小区), with a following
# 号 / 号院 / 号楼 / 号线 / 号门 ("**号院" would otherwise leave the fragment 号院).
_MASK = re.compile(r"(?:[*＊×■□●○]+|某某+|[Xx]{2,})(?:号院|号楼|号线|号门|号)?")
# Anonymised or placeholder places and numbers: A市, A2区, K县, X号, B座, 3号楼, 2单元 … (a Latin letter
# and/or digits followed by an administrative or address suffix); the suffix goes with it, so gensim
# Phrases can never join a placeholder (a_市) and no lone 市/区 remains.
_PLACEHOLDER = re.compile(
    r"(?<![A-Za-z])[A-Za-z]?[0-9０-９]*[A-Za-z]?"
    r"(?<=[A-Za-z0-9０-９])(?:省|市|区|县|镇|乡|村|街道|街|路|巷|弄|号楼|号院|号|栋|幢|座|楼|单元|层|室|组|队|小区|社区|期)"
)
# Codes: any run of Latin letters and digits (with - _ . / :) that contains a digit (order numbers,
# plates, contract codes, 4G, CMNET-NQ-…-304501), and bare digit runs (dates, amounts).
_CODE = re.compile(r"[A-Za-z0-9_./:\-]*[0-9][A-Za-z0-9_./:\-]*")
_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_LATIN_WORD = re.compile(r"^[a-z]{2,12}$")


def clean_text(text: str) -> str:
    """Remove what must never reach a topic: URLs, e-mails, ID numbers, phones, mask runs, placeholder
    places, codes and digits (each replaced by a space, so nothing is glued across it).

    Order matters: ids and phones before the generic digit rule (so a masked phone goes whole), masks
    before placeholders (``****区`` → space, ``A2区`` → space).  Applied after the jiesu normalization
    (Traditional → Simplified, full-width → half-width).
    """
    if not isinstance(text, str) or not text:
        return ""
    for pattern in (_URL, _EMAIL, _ID_NUMBER, _PHONE, _MASK, _PLACEHOLDER, _CODE):
        text = pattern.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def is_display_token(token: str, *, keep_latin: bool = True) -> bool:
    """A token a person may read in a topic: 2+ Han characters, or (``keep_latin``) a 2–12 letter Latin
    word (sim, app, wifi); never a digit, a code, a single character or punctuation."""
    return bool(_HAN.match(token) and len(token) >= 2) or (keep_latin and bool(_LATIN_WORD.match(token)))


def standard_stopwords(extra_lists: Iterable[Iterable[str]] = ()) -> frozenset[str]:
    """stopwords-iso Chinese (the maintained ``stopwordsiso`` package) ∪ any further lists given
    (e.g. the four goto456 lists from :func:`jiesu.evaluation.real_sets.stopword_lists`)."""
    import stopwordsiso

    words = set(stopwordsiso.stopwords("zh"))
    for extra in extra_lists:
        words |= set(extra)
    return frozenset(words)


class RealTokenizer:
    """Tokens of real citizen text for topic models.

    Steps: :func:`jiesu.text.normalize` (NFC, t2s, half-width, URLs, phones, @names, emoji), then
    :func:`clean_text`, then rjieba segmentation with the jiesu governance user dictionary (via
    :class:`jiesu.text.Tokenizer`, batched), lower-cased, then only :func:`is_display_token` tokens that
    are in neither ``stopwords`` nor ``boilerplate`` are kept.

    Parameters
    ----------
    stopwords : standard stopword set (:func:`standard_stopwords`).
    boilerplate : the governance boilerplate list (``bench/gov_boilerplate.txt``), removed as tokens.
    keep_latin : keep 2–12 letter Latin words (sim, app); digits and codes never survive.
    """

    def __init__(self, stopwords: Iterable[str], boilerplate: Iterable[str] = (), *, keep_latin: bool = True):
        from jiesu.text import Tokenizer

        self.drop = frozenset(stopwords) | frozenset(boilerplate)
        self.keep_latin = bool(keep_latin)
        # the jiesu tokenizer with no stopwords: it segments and keeps Han/Latin pieces, we filter
        self._base = Tokenizer("rjieba", stopwords=(), min_length=1)

    def tokens_many(self, texts: Sequence[str]) -> list[list[str]]:
        from jiesu.text import normalize

        cleaned = [clean_text(normalize(t)) for t in texts]
        out = []
        for joined in self._base.token_strings(cleaned):
            out.append(
                [t for t in joined.split() if t not in self.drop and is_display_token(t, keep_latin=self.keep_latin)]
            )
        return out


def document_frequency(token_lists: Sequence[Sequence[str]]) -> Counter:
    """Number of documents each token occurs in."""
    df: Counter = Counter()
    for tokens in token_lists:
        df.update(set(tokens))
    return df


def learn_corpus_stopwords(
    token_lists: Sequence[Sequence[str]], *, max_df: float = 0.10, min_df_edge: float = 0.02, edge_share: float = 0.5
) -> frozenset[str]:
    """Corpus-learned stopwords (the stated document-frequency rule).

    A token is dropped from this corpus when either

    * it occurs in more than ``max_df`` of the documents (a word in one message out of ten cannot
      separate 13 subjects), or
    * it occurs in at least ``min_df_edge`` of the documents and at least ``edge_share`` of its
      occurrences are the first or last two tokens of a message of 6+ tokens: frequent words that live
      at the edges of a message are salutations and closings (领导 您好 … 谢谢) whatever their wording.

    Returns the learned set; documents shorter than 6 tokens are counted for DF but not for edges.
    """
    n = max(1, len(token_lists))
    df = document_frequency(token_lists)
    edge: Counter = Counter()
    total: Counter = Counter()
    for tokens in token_lists:
        if len(tokens) < 6:
            continue
        total.update(tokens)
        edge.update(tokens[:2])
        edge.update(tokens[-2:])
    learned = {t for t, d in df.items() if d > max_df * n}
    learned |= {
        t for t, d in df.items() if d >= min_df_edge * n and total[t] and edge[t] / total[t] >= edge_share
    }
    return frozenset(learned)


def apply_stopwords(token_lists: Sequence[Sequence[str]], drop: Iterable[str]) -> list[list[str]]:
    drop = frozenset(drop)
    return [[t for t in tokens if t not in drop] for tokens in token_lists]


_PLAIN_DROP = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")
_HAN_ANY = re.compile(r"[\u4e00-\u9fff]")


def plain_tokens(texts: Sequence[str]) -> list[list[str]]:
    """The issue's plain baseline tokens: ``jieba.lcut`` (accurate mode, jieba's own dictionary), tokens
    with a digit or a Latin letter dropped, tokens without a Han character (punctuation) dropped."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [
        [t for t in jieba.lcut(text) if _HAN_ANY.search(t) and not _PLAIN_DROP.search(t)]
        for text in texts
    ]


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass
class Fit:
    """What a method returns.

    labels : dominant topic / cluster of each input document (``-1``: no word of the vocabulary).
    theta : doc-topic weights (n_docs × k, rows sum to 1 where defined) or ``None``.
    top_words : the top words of each topic, most important first.
    seconds : wall time of the fit (vocabulary + model + assignment), tokenization excluded.
    info : method-specific extras (vocabulary size, iterations, …).
    """

    labels: np.ndarray
    theta: np.ndarray | None
    top_words: list[list[str]]
    seconds: float
    info: dict = field(default_factory=dict)


def _timer() -> float:
    return time.perf_counter()


def _hard_labels(theta: np.ndarray, empty: np.ndarray | None = None) -> np.ndarray:
    labels = theta.argmax(axis=1).astype(np.int64)
    if empty is not None:
        labels[empty] = -1
    return labels


# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------


def doc_term_matrix(
    token_lists: Sequence[Sequence[str]], *, min_df: int = 3, max_df: float = 0.5, max_features: int | None = None
):
    """Sparse counts (CSR, documents × terms) and the vocabulary (list of terms), sklearn conventions:
    terms in fewer than ``min_df`` documents or more than ``max_df`` of them are dropped."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(
        analyzer=lambda doc: doc, min_df=min_df, max_df=max_df, max_features=max_features, dtype=np.float64
    )
    counts = vectorizer.fit_transform(token_lists)
    return counts.tocsr(), list(vectorizer.get_feature_names_out()), vectorizer


def tfidf(counts, *, sublinear: bool = True, norm: str = "l2"):
    """TF-IDF of a count matrix (smooth idf; ``sublinear`` = 1 + log tf)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    transformer = TfidfTransformer(sublinear_tf=sublinear, norm=norm, smooth_idf=True)
    return transformer.fit_transform(counts), transformer


def _top_terms(weights: np.ndarray, vocab: Sequence[str], topn: int = 10) -> list[list[str]]:
    return [[vocab[i] for i in np.argsort(-row)[:topn]] for row in weights]


def _auto_min_df(n_docs: int) -> int:
    """Document-frequency floor scaled to corpus size: 2 below 2k documents, then 3, 5 from 20k."""
    return 2 if n_docs < 2000 else (3 if n_docs < 20000 else 5)


# --------------------------------------------------------------------------------------------------
# Methods
# --------------------------------------------------------------------------------------------------


def fit_gensim_lda(
    token_lists: Sequence[Sequence[str]],
    k: int,
    seed: int = 0,
    *,
    passes: int = 10,
    iterations: int = 50,
    no_below: int | None = None,
    no_above: float = 0.5,
    alpha: str = "symmetric",
    eta=None,
    filter_extremes: bool = True,
) -> Fit:
    """gensim ``LdaModel`` (online variational Bayes, Hoffman, Blei & Bach 2010), one process,
    ``random_state=seed``; dominant topic of the (deterministic, uniform-start) inferred θ.

    ``filter_extremes=False`` with ``no_below/no_above`` ignored gives the issue's plain baseline when
    fed :func:`plain_tokens` (gensim's own defaults otherwise: no_below 5, no_above 0.5)."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    start = _timer()
    dictionary = Dictionary(token_lists)
    if filter_extremes:
        dictionary.filter_extremes(
            no_below=no_below if no_below is not None else _auto_min_df(len(token_lists)), no_above=no_above
        )
    bow = [dictionary.doc2bow(t) for t in token_lists]
    lda = LdaModel(
        corpus=[b for b in bow if b],
        id2word=dictionary,
        num_topics=k,
        passes=passes,
        iterations=iterations,
        random_state=seed,
        alpha=alpha,
        eta=eta,
        eval_every=None,
        dtype=np.float64,
    )

    class _Uniform:
        def gamma(self, shape, scale, size):
            return np.ones(size)

    lda.random_state = _Uniform()
    gamma, _ = lda.inference(bow)
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    empty = np.array([len(b) == 0 for b in bow])
    top = [[w for w, _ in lda.show_topic(t, 10)] for t in range(k)]
    return Fit(_hard_labels(theta, empty), theta, top, _timer() - start, {"vocab": len(dictionary)})


def fit_nmf(
    token_lists: Sequence[Sequence[str]],
    k: int,
    seed: int = 0,
    *,
    min_df: int | None = None,
    max_df: float = 0.5,
    sublinear: bool = True,
    init: str = "nndsvda",
    beta_loss: str = "frobenius",
    max_iter: int = 400,
    l1_ratio: float = 0.0,
    alpha_W: float = 0.0,
) -> Fit:
    """NMF of the TF-IDF matrix (Lee & Seung 1999; sklearn coordinate descent), ``W`` row-normalised
    as θ, dominant topic as label.  ``init='nndsvda'`` (Boutsidis & Gallopoulos 2008) is deterministic
    except for the tie-breaking noise seeded by ``seed``."""
    from sklearn.decomposition import NMF

    start = _timer()
    counts, vocab, _ = doc_term_matrix(token_lists, min_df=min_df or _auto_min_df(len(token_lists)), max_df=max_df)
    x, _ = tfidf(counts, sublinear=sublinear)
    solver = "cd" if beta_loss == "frobenius" else "mu"
    model = NMF(
        n_components=k, init=init, random_state=seed, max_iter=max_iter, beta_loss=beta_loss, solver=solver,
        l1_ratio=l1_ratio, alpha_W=alpha_W,
    )
    w = model.fit_transform(x)
    sums = w.sum(axis=1, keepdims=True)
    empty = sums[:, 0] == 0
    theta = np.divide(w, sums, out=np.zeros_like(w), where=sums > 0)
    return Fit(
        _hard_labels(theta, empty), theta, _top_terms(model.components_, vocab), _timer() - start,
        {"vocab": len(vocab), "n_iter": int(model.n_iter_)},
    )


def fit_tomotopy_lda(
    token_lists: Sequence[Sequence[str]],
    k: int,
    seed: int = 0,
    *,
    iterations: int = 500,
    alpha: float = 0.1,
    eta: float = 0.01,
    min_df: int | None = None,
    rm_top: int = 0,
    tw: str = "one",
) -> Fit:
    """Collapsed-Gibbs LDA (Griffiths & Steyvers 2004) in tomotopy, ``workers=1`` (reproducible),
    ``seed``; θ of the final sampling state of each training document; empty documents get ``-1``."""
    import tomotopy as tp

    start = _timer()
    weight = {"one": tp.TermWeight.ONE, "idf": tp.TermWeight.IDF, "pmi": tp.TermWeight.PMI}[tw]
    model = tp.LDAModel(
        tw=weight, k=k, alpha=alpha, eta=eta, seed=seed, min_df=min_df or _auto_min_df(len(token_lists)),
        rm_top=rm_top,
    )
    index = []
    for i, tokens in enumerate(token_lists):
        if tokens:
            model.add_doc(list(tokens))
            index.append(i)
    model.train(iterations, workers=1)
    theta = np.zeros((len(token_lists), k))
    for row, doc in zip(index, model.docs):
        theta[row] = doc.get_topic_dist()
    empty = theta.sum(axis=1) == 0
    top = [[w for w, _ in model.get_topic_words(t, top_n=10)] for t in range(k)]
    return Fit(_hard_labels(theta, empty), theta, top, _timer() - start, {"vocab": len(model.used_vocabs)})


def fit_btm(
    token_lists: Sequence[Sequence[str]], k: int, seed: int = 0, *, iterations: int = 100, window: int = 15,
    min_df: int | None = None, alpha: float | None = None, beta: float = 0.01,
) -> Fit:
    """Biterm topic model (Yan et al. 2013) in bitermplus; θ from p(z|d) = Σ_b p(z|b) p(b|d)."""
    import bitermplus as btm

    start = _timer()
    counts, vocab, _ = doc_term_matrix(token_lists, min_df=min_df or _auto_min_df(len(token_lists)), max_df=1.0)
    vocab_index = {w: i for i, w in enumerate(vocab)}
    docs_vec = [np.array([vocab_index[t] for t in tokens if t in vocab_index], dtype=np.int32) for tokens in token_lists]
    biterms = btm.get_biterms(docs_vec, win=window)
    model = btm.BTM(counts, np.array(vocab), seed=seed, T=k, M=20, alpha=alpha or 50 / k, beta=beta, win=window)
    model.fit(biterms, iterations=iterations, verbose=False)
    theta = np.nan_to_num(model.transform(docs_vec, verbose=False))
    empty = theta.sum(axis=1) == 0
    top = _top_terms(model.matrix_topics_words_, vocab)
    return Fit(_hard_labels(theta, empty), theta, top, _timer() - start, {"vocab": len(vocab)})


def fit_lsa_kmeans(
    token_lists: Sequence[Sequence[str]], k: int, seed: int = 0, *, dims: int = 100, min_df: int | None = None,
    max_df: float = 0.5, n_init: int = 10,
) -> Fit:
    """LSA (truncated SVD of sublinear TF-IDF, Deerwester et al. 1990), rows L2-normalised, k-means
    (Lloyd, ``n_init`` k-means++ starts seeded by ``seed``)."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    start = _timer()
    counts, vocab, _ = doc_term_matrix(token_lists, min_df=min_df or _auto_min_df(len(token_lists)), max_df=max_df)
    x, _ = tfidf(counts)
    svd = TruncatedSVD(n_components=min(dims, x.shape[1] - 1), random_state=seed, algorithm="randomized")
    z = normalize(svd.fit_transform(x))
    km = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(z)
    empty = np.asarray(x.sum(axis=1)).ravel() == 0
    labels = km.labels_.astype(np.int64)
    labels[empty] = -1
    centroids = km.cluster_centers_ @ svd.components_
    return Fit(labels, None, _top_terms(centroids, vocab), _timer() - start, {"vocab": len(vocab)})


def fit_lda_consensus(
    token_lists: Sequence[Sequence[str]],
    k: int,
    seed: int = 0,
    *,
    runs: int = 5,
    k_fit: int | None = None,
    iterations: int = 500,
    alpha: float = 0.1,
    eta: float = 0.01,
    min_df: int | None = None,
    geometry: str = "euclid",
    n_init: int = 10,
) -> Fit:
    """Consensus of several Gibbs LDA runs: ``runs`` tomotopy LDA models (seeds ``seed*1000 + r``,
    ``k_fit`` topics each, default ``k``), their doc-topic weights side by side (n × runs·k_fit), then
    k-means into ``k`` clusters (``n_init`` starts seeded by ``seed``).

    Each Gibbs run lands in a different local optimum; documents that the runs put together
    consistently end up in one cluster (cluster ensembles: Strehl & Ghosh 2002; for topic models,
    Greene, O'Callaghan & Cunningham 2014, "How many topics? Stability analysis").  ``geometry='hellinger'``
    clusters √θ (Hellinger distance between topic mixtures) instead of θ."""
    from sklearn.cluster import KMeans

    start = _timer()
    k_fit = k_fit or k
    thetas, tops = [], []
    for r in range(runs):
        fit = fit_tomotopy_lda(
            token_lists, k_fit, seed * 1000 + r, iterations=iterations, alpha=alpha, eta=eta, min_df=min_df
        )
        thetas.append(fit.theta)
        tops.append(fit.top_words)
    z = np.hstack(thetas)
    if geometry == "hellinger":
        z = np.sqrt(z)
    empty = z.sum(axis=1) == 0
    km = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(z[~empty] if empty.any() else z)
    labels = np.full(len(token_lists), -1, dtype=np.int64)
    labels[~empty] = km.labels_
    return Fit(labels, None, cluster_top_words(token_lists, labels, k), _timer() - start, {"runs": runs})


def cluster_top_words(
    token_lists: Sequence[Sequence[str]], labels: np.ndarray, k: int, *, topn: int = 10, min_df: int = 2
) -> list[list[str]]:
    """Words that characterise each cluster: class-based TF-IDF (term frequency in the cluster ×
    log(1 + mean words per cluster / term frequency overall), Grootendorst 2022) over the cluster's
    documents."""
    df = document_frequency(token_lists)
    vocab = sorted(t for t, d in df.items() if d >= min_df)
    index = {t: i for i, t in enumerate(vocab)}
    tf = np.zeros((k, len(vocab)))
    for tokens, label in zip(token_lists, labels):
        if label < 0:
            continue
        for t in tokens:
            i = index.get(t)
            if i is not None:
                tf[label, i] += 1
    if not len(vocab):
        return [[] for _ in range(k)]
    average = tf.sum() / k
    idf = np.log1p(average / np.maximum(tf.sum(axis=0), 1))
    score = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1) * idf
    return _top_terms(score, vocab, topn)


# --------------------------------------------------------------------------------------------------
# The recommended default: consensus of Gibbs LDA runs, with inference for new documents
# --------------------------------------------------------------------------------------------------


@dataclass
class ConsensusTopics:
    """A fitted consensus topic model (see :func:`fit_consensus_topics`).

    models : the tomotopy ``LDAModel`` runs.
    kmeans : the k-means model over the runs' stacked doc-topic weights.
    topic_map : ``topic_map[r][t]`` = consensus topic that topic ``t`` of run ``r`` belongs to.
    top_words : characteristic words of each consensus topic (class TF-IDF of its documents).
    params : the settings (for persistence and reports).
    """

    models: list
    kmeans: object
    topic_map: np.ndarray
    top_words: list[list[str]]
    params: dict
    vocab_index: dict = field(default_factory=dict)
    assigner: object = None

    @property
    def k(self) -> int:
        return int(self.kmeans.n_clusters)

    def run_thetas(self, token_lists: Sequence[Sequence[str]], *, iterations: int | None = None) -> np.ndarray:
        """Doc-topic weights of every run for new documents, side by side (n × runs·k_fit).

        tomotopy inference with ``workers=1`` and ``together=False``: each document is inferred on its
        own, so its weights do not depend on the batch or its order (checked: identical when the batch
        is reversed or cut).  Documents without a known word get all-zero rows."""
        iterations = iterations or self.params["infer_iterations"]
        blocks = []
        for model in self.models:
            vocab = model.used_vocabs
            known = [i for i, t in enumerate(token_lists) if any(w in vocab for w in t)]
            theta = np.zeros((len(token_lists), model.k))
            if known:
                docs = [model.make_doc([w for w in token_lists[i] if w in vocab]) for i in known]
                dists, _ = model.infer(docs, iterations=iterations, workers=1, together=False)
                theta[known] = np.asarray([d for d in dists])
            blocks.append(theta)
        return _geometry(np.hstack(blocks), self.params["geometry"])

    def weights_from_runs(self, z: np.ndarray) -> np.ndarray:
        """Consensus topic weights (n × k, rows sum to 1): each run's topics add their weight to the
        consensus topic they map to, averaged over the runs."""
        if self.params["geometry"] == "hellinger":
            z = z**2
        runs, k_fit = self.topic_map.shape
        out = np.zeros((z.shape[0], self.k))
        for r in range(runs):
            block = z[:, r * k_fit : (r + 1) * k_fit]
            for t in range(k_fit):
                out[:, self.topic_map[r, t]] += block[:, t]
        return out / runs

    def labels_from_runs(self, z: np.ndarray) -> np.ndarray:
        labels = self.kmeans.predict(z).astype(np.int64)
        labels[z.sum(axis=1) == 0] = -1
        return labels

    def infer(self, token_lists: Sequence[Sequence[str]], *, exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``(labels, weights)`` of new documents, deterministic per document.

        Default: the multinomial naive Bayes assigner trained on the fit sample's consensus labels
        (one sparse product, for any number of documents; weights = its posterior).  ``exact=True``
        infers every run's θ with tomotopy and applies the consensus k-means (slower: about
        ``runs`` × an LDA inference per document); weights are then the mapped run weights."""
        if exact:
            z = self.run_thetas(token_lists)
            return self.labels_from_runs(z), self.weights_from_runs(z)
        x = self.assigner_counts(token_lists)
        empty = np.asarray(x.sum(axis=1)).ravel() == 0
        proba = self.assigner.predict_proba(x)
        weights = np.zeros((len(token_lists), self.k))
        weights[:, self.assigner.classes_] = proba
        labels = weights.argmax(axis=1).astype(np.int64)
        labels[empty] = -1
        weights[empty] = 0.0
        return labels, weights

    def assigner_counts(self, token_lists: Sequence[Sequence[str]]):
        """Counts of the model vocabulary (CSR) for the naive Bayes assigner."""
        import scipy.sparse as sp

        index = self.vocab_index
        rows, cols = [], []
        for i, tokens in enumerate(token_lists):
            for t in tokens:
                j = index.get(t)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        data = np.ones(len(rows))
        x = sp.csr_matrix((data, (rows, cols)), shape=(len(token_lists), len(index)))
        x.sum_duplicates()
        return x


def fit_consensus_topics(
    token_lists: Sequence[Sequence[str]],
    k: int,
    seed: int = 0,
    *,
    runs: int = 5,
    k_fit: int | None = None,
    iterations: int = 200,
    alpha: float = 0.1,
    eta: float = 0.01,
    min_df: int | None = None,
    max_fit_docs: int = 20_000,
    infer_iterations: int = 50,
    n_init: int = 10,
    geometry: str = "hellinger",
    assigner_alpha: float = 0.1,
) -> tuple[ConsensusTopics, Fit]:
    """Consensus topics: ``runs`` collapsed-Gibbs LDA models (tomotopy, ``workers=1``, seeds
    ``seed*1000 + r``), k-means (``k`` clusters, ``n_init`` starts, ``random_state=seed``) over their
    doc-topic weights placed side by side.

    Cluster ensembles (Strehl & Ghosh 2002) smooth out the local optimum each Gibbs chain lands in:
    documents the runs keep putting together form a consensus topic.  Each run topic is mapped to the
    consensus topic whose centroid gives it the most weight, which turns a document's run weights into
    consensus topic weights (:meth:`ConsensusTopics.weights_from_runs`).

    Scale: with more than ``max_fit_docs`` documents the runs are trained on a seeded random sample of
    that size; every other document is assigned by a multinomial naive Bayes model (``assigner_alpha``
    smoothing) trained on the sample's consensus labels (:meth:`ConsensusTopics.infer`), one sparse
    product, so training cost is bounded and the rest is linear in the number of documents.

    ``geometry='hellinger'`` (default) clusters √θ, i.e. k-means under the Hellinger distance between
    topic mixtures; ``'euclid'`` clusters θ itself.

    Returns the model and the :class:`Fit` of the input documents.
    """
    import tomotopy as tp
    from sklearn.cluster import KMeans

    start = _timer()
    k_fit = k_fit or k
    n = len(token_lists)
    rng = np.random.default_rng(seed)
    nonempty = np.array([i for i, t in enumerate(token_lists) if t])
    fit_index = (
        np.sort(rng.choice(nonempty, size=max_fit_docs, replace=False)) if len(nonempty) > max_fit_docs else nonempty
    )
    min_df = min_df or _auto_min_df(len(fit_index))
    models, blocks = [], []
    for r in range(runs):
        model = tp.LDAModel(k=k_fit, alpha=alpha, eta=eta, seed=seed * 1000 + r, min_df=min_df)
        for i in fit_index:
            model.add_doc(list(token_lists[i]))
        model.train(iterations, workers=1)
        theta = np.zeros((len(fit_index), k_fit))
        for row, doc in enumerate(model.docs):
            theta[row] = doc.get_topic_dist()
        models.append(model)
        blocks.append(theta)
    z_fit = _geometry(np.hstack(blocks), geometry)
    usable = z_fit.sum(axis=1) > 0  # a training document may lose all its words to min_df
    kmeans = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(z_fit[usable])
    centroids = kmeans.cluster_centers_.reshape(k, runs, k_fit)
    topic_map = centroids.argmax(axis=0)  # runs × k_fit → consensus topic
    params = dict(
        k=k, seed=seed, runs=runs, k_fit=k_fit, iterations=iterations, alpha=alpha, eta=eta, min_df=min_df,
        max_fit_docs=max_fit_docs, infer_iterations=infer_iterations, n_init=n_init, fit_docs=int(len(fit_index)),
        geometry=geometry,
    )
    model = ConsensusTopics(models, kmeans, topic_map, [], params)
    model.vocab_index = {w: i for i, w in enumerate(models[0].used_vocabs)}
    fit_labels = np.full(len(fit_index), -1, dtype=np.int64)
    fit_labels[usable] = kmeans.labels_
    fit_weights = np.zeros((len(fit_index), k))
    fit_weights[usable] = model.weights_from_runs(z_fit[usable])
    # the assigner: multinomial naive Bayes on the fit sample's consensus labels, for all other documents
    from sklearn.naive_bayes import MultinomialNB

    x_fit = model.assigner_counts([token_lists[i] for i in fit_index])
    model.assigner = MultinomialNB(alpha=assigner_alpha).fit(x_fit[usable], fit_labels[usable])
    labels = np.full(n, -1, dtype=np.int64)
    weights = np.zeros((n, k))
    labels[fit_index], weights[fit_index] = fit_labels, fit_weights
    rest = np.setdiff1d(np.arange(n), fit_index)
    if len(rest):
        labels[rest], weights[rest] = model.infer([token_lists[i] for i in rest])
    model.top_words = cluster_top_words(token_lists, labels, k)
    fit = Fit(labels, weights, model.top_words, _timer() - start, {"fit_docs": int(len(fit_index))})
    return model, fit


def _geometry(z: np.ndarray, geometry: str) -> np.ndarray:
    if geometry not in ("hellinger", "euclid"):
        raise ValueError(f"geometry must be 'hellinger' or 'euclid', got {geometry!r}")
    return np.sqrt(z) if geometry == "hellinger" else z


def fit_consensus(token_lists: Sequence[Sequence[str]], k: int, seed: int = 0, **kwargs) -> Fit:
    """:func:`fit_consensus_topics`, the :class:`Fit` only (same signature as the other methods)."""
    return fit_consensus_topics(token_lists, k, seed, **kwargs)[1]
