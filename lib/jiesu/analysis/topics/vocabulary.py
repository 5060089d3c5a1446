"""The words of a topic model: which tokens it may learn from, the stopwords a corpus teaches, and the
one display rule for every topic table a person reads.

Three layers remove words, in this order:

1. the tokenizer's stopwords (:func:`jiesu.analysis.text.standard_stopwords` for exports,
   :func:`jiesu.analysis.text.default_stopwords` for the community's chats);
2. :func:`topic_tokens`: only :func:`is_display_token` tokens that are not in the topic stoplist
   (:func:`topic_stoplist`: those stopwords ∪ the governance boilerplate
   :func:`jiesu.analysis.text.filler_words` ∪ any list the user adds, e.g. ``jiesu topics --stopwords``);
3. :func:`learn_corpus_stopwords`: the corpus document-frequency rule (:class:`DfRule`).

:func:`display_words` applies the same rules once more to whatever a table shows, so no single
character, code or filler word reaches a reader even from a model trained elsewhere.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jiesu.analysis.text import filler_words

_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_LATIN_WORD = re.compile(r"^[a-z]{2,12}$")
_QUANTITY = re.compile(r"^[一二两三四五六七八九十几半每][个把件条只张位块次下些点份双对台辆本]$")
"""A numeral and a measure word (一把, 两个, 几件): a quantity, never what a topic is about."""
NAME_SEPARATOR = "、"
"""Between the phrases that name a topic (暖气、不热、漏水)."""


def is_display_token(token: str) -> bool:
    """Whether a token may be learned from and shown: two or more Han characters, or a 2–12 letter
    lower-case Latin word (sim, app, wifi).  Never a single character, a digit, a code, punctuation or
    a ``_``-joined phrase.

    >>> [t for t in ["暖气", "热", "a2", "wifi", "暖气_不热", "x"] if is_display_token(t)]
    ['暖气', 'wifi']
    """
    return bool(_HAN_WORD.match(token) or _LATIN_WORD.match(token))


def topic_stoplist(stopwords: Iterable[str], extra: Iterable[Iterable[str]] = ()) -> frozenset[str]:
    """The words no topic is made of: ``stopwords`` (the tokenizer's) ∪ the governance boilerplate
    (:func:`jiesu.analysis.text.filler_words`) ∪ every list in ``extra`` (user stopword files)."""
    words = set(stopwords) | filler_words()
    for more in extra:
        words |= set(more)
    return frozenset(words)


def topic_tokens(token_lists: Iterable[Sequence[str]], drop: frozenset[str]) -> list[list[str]]:
    """The tokens of each document a topic model may learn from: :func:`is_display_token` tokens not in
    ``drop`` (order kept; a new list per document)."""
    return [[t for t in tokens if t not in drop and is_display_token(t)] for tokens in token_lists]


@dataclass(frozen=True)
class DfRule:
    """The corpus document-frequency rule of :func:`learn_corpus_stopwords`.

    max_df : a token in more than this share of the documents (0–1) is dropped: with K subjects a
        subject word can be in about 1/K of them, a word in half of them separates nothing.
    edge_min_df, edge_share, edge_lift : a token in at least ``edge_min_df`` of the documents is
        dropped when at least ``edge_share`` of its occurrences are among the first or last
        ``edge_width`` tokens of documents of ``edge_min_tokens`` or more tokens, and that share is at
        least ``edge_lift`` times the share of all tokens that sit there: frequent words that live at
        the edges of a message are salutations and closings (领导 您好 … 谢谢), whatever wording an export
        uses.  The lift keeps the rule off corpora of short documents (pooled chat messages), where
        the edges are most of every document.
    """

    max_df: float = 0.5
    edge_min_df: float = 0.02
    edge_share: float = 0.5
    edge_lift: float = 2.0
    edge_width: int = 2
    edge_min_tokens: int = 6


def document_frequency(token_lists: Iterable[Sequence[str]]) -> Counter:
    """Number of documents each token occurs in."""
    df: Counter = Counter()
    for tokens in token_lists:
        df.update(set(tokens))
    return df


def learn_corpus_stopwords(token_lists: Sequence[Sequence[str]], rule: DfRule = DfRule()) -> frozenset[str]:
    """The stopwords this corpus teaches (:class:`DfRule`); documents shorter than
    ``rule.edge_min_tokens`` count for document frequency but not for edges.  Measured on the real
    sets (``bench/topic_quality.md``): nothing on the 9,449 留言板 messages, 3 words on a 500-message
    sample, 11 on the telecom work orders.
    """
    n = max(1, len(token_lists))
    df = document_frequency(token_lists)
    edge: Counter = Counter()
    total: Counter = Counter()
    width = rule.edge_width
    for tokens in token_lists:
        if len(tokens) < rule.edge_min_tokens:
            continue
        total.update(tokens)
        edge.update(tokens[:width])
        edge.update(tokens[-width:])
    learned = {t for t, d in df.items() if d > rule.max_df * n}
    overall = sum(edge.values()) / max(sum(total.values()), 1)
    threshold = max(rule.edge_share, rule.edge_lift * overall)
    learned |= {
        t for t, d in df.items() if d >= rule.edge_min_df * n and total[t] and edge[t] / total[t] >= threshold
    }
    return frozenset(learned)


def remove_words(token_lists: Iterable[Sequence[str]], drop: Iterable[str]) -> list[list[str]]:
    """Every document without the words of ``drop`` (a new list per document)."""
    drop = frozenset(drop)
    return [[t for t in tokens if t not in drop] for tokens in token_lists]


def display_words(words: Iterable[str], drop: Iterable[str] = (), *, limit: int | None = None) -> list[str]:
    """The words of a topic as a person may read them: the one display rule.

    A phrase is shown as its original string (``装修_太吵`` → 装修太吵); a word is shown only if it is a
    :func:`is_display_token` and neither it nor any part of it is in ``drop`` or in the governance
    boilerplate (:func:`jiesu.analysis.text.filler_words`), and it is not a numeral with a measure word
    (一把, 两个: the chats' 谁丢了一把伞 otherwise names a topic); duplicates are shown once, in order;
    at most ``limit`` words.

    >>> display_words(["领导", "装修_太吵", "热", "a2", "装修太吵", "噪音"], limit=5)
    ['装修太吵', '噪音']
    """
    drop = frozenset(drop) | filler_words()
    shown: list[str] = []
    for word in words:
        parts = str(word).split("_")
        joined = "".join(parts)
        if joined in shown or joined in drop or any(p in drop for p in parts):
            continue
        if is_display_token(joined) and not _QUANTITY.match(joined):
            shown.append(joined)
            if limit is not None and len(shown) >= limit:
                break
    return shown


def topic_name(words: Iterable[str], drop: Iterable[str] = (), *, phrases: int = 3) -> str:
    """The name of a topic: its first ``phrases`` :func:`display_words`, joined by 、.

    >>> topic_name(["领导", "暖气", "不热", "漏水", "阀门"])
    '暖气、不热、漏水'
    """
    return NAME_SEPARATOR.join(display_words(words, drop, limit=phrases))
