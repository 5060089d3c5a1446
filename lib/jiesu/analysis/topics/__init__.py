"""What residents (or citizens writing to an office) talk about: topic models of Chinese text, named by
their phrases and, when a lexicon clearly matches, labelled with its categories.

Pipeline:

1. **Tokenize once.** :func:`topic_tokenizer` (:class:`jiesu.analysis.text.Tokenizer` with
   ``clean=True``: rjieba, governance dictionary, masks/IDs/phones/placeholders/codes removed) is the
   one tokenizer for real exports and the community's chats; a chat snapshot caches its tokens
   (:func:`tokenize_frame`, :class:`TokenizedCorpus`, gensim's corpus interface: memory stays flat).
2. **Topic tokens.** :mod:`.vocabulary`: only words of 2+ Han characters or 2–12 Latin letters, minus
   the stopwords, the governance boilerplate (:func:`jiesu.analysis.text.filler_words`) and user lists
   (:func:`topic_stoplist`), minus what the corpus document-frequency rule learns (:class:`DfRule`).
3. **Consensus topics** (default, :mod:`.consensus`): 10 collapsed-Gibbs LDA runs (tomotopy), k-means
   on their stacked √θ, naive Bayes assignment of every other document.  ``method="gensim"``
   (:mod:`.gensim_lda`) keeps the earlier Phrases → Dictionary → LdaModel pipeline for comparison.
   Measured on real labelled sets and the synthetic chats in ``bench/topic_quality.md``.
4. **Names and labels.** A topic is named by its first phrases (:func:`topic_name`); it gets a lexicon
   category only when its words clearly match (:class:`LabelRule`).  Lexicon seeding is opt-in
   (``TopicParams(seeded=True)``).  :func:`display_words` is the one rule for what a table may show.
5. **Fit once, then infer.** :func:`jiesu.snapshot.chats.snapshot_model` caches a chat snapshot's model;
   reports only infer (:meth:`TopicModel.infer`, deterministic per message).

Chat snapshots are trained on issue-like conversations (:func:`jiesu.analysis.chats.issue_like`, pooled
by :class:`PooledCorpus`: a chat report has only 3–6 content words; Hong & Davison 2010; Mehrotra et
al. 2013).
"""

# The public API, re-exported in the manner of networkx's algorithm packages: import from here.
from jiesu.analysis.topics.consensus import (
    ConsensusParams,
    ConsensusTopics,
    fit_consensus,
)
from jiesu.analysis.topics.corpus import (
    BowCorpus,
    PhrasedCorpus,
    PooledCorpus,
    TokenizedCorpus,
    frame_hash,
    phrase,
    tokenize_frame,
    topic_tokenizer,
)
from jiesu.analysis.topics.labels import (
    LabelRule,
    Lexicon,
    label_topic,
    seed_lists,
)
from jiesu.analysis.topics.model import (
    AUTO_K,
    CHATTER_LABEL,
    DEFAULT_K_GRID,
    METHODS,
    MODEL_VERSION,
    TopicModel,
    TopicParams,
    fit_topic_model,
    resolve_k,
)
from jiesu.analysis.topics.prevalence import (
    anchor_topics,
    prevalence_figure,
    topic_prevalence,
    topics_figure,
)
from jiesu.analysis.topics.texts import (
    analyse_texts,
)
from jiesu.analysis.topics.vocabulary import (
    DfRule,
    display_words,
    is_display_token,
    learn_corpus_stopwords,
    topic_name,
    topic_stoplist,
    topic_tokens,
)

__all__ = [
    "frame_hash",
    "topic_tokenizer",
    "tokenize_frame",
    "TokenizedCorpus",
    "phrase",
    "PhrasedCorpus",
    "BowCorpus",
    "PooledCorpus",
    "ConsensusParams",
    "ConsensusTopics",
    "fit_consensus",
    "LabelRule",
    "Lexicon",
    "label_topic",
    "seed_lists",
    "AUTO_K",
    "CHATTER_LABEL",
    "DEFAULT_K_GRID",
    "METHODS",
    "MODEL_VERSION",
    "TopicParams",
    "TopicModel",
    "fit_topic_model",
    "resolve_k",
    "anchor_topics",
    "topic_prevalence",
    "topics_figure",
    "prevalence_figure",
    "analyse_texts",
    "DfRule",
    "display_words",
    "is_display_token",
    "learn_corpus_stopwords",
    "topic_name",
    "topic_stoplist",
    "topic_tokens",
]
