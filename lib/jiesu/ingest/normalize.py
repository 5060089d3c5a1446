"""Normalizing messy community text: addresses, dates, widths, scripts, names, and masking.

All functions are vectorized over pandas Series, never mutate their input, and treat missing values
as missing (never as the string ``"nan"``).  Distinct values are processed once and mapped back,
because registry exports repeat the same address or name many times.

Addresses
    ``6号楼3单元502``, ``6#3-502``, ``六号楼三单元502室``, ``6-3-502``, ``6栋3门502`` and their full-width
    forms all become building 6, unit 3, room 502 (floor 5, since room = floor × 100 + door), with
    the household key ``06-3-502`` (``BB-U-RRR``).  Chinese numerals are converted with cn2an.
Dates
    ``2020年9月27日``, ``2020/9/27 13:14``, ISO dates and Excel serial day numbers (1900 date system,
    epoch 1899-12-30).  A time written with a UTC offset (``2020-04-01T00:11:20+08:00``, ``…Z``) is
    converted to Beijing time (Asia/Shanghai) and kept naive, like every other time.
Scripts
    Traditional → Simplified with OpenCC (``t2s``); the caller keeps the original.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterable
from functools import lru_cache

import cn2an
import numpy as np
import pandas as pd

from jiesu import pii
from jiesu.chinese import map_distinct, to_halfwidth, to_halfwidth_series, to_simplified
from jiesu.contract import household_key

# ---------------------------------------------------------------- names

_NAME_NOISE = re.compile(r"[\s·•・.\-_()（）]+")


def normalize_name_text(name: str) -> str:
    """A name for comparison: half-width, Simplified, without spaces, dots and brackets."""
    return _NAME_NOISE.sub("", to_simplified(to_halfwidth(name)))


def normalize_names(values: pd.Series) -> pd.Series:
    """:func:`normalize_name_text` over a Series; empty results become missing."""
    out = map_distinct(values, normalize_name_text)
    return out.mask(out.str.len() == 0)


# ---------------------------------------------------------------- addresses

_CN_DIGITS = "零〇一二两三四五六七八九十"
_HAS_CN_DIGIT = re.compile(f"[{_CN_DIGITS}]")
_ADDRESS = re.compile(
    r"(?<!\d)(?P<building>\d{1,2})\s*(?:号楼|號樓|号|號|栋|棟|幢|楼|樓|#|-)\s*"
    r"(?P<unit>\d{1,2})\s*(?:单元|單元|门|門|-)\s*-?\s*"
    r"(?P<room>\d{3,4})(?!\d)\s*(?:室|号|號)?"
)


@lru_cache(maxsize=65536)
def parse_address_text(text: str) -> tuple[int, int, int, int, int] | None:
    """Parse one address into ``(building, unit, floor, room, end)``, or ``None`` if no room is found.

    ``end`` is the index in the *normalized* text just after the address (used to split 备注
    ``6#3-502 王秀英`` into address and name).  Normalization: half-width, then Chinese numerals
    → Arabic (cn2an) when any are present.
    """
    normal = _numeralize(to_halfwidth(text))
    match = _ADDRESS.search(normal)
    if match is None:
        return None
    room = int(match["room"])
    return int(match["building"]), int(match["unit"]), room // 100, room, match.end()


@lru_cache(maxsize=65536)
def _numeralize(text: str) -> str:
    if not _HAS_CN_DIGIT.search(text):
        return text
    try:
        with warnings.catch_warnings():  # cn2an warns on numerals it leaves alone (e.g. the surname 万)
            warnings.simplefilter("ignore")
            return cn2an.transform(text, "cn2an")
    except (ValueError, KeyError, IndexError):  # cn2an rejects some odd numeral strings
        return text


def parse_addresses(values: pd.Series) -> pd.DataFrame:
    """Addresses → ``building, unit, floor, room`` (Int64) and ``household_id`` (string), same index.

    Unparseable or missing addresses give missing parts.
    """
    parsed = _parse_distinct(values)
    frame = pd.DataFrame(index=values.index)
    for position, name in enumerate(("building", "unit", "floor", "room")):
        frame[name] = pd.array([p[position] if p else None for p in parsed], dtype="Int64")
    keys = [household_key(p[0], p[1], p[3]) if p else None for p in parsed]
    frame["household_id"] = pd.array(keys, dtype="string")
    return frame


def _parse_distinct(values: pd.Series) -> list:
    text = values.astype("string")
    distinct = {value: parse_address_text(value) for value in pd.unique(text[text.notna()])}
    return [distinct.get(value) if value is not pd.NA else None for value in text.tolist()]


def split_remark(values: pd.Series) -> pd.DataFrame:
    """Split 园园's friend remarks ``6#3-502 王秀英`` into address parts and the name after it.

    Returns :func:`parse_addresses` columns plus ``name`` (the text after the address, or before it
    if nothing follows, stripped of spaces and separators).
    """
    frame = parse_addresses(values)
    names = [
        _remark_name(value) if value is not pd.NA else None for value in values.astype("string").tolist()
    ]
    frame["name"] = pd.array(names, dtype="string")
    return frame


_REMARK_SEPARATORS = " -_/,，:：|"


def _remark_name(remark: str) -> str | None:
    """The name part of one remark, in its original characters (a name may contain 一/三…)."""
    original = to_halfwidth(remark).strip()
    tokens = original.split()
    if len(tokens) > 1:
        kept = [token for token in tokens if parse_address_text(token) is None]
        rest = "".join(kept)
    else:
        parsed = parse_address_text(original)
        normal = _numeralize(original)
        if parsed is None:
            rest = original
        else:
            match = _ADDRESS.search(normal)
            tail, head = normal[parsed[4] :], normal[: match.start()]
            rest = tail or head
            # map back to the original characters: cn2an may have turned 张三 into 张3
            candidate = original[-len(tail) :] if tail else original[: len(head)]
            if candidate and _numeralize(candidate) == rest:
                rest = candidate
    rest = rest.strip(_REMARK_SEPARATORS)
    return rest or None


# ---------------------------------------------------------------- dates

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_ISO_DATETIME = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?"
_EXCEL_SERIAL_RANGE = (20000, 80000)  # 1954 … 2119: plausible dates only, not ids or years
_DATE_WORDS = str.maketrans(
    {
        "年": "-",
        "月": "-",
        "日": " ",
        "号": " ",
        "时": ":",
        "點": ":",
        "点": ":",
        "分": " ",
        "/": "-",
        ".": "-",
    }
)


BEIJING = "Asia/Shanghai"
_D = "[0-9０-９]"
_UTC_OFFSET = rf"{_D}{{1,2}}[:：]{_D}{{2}}(?:[:：]{_D}{{2}}(?:[.．]{_D}+)?)?\s*(?:[ZzＺｚ]|UTC|[+\-＋－]{_D}{{2}}[:：]?{_D}{{2}})$"


def parse_dates(values: pd.Series) -> pd.Series:
    """Messy dates/times → naive Beijing ``datetime64`` (missing or unparseable → NaT).

    Accepts Timestamps/datetimes (from Excel cells), Excel serial numbers (numbers or digit
    strings, 1900 system), ``2020年9月27日``, ``2020/9/27 13:14``, ``2020-09-27T13:14:00`` and
    full-width digits.  A time with a UTC offset or ``Z`` is converted to Asia/Shanghai and its
    offset dropped, so such times may be mixed with naive ones (which are taken as Beijing time).
    Times without a date are rejected (NaT).
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    if values.empty:
        return out
    as_object = values.astype(object)
    offset = _has_utc_offset(as_object)
    if offset.any():
        text = to_halfwidth_series(as_object[offset].astype("string")).str.strip()
        aware = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
        retry = aware.isna()
        if retry.any():
            aware.loc[retry] = pd.to_datetime(text[retry], utc=True, format="mixed", errors="coerce")
        out.loc[offset] = aware.dt.tz_convert(BEIJING).dt.tz_localize(None).astype("datetime64[us]")
        if not offset.all():
            out.loc[~offset] = parse_dates(values[~offset])
        return out
    if {type(v) for v in as_object.tolist()} <= {str, type(None)}:
        strict = values.astype("string").str.fullmatch(_ISO_DATETIME).fillna(False)
        if strict[values.notna()].all():  # exports in ISO form: one fast vectorized parse
            return pd.to_datetime(values.astype("string"), format="ISO8601", errors="coerce").astype(
                "datetime64[us]"
            )
    if {type(v) for v in as_object.tolist()} <= {str, type(None)}:  # CSV text: skip the per-cell type tests
        is_datetime = pd.Series(False, index=values.index)
        rest = as_object[as_object.notna()]
        is_number = pd.Series(False, index=rest.index)
    else:
        is_datetime = as_object.map(lambda v: isinstance(v, (dt.datetime, dt.date, pd.Timestamp)))
        if is_datetime.any():
            out.loc[is_datetime] = pd.to_datetime(as_object[is_datetime].map(pd.Timestamp)).astype(
                "datetime64[us]"
            )
        rest = as_object[~is_datetime & as_object.notna()]
        is_number = rest.map(
            lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        )
    text = rest[~is_number].astype("string").str.strip()
    text = (
        to_halfwidth_series(text).str.translate(_DATE_WORDS).str.replace(r"\s+", " ", regex=True).str.strip()
    )
    text = text.str.replace(r"[-:]\s*$", "", regex=True)
    serial_text = text.str.fullmatch(r"\d{5}(?:\.\d+)?").fillna(False)
    numbers = pd.concat(
        [pd.to_numeric(rest[is_number], errors="coerce"), pd.to_numeric(text[serial_text], errors="coerce")]
    )
    low, high = _EXCEL_SERIAL_RANGE
    numbers = numbers[(numbers >= low) & (numbers <= high)]
    if not numbers.empty:
        out.loc[numbers.index] = (EXCEL_EPOCH + pd.to_timedelta(numbers.astype(float), unit="D")).dt.round(
            "s"
        )
    text = text[~serial_text & text.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}", regex=True).fillna(False)]
    if not text.empty:
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        missing = parsed.isna()
        if missing.any():
            parsed.loc[missing] = pd.to_datetime(text[missing], format="mixed", errors="coerce")
        out.loc[text.index] = parsed.astype("datetime64[us]")
    return out


def _has_utc_offset(values: pd.Series) -> pd.Series:
    """Which cells are text ending in a time with a UTC offset (``…T00:11:20+08:00``, ``… 08:00Z``);
    full-width digits and signs count too.  One vectorized (RE2) pass; Excel cells that are not text
    are never offset times."""
    cells = values.tolist()
    is_text = [isinstance(v, str) for v in cells]
    found = pd.Series(False, index=values.index)
    if not any(is_text):
        return found
    text = pd.Series([v if t else None for v, t in zip(cells, is_text, strict=True)], index=values.index)
    found[:] = text.astype("string").str.contains(_UTC_OFFSET, regex=True).fillna(False).astype(bool)
    return found


# ---------------------------------------------------------------- masking chat text

PHONE_MASK = pii.PHONE_MASK
MENTION_MASK = "@某人"
WXID_MASK = "[微信号]"
# WeChat ends a mention with U+2005, so a display name may contain spaces (``@6-3-502 王\u2005``);
# a typed mention without it runs to the next space or punctuation.
MENTION = re.compile(
    r"[@＠](?:(?P<spaced>[^\u2005@＠\n]{1,30})\u2005|(?P<name>[^\s\u2005@＠,，:：。!！?？;；、]{1,24}))"
)


def mask_phones(values: pd.Series) -> pd.Series:
    """Replace phone numbers in every written form, identity numbers and bank cards (:mod:`jiesu.pii`)."""
    return pii.mask_series(values)


def mention_names(text: str) -> list[str]:
    """The ``@name`` tokens of one message, in order (WeChat ends a mention with U+2005 or a space)."""
    return [match["spaced"] or match["name"] for match in MENTION.finditer(text)]


def mask_mentions(values: pd.Series) -> pd.Series:
    """Replace every ``@name`` by ``@某人`` (only texts with an ``@`` are examined)."""
    text = values.astype("string")
    has_at = text.str.contains("[@＠]", regex=True).fillna(False).astype(bool)
    if not has_at.any():
        return text
    out = text.copy()
    out.loc[has_at] = text[has_at].str.replace(MENTION, _mention_mask, regex=True)
    return out


_QUOTED_NAME = re.compile(r'(["“])([^"“”\n]{1,40})(["”])')
SYSTEM_NAME_MASK = "某人"


def mask_system_names(values: pd.Series, *, keep: tuple[str, ...] = ()) -> pd.Series:
    """Mask the quoted display names of WeChat system lines (``"王秀英"邀请"6-3-502 李"加入了群聊``),
    except names in ``keep`` (e.g. the public account 园园)."""

    def replace(match: re.Match) -> str:
        name = match.group(2)
        return match.group(0) if name in keep else f"{match.group(1)}{SYSTEM_NAME_MASK}{match.group(3)}"

    return values.astype("string").str.replace(_QUOTED_NAME, replace, regex=True)


NAME_MASK = "某人"


def names_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One regular expression matching any of ``names`` (longest first), or ``None`` for no names.

    The names are stored as a character trie (王 → 秀 → 英 | 芳 …), so thousands of names cost one pass
    over the text that only stops at characters some name starts with, not one pass per name."""
    trie: dict = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        branches = [re.escape(char) + render(node[char]) for char in sorted(c for c in node if c)]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(render(trie)) if trie else None


def mask_names(values: pd.Series, pattern: re.Pattern | None) -> pd.Series:
    """Replace every occurrence of a known person name (``pattern`` from :func:`names_pattern`) by
    ``某人``: residents write each other's names in plain text too (王秀英家楼上漏水), not only as
    ``@`` mentions.  A name that is also part of an ordinary phrase (于宇 in 关于宇宙) is masked there as
    well; privacy wins over the odd lost word."""
    text = values.astype("string")
    return text if pattern is None else text.str.replace(pattern, NAME_MASK, regex=True)


def mask_known(values: pd.Series, pattern: re.Pattern | None, replacement: str) -> pd.Series:
    """Replace every match of ``pattern`` (from :func:`names_pattern`, e.g. the raw tables' WeChat ids)
    by ``replacement``; texts are examined only if pandas finds the pattern's first characters."""
    text = values.astype("string")
    return text if pattern is None else text.str.replace(pattern, replacement, regex=True)


def _mention_mask(match: re.Match) -> str:
    return MENTION_MASK + ("\u2005" if match["spaced"] is not None else "")
