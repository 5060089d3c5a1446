"""Chinese text normalization and tokenization for chat messages, 12345 work orders and message boards.

Two layers:

* :func:`normalize` — Traditional → Simplified (OpenCC ``t2s``), full-width → half-width, and removal of
  what carries no topic: URLs, ``@names``, phone numbers (raw or masked), WeChat artefacts such as
  ``[图片]``/``[语音]``/``[捂脸]``, emoji, and (optionally) the boilerplate salutations of formal petitions
  (您好, 尊敬的领导, 此致敬礼 …).
* With ``clean=True`` (every topic model's tokenizer, :func:`jiesu.analysis.topics.topic_tokenizer`), what
  real exports carry and no topic may show is removed as well (:data:`CLEAN_STEPS`): e-mail addresses,
  18-digit resident ID numbers, phone numbers in any form (+86, separators, masked digits, landlines
  with area code, 400/800), mask runs (``***``, ``×××``, ``某某``, ``XX``) with a following 号/号楼,
  placeholder places (A市, A2区, K县, X号, B座, 3号楼, 2单元) and every run of Latin letters and digits
  that contains a digit (order numbers, plates, dates, amounts, 4G).
* :class:`Tokenizer` — jieba segmentation with a shipped governance user dictionary
  (``resources/userdict.txt``: 雨篦子, 防雨层, 高空坠物, 接诉即办, 楼门长 …) and stopwords = the
  stopwords-iso Chinese list + chat noise (``resources/chat_stopwords.txt``: 收到, 好的, 哈哈 …).

Backends: ``"jieba"`` is the reference (jieba 0.42, accurate mode, HMM on), built on a *private*
``jieba.Tokenizer`` whose cache lives under ``data/interim/jieba`` so users never fight over
jieba's shared default cache in the system temp directory; ``"rjieba"`` (jieba-rs) uses the same dictionary
and HMM model and segments about 12× faster (``bench/README.md``).
Both load the user dictionary the same way (``add_word(word, freq, tag)`` per line, explicit frequencies,
jieba-rs's replace-not-add total bookkeeping mirrored on the jieba side), so their tokens are identical;
``tests/test_text.py`` proves it on the whole synthetic corpus.

Speed: :meth:`Tokenizer.tokens_many` and :meth:`Tokenizer.token_strings` batch the work (one OpenCC call
and one pass per regular expression for thousands of texts at once, one segmenter call, repeated texts
tokenized once) and give the same tokens as :meth:`Tokenizer.tokens_unbatched` of each text; on the
synthetic chat corpus that is about 12× raw ``jieba.lcut`` (``bench/README.md``).  Tokenize lists of
texts with them rather than calling :meth:`Tokenizer.tokens` in a loop.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jiesu.categories import CATEGORIES
from jiesu.chinese import to_halfwidth, to_simplified
from jiesu.settings import paths

BACKENDS = ("rjieba", "jieba")

# The leading lookaheads here, in _PHONE and in _PRESPLIT_NEEDED let the regex engine jump to the
# characters a match can start with instead of trying the whole pattern at every position (1.5-5x faster
# on a chat corpus).
_URL = re.compile(r"(?=[HhWw])(?:https?://|www\.)[^\s\u4e00-\u9fff，。！？、]+", re.IGNORECASE)
# @name runs until whitespace (WeChat puts U+2005 after a mention) or punctuation.
_MENTION = re.compile(r"@[^\s\u2005,，:：;；!！?？。、@]{1,20}")
# Mobile numbers (raw, separated, or masked like 138****1234 / 1XX****XXXX), landlines, and mask tokens.
_PHONE = re.compile(
    r"(?=[+0-9])(?:"
    r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[0-9Xx*]{2}[- ]?[0-9Xx*]{4}[- ]?[0-9Xx*]{4}(?![0-9A-Za-z])"
    r"|(?<![0-9])(?:0\d{2,3}-\d{7,8}|[2-9]\d{6,7})(?![0-9])"
    r")"
)
# WeChat artefacts: [图片] [语音] [视频] [表情] [捂脸] [电话] [已屏蔽] ..., and masking placeholders <电话>.
_ARTEFACT = re.compile(r"\[[^\[\]\s]{1,8}\]|【[^【】\s]{1,8}】|<[^<>\s]{1,8}>|＜[^＜＞\s]{1,8}＞")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U0001fc00-\U0001ffff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
    "\ufe00-\ufe0f\u200d\u20e3\U000e0000-\U000e007f]"
)
_SPACES = re.compile(r"\s+")
# A token worth keeping: contains a Han character or a Latin letter (drops punctuation and bare numbers).
_CONTENT = re.compile(r"[\u3400-\u9fffA-Za-z]")

# Real-text cleaning (``clean=True``).  No pattern matches a line break (separators are spaces or
# hyphens), so batches joined by "\n" are cleaned exactly as each text alone.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# 18-digit resident ID numbers (GB 11643: area, birth date, sequence, check digit 0-9 or X).
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
# Phones that _PHONE leaves: (+86) before a mobile, landlines with an area code (in brackets, split by
# spaces or hyphens, international +86-10-…), 400/800 numbers.
_LANDLINE = re.compile(
    r"\(\+?86\) ?1[0-9Xx*]{2}[- ]?[0-9Xx*]{4}[- ]?[0-9Xx*]{4}(?![0-9])"
    r"|\+86[- ]?[1-9]\d{1,2}[- ]?\d{3,4}[- ]?\d{4}(?![0-9])"
    r"|(?:\+?86[- ]?)?(?:\(0\d{2,3}\)|(?<![0-9])0\d{2,3})[- ]?\d{3,4}[- ]?\d{4}(?![0-9])"
    r"|(?<![0-9])[48]00[- ]?\d{3}[- ]?\d{4}(?![0-9])"
)
# Mask runs, with the 号/号楼/号院/号线/号门 that follows them ("**号院" would leave the fragment 号院).
_MASK = re.compile(r"(?:[*×■□●○]+|某某+|(?<![A-Za-z])[Xx]{2,}(?![A-Za-z]))(?:号院|号楼|号线|号门|号)?")
# Placeholder places and numbered addresses: a Latin letter and/or digits, then an address suffix.
_PLACEHOLDER = re.compile(
    r"(?<![A-Za-z])[A-Za-z]?[0-9]*[A-Za-z]?(?<=[A-Za-z0-9])"
    r"(?:省|市|区|县|镇|乡|村|街道|街|路|巷|弄|号楼|号院|号线|号门|号|栋|幢|座|楼|单元|层|室|组|队|小区|社区|期)"
)
# Codes and numbers: any run of Latin letters and digits (with _ . / : -) that contains a digit.
_CODE = re.compile(r"[A-Za-z0-9_./:\-]*[0-9][A-Za-z0-9_./:\-]*")
# Codes with letters and digits go whole, before the phone rules could take a digit run out of them
# (CMNET-NQ-20180627-304501 would otherwise leave cmnet nq); four characters at least, so A2区 stays a
# placeholder.
_MIXED_CODE = re.compile(
    r"(?<![A-Za-z0-9_./:\-])(?=[A-Za-z0-9_./:\-]*[A-Za-z])(?=[A-Za-z0-9_./:\-]*[0-9])[A-Za-z0-9_./:\-]{4,}"
)

CLEAN_STEPS = ("email", "id_number", "mixed_code", "landline", "mask", "placeholder", "code")
"""What ``clean=True`` removes beyond :func:`normalize`'s defaults, in this order (each match becomes a
space, so nothing is glued across it)."""

# jieba-rs differs from jieba on a few non-Chinese patterns (its HMM skip regex keeps `ABC-123`, `test_x`,
# `5.b`, `8.8.5` whole; its Han range is wider than jieba's U+4E00–9FD5).  Before segmenting, both
# backends see the same pre-split text in which those patterns cannot occur, so they agree token for
# token.  Each rule only separates ASCII pieces or rare ideographs: Chinese words are never affected.
_PRESPLIT = (
    (re.compile(r"[_\-]"), " "),
    (re.compile(r"([\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003ffff])"), r" \1 "),
    (re.compile(r"(?<=[0-9])(?=[A-Za-z])|(?<=[A-Za-z])(?=[0-9])"), " "),
    (re.compile(r"(?<![0-9])\.|\.(?![0-9])"), " "),
    (re.compile(r"([0-9]+\.[0-9]+)\."), r"\1 "),
)

# Any text in which some _PRESPLIT rule could fire contains one of these; most chat messages contain none,
# and skipping five regex passes for them halves the cost of segmentation.
_PRESPLIT_NEEDED = re.compile(
    r"(?=[_\-.0-9A-Za-z\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003ffff])"
    r"(?:[_\-.\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]|[0-9][A-Za-z]|[A-Za-z][0-9])"
)


# Texts per joined batch in Tokenizer.tokens_many: large enough that per-call overheads vanish, small
# enough that a batch's strings and segments stay a few tens of MB.
BATCH_SIZE = 20_000


def presplit(text: str) -> str:
    """Separate the ASCII/rare-ideograph patterns on which jieba and jieba-rs disagree (see ``_PRESPLIT``)."""
    if _PRESPLIT_NEEDED.search(text) is None:
        return text
    for pattern, replacement in _PRESPLIT:
        text = pattern.sub(replacement, text)
    return text


def _presplit_lines(joined: str) -> str:
    """:func:`presplit` of each ``"\\n"``-separated line of ``joined``.  Most lines need nothing, so only
    the lines holding a match of ``_PRESPLIT_NEEDED`` go through the rules, all in one string (no rule
    matches across a line break, and a line break acts like the start or end of a text to each)."""
    spans = []
    position = 0
    while (match := _PRESPLIT_NEEDED.search(joined, position)) is not None:
        start = joined.rfind("\n", 0, match.start()) + 1
        end = joined.find("\n", match.end())
        position = len(joined) if end < 0 else end
        spans.append((start, position))
    if not spans:
        return joined
    needy = presplit("\n".join(joined[start:end] for start, end in spans))
    parts, previous = [], 0
    for (start, end), line in zip(spans, needy.split("\n"), strict=True):
        parts += (joined[previous:start], line)
        previous = end
    parts.append(joined[previous:])
    return "".join(parts)


@contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector.  Building millions of small token lists triggers it over
    and over (about a third of the batched tokenizer's time, measured); this code creates no reference
    cycles, so reference counting alone frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _resource_lines(name: str) -> list[str]:
    text = resources.files("jiesu.resources").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def boilerplate_phrases() -> tuple[str, ...]:
    """Petition boilerplate (``resources/boilerplate.txt``), longest first so 尊敬的各位领导 wins over 领导."""
    return tuple(sorted(set(_resource_lines("boilerplate.txt")), key=lambda p: (-len(p), p)))


@lru_cache(maxsize=1)
def _boilerplate_pattern() -> re.Pattern:
    return re.compile("|".join(re.escape(p) for p in boilerplate_phrases()))


_NOISE = (_URL, _MENTION, _PHONE, _ARTEFACT, _EMOJI)
# clean=True: e-mails before @names (a@b.cn is not a mention), ids and letter-digit codes before phones,
# masks before placeholders (****区 goes whole), the other codes last.
_NOISE_CLEAN = (_URL, _EMAIL, _ID_NUMBER, _MIXED_CODE, _LANDLINE, _PHONE, _MENTION, _ARTEFACT, _EMOJI)
_CODES = (_MASK, _PLACEHOLDER, _CODE)


def _strip_noise(text: str, strip_boilerplate: bool, clean: bool = False) -> str:
    """The character-level steps of :func:`normalize`, whitespace left as it is.

    Every step maps characters or matches that never contain a line break (phrases, full-width
    characters, URLs, ``@names``, phones, artefacts, emoji, masks and codes all stop at whitespace), so
    applying it to many texts joined by ``"\\n"`` gives the same result as applying it to each text:
    that is what :meth:`Tokenizer.tokens_many` relies on."""
    text = unicodedata.normalize("NFC", text)
    text = to_halfwidth(to_simplified(text))
    for pattern in _NOISE_CLEAN if clean else _NOISE:
        text = pattern.sub(" ", text)
    if strip_boilerplate:
        text = _boilerplate_pattern().sub(" ", text)
    if clean:
        for pattern in _CODES:
            text = pattern.sub(" ", text)
    return text


def normalize(text: str | None, *, strip_boilerplate: bool = False, clean: bool = False) -> str:
    """The analysable part of one message.

    Steps, in order: NFC, Traditional → Simplified, full-width → half-width, then URLs, ``@names``,
    phone numbers (also masked ones), WeChat artefacts (``[图片]``, ``[捂脸]``, ``<电话>``) and emoji are
    replaced by a space; with ``strip_boilerplate`` the salutations of formal petitions
    (``resources/boilerplate.txt``) are removed too; with ``clean`` also e-mails, ID numbers, every
    phone form, mask runs, placeholder places and codes (:data:`CLEAN_STEPS`).  Whitespace runs
    collapse to one space.

    Returns ``""`` for ``None``/NaN/empty input.

    >>> normalize("A市K县某某小区3号楼，电话 (010) 6512-3456，工单 CMNET-NQ-304501", clean=True)
    '小区 ,电话 ,工单'
    """
    if text is None or not isinstance(text, str) or not text:
        return ""
    return _SPACES.sub(" ", _strip_noise(text, strip_boilerplate, clean)).strip()


@lru_cache(maxsize=1)
def filler_words() -> frozenset[str]:
    """The governance and letter boilerplate that no topic may be made of or show
    (``resources/gov_boilerplate.txt``: salutations and closings, the addressee, the letter form, the
    writer, and function words measured to lead topics; its header says how each group was chosen).
    Removed token by token after segmentation, never as substrings."""
    return frozenset(_resource_lines("gov_boilerplate.txt"))


@lru_cache(maxsize=1)
def user_dictionary() -> tuple[tuple[str, int, str | None], ...]:
    """Entries of ``resources/userdict.txt`` as ``(word, freq, tag)``."""
    entries = []
    for line in _resource_lines("userdict.txt"):
        parts = line.split()
        word, freq = parts[0], int(parts[1])
        entries.append((word, freq, parts[2] if len(parts) > 2 else None))
    return tuple(entries)


def _protected() -> set[str]:
    return {w for w, _, _ in user_dictionary()} | {w for c in CATEGORIES for w in c.lexicon}


@lru_cache(maxsize=1)
def standard_stopwords() -> frozenset[str]:
    """stopwords-iso Chinese (the maintained ``stopwordsiso`` list, 794 words), minus every word of the
    governance user dictionary and the category lexicons: the stopwords of any export that is not the
    community's own chats (message boards, 12345 work orders)."""
    import stopwordsiso  # reads its JSON of every language; only when the list is built

    return frozenset(set(stopwordsiso.stopwords("zh")) - _protected())


@lru_cache(maxsize=1)
def default_stopwords() -> frozenset[str]:
    """:func:`standard_stopwords` ∪ ``resources/chat_stopwords.txt`` (chat noise: 收到, 好的, and the words
    every report in one community's groups carries, 小区 物业 门口), minus the governance user dictionary
    and the category lexicons (so 灯 or 吵 survive): the stopwords of the community's chats."""
    return frozenset((standard_stopwords() | set(_resource_lines("chat_stopwords.txt"))) - _protected())


def _default_cache_dir() -> Path:

    return paths().interim / "jieba"


_JIEBA_LOCK = threading.Lock()


def _jieba_reference(cache_dir: Path, entries: tuple[tuple[str, int, str | None], ...]):
    """A private ``jieba.Tokenizer`` with its own cache file and the user dictionary loaded."""
    import jieba  # the reference backend, loaded only when asked for (rjieba is the default)

    jieba.setLogLevel(logging.WARNING)  # "Building prefix dict ..." goes to stderr otherwise
    tokenizer = jieba.Tokenizer()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.tmp_dir = str(cache_dir)
    tokenizer.cache_file = "jieba.cache"
    with _JIEBA_LOCK:
        tokenizer.initialize()
    for word, freq, tag in entries:
        # jieba adds the new frequency to the total without removing the old one; jieba-rs replaces it.
        # Mirror jieba-rs so both backends score every segmentation with the same total.
        old = tokenizer.FREQ.get(word, 0)
        tokenizer.add_word(word, freq, tag)
        tokenizer.total -= old
    return tokenizer


def _rjieba_fast(entries: tuple[tuple[str, int, str | None], ...]):
    import rjieba  # native extension; loaded on first tokenization, not on import of this module

    tokenizer = rjieba.Jieba()
    for word, freq, tag in entries:
        tokenizer.add_word(word, freq, tag)
    return tokenizer


class _Verdicts(dict):
    """What each segment contributes to a batch's joined tokens, computed on first sight and kept: its
    kept (lower-cased) form, the line breaks between texts it holds (whitespace segments), or ``""``
    (dropped).  A few tens of thousands of distinct segments cover a whole corpus."""

    def __init__(self, tokenizer: Tokenizer):
        super().__init__()
        self.tokenizer = tokenizer

    def __missing__(self, piece: str) -> str:
        if piece.isspace():
            verdict = "\n" * piece.count("\n")
        else:
            verdict = piece.lower() if self.tokenizer.keep(piece) else ""
        self[piece] = verdict
        return verdict


class Tokenizer:
    """Normalize, segment and filter Chinese text.

    Parameters
    ----------
    backend : ``"rjieba"`` (fast, default) or ``"jieba"`` (reference).
    user_dict : extra ``(word, freq, tag)`` entries on top of the shipped governance dictionary;
        ``use_default_dict=False`` drops the shipped one.
    stopwords : the stopword set; default :func:`default_stopwords`.
    min_length : shortest token kept by :meth:`tokens` (characters).
    strip_boilerplate : remove petition salutations in :meth:`normalize` (for message-board exports).
    clean : also remove e-mails, ID numbers, every phone form, mask runs, placeholder places and codes
        (:data:`CLEAN_STEPS`; what real exports carry and a topic must never show).
    cache_dir : where the jieba backend keeps its private dictionary cache (default ``data/interim/jieba``).

    ``cut`` returns the raw segmentation of normalized text (what the backends must agree on);
    ``tokens`` returns the analysable tokens: stopwords, punctuation, numbers and too-short tokens removed.
    """

    def __init__(
        self,
        backend: str = "rjieba",
        *,
        user_dict: Iterable[tuple[str, int, str | None]] = (),
        use_default_dict: bool = True,
        stopwords: Iterable[str] | None = None,
        min_length: int = 1,
        strip_boilerplate: bool = False,
        clean: bool = False,
        cache_dir: str | os.PathLike | None = None,
    ):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        self.backend = backend
        self.entries = (user_dictionary() if use_default_dict else ()) + tuple(user_dict)
        self.stopwords = frozenset(default_stopwords() if stopwords is None else stopwords)
        self.min_length = int(min_length)
        self.strip_boilerplate = bool(strip_boilerplate)
        self.clean = bool(clean)
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._engine = None
        self._verdicts = _Verdicts(self)

    @property
    def engine(self):
        """The loaded segmenter (built on first use: loading the dictionary takes ~0.5 s)."""
        if self._engine is None:
            if self.backend == "jieba":
                self._engine = _jieba_reference(self.cache_dir or _default_cache_dir(), self.entries)
            else:
                self._engine = _rjieba_fast(self.entries)
        return self._engine

    def signature(self) -> tuple:
        """Everything that determines the output of :meth:`tokens` (for cache keys).  The backend is
        not part of it: both backends give identical tokens."""
        return (
            "tokenizer-v1",
            self.entries,
            tuple(sorted(self.stopwords)),
            self.min_length,
            self.strip_boilerplate,
        ) + (("clean",) if self.clean else ())

    def normalize(self, text: str | None) -> str:
        return normalize(text, strip_boilerplate=self.strip_boilerplate, clean=self.clean)

    def segment(self, normalized: str) -> list[str]:
        """Segment already-normalized text (accurate mode, HMM on), whitespace tokens dropped.

        The text is first :func:`presplit`, identically for both backends."""
        if not normalized:
            return []
        normalized = presplit(normalized)
        if self.backend == "jieba":
            pieces = self.engine.lcut(normalized, HMM=True)
        else:
            pieces = self.engine.cut(normalized, True)
        return [p for p in pieces if not p.isspace()]

    def cut(self, text: str | None) -> list[str]:
        """Raw segmentation of ``normalize(text)``: every token, punctuation included."""
        return self.segment(self.normalize(text))

    def keep(self, token: str) -> bool:
        """Whether a segment is an analysable token (not a stopword, has a Han char or letter)."""
        return (
            len(token) >= self.min_length
            and token not in self.stopwords
            and _CONTENT.search(token) is not None
        )

    def tokens(self, text: str | None) -> list[str]:
        """Analysable tokens of one text, in order (Latin letters lower-cased).  Equal to
        :meth:`tokens_unbatched`; computed by :meth:`token_strings` like every other batch."""
        return self.token_strings([text])[0].split()

    def tokens_unbatched(self, text: str | None) -> list[str]:
        """The definition of :meth:`tokens`, one text at a time: segments of ``normalize(text)`` that
        :meth:`keep` accepts, lower-cased.  Slow (a Python pass per step per text); it is the reference
        the batched path is tested and benchmarked against."""
        return [t.lower() for t in self.cut(text) if self.keep(t)]

    def tokens_many(self, texts: Iterable[str | None]) -> list[list[str]]:
        """:meth:`tokens` of every text: a new list per text, in input order (batched, see
        :meth:`token_strings`)."""
        with _cyclic_gc_paused():
            return [joined.split() for joined in self.token_strings(texts)]

    def token_strings(self, texts: Iterable[str | None]) -> list[str]:
        """The tokens of every text joined by single spaces (the form the tokens cache stores), batched.

        Identical texts are tokenized once (chat groups repeat 收到, 好的, [图片] …); the distinct ones are
        processed ``BATCH_SIZE`` at a time as one string joined by ``"\\n"``: one OpenCC call and one pass
        per regular expression for the whole batch, :func:`presplit` only on the lines that need it, one
        segmenter call, and a per-segment verdict cached across calls.  Line breaks inside a text become
        ``"\\r"`` first (both are whitespace to every normalization step and to the segmenter).  The
        result equals :meth:`tokens_unbatched` of each text; ``tests/test_text.py`` checks it on the whole
        synthetic corpus.
        """
        texts = texts if isinstance(texts, list) else list(texts)
        with _cyclic_gc_paused():
            return list(map(self._token_strings_by_text(texts).__getitem__, texts))

    def _token_strings_by_text(self, texts: list) -> dict:
        """``{text: space-joined tokens}`` for every distinct value of ``texts`` (non-text values → "")."""
        by_text = dict.fromkeys(texts, "")
        distinct = [t for t in by_text if isinstance(t, str) and t]
        for start in range(0, len(distinct), BATCH_SIZE):
            batch = distinct[start : start + BATCH_SIZE]
            by_text.update(zip(batch, self._token_strings_of_batch(batch), strict=True))
        return by_text

    def _token_strings_of_batch(self, texts: list[str]) -> list[str]:
        joined = "\n".join(texts)
        if joined.count("\n") != len(texts) - 1:
            joined = "\n".join(t.replace("\n", "\r") for t in texts)
        joined = _presplit_lines(_strip_noise(joined, self.strip_boilerplate, self.clean))
        if self.backend == "jieba":
            pieces = self.engine.lcut(joined, HMM=True)
        else:
            pieces = self.engine.cut(joined, True)
        lines = " ".join(filter(None, map(self._verdicts.__getitem__, pieces))).split("\n")
        if len(lines) != len(texts):  # the segmenter merged or split a line break: never seen, but check
            raise RuntimeError(f"batched tokenization lost its alignment ({len(lines)} ≠ {len(texts)} texts)")
        return list(map(str.strip, lines))

    def iter_tokens(self, texts: Iterable[str | None]) -> Iterator[list[str]]:
        """Token lists of ``texts``, lazily (``BATCH_SIZE`` texts at a time), one per input text."""
        batch: list[str | None] = []
        for text in texts:
            batch.append(text)
            if len(batch) == BATCH_SIZE:
                yield from self.tokens_many(batch)
                batch = []
        if batch:
            yield from self.tokens_many(batch)

    def __getstate__(self):  # the engine is rebuilt in a new process
        state = dict(self.__dict__)
        state["_engine"] = None
        state["_verdicts"] = _Verdicts(self)
        return state

    def __repr__(self) -> str:
        return (
            f"Tokenizer(backend={self.backend!r}, entries={len(self.entries)}, "
            f"stopwords={len(self.stopwords)}, min_length={self.min_length})"
        )
