"""Token streams for topic models, in the manner of gensim's corpus interfaces: re-iterable,
read lazily, one document at a time, so memory stays flat however large the chats grow.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from jiesu.analysis.text import Tokenizer


def frame_hash(frame: pd.DataFrame, columns: Iterable[str]) -> str:
    """A stable content hash of ``columns`` of ``frame`` (row order matters), hex."""
    hashed = pd.util.hash_pandas_object(frame[list(columns)].astype(str), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:16]


def topic_tokenizer(*, stopwords: Iterable[str] | None = None, strip_boilerplate: bool = False) -> Tokenizer:
    """The one tokenizer of every topic model, for real exports and the community's chats alike:
    rjieba with the governance dictionary, ``clean=True`` (e-mails, ID numbers, phones in any form,
    mask runs, placeholder places such as A市/K县/3号楼, codes and digits removed; see
    :data:`jiesu.analysis.text.CLEAN_STEPS`), and ``stopwords`` (default: the chat stopwords,
    :func:`jiesu.analysis.text.default_stopwords`; exports pass
    :func:`jiesu.analysis.text.standard_stopwords`, since 小区 and 物业 are subjects there).

    Single characters are kept in its output (gensim ``Phrases`` joins them, 车 堵 → 车_堵, and burst
    detection counts them); the topic filter (:func:`jiesu.analysis.topics.vocabulary.topic_tokens`)
    drops them before a consensus model sees the tokens."""
    return Tokenizer(
        "rjieba",
        min_length=1,
        stopwords=None if stopwords is None else frozenset(stopwords),
        strip_boilerplate=strip_boilerplate,
        clean=True,
    )


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
        import pyarrow.parquet as pq  # only a corpus streamed from a file needs the reader

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
