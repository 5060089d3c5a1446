"""The gensim method (``TopicParams(method="gensim")``): Phrases → Dictionary → LdaModel, K by c_v.

gensim (Řehůřek & Sojka 2010): ``Phrases`` joins frequent bigrams (暖气 不热 → 暖气_不热; lone single
characters are then dropped), ``Dictionary`` drops rare and ubiquitous tokens (lexicon words are kept
when seeding), ``LdaModel`` (online variational Bayes, Hoffman, Blei & Bach 2010) is trained with a fixed
``random_state`` (never ``LdaMulticore``, whose result depends on scheduling), optionally with a lexical
prior (one topic per frequent category, :func:`seeded_eta`).  Unless K is given, K is the value of
``k_grid`` with the highest mean c_v coherence (Röder, Both & Hinneburg 2015), ``processes=1``.

Measured against the consensus method (``bench/topic_quality.md``): NMI 0.21 vs 0.32 on the 留言板 set,
0.38 vs 0.57 on telecom work orders.  It stays for comparison and for users who ask for it.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jiesu.analysis.topics.corpus import BowCorpus, PhrasedCorpus, phrase
from jiesu.analysis.topics.labels import Lexicon, seed_lists
from jiesu.errors import JiesuError


@dataclass
class GensimLda:
    """A trained gensim pipeline: ``lda`` (LdaModel), ``dictionary``, ``phraser`` (FrozenPhrases)."""

    lda: object
    dictionary: object
    phraser: object

    @property
    def k(self) -> int:
        return int(self.lda.num_topics)

    def top_words(self, topn: int = 30) -> list[list[tuple[str, float]]]:
        """Each topic's words by p(w|t), best first."""
        return [[(w, float(p)) for w, p in self.lda.show_topic(t, topn)] for t in range(self.k)]

    def infer(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """θ of each document (rows sum to 1; all-zero rows for documents without a known word).

        Variational inference (``LdaModel.inference``) started from the same uniform γ for every
        document (gensim starts from random draws), so a document gets the same weights whatever batch
        or order it is inferred in."""
        if not len(token_lists):
            return np.zeros((0, self.k))
        lda = copy.copy(self.lda)  # its own starting point: the shared (cached) model is never modified
        lda.random_state = _UniformStart()
        bow = [self.dictionary.doc2bow(phrase(list(tokens), self.phraser)) for tokens in token_lists]
        gamma, _ = lda.inference(bow)
        theta = gamma / gamma.sum(axis=1, keepdims=True)
        theta[np.array([len(b) == 0 for b in bow])] = 0.0
        return theta


class _UniformStart:
    """Stands in for ``LdaModel.random_state`` during inference: ``inference`` only draws its starting
    γ from ``random_state.gamma(100, 1/100, shape)`` (mean 1); a constant 1 makes it deterministic."""

    def gamma(self, shape, scale, size):
        return np.ones(size)


def _vocabulary(docs: Sequence[Sequence[str]], params, lexicon: Lexicon | None):
    """Phrases, then a filtered Dictionary (lexicon words kept when seeding), and the bag of words."""
    from gensim.corpora import Dictionary  # heavy (gensim ~1.9 s to import); this method only
    from gensim.models.phrases import Phrases

    phraser = Phrases(
        docs,
        min_count=params.phrase_min_count,
        threshold=params.phrase_threshold,
        connector_words=frozenset(),
    ).freeze()
    phrased = PhrasedCorpus(docs, phraser)
    dictionary = Dictionary(phrased)
    keep = None
    if params.seeded and lexicon is not None:
        keep = [w for w in dictionary.token2id if lexicon.category_of(w) != "other"]
    dictionary.filter_extremes(
        no_below=params.no_below, no_above=params.no_above, keep_n=params.keep_n, keep_tokens=keep
    )
    dictionary.compactify()
    if len(dictionary) < 2:
        raise JiesuError(f"too few distinct words after filtering ({len(dictionary)}): need more text")
    bow = [b for b in BowCorpus(phrased, dictionary) if b]
    if not bow:
        raise JiesuError("no document has a word of the vocabulary: need more text")
    return phraser, dictionary, phrased, bow


def seeded_eta(dictionary, seeds: Sequence[Sequence[str]], k: int, *, strength: float) -> np.ndarray:
    """The topic–word prior of a seeded (guided) LDA: ``1/K`` everywhere (gensim's symmetric default)
    except that topic ``i`` gives the words of ``seeds[i]`` the prior ``strength`` (Jagarlamudi, Daumé &
    Udupa 2012)."""
    eta = np.full((k, len(dictionary)), 1.0 / k)
    for topic, words in enumerate(seeds[:k]):
        for word in words:
            if word in dictionary.token2id:
                eta[topic, dictionary.token2id[word]] = strength
    return eta


def _coherence(lda, texts: list[list[str]], dictionary, topn: int) -> list[float]:
    from gensim.models.coherencemodel import CoherenceModel  # heavy (gensim ~1.9 s); training only

    model = CoherenceModel(
        model=lda, texts=texts, dictionary=dictionary, coherence="c_v", topn=topn, processes=1
    )
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # word pairs never seen together give log(0); gensim's c_v treats them as it should (NaN → 0)
        warnings.simplefilter("ignore", RuntimeWarning)
        return [float(x) for x in np.nan_to_num(model.get_coherence_per_topic())]


def _coherence_sample(phrased, dictionary, params) -> list[list[str]]:
    """A fixed, seed-determined sample of (phrased, in-vocabulary) documents for c_v."""
    docs = [[w for w in tokens if w in dictionary.token2id] for tokens in phrased]
    docs = [d for d in docs if len(d) >= 2]
    if len(docs) <= params.coherence_docs:
        return docs
    keep = np.sort(
        np.random.default_rng(params.seed).choice(len(docs), size=params.coherence_docs, replace=False)
    )
    return [docs[i] for i in keep]


def fit_gensim(
    docs: Sequence[Sequence[str]], params, *, lexicon: Lexicon | None = None, progress=None
) -> tuple[GensimLda, dict[int, float]]:
    """Train the gensim pipeline on token lists (single characters kept: Phrases may join them).

    ``params`` is a :class:`jiesu.analysis.topics.TopicParams`; ``k="auto"`` tries every K of
    ``k_grid`` and keeps the best mean c_v.  Returns the model and the mean c_v of each K tried.
    Deterministic: the same documents and params give identical topics."""
    from gensim.models import LdaModel  # heavy (gensim ~1.9 s to import); this method only

    note = progress or (lambda step: None)
    note("phrases + dictionary")
    phraser, dictionary, phrased, bow = _vocabulary(docs, params, lexicon)
    texts = _coherence_sample(phrased, dictionary, params)
    grid = params.k_grid if params.k == "auto" else (int(params.k),)
    seeds = []
    if params.seeded and lexicon is not None:
        seeds = seed_lists(list(phrased), lexicon, max(grid), min_docs=params.seed_min_docs)
    best, coherence_by_k = None, {}
    for k in grid:
        note(f"LDA K={k}")
        eta = seeded_eta(dictionary, seeds, int(k), strength=params.seed_strength) if seeds else None
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
        per_topic = _coherence(lda, texts, dictionary, params.topn) if len(grid) > 1 else []
        score = float(np.mean(per_topic)) if per_topic else float("nan")
        coherence_by_k[int(k)] = round(score, 6)
        if best is None or score > best[0]:
            best = (score, lda)
    return GensimLda(best[1], dictionary, phraser), coherence_by_k
