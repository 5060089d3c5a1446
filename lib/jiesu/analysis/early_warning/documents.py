"""Issue-ready documents: content tokens, bigrams, places and re-sends of each message.

:func:`prepare` is the first step of the hot-issue method (``bench/hot_quality.md``, section 2): text is
segmented with the library's rjieba segmenter and governance user dictionary (formal boilerplate
stripped); *content tokens* are the segments :func:`~jiesu.analysis.early_warning.vocabulary.is_content_token`
accepts; adjacent content tokens inside a clause form *bigrams*; the message's place comes from a user
dictionary of the area's places (:class:`~jiesu.analysis.early_warning.params.Places`); re-sends of the
same sender are marked (:func:`mark_resends`) and never counted afterwards.
"""

from __future__ import annotations

import re

import pandas as pd

from jiesu.analysis.early_warning.params import HotParams, Places
from jiesu.analysis.early_warning.vocabulary import HAN, default_filler, is_content_token
from jiesu.analysis.text import Tokenizer, presplit

PLACE_FREQ = 50_000
"""User-dictionary frequency of place names, so the segmenter keeps them whole."""
MIN_CONTAINED_CHARS = 10
"""One text containing another of at least this many characters makes it a re-send."""

DOC_COLUMNS = [
    "msg_id",
    "sent_at",
    "day",
    "sender_id",
    "text",
    "norm",
    "tokens",
    "bigrams",
    "singles",
    "place",
    "likes",
    "resend_of",
    "issue_like",
]


def trigrams(text: str) -> set[str]:
    """Character trigrams of ``text`` without whitespace (the text itself when shorter)."""
    s = re.sub(r"\s+", "", text)
    return {s[i : i + 3] for i in range(max(len(s) - 2, 1))}


def jaccard(a: str, b: str) -> float:
    """Character-trigram Jaccard similarity of two texts (0–1)."""
    ga, gb = trigrams(a), trigrams(b)
    return len(ga & gb) / max(len(ga | gb), 1)


def segment_all(texts: list[str], tokenizer: Tokenizer) -> list[list[str]]:
    """Raw segmentation (punctuation kept, as clause boundaries) of each normalized text, in one
    segmenter call for the whole batch."""
    normalized = [presplit(tokenizer.normalize(t)).replace("\n", " ") for t in texts]
    out: list[list[str]] = []
    cur: list[str] = []
    for piece in tokenizer.engine.cut("\n".join(normalized), True):
        if "\n" in piece:  # a line break, or a whitespace run holding line breaks
            for _ in range(piece.count("\n")):
                out.append(cur)
                cur = []
        else:
            cur.append(piece)
    out.append(cur)
    if len(out) != len(texts):
        raise RuntimeError(f"segmentation lost alignment: {len(out)} ≠ {len(texts)}")
    return out


def tokens_and_bigrams(pieces: list[str], filler: frozenset[str]) -> tuple[list[str], list[str]]:
    """Content tokens (in order) and bigrams of adjacent content tokens within a clause; punctuation,
    spaces, filler and any other segment between two content tokens end the pair."""
    tokens, bigrams = [], []
    prev = None
    for piece in pieces:
        token = piece.lower()
        if piece.isspace() or not is_content_token(token, filler):
            prev = None
            continue
        tokens.append(token)
        if prev is not None:
            bigrams.append(prev + token)
        prev = token
    return tokens, bigrams


def mark_resends(docs: pd.DataFrame, *, days: float = 30.0, jaccard_min: float = 0.5) -> pd.Series:
    """The earlier message each message re-sends.

    Parameters
    ----------
    docs : needs ``msg_id``, ``sender_id``, ``sent_at``, ``norm`` (normalized text).
    days : a re-send follows the earlier message of the same sender within this many days …
    jaccard_min : … with character-trigram Jaccard at least this, or one text (≥ 10 characters)
        containing the other.

    Returns
    -------
    Series aligned with ``docs``: the ``msg_id`` re-sent, or ``""``.
    """
    dup = pd.Series("", index=docs.index, dtype=object)
    multi = docs["sender_id"].duplicated(keep=False)
    window = pd.Timedelta(days=days)
    for _, grp in docs.loc[multi].sort_values("sent_at", kind="stable").groupby("sender_id", sort=False):
        kept: list[tuple[pd.Timestamp, str, str, set[str]]] = []
        for idx, row in zip(grp.index, grp.itertuples(index=False), strict=True):
            grams = trigrams(row.norm)
            earlier = next(
                (
                    mid
                    for at, mid, text, g in kept
                    if _same_report(row, grams, at, text, g, window, jaccard_min)
                ),
                None,
            )
            if earlier is None:
                kept.append((row.sent_at, row.msg_id, row.norm, grams))
            else:
                dup.loc[idx] = earlier
    return dup


def _same_report(row, grams: set[str], at, text: str, g: set[str], window, jaccard_min: float) -> bool:
    if row.sent_at - at > window:
        return False
    if len(grams & g) / (len(grams | g) or 1) >= jaccard_min:
        return True
    return (len(text) >= MIN_CONTAINED_CHARS and text in row.norm) or (
        len(row.norm) >= MIN_CONTAINED_CHARS and row.norm in text
    )


def _selected(messages: pd.DataFrame) -> pd.DataFrame:
    """Residents' text messages: staff messages (``is_staff``) and non-text types (``msg_type``) out."""
    frame = messages
    if "is_staff" in frame.columns:
        frame = frame.loc[~frame["is_staff"].fillna(False).astype(bool)]
    if "msg_type" in frame.columns:
        frame = frame.loc[frame["msg_type"].astype(str) == "文本"]
    frame = frame.loc[frame["text"].notna()].copy()
    frame["text"] = frame["text"].astype(str)
    return frame


def find_places(norm: list[str], places: Places, given: list[str] | None = None) -> list[str]:
    """The canonical place each text names first (``""`` when none); ``given`` (a known place per
    message, e.g. a 楼门 group's building) is used when the text names none."""
    found = [""] * len(norm)
    pattern = places.pattern()
    if pattern is not None:
        canon = places.canonical()
        found = [canon.get(m.group(0), m.group(0)) if (m := pattern.search(t)) else "" for t in norm]
    if given is not None:
        found = [f or g for f, g in zip(found, given, strict=True)]
    return found


def place_tokenizer(places: Places) -> Tokenizer:
    """The rjieba tokenizer with the governance dictionary, the places as user words, boilerplate
    stripped."""
    user = [(s, PLACE_FREQ, "ns") for s in list(places.names) + [a for a, _ in places.aliases]]
    return Tokenizer("rjieba", user_dict=user, strip_boilerplate=True)


def prepare(
    messages: pd.DataFrame,
    *,
    places: Places | None = None,
    params: HotParams = HotParams(),
    tokenizer: Tokenizer | None = None,
) -> pd.DataFrame:
    """Issue-ready documents from messages.

    Parameters
    ----------
    messages : needs ``msg_id``, ``sent_at``, ``text``, ``sender_id``; optional ``is_staff`` (staff
        messages are dropped), ``msg_type`` (only 文本 kept), ``likes``, ``place`` (a known place per
        message, used when the text names none).
    places : the area's place dictionary (default: none).
    params : :class:`HotParams` (re-send rule, fewest content tokens).
    tokenizer : default :func:`place_tokenizer` of ``places``.

    Returns
    -------
    One row per kept message, sorted by time (:data:`DOC_COLUMNS`): ``tokens`` and ``bigrams`` (lists),
    ``singles`` (one-character segments, for category words such as 灯), ``place`` (canonical or ""),
    ``likes``, ``resend_of`` (msg_id or ""), ``issue_like`` (≥ ``min_tokens`` content tokens and not a
    re-send).
    """
    places = places or Places()
    frame = _selected(messages)
    tokenizer = tokenizer or place_tokenizer(places)
    filler = default_filler()
    texts = frame["text"].tolist()
    pieces = segment_all(texts, tokenizer) if texts else []
    pairs = [tokens_and_bigrams(p, filler) for p in pieces]
    norm = [tokenizer.normalize(t) for t in texts]
    given = frame["place"].fillna("").astype(str).tolist() if "place" in frame.columns else None
    spellings = places.spellings()
    docs = pd.DataFrame(
        {
            "msg_id": frame["msg_id"].astype(str).to_numpy(),
            "sent_at": pd.to_datetime(frame["sent_at"]).to_numpy(),
            "sender_id": frame["sender_id"].astype(str).to_numpy(),
            "text": texts,
            "norm": norm,
            "tokens": [[t for t in toks if t not in spellings] for toks, _ in pairs],
            "bigrams": [bis for _, bis in pairs],
            "singles": [frozenset(p for p in ps if len(p) == 1 and HAN.match(p)) for ps in pieces],
            "place": find_places(norm, places, given),
            "likes": pd.to_numeric(frame["likes"], errors="coerce").fillna(0).to_numpy()
            if "likes" in frame.columns
            else 0.0,
        }
    )
    docs["day"] = docs["sent_at"].dt.normalize()
    docs = docs.sort_values(["sent_at", "msg_id"], kind="stable").reset_index(drop=True)
    docs["resend_of"] = mark_resends(docs, days=params.resend_days, jaccard_min=params.resend_jaccard)
    docs["issue_like"] = (docs["tokens"].map(len) >= params.min_tokens) & (docs["resend_of"] == "")
    return docs[DOC_COLUMNS]
