"""The topic model: parameters, training (Phrases → Dictionary → LdaModel, K by coherence) and labels."""

from __future__ import annotations

import copy
import hashlib
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from jiesu.analysis.topics.corpus import BowCorpus, PhrasedCorpus, phrase
from jiesu.categories import BY_CODE, CATEGORIES, OTHER_LABEL, label_of, lexicon_hit
from jiesu.errors import JiesuError

CHATTER_LABEL = OTHER_LABEL


MODEL_VERSION = "lda-v5"
"""Part of every model's cache key: bump it when training changes."""

DEFAULT_K_GRID = (10, 12, 14, 16)


@dataclass(frozen=True)
class TopicParams:
    """Every setting that determines a trained model (all part of the cache key).

    k : number of topics, or ``"auto"`` to choose it from ``k_grid`` by c_v coherence.
    seed : ``random_state`` of LdaModel (and of the coherence sample).
    passes, iterations, chunksize : LdaModel training effort.
    min_tokens : shortest document (tokens) used for training.
    no_below, no_above, keep_n : Dictionary.filter_extremes (documents, share of documents, vocabulary).
    phrase_min_count, phrase_threshold : gensim Phrases.
    coherence_docs : documents sampled for c_v; topn : top words per topic (labels, coherence, tables).
    label_min_mass : probability mass of lexicon words among the top words needed for a category label.
    seed_strength : prior weight of lexicon words in their seeded topic (0 = plain, unseeded LDA).
    seed_min_docs : a category is seeded only if its lexicon words occur in this many training documents.
    pool_hours : snapshot training documents pool one group's issue-like and staff messages that
        follow each other within this many hours, keeping conversations with an issue-like message
        (0 = no pooling: issue-like messages one by one).
    """

    k: int | str = "auto"
    k_grid: tuple[int, ...] = DEFAULT_K_GRID
    seed: int = 0
    passes: int = 5
    iterations: int = 100
    chunksize: int = 2000
    min_tokens: int = 2
    no_below: int = 5
    no_above: float = 0.2
    keep_n: int = 8000
    phrase_min_count: int = 20
    phrase_threshold: float = 10.0
    coherence_docs: int = 8000
    topn: int = 10
    label_min_mass: float = 0.3
    seed_strength: float = 500.0
    seed_min_docs: int = 20
    pool_hours: float = 12.0

    def key(self) -> str:
        return hashlib.sha256(repr((MODEL_VERSION, sorted(asdict(self).items()))).encode()).hexdigest()[:16]


@dataclass
class TopicModel:
    """A trained LDA model with its vocabulary pipeline and topic table.

    ``topics``: DataFrame with ``topic`` (0…K-1), ``label`` (category label or 其他), ``category``
    (code or ``"other"``), ``label_mass`` (lexicon probability mass among the top words), ``top_words``
    (space-joined), ``coherence`` (per-topic c_v).  ``coherence_by_k``: mean c_v for each K tried.
    """

    lda: object
    dictionary: object
    phraser: object
    params: TopicParams
    topics: pd.DataFrame
    coherence_by_k: dict[int, float] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return int(self.lda.num_topics)

    def bow(self, tokens: list[str]) -> list[tuple[int, int]]:
        return self.dictionary.doc2bow(phrase(tokens, self.phraser))

    def infer(self, token_lists: Iterable[list[str]], *, batch_size: int = 4000) -> np.ndarray:
        """Document-topic weights θ (rows sum to 1; all-zero rows for documents with no known word).

        Variational inference (``LdaModel.inference``) started from the same uniform γ for every
        document (gensim starts from random draws), so a message gets the same weights whatever batch
        or order it is inferred in."""
        rows: list[np.ndarray] = []
        batch: list[list[tuple[int, int]]] = []
        # a shallow copy with its own starting point: the shared (cached) model is never modified
        lda = copy.copy(self.lda)
        lda.random_state = _UniformStart()

        def flush() -> None:
            if not batch:
                return
            gamma, _ = lda.inference(batch)
            empty = np.array([len(b) == 0 for b in batch])
            theta = gamma / gamma.sum(axis=1, keepdims=True)
            theta[empty] = 0.0
            rows.append(theta.astype(np.float32))
            batch.clear()

        for tokens in token_lists:
            batch.append(self.bow(tokens))
            if len(batch) >= batch_size:
                flush()
        flush()
        return np.vstack(rows) if rows else np.zeros((0, self.k), dtype=np.float32)


class _UniformStart:
    """Stands in for ``LdaModel.random_state`` during inference: ``inference`` only draws its starting
    γ from ``random_state.gamma(100, 1/100, shape)`` (mean 1); a constant 1 makes it deterministic."""

    def gamma(self, shape, scale, size):
        return np.ones(size)


def _lexicons() -> dict[str, tuple[str, ...]]:
    return {c.code: c.lexicon for c in CATEGORIES}


def label_topic(words: list[tuple[str, float]], *, min_mass: float = 0.03) -> tuple[str, float]:
    """Category code for one topic from its top ``(word, probability)`` pairs, and the winning mass.

    A word supports a category when one of the category's lexicon words (≥ 2 characters, or the whole
    word for single-character lexicon entries) is contained in it; each word supports at most the
    category with the longest matching lexicon entry.  Returns ``("other", mass)`` below ``min_mass``.
    """
    mass = dict.fromkeys(_lexicons(), 0.0)
    for word, prob in words:
        parts = word.split("_")
        best, best_len = None, 0
        for code, lexicon in _lexicons().items():
            for entry in lexicon:
                hit = any(entry == p for p in parts) if len(entry) == 1 else entry in word
                if hit and len(entry) > best_len:
                    best, best_len = code, len(entry)
        if best is not None:
            mass[best] += prob
    code = max(mass, key=lambda c: (mass[c], c))
    return (code, mass[code]) if mass[code] >= min_mass else ("other", mass[code])


def _topics_table(lda, params: TopicParams, per_topic_coherence: list[float]) -> pd.DataFrame:

    rows = []
    for t in range(lda.num_topics):
        # labels look deeper than the displayed top words: 30 words give a stable lexicon mass
        code, mass = label_topic(
            [(w, float(p)) for w, p in lda.show_topic(t, 30)], min_mass=params.label_min_mass
        )
        rows.append(
            {
                "topic": t,
                "label": label_of(code),
                "category": code,
                "label_mass": round(mass, 4),
                "top_words": " ".join(w for w, _ in lda.show_topic(t, params.topn)),
                "coherence": round(float(per_topic_coherence[t]), 4) if per_topic_coherence else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _coherence(lda, texts: list[list[str]], dictionary, topn: int) -> list[float]:
    from gensim.models.coherencemodel import CoherenceModel  # heavy (gensim ~1.9 s); training only

    model = CoherenceModel(
        model=lda, texts=texts, dictionary=dictionary, coherence="c_v", topn=topn, processes=1
    )
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # word pairs never seen together give log(0); gensim's c_v treats them as it should (NaN → 0)
        warnings.simplefilter("ignore", RuntimeWarning)
        return [float(x) for x in np.nan_to_num(model.get_coherence_per_topic())]


def train_topic_model(
    corpus: Iterable[list[str]], params: TopicParams = TopicParams(), *, progress=None
) -> TopicModel:
    """Train the topic model on a re-iterable stream of token lists (e.g. :class:`TokenizedCorpus`).

    Parameters
    ----------
    corpus : iterable of token lists, iterated several times (phrases, dictionary, each pass).
    params : :class:`TopicParams`; ``k="auto"`` tries every K of ``k_grid`` and keeps the best mean c_v.
    progress : optional callable ``progress(step: str)`` for progress bars.

    Returns
    -------
    :class:`TopicModel`.  Deterministic: the same corpus and params give identical topics.
    """
    # heavy (gensim ~1.9 s to import); only training needs it, readers of a saved model do not
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel
    from gensim.models.phrases import Phrases

    note = progress or (lambda step: None)
    note("phrases")
    phraser = Phrases(
        corpus,
        min_count=params.phrase_min_count,
        threshold=params.phrase_threshold,
        connector_words=frozenset(),
    ).freeze()
    phrased = PhrasedCorpus(corpus, phraser)
    note("dictionary")
    dictionary = Dictionary(phrased)
    # governance words stay even when they are everywhere (车棚 is also where lost keys are found)
    governance = [w for w in dictionary.token2id if any(_lexicon_hits(w, c.lexicon) for c in CATEGORIES)]
    dictionary.filter_extremes(
        no_below=params.no_below,
        no_above=params.no_above,
        keep_n=params.keep_n,
        keep_tokens=governance if params.seed_strength > 0 else None,
    )
    dictionary.compactify()
    if len(dictionary) < 2:
        raise JiesuError(f"too few distinct words after filtering ({len(dictionary)}): need more text")
    bow = [b for b in BowCorpus(phrased, dictionary) if b]  # in memory: (id, count) pairs only, ~10 MB
    if not bow:
        raise JiesuError("no document has a word of the vocabulary: need more text")
    texts = _coherence_sample(phrased, dictionary, params)

    grid = params.k_grid if params.k == "auto" else (int(params.k),)
    seeds = (
        seed_categories(bow, dictionary, min_docs=params.seed_min_docs) if params.seed_strength > 0 else []
    )
    best = None
    coherence_by_k: dict[int, float] = {}
    for k in grid:
        note(f"LDA K={k}")
        eta = (
            seeded_eta(dictionary, seeds[: int(k)], int(k), strength=params.seed_strength) if seeds else None
        )
        lda = LdaModel(
            corpus=bow,
            id2word=dictionary,
            num_topics=int(k),
            passes=params.passes,
            iterations=params.iterations,
            chunksize=params.chunksize,
            random_state=params.seed,
            eval_every=None,
            alpha="symmetric",
            eta=eta,
            dtype=np.float64,
        )
        per_topic = _coherence(lda, texts, dictionary, params.topn) if len(grid) > 1 or texts else []
        score = float(np.mean(per_topic)) if per_topic else float("nan")
        coherence_by_k[int(k)] = round(score, 6)
        if best is None or score > best[0]:
            best = (score, lda, per_topic)
    _, lda, per_topic = best
    return TopicModel(
        lda=lda,
        dictionary=dictionary,
        phraser=phraser,
        params=params,
        topics=_topics_table(lda, params, per_topic),
        coherence_by_k=coherence_by_k,
    )


def _lexicon_hits(word: str, lexicon: tuple[str, ...]) -> bool:
    return any(lexicon_hit(word, entry) for entry in lexicon)


def seed_categories(bow: list[list[tuple[int, int]]], dictionary, *, min_docs: int = 20) -> list[str]:
    """Categories to seed, most frequent first: those whose lexicon words occur in at least ``min_docs``
    training documents (a category the data hardly mention gets no topic of its own)."""
    docs_with = {}
    for cat in CATEGORIES:
        ids = {i for i, w in dictionary.items() if _lexicon_hits(w, cat.lexicon)}
        docs_with[cat.code] = sum(1 for doc in bow if any(i in ids for i, _ in doc)) if ids else 0
    ranked = sorted((c for c in docs_with if docs_with[c] >= min_docs), key=lambda c: (-docs_with[c], c))
    return ranked


def seeded_eta(dictionary, seeds: list[str], k: int, *, strength: float) -> np.ndarray:
    """The topic-word Dirichlet prior of a seeded (guided) LDA: ``1/K`` everywhere (gensim's symmetric
    default) except that topic ``i`` gives the words of the lexicon of ``seeds[i]`` the prior ``strength``.

    Lexical priors anchor one topic per 12345 category (Jagarlamudi, Daumé & Udupa 2012, "Incorporating
    lexical priors into topic models"); everything else a topic contains (回水管, 热力站, 跑风门 …) is
    learned from co-occurrence, and topics beyond the seeded ones stay free for chatter."""

    eta = np.full((k, len(dictionary)), 1.0 / k)
    for topic, code in enumerate(seeds[:k]):
        for word_id, word in dictionary.items():
            if _lexicon_hits(word, BY_CODE[code].lexicon):
                eta[topic, word_id] = strength
    return eta


def _coherence_sample(phrased: Iterable[list[str]], dictionary, params: TopicParams) -> list[list[str]]:
    """A fixed, seed-determined sample of (phrased, in-vocabulary) documents for c_v."""
    docs = [[w for w in tokens if w in dictionary.token2id] for tokens in phrased]
    docs = [d for d in docs if len(d) >= 2]
    if len(docs) <= params.coherence_docs:
        return docs
    rng = np.random.default_rng(params.seed)
    keep = np.sort(rng.choice(len(docs), size=params.coherence_docs, replace=False))
    return [docs[i] for i in keep]


def params_for_size(n_docs: int, *, k: int | str = "auto", seed: int = 0) -> TopicParams:
    """Topic parameters scaled to a corpus of ``n_docs`` documents (small exports keep rarer words)."""
    return TopicParams(
        k=k,
        seed=seed,
        no_below=int(min(5, max(2, n_docs // 200))),
        phrase_min_count=int(min(20, max(3, n_docs // 300))),
        no_above=0.3 if n_docs < 2000 else 0.2,
        passes=2 if n_docs > 5000 else 5,
    )
