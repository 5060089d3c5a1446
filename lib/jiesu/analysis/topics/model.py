"""The topic model every caller uses: parameters, fitting (consensus by default, gensim on request),
the topic table with names and labels, and inference."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from jiesu.analysis.topics.consensus import ConsensusParams, ConsensusTopics, fit_consensus
from jiesu.analysis.topics.gensim_lda import GensimLda, fit_gensim
from jiesu.analysis.topics.labels import LabelRule, Lexicon, label_topic, seed_lists
from jiesu.analysis.topics.vocabulary import (
    NAME_SEPARATOR,
    DfRule,
    display_words,
    learn_corpus_stopwords,
    remove_words,
    topic_tokens,
)
from jiesu.categories import OTHER, OTHER_LABEL
from jiesu.errors import JiesuError

CHATTER_LABEL = OTHER_LABEL
"""What the report calls the talk outside every problem topic (日常闲聊)."""

MODEL_VERSION = "topics-v6"
"""Part of every model's cache key: bump it when fitting changes."""

METHODS = ("consensus", "gensim")
DEFAULT_K_GRID = (10, 12, 14, 16)
AUTO_K = 14
"""K when none is given (``k="auto"``) for the consensus method, capped at one topic per 20 documents.
The number of classes is best (take it from the office's classification); automatic rules measured on
the real sets did not track it (``bench/topic_quality.md``), and NMI is flat for K between 13 and 25."""

TOPIC_COLUMNS = ["topic", "name", "label", "category", "label_share", "top_words"]


@dataclass(frozen=True)
class TopicParams:
    """Every setting that determines a fitted model (all part of the cache key).

    method : ``"consensus"`` (default: :mod:`jiesu.analysis.topics.consensus`) or ``"gensim"``.
    k : number of topics, or ``"auto"`` (consensus: :data:`AUTO_K`; gensim: best c_v over ``k_grid``).
    seed : seeds everything random.
    seeded : put a lexical prior on one topic per frequent lexicon category (opt-in; needs a lexicon).
    seed_min_docs : a category is seeded only if its words occur in this many training documents.
    df_rule : the corpus document-frequency stopword rule (:class:`DfRule`).
    label_rule : when a topic is labelled with a lexicon category (:class:`LabelRule`).
    topn : top words shown per topic.
    min_tokens : shortest training document (tokens) of a chat snapshot.
    pool_hours : a chat snapshot pools one group's issue-like and staff messages that follow each other
        within this many hours into one training document (0 = no pooling).
    consensus : :class:`ConsensusParams` of the consensus method.
    k_grid, passes, iterations, chunksize, no_below, no_above, keep_n, phrase_min_count,
    phrase_threshold, coherence_docs, seed_strength : the gensim method (LdaModel effort,
    Dictionary.filter_extremes, Phrases, c_v sample, the seeded prior's weight).
    """

    method: str = "consensus"
    k: int | str = "auto"
    seed: int = 0
    seeded: bool = False
    seed_min_docs: int = 20
    df_rule: DfRule = DfRule()
    label_rule: LabelRule = LabelRule()
    topn: int = 10
    min_tokens: int = 2
    pool_hours: float = 12.0
    consensus: ConsensusParams = ConsensusParams()
    k_grid: tuple[int, ...] = DEFAULT_K_GRID
    passes: int = 5
    iterations: int = 100
    chunksize: int = 2000
    no_below: int = 5
    no_above: float = 0.2
    keep_n: int = 8000
    phrase_min_count: int = 20
    phrase_threshold: float = 10.0
    coherence_docs: int = 8000
    seed_strength: float = 500.0

    def key(self) -> str:
        return hashlib.sha256(repr((MODEL_VERSION, sorted(asdict(self).items()))).encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, raw: dict) -> TopicParams:
        """The inverse of :func:`dataclasses.asdict` (for models read back from JSON)."""
        raw = dict(raw)
        raw["df_rule"] = DfRule(**raw["df_rule"])
        raw["label_rule"] = LabelRule(**raw["label_rule"])
        raw["consensus"] = ConsensusParams(**raw["consensus"])
        raw["k_grid"] = tuple(raw["k_grid"])
        return cls(**raw)


class TopicWords:
    """p(word | topic) of a consensus model in the shape gensim's ``LdaModel.get_topics`` has (K × V):
    what :func:`jiesu.analysis.early_warning.topic_term_categories` reads from ``model.lda``."""

    def __init__(self, engine: ConsensusTopics):
        self.engine = engine

    def get_topics(self) -> np.ndarray:
        return self.engine.topic_word()


class Vocabulary:
    """A consensus model's words and their training document frequencies, in the shape of the gensim
    ``Dictionary`` subset that :func:`jiesu.analysis.early_warning.topic_term_categories` reads
    (``items()``, ``dfs``, ``token2id``, ``len``)."""

    def __init__(self, words: Sequence[str], doc_freq: np.ndarray):
        self.token2id = {w: i for i, w in enumerate(words)}
        self.dfs = {i: int(n) for i, n in enumerate(doc_freq)}

    def items(self):
        return ((i, w) for w, i in self.token2id.items())

    def __len__(self) -> int:
        return len(self.token2id)


@dataclass
class TopicModel:
    """A fitted topic model and its topic table.

    ``topics``: DataFrame with :data:`TOPIC_COLUMNS`: ``topic`` (0…K-1), ``name`` (its first phrases,
    unique), ``label`` (lexicon category label, ``""`` when no category clearly matches), ``category``
    (code or ``"other"``), ``label_share`` (0–1, see :class:`LabelRule`), ``top_words`` (space-joined,
    display rule applied).  ``stoplist``: every word the model's tokens were cleared of (standard and
    user stopwords, boilerplate, corpus-learned), for display.  ``learned``: the corpus-learned ones.
    ``training_topics``: topic and weight of each document the model was fitted on (not saved).
    """

    params: TopicParams
    engine: ConsensusTopics | GensimLda
    topics: pd.DataFrame
    stoplist: frozenset[str] = frozenset()
    learned: tuple[str, ...] = ()
    coherence_by_k: dict[int, float] = field(default_factory=dict)
    training_topics: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def method(self) -> str:
        return "gensim" if isinstance(self.engine, GensimLda) else "consensus"

    @property
    def k(self) -> int:
        return int(self.engine.k)

    @property
    def lda(self):
        """The topic–word view (``get_topics()``, K × V) burst labelling reads."""
        return self.engine.lda if isinstance(self.engine, GensimLda) else TopicWords(self.engine)

    @property
    def dictionary(self):
        """The vocabulary view (``items()``, ``dfs``) burst labelling reads."""
        if isinstance(self.engine, GensimLda):
            return self.engine.dictionary
        return Vocabulary(self.engine.vocabulary, self.engine.doc_freq)

    def infer(self, token_lists: Iterable[Sequence[str]], *, batch_size: int = 20_000) -> np.ndarray:
        """Topic weights of documents (n × K, float32, rows sum to 1; all-zero rows for documents
        without a modelled word), in batches.  Deterministic per document.  Consensus: the naive Bayes
        posterior (:meth:`ConsensusTopics.infer`); gensim: variational θ from a uniform start."""
        rows, batch = [], []
        for tokens in token_lists:
            batch.append(list(tokens))
            if len(batch) >= batch_size:
                rows.append(self._infer_batch(batch))
                batch = []
        if batch:
            rows.append(self._infer_batch(batch))
        return np.vstack(rows) if rows else np.zeros((0, self.k), dtype=np.float32)

    def _infer_batch(self, batch: list[list[str]]) -> np.ndarray:
        if isinstance(self.engine, GensimLda):
            return self.engine.infer(batch).astype(np.float32)
        return self.engine.infer(batch)[1].astype(np.float32)


def resolve_k(k: int | str, n_docs: int) -> int:
    """K of the consensus method: ``k`` itself, or for ``"auto"`` :data:`AUTO_K` capped at one topic per
    20 documents (at least 2)."""
    if k != "auto":
        return int(k)
    return int(min(AUTO_K, max(2, n_docs // 20)))


def _unique_names(words_of_topics: list[list[str]], drop: frozenset[str]) -> list[str]:
    """The name of each topic from its first three phrases, more phrases where two names would be equal."""
    names: list[str] = []
    for words in words_of_topics:
        shown = display_words(words, drop)
        size = 3
        name = NAME_SEPARATOR.join(shown[:size])
        while (name in names or not name) and size < len(shown):
            size += 1
            name = NAME_SEPARATOR.join(shown[:size])
        if name in names or not name:
            name = f"{name or '话题'}（{len(names) + 1}）"
        names.append(name)
    return names


def topics_table(
    weighted: list[list[tuple[str, float]]],
    params: TopicParams,
    lexicon: Lexicon | None,
    drop: frozenset[str],
) -> pd.DataFrame:
    """The topic table (:data:`TOPIC_COLUMNS`) from each topic's ``(word, weight)`` pairs, best first."""
    words = [[w for w, _ in topic] for topic in weighted]
    rows = []
    for t, (topic, name) in enumerate(zip(weighted, _unique_names(words, drop), strict=True)):
        code, share = label_topic(topic, lexicon, params.label_rule) if lexicon else (OTHER, 0.0)
        rows.append(
            {
                "topic": t,
                "name": name,
                "label": lexicon.label_of(code) if lexicon and code != OTHER else "",
                "category": code,
                "label_share": share,
                "top_words": " ".join(display_words(words[t], drop, limit=params.topn)),
            }
        )
    return pd.DataFrame(rows, columns=TOPIC_COLUMNS)


def fit_topic_model(
    docs: Sequence[Sequence[str]],
    params: TopicParams = TopicParams(),
    *,
    stoplist: Iterable[str] = (),
    lexicon: Lexicon | None = None,
    progress=None,
) -> TopicModel:
    """Fit the topic model to token lists (the output of :func:`jiesu.analysis.topics.topic_tokenizer`).

    Parameters
    ----------
    docs : one token list per training document.
    params : :class:`TopicParams` (method, K, seed, seeding, rules).
    stoplist : words no topic may be made of (:func:`jiesu.analysis.topics.vocabulary.topic_stoplist`).
    lexicon : categories to label topics with (and to seed them with when ``params.seeded``); ``None``:
        topics are only named by their phrases.
    progress : optional callable ``progress(step: str)``.

    Returns
    -------
    :class:`TopicModel`; the same documents and arguments give identical topics.
    """
    if params.method not in METHODS:
        raise JiesuError(f"method must be one of {', '.join(METHODS)}, got {params.method!r}")
    note = progress or (lambda step: None)
    drop = frozenset(stoplist)
    if params.method == "gensim":
        kept = remove_words(docs, drop)
        engine, coherence_by_k = fit_gensim(kept, params, lexicon=lexicon, progress=note)
        theta = engine.infer(kept)
        training = (np.where(theta.sum(axis=1) > 0, theta.argmax(axis=1), -1), theta)
        table = topics_table(engine.top_words(), params, lexicon, drop)
        return TopicModel(params, engine, table, drop, (), coherence_by_k, training)
    tokens = topic_tokens(docs, drop)
    learned = learn_corpus_stopwords(tokens, params.df_rule)
    tokens = remove_words(tokens, learned)
    k = resolve_k(params.k, sum(1 for t in tokens if t))
    seeds = seed_lists(tokens, lexicon, k, min_docs=params.seed_min_docs) if params.seeded and lexicon else []
    note(f"consensus of {params.consensus.runs} LDA runs, K={k}")
    engine, labels, weights = fit_consensus(tokens, k, seed=params.seed, params=params.consensus, seeds=seeds)
    table = topics_table(engine.top_words(), params, lexicon, drop | learned)
    return TopicModel(params, engine, table, drop | learned, tuple(sorted(learned)), {}, (labels, weights))
