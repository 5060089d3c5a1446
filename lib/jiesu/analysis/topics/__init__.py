"""What residents talk about: an LDA topic model of the group chats, labelled with 12345 categories.

Pipeline (gensim, Řehůřek & Sojka 2010):

1. **Tokenize once per snapshot.** :func:`tokenized_corpus` tokenizes the messages with
   :class:`jiesu.analysis.text.Tokenizer` (rjieba backend, governance dictionary, stopwords) and caches the
   result in ``data/interim/tokens/<content-hash>.parquet``; :class:`TokenizedCorpus` streams it back
   one document at a time (gensim's corpus interface), so memory stays flat.
2. **Issue-like conversations.** Chatter is ~90% of group traffic.  The model is trained on
   :func:`issue_like` messages (part of an @-exchange with staff, or naming a governance word) pooled
   with the staff replies and closing notes around them into one document per conversation
   (:func:`conversation_sessions`, :class:`PooledCorpus`): a chat report has only 3–6 content words,
   too few for LDA on their own (pooling: Hong & Davison 2010; Mehrotra et al. 2013).
3. **Phrases → Dictionary → seeded LdaModel.** ``Phrases`` joins frequent bigrams (暖气_不热; lone
   single characters are then dropped), ``Dictionary`` drops rare and ubiquitous tokens (governance
   words are kept), ``LdaModel`` (online variational Bayes, Hoffman et al. 2010) is trained with a
   fixed ``random_state`` (never ``LdaMulticore``, whose result depends on scheduling) and a lexical
   prior: one topic per category frequent in the data is seeded with its lexicon words
   (:func:`seeded_eta`; Jagarlamudi, Daumé & Udupa 2012); the remaining topics are free.
4. **K by coherence.** Unless K is given, K is the value of a small grid with the highest c_v coherence
   (Röder, Both & Hinneburg 2015), computed with ``processes=1`` on a fixed sample of documents.
5. **Labels.** Each topic's top words are compared with the lexicons of :mod:`jiesu.categories`: the
   label is the category whose lexicon words carry the most probability mass among the top words
   (a lexicon word counts when it is contained in a top word, e.g. 暖气 in 暖气片 or 暖气_不热);
   below ``label_min_mass`` the topic is 其他 (chatter, greetings, lost-and-found).
6. **Train once, then infer.** :func:`snapshot_model` caches the model and the document-topic weights
   of every text message in ``data/interim/topics/<key>/`` keyed by corpus hash + parameters; reports
   only read or infer (:meth:`TopicModel.infer` is deterministic per message).

Known limit (synthetic world): frequent chatter templates that contain a governance word (谁家有多余的
花盆, 钥匙在车棚捡到的) still pull some reports of 大风/停车 into chatter topics; NMI with the planted
categories is ≈ 0.67 where pooling by the planted threads would reach ≈ 0.72.
"""

# The public API, re-exported in the manner of networkx's algorithm packages: import from here.
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
from jiesu.analysis.topics.model import (
    CHATTER_LABEL,
    DEFAULT_K_GRID,
    MODEL_VERSION,
    TopicModel,
    TopicParams,
    label_topic,
    params_for_size,
    seed_categories,
    seeded_eta,
    train_topic_model,
)
from jiesu.analysis.topics.prevalence import (
    prevalence_figure,
    topic_prevalence,
    topics_figure,
)
from jiesu.analysis.topics.texts import (
    analyse_texts,
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
    "CHATTER_LABEL",
    "MODEL_VERSION",
    "DEFAULT_K_GRID",
    "TopicParams",
    "TopicModel",
    "label_topic",
    "train_topic_model",
    "seed_categories",
    "seeded_eta",
    "params_for_size",
    "topic_prevalence",
    "topics_figure",
    "prevalence_figure",
    "analyse_texts",
]
