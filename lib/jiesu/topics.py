"""What residents talk about: an LDA topic model of the group chats, labelled with 12345 categories.

Pipeline (gensim, Řehůřek & Sojka 2010):

1. **Tokenize once per snapshot.** :func:`tokenized_corpus` tokenizes the messages with
   :class:`jiesu.text.Tokenizer` (rjieba backend, governance dictionary, stopwords) and caches the
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

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jiesu import datasets
from jiesu.categories import CATEGORIES, OTHER_LABEL
from jiesu.contract import PROCESSED
from jiesu.settings import Paths
from jiesu.text import Tokenizer

CHATTER_LABEL = OTHER_LABEL
OTHER_CODE = "other"
DEFAULT_K_GRID = (10, 12, 14, 16)
TOKENS_VERSION = "tokens-v2"
TRAINING_SELECTION = "issue-like-pooled-v2"
MODEL_VERSION = "lda-v4"


# --------------------------------------------------------------------------------------------------
# Tokenized corpus: cached on disk, streamed back
# --------------------------------------------------------------------------------------------------


def frame_hash(frame: pd.DataFrame, columns: Iterable[str]) -> str:
    """A stable content hash of ``columns`` of ``frame`` (row order matters), hex."""
    hashed = pd.util.hash_pandas_object(frame[list(columns)].astype(str), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:16]


def topic_tokenizer(*, strip_boilerplate: bool = False) -> Tokenizer:
    """The tokenizer every topic model uses: rjieba, governance dictionary, stopwords.  Single
    characters are kept here so that ``Phrases`` can join them (车 堵 → 车_堵); lone single characters
    are dropped after phrasing (:func:`phrase`)."""
    return Tokenizer("rjieba", min_length=1, strip_boilerplate=strip_boilerplate)


def tokenize_frame(frame: pd.DataFrame, *, id_col: str, text_col: str, tokenizer: Tokenizer) -> pd.DataFrame:
    """Tokens of every row: DataFrame ``doc_id`` (from ``id_col``), ``tokens`` (space-joined), ``n_tokens``."""
    joined = pd.Series(tokenizer.token_strings(frame[text_col].tolist()), dtype=object)
    return pd.DataFrame(
        {
            "doc_id": frame[id_col].astype(str).to_numpy(),
            "tokens": joined.to_numpy(),
            "n_tokens": (joined.str.count(" ") + (joined != "")).to_numpy(dtype=np.int32),
        }
    )


def tokenized_corpus(
    frame: pd.DataFrame, *, id_col: str, text_col: str, cache_dir: Path, tokenizer: Tokenizer | None = None
) -> Path:
    """Tokenize ``frame[text_col]`` once and cache it as ``<cache_dir>/<hash>.parquet``.

    The key is the content hash of ids and texts plus the tokenizer signature, so a new data snapshot
    or a new dictionary gives a new file and an unchanged one is reused.  Returns the file path.
    """
    tokenizer = tokenizer or topic_tokenizer()
    key = hashlib.sha256(
        repr((TOKENS_VERSION, frame_hash(frame, [id_col, text_col]), tokenizer.signature())).encode()
    ).hexdigest()[:16]
    target = Path(cache_dir) / f"{key}.parquet"
    if not target.exists():
        from jiesu.storage import write_parquet

        write_parquet(target, tokenize_frame(frame, id_col=id_col, text_col=text_col, tokenizer=tokenizer))
    return target


class TokenizedCorpus:
    """Iterate over token lists read lazily, in chunks, from a cached tokens Parquet file.

    Parameters
    ----------
    path : a file written by :func:`tokenized_corpus`.
    min_tokens : skip documents with fewer tokens.
    doc_ids : if given, only these documents (a set of ids).
    batch_size : rows read per chunk.

    Iterating yields ``list[str]``; :meth:`ids` yields the matching document ids in the same order.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        min_tokens: int = 0,
        doc_ids: set[str] | None = None,
        batch_size: int = 20_000,
    ):
        self.path = Path(path)
        self.min_tokens = int(min_tokens)
        self.doc_ids = doc_ids
        self.batch_size = int(batch_size)

    def _rows(self) -> Iterator[tuple[str, str]]:
        import pyarrow.parquet as pq

        handle = pq.ParquetFile(self.path)
        for batch in handle.iter_batches(
            batch_size=self.batch_size, columns=["doc_id", "tokens", "n_tokens"]
        ):
            ids, tokens, counts = (batch.column(i).to_pylist() for i in range(3))
            for doc_id, text, count in zip(ids, tokens, counts, strict=True):
                if (
                    count >= self.min_tokens
                    and count > 0
                    and (self.doc_ids is None or doc_id in self.doc_ids)
                ):
                    yield doc_id, text

    def __iter__(self) -> Iterator[list[str]]:
        for _, text in self._rows():
            yield text.split(" ")

    def ids(self) -> Iterator[str]:
        for doc_id, _ in self._rows():
            yield doc_id

    def __len__(self) -> int:
        return sum(1 for _ in self._rows())


def phrase(tokens: list[str], phraser) -> list[str]:
    """Apply bigrams, then drop single characters that did not join a bigram (车 堵 → 车_堵 is kept,
    a lone 车 or 堵 says too little)."""
    return [t for t in phraser[tokens] if len(t) >= 2]


class PhrasedCorpus:
    """A token-list stream with gensim ``Phrases`` bigrams applied (暖气 不热 → 暖气_不热), see :func:`phrase`."""

    def __init__(self, corpus: Iterable[list[str]], phraser):
        self.corpus, self.phraser = corpus, phraser

    def __iter__(self) -> Iterator[list[str]]:
        for tokens in self.corpus:
            yield phrase(tokens, self.phraser)


class BowCorpus:
    """A bag-of-words stream (``[(word_id, count), …]`` per document) over a token-list stream."""

    def __init__(self, corpus: Iterable[list[str]], dictionary):
        self.corpus, self.dictionary = corpus, dictionary

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for tokens in self.corpus:
            yield self.dictionary.doc2bow(tokens)


# --------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------


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

        def flush() -> None:
            if not batch:
                return
            self.lda.random_state = _UniformStart()
            gamma, _ = self.lda.inference(batch)
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

    def top_words(self, topic: int, topn: int | None = None) -> list[tuple[str, float]]:
        return [(w, float(p)) for w, p in self.lda.show_topic(topic, topn or self.params.topn)]


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
    from jiesu.categories import label_of

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
    import warnings

    from gensim.models.coherencemodel import CoherenceModel

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
        from jiesu.errors import JiesuError

        raise JiesuError(f"too few distinct words after filtering ({len(dictionary)}): need more text")
    bow = [b for b in BowCorpus(phrased, dictionary) if b]  # in memory: (id, count) pairs only, ~10 MB
    if not bow:
        from jiesu.errors import JiesuError

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
    parts = word.split("_")
    return any((entry in word) if len(entry) > 1 else (entry in parts) for entry in lexicon)


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
    from jiesu.categories import BY_CODE

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


def save_model(model: TopicModel, directory: str | os.PathLike) -> Path:
    """Write a model atomically as a directory (gensim files + ``topics.csv`` + ``meta.json``)."""
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.lda.save(str(tmp / "lda.gensim"))
        model.dictionary.save(str(tmp / "dictionary.gensim"))
        model.phraser.save(str(tmp / "phraser.gensim"))
        model.topics.to_csv(tmp / "topics.csv", index=False)
        meta = {"params": asdict(model.params), "coherence_by_k": model.coherence_by_k}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_model(directory: str | os.PathLike) -> TopicModel:
    """Read a model written by :func:`save_model`."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel
    from gensim.models.phrases import FrozenPhrases

    source = Path(directory)
    meta = json.loads((source / "meta.json").read_text(encoding="utf-8"))
    raw = meta["params"]
    raw["k_grid"] = tuple(raw["k_grid"])
    topics = pd.read_csv(source / "topics.csv", dtype={"label": str, "category": str, "top_words": str})
    return TopicModel(
        lda=LdaModel.load(str(source / "lda.gensim")),
        dictionary=Dictionary.load(str(source / "dictionary.gensim")),
        phraser=FrozenPhrases.load(str(source / "phraser.gensim")),
        params=TopicParams(**raw),
        topics=topics,
        coherence_by_k={int(k): v for k, v in meta["coherence_by_k"].items()},
    )


# --------------------------------------------------------------------------------------------------
# The chat snapshot: which messages, cached model, document-topic weights
# --------------------------------------------------------------------------------------------------


def text_messages(messages: pd.DataFrame) -> pd.DataFrame:
    """Messages that can carry an issue: text messages (文本; not pictures, voice, stickers or system
    notices).  Staff are kept: backbone-team members who live here report issues too, and their
    generic replies (收到，马上安排) fall into a chatter topic of their own."""
    keep = (messages["msg_type"] == "文本") & messages["text"].notna()
    return messages.loc[keep]


def staff_exchange(messages: pd.DataFrame, *, answer_hours: float = 24) -> pd.Series:
    """Whether each message is part of an exchange with staff: a non-staff message that @mentions a
    staff member, or that a staff member @mentions back in the same group within ``answer_hours``.
    (The seed: residents @物业, @供热维修, @社区民警 in the groups and staff answer them.)
    Returns a boolean Series aligned with ``messages``."""
    is_staff = messages["is_staff"].fillna(False).astype(bool)
    staff_ids = set(messages.loc[is_staff, "sender_id"])
    mentions = messages["mentions"].fillna("").astype(str)
    mentioned = mentions.loc[mentions != ""].str.split(";").explode()
    mentions_staff = pd.Series(False, index=messages.index)
    mentions_staff.loc[mentioned.index[mentioned.isin(staff_ids)].unique()] = True
    replies = (
        messages.loc[is_staff & (mentions != ""), ["group_id", "sent_at"]]
        .assign(member=mentions[is_staff & (mentions != "")].str.split(";"))
        .explode("member")
    )
    pairs = messages[["msg_id", "group_id", "sender_id", "sent_at"]].merge(
        replies, left_on=["group_id", "sender_id"], right_on=["group_id", "member"], suffixes=("", "_reply")
    )
    delay = pairs["sent_at_reply"] - pairs["sent_at"]
    answered = set(
        pairs.loc[(delay > pd.Timedelta(0)) & (delay <= pd.Timedelta(hours=answer_hours)), "msg_id"]
    )
    return (mentions_staff | messages["msg_id"].isin(answered)) & ~is_staff


def issue_like(messages: pd.DataFrame, tokens: pd.Series) -> pd.Series:
    """Messages worth training the topic model on: part of a staff exchange (:func:`staff_exchange`)
    or naming a governance word (a token containing a lexicon word of :mod:`jiesu.categories`).

    Everyday chatter is ~90% of group traffic; trained on everything, LDA spends its topics on
    groceries and greetings.  The lexicons only *select* training documents; the topics themselves,
    and the vocabulary they attract by co-occurrence, are learned.  ``tokens``: space-joined tokens
    aligned with ``messages``.  Returns a boolean Series aligned with ``messages``."""
    from jiesu.early_warning import lexicon_category

    vocabulary = {t for doc in tokens for t in doc.split(" ") if t}
    governance = {t for t in vocabulary if lexicon_category(t) != OTHER_CODE}
    names = tokens.map(lambda doc: any(t in governance for t in doc.split(" ")))
    return staff_exchange(messages) | pd.Series(names.to_numpy(), index=messages.index)


def conversation_sessions(messages: pd.DataFrame, *, hours: float = 6.0) -> pd.Series:
    """Session number of each message: one group's messages that follow each other within ``hours``
    form one session.  Returns a Series ``msg_id`` → session (int)."""
    ordered = messages[["msg_id", "group_id", "sent_at"]].sort_values(
        ["group_id", "sent_at", "msg_id"], kind="stable"
    )
    gap = ordered["sent_at"].diff() > pd.Timedelta(hours=hours)
    new = gap | (ordered["group_id"] != ordered["group_id"].shift())
    return pd.Series(new.cumsum().to_numpy(), index=ordered["msg_id"].to_numpy(), name="session")


class PooledCorpus:
    """Token lists of conversation sessions: the messages of one session pooled into one document.

    Short messages (a chat report has 3–6 content words) give LDA too little co-occurrence to learn
    from; pooling the messages of a conversation (report, "+1 我家也是 …", follow-ups) is the standard
    remedy for short texts (Hong & Davison 2010; Mehrotra et al. 2013, "Improving LDA topic models for
    microblogs via tweet pooling").  The model is still applied to single messages.

    The underlying stream is read once, lazily, and the pooled documents (issue-like messages only,
    a few per cent of the chats) are kept for the further passes.
    """

    def __init__(self, corpus: TokenizedCorpus, session_of: pd.Series, *, min_tokens: int = 2):
        self.corpus, self.session_of, self.min_tokens = corpus, session_of, int(min_tokens)
        self._docs: list[list[str]] | None = None

    def _pool(self) -> list[list[str]]:
        pooled: dict[int, list[str]] = {}
        session = self.session_of.to_dict()
        for doc_id, tokens in zip(self.corpus.ids(), self.corpus, strict=True):
            pooled.setdefault(int(session[doc_id]), []).extend(tokens)
        return [pooled[key] for key in sorted(pooled) if len(pooled[key]) >= self.min_tokens]

    def __iter__(self) -> Iterator[list[str]]:
        if self._docs is None:
            self._docs = self._pool()
        yield from self._docs

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class Snapshot:
    """A trained model for one data snapshot and the weights of every text message.

    ``doc_topics``: one row per text message with at least one token with ``msg_id``, ``topic`` (dominant, -1 when
    no known word), ``weight`` (its θ), ``n_tokens``, and ``theta`` columns ``t0…t{K-1}``.
    """

    model: TopicModel
    doc_topics: pd.DataFrame
    tokens_path: Path
    key: str


def _doc_topics(model: TopicModel, corpus: TokenizedCorpus) -> pd.DataFrame:
    ids = list(corpus.ids())
    theta = model.infer(iter(corpus))
    counts = pd.read_parquet(corpus.path, columns=["doc_id", "n_tokens"]).set_index("doc_id")["n_tokens"]
    has_word = theta.sum(axis=1) > 0
    frame = pd.DataFrame(
        {
            "msg_id": ids,
            "topic": np.where(has_word, theta.argmax(axis=1), -1).astype(np.int32),
            "weight": np.where(has_word, theta.max(axis=1), 0.0).astype(np.float32),
            "n_tokens": counts.reindex(ids).to_numpy(dtype=np.int32),
        }
    )
    return pd.concat([frame, pd.DataFrame(theta, columns=[f"t{i}" for i in range(model.k)])], axis=1)


def snapshot_tokens(data: Paths | str | os.PathLike | None = None) -> Path:
    """The cached tokenized corpus (:func:`tokenized_corpus`) of the snapshot's text messages.

    Finding the cache file means hashing every message; within one process that is done once per
    version of the messages table (its path, modification time and size), as long as the file exists.
    """
    where = datasets.resolve(data)
    table = where.processed / PROCESSED["messages"][0]
    stat = table.stat() if table.exists() else None
    version = (str(table), str(where.interim), stat and stat.st_mtime_ns, stat and stat.st_size)
    known = _SNAPSHOT_TOKENS.get(version)
    if known is None or not known.exists():
        messages = text_messages(datasets.load("messages", where))
        known = tokenized_corpus(messages, id_col="msg_id", text_col="text", cache_dir=where.interim / "tokens")
        _SNAPSHOT_TOKENS[version] = known
    return known


# Per-process memory of what the caches on disk hold (a report asks for the same snapshot several times).
_SNAPSHOT_TOKENS: dict[tuple, Path] = {}
_LOADED_SNAPSHOTS: dict[Path, Snapshot] = {}


def snapshot_model(
    data: Paths | str | os.PathLike | None = None, params: TopicParams = TopicParams(), *, progress=None
) -> Snapshot:
    """Train (once) and cache the topic model of the chat snapshot in ``data``; later calls only read.

    Cache: ``<interim>/tokens/<hash>.parquet`` (tokens) and ``<interim>/topics/<key>/`` (model,
    ``doc_topics.parquet``), with ``key`` = hash of the tokens file name and ``params``.
    """
    where = datasets.resolve(data)
    tokens_path = snapshot_tokens(where)
    key = hashlib.sha256(repr((TRAINING_SELECTION, tokens_path.stem, params.key())).encode()).hexdigest()[:16]
    directory = where.interim / "topics" / key
    if (directory / "doc_topics.parquet").exists():
        if directory not in _LOADED_SNAPSHOTS:
            _LOADED_SNAPSHOTS[directory] = Snapshot(
                load_model(directory), pd.read_parquet(directory / "doc_topics.parquet"), tokens_path, key
            )
        return _LOADED_SNAPSHOTS[directory]
    messages = text_messages(datasets.load("messages", where))
    tokens = pd.read_parquet(tokens_path, columns=["doc_id", "tokens"]).set_index("doc_id")["tokens"]
    selected = issue_like(
        messages,
        tokens.reindex(messages["msg_id"]).fillna("").reset_index(drop=True).set_axis(messages.index),
    )
    issues = messages.loc[selected]
    if params.pool_hours > 0:
        # staff replies and closing notes belong to the conversation: they say what was repaired
        candidates = messages.loc[selected | messages["is_staff"].fillna(False).astype(bool)]
        sessions = conversation_sessions(candidates, hours=params.pool_hours)
        sessions = sessions.loc[sessions.isin(set(sessions.reindex(issues["msg_id"])))]
        training = PooledCorpus(
            TokenizedCorpus(tokens_path, doc_ids=set(sessions.index)), sessions, min_tokens=params.min_tokens
        )
    else:
        training = TokenizedCorpus(tokens_path, min_tokens=params.min_tokens, doc_ids=set(issues["msg_id"]))
    model = train_topic_model(training, params, progress=progress)
    if progress:
        progress("inference")
    doc_topics = _doc_topics(model, TokenizedCorpus(tokens_path, min_tokens=1))
    save_model(model, directory)
    from jiesu.storage import write_parquet

    write_parquet(directory / "doc_topics.parquet", doc_topics)
    _LOADED_SNAPSHOTS[directory] = Snapshot(model, doc_topics, tokens_path, key)
    return _LOADED_SNAPSHOTS[directory]


# --------------------------------------------------------------------------------------------------
# Prevalence, figures, report and planted-truth score
# --------------------------------------------------------------------------------------------------


def topic_prevalence(
    doc_topics: pd.DataFrame,
    messages: pd.DataFrame,
    groups: pd.DataFrame | None = None,
    *,
    by: str = "month",
    min_weight: float = 0.5,
) -> pd.DataFrame:
    """Share of text messages clearly about each topic, by ``month``, ``group_id`` or ``building``.

    A message is about topic t when t is its dominant topic with weight θ ≥ ``min_weight`` (a mean of
    θ would credit every topic with a slice of each vague chatter message).  Returns a long DataFrame:
    ``by``, ``topic``, ``share`` (0–1, sums to ≤ 1 per ``by``: vague messages and messages without a
    known word count in the denominator only), ``messages`` (text messages in the slice).
    """
    theta_cols = [c for c in doc_topics.columns if c.startswith("t") and c[1:].isdigit()]
    clear = doc_topics[["msg_id"]].copy()
    dominant = doc_topics["topic"].where(doc_topics["weight"] >= min_weight, -1).to_numpy()
    for col in theta_cols:
        clear[col] = (dominant == int(col[1:])).astype(np.float32)
    frame = clear.merge(messages[["msg_id", "group_id", "sent_at"]], on="msg_id")
    if by == "month":
        frame["month"] = frame["sent_at"].dt.strftime("%Y-%m")
    elif by == "building":
        if groups is None:
            raise ValueError("by='building' needs the groups table")
        frame = frame.merge(groups[["group_id", "building"]], on="group_id")
        frame = frame.loc[frame["building"].notna()]
    elif by != "group_id":
        raise ValueError("by must be 'month', 'group_id' or 'building'")
    grouped = frame.groupby(by)
    shares = grouped[theta_cols].mean()
    shares.columns = [int(c[1:]) for c in theta_cols]
    long = shares.stack().rename("share").reset_index().rename(columns={"level_1": "topic"})
    long.columns = [by, "topic", "share"]
    return long.merge(grouped.size().rename("messages").reset_index(), on=by)


def topics_figure(topics: pd.DataFrame, shares: pd.Series | None = None, *, title: str = "话题 Topics"):
    """Horizontal bar chart: one bar per topic (share of messages if given), hover = top words."""
    import plotly.graph_objects as go

    table = topics.copy()
    table["share"] = shares.reindex(table["topic"]).to_numpy() if shares is not None else 1.0 / len(table)
    table = table.sort_values("share")
    names = [f"{t} {lab}" for t, lab in zip(table["topic"], table["label"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=table["share"],
            y=names,
            orientation="h",
            customdata=table["top_words"],
            hovertemplate="%{y}<br>占比 share %{x:.1%}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="消息占比 share of messages",
        xaxis_tickformat=".0%",
        height=max(300, 28 * len(table) + 100),
    )
    return fig


def prevalence_figure(
    prevalence: pd.DataFrame, topics: pd.DataFrame, *, title: str = "话题月度占比 Topic prevalence"
):
    """Stacked area of monthly topic shares (from :func:`topic_prevalence` with ``by="month"``)."""
    import plotly.graph_objects as go

    labels = dict(zip(topics["topic"], topics["label"], strict=True))
    fig = go.Figure()
    for topic, part in prevalence.sort_values("month").groupby("topic"):
        fig.add_trace(
            go.Scatter(
                x=part["month"], y=part["share"], stackgroup="one", name=f"{topic} {labels.get(topic, '')}"
            )
        )
    fig.update_layout(title=title, yaxis_tickformat=".0%", xaxis_title="月份 month", yaxis_title="占比 share")
    return fig


def report_topics(
    data: Paths | str | os.PathLike | None = None,
    month: str | None = None,
    *,
    params: TopicParams = TopicParams(),
    top: int = 5,
) -> dict:
    """What residents talked about in ``month`` (YYYY-MM; default the latest month with messages).

    Uses the cached snapshot model (trained once per data snapshot).  Returns ``{"month", "messages",
    "top_topics": DataFrame(topic, label, share, top_words), "figure"}`` where ``share`` is the share of
    the month's text messages clearly about the topic (:func:`topic_prevalence`); issue topics (with a
    category label) are listed before chatter.
    """
    snap = snapshot_model(data, params)
    messages = datasets.load("messages", data)
    prevalence = topic_prevalence(snap.doc_topics, messages, by="month")
    month = month or str(prevalence["month"].max())
    current = prevalence.loc[prevalence["month"] == month]
    shares = (
        current.set_index("topic")["share"]
        if len(current)
        else pd.Series(0.0, index=snap.model.topics["topic"])
    )
    table = snap.model.topics[["topic", "label", "top_words"]].assign(
        share=lambda t: shares.reindex(t["topic"]).fillna(0.0).to_numpy()
    )
    # issue topics first: "其他" (greetings, groceries) is always large and says nothing to act on
    table = table.assign(chatter=table["label"] == CHATTER_LABEL)
    table = table.sort_values(["chatter", "share", "topic"], ascending=[True, False, True]).head(top)
    table = table.reset_index(drop=True)
    table = table[["topic", "label", "share", "top_words"]]
    return {
        "month": month,
        "messages": int(current["messages"].iloc[0]) if len(current) else 0,
        "top_topics": table,
        "figure": topics_figure(snap.model.topics, shares, title=f"{month} 话题 Topics"),
    }


def category_topic_match(
    categories: pd.Series, topics_of_docs: pd.Series, topics: pd.DataFrame, *, min_share: float = 0.25
) -> pd.DataFrame:
    """Match each true category to a distinct topic (Hungarian assignment on the contingency table of
    documents, over the topics that carry a category label: a chatter topic labelled 其他 matches no
    category).

    Returns one row per category: ``category``, ``topic`` (assigned, -1 if none), ``docs``,
    ``docs_in_topic``, ``topic_label`` (the topic's automatic category code) and ``matched``: the
    assigned topic's automatic label is that category *and* it holds at least ``min_share`` of the
    category's documents.
    """
    from scipy.optimize import linear_sum_assignment

    code_of_topic = dict(zip(topics["topic"], topics["category"], strict=True))
    table = pd.crosstab(categories.to_numpy(), topics_of_docs.to_numpy())
    totals = table.sum(axis=1)
    table = table.loc[:, [c for c in table.columns if c >= 0 and code_of_topic.get(c, "other") != "other"]]
    assigned = {}
    if table.shape[1]:
        rows, cols = linear_sum_assignment(-table.to_numpy())
        assigned = {table.index[r]: table.columns[c] for r, c in zip(rows, cols, strict=True)}
    out = []
    for cat in totals.index:
        topic = assigned.get(cat, -1)
        out.append(
            {
                "category": cat,
                "topic": int(topic),
                "docs": int(totals.loc[cat]),
                "docs_in_topic": int(table.loc[cat, topic]) if topic >= 0 else 0,
                "topic_label": code_of_topic.get(topic, "other"),
            }
        )
    frame = pd.DataFrame(out)
    frame["matched"] = (frame["category"] == frame["topic_label"]) & (
        frame["docs_in_topic"] >= min_share * frame["docs"]
    )
    return frame


def score_topics(truth: dict, data: Paths | str | os.PathLike | None = None) -> dict:
    """Planted-truth score: ``categories_matched_share`` (share of planted categories whose reports
    are assigned, one-to-one over the category-labelled topics, to a topic that carries their
    automatic label; see :func:`category_topic_match`) and ``nmi`` (normalized mutual
    information, arithmetic mean, between dominant topic and planted category over the planted issue
    reports, role ``report``)."""
    from sklearn.metrics import normalized_mutual_info_score

    snap = snapshot_model(data)
    planted = datasets.read_planted_table("messages", data)
    reports = planted.loc[(planted["role"] == "report") & (planted["category"] != ""), ["msg_id", "category"]]
    joined = reports.merge(snap.doc_topics[["msg_id", "topic"]], on="msg_id", how="left")
    joined["topic"] = joined["topic"].fillna(-1).astype(int)
    matches = category_topic_match(joined["category"], joined["topic"], snap.model.topics)
    n_categories = joined["category"].nunique()  # categories that were actually planted in reports
    return {
        "categories_matched_share": round(float(matches["matched"].sum() / n_categories), 4),
        "nmi": round(float(normalized_mutual_info_score(joined["category"], joined["topic"])), 4),
    }


# --------------------------------------------------------------------------------------------------
# Bring your own data: any column of Chinese text
# --------------------------------------------------------------------------------------------------


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


def analyse_texts(
    frame: pd.DataFrame,
    *,
    text_col: str,
    time_col: str | None = None,
    k: int | str = "auto",
    seed: int = 0,
    progress=None,
) -> dict:
    """Topics (and, with a time column, bursts) of one column of Chinese text.

    Formal boilerplate (您好, 尊敬的领导, 此致敬礼 …) is stripped before tokenizing.  Input rows are
    numbered as in the file (``row`` = 1-based data row, header excluded).

    Returns ``{"topics": DataFrame(topic, label, top_words, coherence, share), "doc_topics":
    DataFrame(row, topic, weight), "bursts": DataFrame or None, "k", "documents", "coherence_by_k",
    "skipped_times"}``.
    """
    from jiesu.early_warning import BurstParams, detect_bursts

    note = progress or (lambda step: None)
    tokenizer = topic_tokenizer(strip_boilerplate=True)
    note("tokenize")
    docs = tokenize_frame(
        frame.assign(_row=np.arange(1, len(frame) + 1)), id_col="_row", text_col=text_col, tokenizer=tokenizer
    )
    token_lists = [t.split(" ") if t else [] for t in docs["tokens"]]
    usable = [t for t in token_lists if len(t) >= 3]
    if len(usable) < 20:
        from jiesu.errors import JiesuError

        raise JiesuError(f"列 column '{text_col}': only {len(usable)} rows have ≥ 3 words; need at least 20")
    params = params_for_size(len(usable), k=k, seed=seed)
    model = train_topic_model(usable, params, progress=note)
    note("inference")
    theta = model.infer(token_lists)
    has_word = theta.sum(axis=1) > 0
    doc_topics = pd.DataFrame(
        {
            "row": np.arange(1, len(frame) + 1),
            "topic": np.where(has_word, theta.argmax(axis=1), -1),
            "weight": np.where(has_word, theta.max(axis=1), 0.0).round(4),
        }
    )
    topics = model.topics.copy()
    topics["share"] = (theta[has_word].mean(axis=0) if has_word.any() else np.zeros(model.k)).round(4)
    topics = topics[["topic", "label", "top_words", "coherence", "share"]]
    bursts, skipped = None, 0
    if time_col:
        from jiesu.normalize import parse_dates

        times = parse_dates(frame[time_col]).reset_index(drop=True)
        skipped = int(times.isna().sum())
        timed = docs.assign(day=times.dt.normalize().to_numpy()).loc[
            times.notna().to_numpy() & (docs["tokens"] != "")
        ]
        note("bursts")
        total = len(timed)
        found = detect_bursts(timed, BurstParams(min_total=int(min(20, max(5, total // 500))), min_count=3))
        bursts = found["bursts"].assign(label=lambda b: b["category"].map(_label_or_other))
        bursts = bursts[
            ["burst", "term", "terms", "onset", "peak", "end", "count", "baseline", "score", "label"]
        ]
    return {
        "topics": topics,
        "doc_topics": doc_topics,
        "bursts": bursts,
        "k": model.k,
        "documents": len(usable),
        "coherence_by_k": model.coherence_by_k,
        "skipped_times": skipped,
    }


def _label_or_other(code: str) -> str:
    from jiesu.categories import label_of

    try:
        return label_of(code)
    except KeyError:
        return OTHER_LABEL


def summary_html(result: dict, *, title: str) -> str:
    """A small self-contained HTML page (no scripts) summarising :func:`analyse_texts`."""
    import html

    def table(frame: pd.DataFrame) -> str:
        return frame.to_html(index=False, border=0, classes="t", escape=True, na_rep="")

    topics = result["topics"]
    bars = "".join(
        f"<div class='bar'><span class='lab'>{int(r.topic)} {html.escape(str(r.label))}</span>"
        f"<span class='fill' style='width:{max(1.0, 100 * float(r.share)):.1f}%'></span>"
        f"<span class='num'>{float(r.share):.1%}</span></div>"
        for r in topics.sort_values("share", ascending=False).itertuples()
    )
    ks = ", ".join(f"K={k}: {v:.3f}" for k, v in sorted(result["coherence_by_k"].items()))
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>",
        "body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;}",
        ".t{border-collapse:collapse;font-size:13px}.t td,.t th{padding:3px 8px;border-bottom:1px solid #ddd}",
        ".bar{display:flex;align-items:center;margin:2px 0}.lab{width:12em}.fill{background:#1f6fb2;height:12px}",
        ".num{margin-left:6px;font-size:12px}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{result['documents']} 条文本 documents, {result['k']} 个话题 topics (c_v coherence: {ks}).</p>",
        "<h2>话题占比 Topic shares</h2>",
        bars,
        "<h2>话题 Topics</h2>",
        table(topics),
    ]
    if result["bursts"] is not None:
        parts += [
            "<h2>突发词 Bursts</h2>",
            table(result["bursts"]) if len(result["bursts"]) else "<p>无 none</p>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def run_on_table(
    path: Path, *, text_col: str, time_col: str | None, k: int | str, seed: int, out_dir: Path, progress=None
) -> dict:
    """``jiesu topics``: read a CSV/XLSX export, analyse one text column, write the outputs to ``out_dir``
    (``topics.csv``, ``doc_topics.csv``, ``bursts.csv`` with a time column, ``summary.html``)."""
    from jiesu.errors import DataError
    from jiesu.readers import read_raw
    from jiesu.storage import write_csv, write_text

    if not path.exists():
        raise DataError(path, "文件不存在 file not found")
    raw = read_raw(path)
    frame = raw.frame
    for col in (text_col, time_col):
        if col and col not in frame.columns:
            raise DataError(
                path.name,
                f"没有这一列 no such column; columns are: {', '.join(map(str, frame.columns))}",
                column=col,
            )
    frame = frame.assign(**{text_col: frame[text_col].map(lambda v: "" if v is None else str(v))})
    result = analyse_texts(frame, text_col=text_col, time_col=time_col, k=k, seed=seed, progress=progress)
    if time_col and result["skipped_times"] == len(frame):
        raise DataError(
            path.name,
            "无法解析任何时间 no time value could be parsed",
            column=time_col,
            rows=[raw.file_row(0)],
        )
    result["doc_topics"]["row"] = [raw.file_row(i) for i in range(len(frame))]  # as Excel shows it
    write_csv(out_dir / "topics.csv", result["topics"])
    write_csv(out_dir / "doc_topics.csv", result["doc_topics"])
    if result["bursts"] is not None:
        write_csv(out_dir / "bursts.csv", result["bursts"])
    write_text(out_dir / "summary.html", summary_html(result, title=f"{path.name} · {text_col}"))
    return {
        **result,
        "out_dir": out_dir,
        "bursts": None if result["bursts"] is None else len(result["bursts"]),
    }
