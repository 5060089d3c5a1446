"""Naming and filing a group of messages: title phrases, place, category, distinct examples.

Title phrases are chosen by a class-based TF-IDF score (coverage in the group × ln(1 / document share in
the past year)), the naming idea of BERTopic's c-TF-IDF (Grootendorst 2022); see
``bench/hot_quality.md``, section 2, "Naming and filing".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import rjieba

from jiesu.analysis.early_warning.anchors import Detector
from jiesu.analysis.early_warning.documents import jaccard
from jiesu.analysis.early_warning.vectors import centroid
from jiesu.analysis.early_warning.vocabulary import category_of, is_content_token
from jiesu.analysis.text import user_dictionary
from jiesu.categories import OTHER, label_of

BAD_TITLE_POS = frozenset("d df m mq t f r p c u uj ul q y e o zg ad ag a z k h x w".split())
"""Parts of speech that never name an issue on their own (adverbs, numbers, time words, directions,
pronouns, adjectives …: 特别 d, 七点 m, 里 f, 坏 a, 不要 df)."""
NAMING_POS = ("vn", "v", "l", "j", "i")
"""A multi-segment phrase names an issue when one of its segments is a noun or one of these."""

MAX_TITLE_DF = 0.05
"""A single phrase in more than this share of all messages is too common to name an issue alone …"""
MAX_PAIRED_DF = 0.2
"""… but up to this share it may stand beside a rarer phrase when it is concentrated in the group …"""
MIN_LIFT = 3.0
"""… by at least this factor (share in the group / share overall)."""
MIN_TITLE_COVERAGE = 0.3
"""A title phrase is in at least this share of the group's messages (and in at least 2)."""
SECOND_PHRASE_SCORE = 0.5
"""A second title phrase scores at least this fraction of the first."""
MAX_TITLE_PHRASES = 2
MIN_PLACE_SHARE = 0.5
"""The group's place accounts for at least this share of its messages that name a place …"""
MIN_PLACE_SENDERS = 2
"""… from at least this many senders."""
EXAMPLE_CHARS = 80
"""Examples are cut to this many characters."""
MAX_EXAMPLE_JACCARD = 0.5
"""Examples are pairwise distinct: character-trigram Jaccard below this."""


@lru_cache(maxsize=1)
def _tagger() -> rjieba.Jieba:
    j = rjieba.Jieba()
    for word, freq, tag in user_dictionary():
        j.add_word(word, freq, tag)
    return j


@lru_cache(maxsize=1 << 15)
def pos_ok(word: str) -> bool:
    """Whether a phrase's parts of speech let it name an issue (see :data:`BAD_TITLE_POS`)."""
    tags = _tagger().tag(word)
    if len(tags) == 1:
        return tags[0][1] not in BAD_TITLE_POS
    return any(t[1].startswith("n") or t[1] in NAMING_POS for t in tags)


def title_ok(phrase: str, *, df_share: float, lift: float | None = None) -> bool:
    """Whether a token or bigram may name an issue.

    Parameters
    ----------
    phrase : a token or bigram.
    df_share : its share (0–1) of all messages in the past year.
    lift : its share in the group / ``df_share``, when it stands beside a rarer phrase.

    Returns
    -------
    True for content token(s), not too common (≤ :data:`MAX_TITLE_DF`, or ≤ :data:`MAX_PAIRED_DF` with
    ``lift`` ≥ :data:`MIN_LIFT`), with parts of speech that name things (:func:`pos_ok`).
    """
    if phrase.startswith("@") or not is_content_token(phrase):
        return False
    if df_share > MAX_TITLE_DF and (lift is None or df_share > MAX_PAIRED_DF or lift < MIN_LIFT):
        return False
    return pos_ok(phrase)


@dataclass(frozen=True)
class Description:
    """How a group of messages is named and filed (``title`` is "" when no phrase names it)."""

    title: str
    phrases: tuple[str, ...]
    place: str
    places: int
    category: str
    category_share: float
    examples: tuple[str, ...]


def _scored_phrases(det: Detector, rows: np.ndarray, week: int) -> list[tuple[float, str, bool]]:
    """Candidate title phrases of a group with their c-TF-IDF score and whether they may stand alone."""
    docs = det.docs.iloc[rows]
    vocab, share = det.vec.vocab, det.vec.df_share(week)
    cover: dict[str, int] = {}
    for toks, bis in zip(docs["tokens"], docs["bigrams"], strict=True):
        for f in set(toks) | set(bis):
            cover[f] = cover.get(f, 0) + 1
    n_all = max(det.vec.window_df(week)[1], 1.0)
    scored = []
    for f, c in cover.items():
        cov = c / len(docs)
        if cov < MIN_TITLE_COVERAGE or c < 2:
            continue
        df = share[vocab[f]] if f in vocab else 0.0
        if not title_ok(f, df_share=df, lift=cov / max(df, 1.0 / n_all)):
            continue
        scored.append((cov * math.log(1.0 / max(df, 1.0 / n_all)), f, df <= MAX_TITLE_DF))
    return sorted(scored, key=lambda t: (-t[0], t[1]))


def title_phrases(det: Detector, rows: np.ndarray, week: int) -> list[str]:
    """Up to two title phrases of a group (none when only a too-common phrase qualifies)."""
    scored = _scored_phrases(det, rows, week)
    phrases: list[str] = []
    for score, f, _alone in scored:
        if any(f in g or g in f for g in phrases):
            continue
        if phrases and score < SECOND_PHRASE_SCORE * scored[0][0]:
            break
        phrases.append(f)
        if len(phrases) == MAX_TITLE_PHRASES:
            break
    if len(phrases) == 1 and not next(alone for _, f, alone in scored if f == phrases[0]):
        return []  # a common word may not name an issue alone
    return phrases


def group_place(det: Detector, rows: np.ndarray) -> tuple[str, int]:
    """The group's place (the most common named place, see :data:`MIN_PLACE_SHARE`) or "", and the
    number of distinct places its messages name."""
    docs = det.docs.iloc[rows]
    named = docs["place"].loc[docs["place"] != ""]
    if not len(named):
        return "", 0
    top = named.value_counts()
    senders_at_top = docs.loc[docs["place"] == top.index[0], "sender_id"].nunique()
    ok = top.iloc[0] / len(named) >= MIN_PLACE_SHARE and senders_at_top >= MIN_PLACE_SENDERS
    return (str(top.index[0]) if ok else ""), int(named.nunique())


def pick_examples(
    det: Detector, rows: np.ndarray, week: int, center: np.ndarray, *, used: set[str], n: int
) -> list[str]:
    """Up to ``n`` messages closest to the centroid, from distinct senders, pairwise distinct and not
    near any text in ``used`` (examples shown in other rows); ``used`` is updated."""
    docs = det.docs.iloc[rows]
    sims = np.asarray(det.vec.matrix(rows, week) @ center).ravel()
    picked: list[str] = []
    senders_seen: set[str] = set()
    for k in np.argsort(-sims, kind="stable"):
        short = str(docs["text"].iloc[k]).strip().replace("\n", " ")[:EXAMPLE_CHARS]
        sender = docs["sender_id"].iloc[k]
        if sender in senders_seen or short in used:
            continue
        if any(jaccard(short, q) >= MAX_EXAMPLE_JACCARD for q in picked + sorted(used)):
            continue
        picked.append(short)
        senders_seen.add(sender)
        if len(picked) == n:
            break
    used.update(picked)
    return picked


def describe(
    det: Detector,
    rows: np.ndarray,
    week: int,
    center: np.ndarray | None = None,
    *,
    used_examples: set[str] | None = None,
    n_examples: int = 3,
) -> Description:
    """Title phrase(s), place, category and distinct examples of a group of document ``rows``.

    With no qualifying phrase but a place and a category, the category's label names the issue
    (供暖 @6号楼: 暖气 in January is common everywhere).
    """
    phrases = title_phrases(det, rows, week)
    place, n_places = group_place(det, rows)
    code, cshare = category_of(det.docs.iloc[rows])
    if not phrases and place and code != OTHER:
        phrases = [label_of(code)]
    center = centroid(det.vec.matrix(rows, week)) if center is None else center
    used = used_examples if used_examples is not None else set()
    examples = pick_examples(det, rows, week, center, used=used, n=n_examples)
    return Description(
        title="·".join(phrases),
        phrases=tuple(phrases),
        place=place,
        places=n_places,
        category=code,
        category_share=round(cshare, 3),
        examples=tuple(examples),
    )
