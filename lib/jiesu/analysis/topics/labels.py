"""Category labels for topics, and the lexicon seeds of a seeded model.

A :class:`Lexicon` is a set of named word lists: the 12345 categories of :mod:`jiesu.categories`
(:meth:`Lexicon.categories`) or a user's own (``jiesu topics --lexicon FILE``).  A topic gets a
category label only when its words clearly match one list (:class:`LabelRule`); otherwise it keeps
the name its phrases give it.  Seeding (opt-in) puts a lexical prior on one topic per frequent
category (Jagarlamudi, Daumé & Udupa 2012, "Incorporating lexical priors into topic models").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jiesu.categories import CATEGORIES, OTHER, lexicon_hit


@dataclass(frozen=True)
class Lexicon:
    """Named word lists: ``entries`` = ``((code, label, words), …)``; a user's lexicon uses its
    category names as codes.

    A word names a category when it contains one of the category's words of two or more characters
    (暖气 in 暖气片), or is a single-character entry itself (:func:`jiesu.categories.lexicon_hit`);
    when several categories match, the longest matching entry wins, then the category listed first.
    """

    entries: tuple[tuple[str, str, tuple[str, ...]], ...]

    @classmethod
    def categories(cls) -> Lexicon:
        """The 12345 categories of :mod:`jiesu.categories` (``jiesu topics --lexicon 12345``)."""
        return cls(tuple((c.code, c.label, tuple(c.lexicon)) for c in CATEGORIES))

    @classmethod
    def from_mapping(cls, lists: Mapping[str, Sequence[str]]) -> Lexicon:
        """A lexicon from ``{category name: words}`` (codes and labels are the names)."""
        return cls(tuple((name, name, tuple(words)) for name, words in lists.items()))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _, _ in self.entries)

    def label_of(self, code: str) -> str:
        """The label of ``code`` (``""`` for ``"other"``)."""
        return next((label for c, label, _ in self.entries if c == code), "")

    def category_of(self, word: str) -> str:
        """The category ``word`` names, or ``"other"``.

        >>> Lexicon.categories().category_of("暖气片"), Lexicon.categories().category_of("灯笼")
        ('heating', 'other')
        """
        best, best_len = OTHER, 0
        for code, _, words in self.entries:
            for entry in words:
                if len(entry) > best_len and lexicon_hit(word, entry):
                    best, best_len = code, len(entry)
        return best


@dataclass(frozen=True)
class LabelRule:
    """When a topic's words clearly match a category.

    Take the topic's ``top_words`` highest-weighted words (c-TF-IDF for consensus topics, p(w|t) for
    gensim LDA) and their weights.  The lexicon words of a category carry a share of that weight.
    The topic is labelled with the category whose share is largest, when that share is at least
    ``min_share`` (0–1) and at least ``margin`` times the runner-up's share; otherwise it gets no label.
    """

    top_words: int = 30
    min_share: float = 0.2
    margin: float = 2.0


def label_topic(
    words: Sequence[tuple[str, float]], lexicon: Lexicon, rule: LabelRule = LabelRule()
) -> tuple[str, float]:
    """``(category code, share)`` for one topic from its ``(word, weight)`` pairs, best first
    (:class:`LabelRule`); ``("other", share)`` when no category clearly matches.

    >>> label_topic([("暖气片", 0.2), ("不热", 0.1), ("楼下", 0.1), ("雨篦子", 0.05)], Lexicon.categories())
    ('heating', 0.6667)
    >>> label_topic([("哈哈", 0.5), ("周末", 0.3)], Lexicon.categories())
    ('other', 0.0)
    """
    top = list(words)[: rule.top_words]
    total = sum(max(w, 0.0) for _, w in top)
    share = dict.fromkeys(lexicon.codes, 0.0)
    for word, weight in top:
        code = lexicon.category_of(word)
        if code != OTHER:
            share[code] += max(weight, 0.0) / total if total > 0 else 0.0
    if not share:
        return OTHER, 0.0
    ranked = sorted(share, key=lambda c: (-share[c], lexicon.codes.index(c)))
    best = ranked[0]
    runner_up = share[ranked[1]] if len(ranked) > 1 else 0.0
    clear = share[best] >= rule.min_share and share[best] >= rule.margin * runner_up
    return (best if clear else OTHER), round(share[best], 4)


def seed_lists(
    doc_words: Sequence[Sequence[str]], lexicon: Lexicon, k: int, *, min_docs: int = 20
) -> list[tuple[str, ...]]:
    """The seed words of a seeded model: one list per category whose words occur in at least
    ``min_docs`` documents (a category the data hardly mention gets no topic of its own), most
    frequent category first, at most ``k`` lists.  Each list holds the corpus words that name the
    category (暖气片 and 暖气 for 供暖), so the prior lands on words the model knows."""
    words_of: dict[str, set[str]] = {code: set() for code in lexicon.codes}
    docs_of: dict[str, int] = dict.fromkeys(lexicon.codes, 0)
    category = {}
    for tokens in doc_words:
        found = set()
        for word in set(tokens):
            if word not in category:
                category[word] = lexicon.category_of(word)
            code = category[word]
            if code != OTHER:
                words_of[code].add(word)
                found.add(code)
        for code in found:
            docs_of[code] += 1
    ranked = sorted(
        (c for c in lexicon.codes if docs_of[c] >= min_docs),
        key=lambda c: (-docs_of[c], lexicon.codes.index(c)),
    )
    return [tuple(sorted(words_of[c])) for c in ranked[:k]]
