"""Topic models scored against the human labels of the real development sets, beside the plain
baseline of issue 13 computed in the same run.

The sets (:mod:`jiesu.evaluation.real_sets`, read in place, never copied): the 9,449 labelled 人民网
留言板 messages (13 domains), a seeded 500-message sample of them, and 2,400 telecom work orders (8
classes).  Scores: normalized mutual information (arithmetic mean; Strehl & Ghosh 2002) and adjusted
Rand index (Hubert & Arabie 1985) between each document's topic and its label, topic ``-1`` (no
modelled word) counting as one more cluster.

* :func:`library_topics` — ``jiesu topics --k <classes>`` as a user runs it (:func:`analyse_texts`).
* :func:`plain_baseline` — the issue's plain baseline: ``jieba.lcut`` with jieba's own dictionary,
  tokens with a digit or a Latin letter dropped (and tokens without a Han character), gensim
  ``LdaModel`` with K = classes, 10 passes, every token kept, dominant topic from a uniform start.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from jiesu.analysis.topics.consensus import ConsensusParams
from jiesu.analysis.topics.texts import analyse_texts
from jiesu.evaluation import real_sets
from jiesu.settings import paths

REAL_SETS = {
    "留言板 9,449 (k=13)": (lambda: real_sets.liuyan(), 13),
    "留言板 500 sample (k=13)": (lambda: real_sets.liuyan_sample(500, seed=0), 13),
    "telecom 2,400 (k=8)": (lambda: real_sets.telecom(), 8),
    "telecom 500 sample (k=8)": (lambda: real_sets.telecom_sample(500, seed=0), 8),
}
"""name → (loader of a frame with ``text`` and ``label``, K = number of classes)."""

PLAIN = "plain baseline (jieba, gensim LdaModel 10 passes)"
LIBRARY = "jiesu topics (consensus LDA)"
GENSIM = "jiesu topics --method gensim (gensim LdaModel)"
_METHOD_ROWS = {"consensus": LIBRARY, "gensim": GENSIM}
_PLAIN_DROP = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def real_set(name: str) -> tuple[list[str], np.ndarray, int]:
    """``(texts, labels, k)`` of one of :data:`REAL_SETS` (raises ``RealDataMissing`` when absent)."""
    load, k = REAL_SETS[name]
    frame = load()
    return frame["text"].astype(str).tolist(), frame["label"].to_numpy(), k


def plain_tokens(texts: Iterable[str]) -> list[list[str]]:
    """The plain baseline's tokens: ``lcut`` of a private ``jieba.Tokenizer`` (jieba's own dictionary,
    accurate mode; its cache under ``interim/jieba-plain``), tokens with a digit or a Latin letter
    dropped, tokens without a Han character (punctuation, spaces) dropped."""
    import jieba  # the baseline's segmenter; the library itself segments with rjieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    cache = paths().interim / "jieba-plain"
    cache.mkdir(parents=True, exist_ok=True)
    tokenizer.tmp_dir, tokenizer.cache_file = str(cache), "jieba.cache"
    return [
        [t for t in tokenizer.lcut(text) if _HAN.search(t) and not _PLAIN_DROP.search(t)] for text in texts
    ]


def plain_baseline(tokens: Sequence[Sequence[str]], k: int, seed: int = 0) -> np.ndarray:
    """Topic of each document under the plain baseline (module docstring); ``-1`` for a document
    without a token."""
    _, bow, gamma = gensim_lda(tokens, k, seed)
    labels = gamma.argmax(axis=1).astype(np.int64)
    labels[np.array([len(b) == 0 for b in bow])] = -1
    return labels


def gensim_lda(tokens: Sequence[Sequence[str]], k: int, seed: int = 0, *, keep_extremes: tuple | None = None):
    """gensim ``LdaModel`` (online variational Bayes, Hoffman, Blei & Bach 2010), 10 passes,
    ``random_state=seed``, and every document's variational γ inferred from a uniform start (so the
    inference is deterministic).  ``keep_extremes``: ``(no_below, no_above)`` for
    ``Dictionary.filter_extremes``; ``None`` keeps every token (the plain baseline).

    Returns ``(lda, bow, gamma)``: the model, each document's bag of words and its γ (n × K)."""
    # heavy (gensim ~1.9 s to import); the baselines only
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    dictionary = Dictionary(tokens)
    if keep_extremes is not None:
        dictionary.filter_extremes(no_below=keep_extremes[0], no_above=keep_extremes[1])
    bow = [dictionary.doc2bow(list(t)) for t in tokens]
    lda = LdaModel(
        corpus=[b for b in bow if b],
        id2word=dictionary,
        num_topics=k,
        passes=10,
        iterations=50,
        random_state=seed,
        eval_every=None,
        dtype=np.float64,
    )
    lda.random_state = _UniformStart()
    gamma, _ = lda.inference(bow)
    return lda, bow, gamma


class _UniformStart:
    def gamma(self, shape, scale, size):
        return np.ones(size)


def library_topics(
    texts: Sequence[str],
    k: int,
    seed: int = 0,
    *,
    method: str = "consensus",
    stopwords: Iterable[Iterable[str]] = (),
    consensus: ConsensusParams = ConsensusParams(),
) -> np.ndarray:
    """Topic of each text as ``jiesu topics --k k --seed seed --method method [--stopwords …]``
    assigns it."""
    result = analyse_texts(
        pd.DataFrame({"text": list(texts)}),
        text_col="text",
        k=k,
        seed=seed,
        method=method,
        stopwords=stopwords,
        consensus=consensus,
    )
    return result["doc_topics"]["topic"].to_numpy()


def agreement(labels: Sequence, topics: Sequence[int]) -> dict[str, float]:
    """``{"nmi", "ari"}`` between human labels and topics (topic ``-1`` is one more cluster)."""
    # heavy (~2 s); scoring only
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": float(normalized_mutual_info_score(labels, topics)),
        "ari": float(adjusted_rand_score(labels, topics)),
    }


def compare(
    names: Iterable[str],
    seeds: Iterable[int] = (0, 1, 2, 3, 4),
    *,
    stoplists: dict[str, list[frozenset[str]]] | None = None,
    methods: Sequence[str] = ("consensus",),
    consensus: ConsensusParams = ConsensusParams(),
    baseline: bool = True,
) -> pd.DataFrame:
    """Score the library (one row per ``jiesu topics --method`` in ``methods`` and stoplist variant:
    name → extra lists, default stopwords-iso and the governance boilerplate only) and the plain
    baseline on each named set and seed, all on the same texts with the same K.

    Returns a long DataFrame: ``data``, ``method``, ``seed``, ``nmi``, ``ari``, ``cpu_seconds`` (process
    CPU seconds: the library's include its tokenization, the baseline's exclude jieba's).
    """
    stoplists = stoplists if stoplists is not None else {"stopwords-iso + boilerplate": []}
    rows = []
    for name in names:
        texts, labels, k = real_set(name)
        plain = plain_tokens(texts) if baseline else None
        for seed in seeds:
            if baseline:
                rows.append(_timed(name, PLAIN, seed, labels, plain_baseline, plain, k, seed))
            for method in methods:
                for variant, extra in stoplists.items():
                    rows.append(
                        _timed(
                            name,
                            f"{_METHOD_ROWS[method]}, {variant}",
                            seed,
                            labels,
                            library_topics,
                            texts,
                            k,
                            seed,
                            method=method,
                            stopwords=extra,
                            consensus=consensus,
                        )
                    )
    return pd.DataFrame(rows)


def _timed(data: str, row: str, seed: int, labels, fit, *args, **kwargs) -> dict:
    start = time.process_time()
    topics = fit(*args, **kwargs)
    seconds = time.process_time() - start
    return {"data": data, "method": row, "seed": seed, **agreement(labels, topics), "cpu_seconds": seconds}


def summarize(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean and sample standard deviation over seeds of :func:`compare`'s scores, one row per set and
    method: ``data``, ``method``, ``seeds``, ``nmi``, ``nmi_sd``, ``ari``, ``ari_sd``."""
    grouped = scores.groupby(["data", "method"], sort=False)
    out = grouped.agg(
        seeds=("seed", "size"),
        nmi=("nmi", "mean"),
        nmi_sd=("nmi", "std"),
        ari=("ari", "mean"),
        ari_sd=("ari", "std"),
    )
    return out.reset_index().round(3)


def comparison_sentence(summary: pd.DataFrame) -> str:
    """One sentence per set reading :func:`summarize`: the library's (default method's) NMI and ARI
    against the plain baseline's, and how many times higher the NMI is."""
    return "".join(_set_sentence(part) for _, part in summary.groupby("data", sort=False))


def _set_sentence(summary: pd.DataFrame) -> str:
    rows = summary.set_index("method")
    library = rows.loc[[m for m in rows.index if m.startswith(LIBRARY)][0]]
    plain = rows.loc[PLAIN]
    data = summary["data"].iloc[0]
    ratio = library["nmi"] / plain["nmi"] if plain["nmi"] > 0 else float("inf")
    verdict = (
        f"约为朴素基线的 {ratio:.1f} 倍"
        if ratio >= 1.1
        else ("与朴素基线相当" if ratio > 0.9 else "低于朴素基线")
    )
    return (
        f"在{data}上（{int(library['seeds'])} 个种子），本库方法与人工分类的 NMI 为 {library['nmi']:.3f}、"
        f"ARI 为 {library['ari']:.3f}，朴素基线为 {plain['nmi']:.3f}、{plain['ari']:.3f}，NMI {verdict}。"
    )
