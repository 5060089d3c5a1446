"""What may name or file a hot issue: filler words, placeholders, numbers, and the category words.

The rules are those measured in ``bench/hot_quality.md`` (section 2): a *content token* has at least two
characters with a Han character, is not a stopword or governance filler (``resources/issue_filler.txt``),
not a number or time expression (七点, 2022年, 3号), not a placeholder (A市, X号, ``***``, 某…) and has no
``_``.  Categories are filed from their words: the lexicons of :mod:`jiesu.categories` plus
:data:`EXTRA_LEXICON`, the words a social worker files under the same category on message-board text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from jiesu.analysis.text import default_stopwords
from jiesu.categories import BY_CODE, CATEGORIES, OTHER, TEAMS

HAN = re.compile(r"[\u4e00-\u9fff]")
_PLACEHOLDER = re.compile(
    r"\*|_|^[A-Za-z]{1,2}\d*[市区县镇乡村号楼路街]|^[xX某\d一二三四五六七八九十百]+[号楼层室栋期]|某"
)
_NUMERIC = re.compile(
    r"^[\d一二三四五六七八九十百千万两零〇几半多余\.]+[年月日号点分时天周个次元块岁楼层]?[多余半]?$"
)
_TIME_WORD = re.compile(r"(?:[\d一二三四五六七八九十两]+(?:点|点钟|点半|时|分|号|日|月|年|周|天))")
_NEVER = re.compile(r"(?!x)x")

EXTRA_LEXICON: dict[str, tuple[str, ...]] = {
    "heating": ("供暖费", "热力", "暖气费", "供热"),
    "epidemic": ("核酸", "防疫", "健康宝", "封控", "阳性", "疫苗", "新冠", "管控"),
    "noise": ("噪声", "施工噪音", "夜间施工", "扰民"),
    "garbage": ("垃圾站", "垃圾箱", "垃圾车", "垃圾房"),
    "parking": ("充电桩", "停车场", "停车位", "车库"),
    "flood": ("漏雨",),
    "security": ("盗窃", "偷盗", "可疑"),
    "vendors": ("摊贩", "占道"),
}
"""Category words for filing issues on message-board text, on top of the category lexicons (which were
written for chat groups).  Kept here rather than in :mod:`jiesu.categories` because those lexicons also
drive the synthetic world and the chat issue table; these words only file hot issues."""


@lru_cache(maxsize=1)
def issue_filler() -> frozenset[str]:
    """The words of ``resources/issue_filler.txt`` (documented in its header)."""
    text = resources.files("jiesu.resources").joinpath("issue_filler.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() for w in line.split("#", 1)[0].split())


@lru_cache(maxsize=1)
def default_filler() -> frozenset[str]:
    """Stopwords (:func:`jiesu.analysis.text.default_stopwords`) ∪ :func:`issue_filler`."""
    return frozenset(default_stopwords()) | issue_filler()


def is_content_token(token: str, filler: frozenset[str] | None = None) -> bool:
    """Whether a token can carry an issue.

    Parameters
    ----------
    token : one segment (lower-cased).
    filler : words that never do; default :func:`default_filler`.

    Returns
    -------
    True for ≥ 2 characters with a Han character, not filler, not a number or time expression, not a
    placeholder and without ``_``.
    """
    filler = default_filler() if filler is None else filler
    return (
        len(token) >= 2
        and token not in filler
        and HAN.search(token) is not None
        and _PLACEHOLDER.search(token) is None
        and _NUMERIC.match(token) is None
        and _TIME_WORD.fullmatch(token) is None
    )


@lru_cache(maxsize=1)
def category_lexicons() -> dict[str, tuple[str, ...]]:
    """Category code → its words (the library lexicon + :data:`EXTRA_LEXICON`)."""
    return {c.code: tuple(dict.fromkeys(c.lexicon + EXTRA_LEXICON.get(c.code, ()))) for c in CATEGORIES}


def _lexicon_pattern(words: Iterable[str]) -> re.Pattern:
    multi = sorted({w for w in words if len(w) > 1}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, multi))) if multi else _NEVER


@lru_cache(maxsize=1)
def lexicon_patterns() -> dict[str, tuple[re.Pattern, frozenset[str]]]:
    """Per category: a pattern of its multi-character words (matched in the text) and its single
    characters (matched only as whole segments: 灯 is lighting, 路灯坏了 is not 坏)."""
    return {
        code: (_lexicon_pattern(words), frozenset(w for w in words if len(w) == 1))
        for code, words in category_lexicons().items()
    }


def category_hits(norm: Iterable[str], singles: Iterable[frozenset[str]], code: str) -> np.ndarray:
    """Per message, whether it contains a word of category ``code`` (``norm``: normalized texts,
    ``singles``: their one-character segments)."""
    pattern, chars = lexicon_patterns()[code]
    return np.array(
        [bool(pattern.search(t)) or bool(chars & s) for t, s in zip(norm, singles, strict=True)], dtype=bool
    )


def message_categories(docs: pd.DataFrame) -> list[frozenset[str]]:
    """Category codes whose words each prepared document contains (needs ``norm`` and ``singles``)."""
    pats = lexicon_patterns()
    return [
        frozenset(code for code, (pat, chars) in pats.items() if pat.search(t) or chars & s)
        for t, s in zip(docs["norm"], docs["singles"], strict=True)
    ]


MIN_CATEGORY_SHARE = 0.5
"""A category files a group when its words are in at least this share of the group's messages …"""
MIN_CATEGORY_LEAD = 0.15
"""… and this far ahead of the runner-up category's share."""


def category_of(docs: pd.DataFrame) -> tuple[str, float]:
    """The category of a group of prepared documents, taken from its messages.

    Parameters
    ----------
    docs : prepared documents (``norm``, ``singles``) of one group.

    Returns
    -------
    ``(code, share)``: the category whose words appear in at least :data:`MIN_CATEGORY_SHARE` of the
    messages and at least :data:`MIN_CATEGORY_LEAD` ahead of the runner-up, else ``other``; with the
    winning share (0–1).
    """
    if len(docs) == 0:
        return OTHER, 0.0
    shares = {code: float(category_hits(docs["norm"], docs["singles"], code).mean()) for code in BY_CODE}
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    best, share = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if share >= MIN_CATEGORY_SHARE and share - runner >= MIN_CATEGORY_LEAD:
        return best, share
    return OTHER, share


def owner_team(code: str) -> str:
    """Chinese name of the backbone team that should act first on a category (``""`` for other)."""
    return TEAMS[BY_CODE[code].owner_team] if code in BY_CODE else ""


def suggested_team(code: str) -> str:
    """The team a hot issue of category ``code`` goes to: the category's :func:`owner_team`; issues
    filed under 其他 go to the community workers (社区工作者), who triage them."""
    return owner_team(code) or TEAMS["staff"]
