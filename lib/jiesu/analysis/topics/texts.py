"""Topics (and, with a time column, bursts) of any one column of Chinese text: the analysis behind
``jiesu topics``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from jiesu.analysis.early_warning.bursts import BurstParams, detect_bursts
from jiesu.analysis.text import standard_stopwords
from jiesu.analysis.topics.consensus import ConsensusParams
from jiesu.analysis.topics.corpus import tokenize_frame, topic_tokenizer
from jiesu.analysis.topics.labels import Lexicon
from jiesu.analysis.topics.model import TopicParams, fit_topic_model
from jiesu.analysis.topics.vocabulary import topic_stoplist, topic_tokens
from jiesu.categories import OTHER_LABEL, label_of
from jiesu.errors import JiesuError

MIN_WORDS = 3
MIN_DOCUMENTS = 20


def analyse_texts(
    frame: pd.DataFrame,
    *,
    text_col: str,
    times: pd.Series | None = None,
    k: int | str = "auto",
    seed: int = 0,
    method: str = "consensus",
    lexicon: Lexicon | None = None,
    stopwords: Iterable[Iterable[str]] = (),
    consensus: ConsensusParams = ConsensusParams(),
    progress=None,
) -> dict:
    """Topics (and, with ``times``, bursts) of one column of Chinese text.

    Parameters
    ----------
    frame, text_col : the table and its text column; rows are numbered as in the file (``row`` =
        1-based data row, header excluded).
    times : the time of each row (datetime64, aligned with ``frame``; missing = unknown), or None.
    k, seed, method : number of topics (or ``"auto"``), seed, ``"consensus"`` or ``"gensim"``.
    lexicon : label (and seed) topics with these categories; ``None``: topics are named by phrases only.
    stopwords : extra stopword lists (e.g. the goto456 lists), on top of stopwords-iso and the
        governance boilerplate.
    consensus : settings of the consensus method (fewer runs for quick checks).

    Returns
    -------
    ``{"topics": DataFrame(topic, name, label, share, top_words), "doc_topics": DataFrame(row, topic,
    weight), "bursts": DataFrame or None, "k", "documents", "method", "stability", "learned",
    "coherence_by_k", "skipped_times"}``; ``share`` is the share of documents (rows with a modelled
    word) whose topic it is (0–1).
    """
    note = progress or (lambda step: None)
    tokenizer = topic_tokenizer(stopwords=standard_stopwords())
    note("tokenize")
    docs = tokenize_frame(
        frame.assign(_row=np.arange(1, len(frame) + 1)), id_col="_row", text_col=text_col, tokenizer=tokenizer
    )
    token_lists = [t.split(" ") if t else [] for t in docs["tokens"]]
    stoplist = topic_stoplist(tokenizer.stopwords, stopwords)
    usable = sum(len(t) >= MIN_WORDS for t in topic_tokens(token_lists, stoplist))
    if usable < MIN_DOCUMENTS:
        raise JiesuError(
            f"列 column '{text_col}': only {usable} rows have ≥ {MIN_WORDS} words; need at least {MIN_DOCUMENTS}"
        )
    params = TopicParams(method=method, k=k, seed=seed, seeded=lexicon is not None, consensus=consensus)
    if method == "gensim":
        params = _gensim_params(params, usable)
    model = fit_topic_model(token_lists, params, stoplist=stoplist, lexicon=lexicon, progress=note)
    labels, weights = model.training_topics
    doc_topics = pd.DataFrame(
        {
            "row": np.arange(1, len(frame) + 1),
            "topic": labels,
            "weight": np.where(labels >= 0, weights.max(axis=1, initial=0.0), 0.0).round(4),
        }
    )
    assigned = labels[labels >= 0]
    shares = np.bincount(assigned, minlength=model.k) / max(len(assigned), 1)
    topics = model.topics.assign(share=shares.round(4))[["topic", "name", "label", "share", "top_words"]]
    bursts, skipped = _bursts(docs, times, note) if times is not None else (None, 0)
    return {
        "topics": topics,
        "doc_topics": doc_topics,
        "bursts": bursts,
        "k": model.k,
        "documents": int(len(assigned)),
        "method": model.method,
        "stability": getattr(model.engine, "stability", float("nan")),
        "learned": model.learned,
        "coherence_by_k": model.coherence_by_k,
        "skipped_times": skipped,
    }


def _bursts(docs: pd.DataFrame, times: pd.Series, note) -> tuple[pd.DataFrame, int]:
    """Bursts of the rows' tokens by day (``--time-col``) and the number of rows without a time."""
    times = pd.Series(pd.to_datetime(times).to_numpy(), name="time")
    skipped = int(times.isna().sum())
    timed = docs.assign(day=times.dt.normalize().to_numpy()).loc[
        times.notna().to_numpy() & (docs["tokens"] != "")
    ]
    note("bursts")
    total = len(timed)
    found = detect_bursts(timed, BurstParams(min_total=int(min(20, max(5, total // 500))), min_count=3))
    bursts = found["bursts"].assign(label=lambda b: b["category"].map(_label_or_other))
    bursts = bursts[["burst", "term", "terms", "onset", "peak", "end", "count", "baseline", "score", "label"]]
    return bursts, skipped


def _gensim_params(params: TopicParams, n_docs: int) -> TopicParams:
    """gensim settings scaled to a corpus of ``n_docs`` documents (small exports keep rarer words)."""
    return replace(
        params,
        no_below=int(min(5, max(2, n_docs // 200))),
        phrase_min_count=int(min(20, max(3, n_docs // 300))),
        no_above=0.3 if n_docs < 2000 else 0.2,
        passes=2 if n_docs > 5000 else 5,
    )


def _label_or_other(code: str) -> str:

    try:
        return label_of(code)
    except KeyError:
        return OTHER_LABEL
