"""Personal numbers in free text: phone numbers in every written form, identity numbers, bank cards.

One owner for these patterns.  Ingest *masks* them (:func:`mask`, :func:`mask_series`: each match
becomes a placeholder, so a reader still sees that a number was there); the text analyses *remove*
them (:func:`remove`).

What is recognized (after width normalization, see below):

=============  ==============================================================================
kind           written forms
=============  ==============================================================================
``mobile``     11 digits ``1[3-9]x xxxx xxxx`` with optional spaces or hyphens between the groups
               (``139-0011-1111``, ``139 0011 1111``), the first group in brackets
               (``(199)12340011``), and a ``+86``, ``0086``, ``86`` or ``(+86)`` prefix
``landline``   an area code ``0xx``/``0xxx`` (bare or in brackets) and 7–8 digits, with optional
               separators (``010-6512 3456``, ``(010)65123456``, ``01065123456``); also the
               international form without the 0 (``+86 10 6512 3456``)
``id``         18-digit identity numbers: 6-digit region, a birth date 18xx–20xx, 3 digits and a
               check character (a digit or ``X``), optionally spaced 6-8-4.  The check digit is
               *not* verified: a mistyped number is still somebody's number.
``card``       16–19 digit bank cards, contiguous or in groups of four, that pass the Luhn check
=============  ==============================================================================

Width normalization: full-width digits, ``＋－（）`` and the ideographic space, and the dash look-alikes
(‐ ‑ ‒ – — ― − ﹣) are read as their ASCII forms.  Every such mapping is one character to one
character, so a match found in the normalized text covers exactly the same characters of the
original, and the original script of everything else is kept.

>>> mask("电话１３９－００１１－１１１１，身份证11010119900307123X")
'电话[电话]，身份证[身份证号]'
>>> remove("call (010)65123456 now")
'call   now'
"""

from __future__ import annotations

import re

import pandas as pd

PHONE_MASK = "[电话]"
ID_MASK = "[身份证号]"
CARD_MASK = "[银行卡号]"
MASKS = {"mobile": PHONE_MASK, "landline": PHONE_MASK, "id": ID_MASK, "card": CARD_MASK}
"""The placeholder each kind of number is masked with (text analyses treat ``[…]`` as an artefact)."""

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"
_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        "\uff0b": "+",
        "\uff0d": "-",
        "\uff08": "(",
        "\uff09": ")",
        "\u3000": " ",
        "\uff38": "X",
        "\uff58": "x",
        **dict.fromkeys(_DASHES, "-"),
    }
)

_SEP = r"[ -]?"
PATTERN = re.compile(
    r"(?<![0-9])(?:"
    # 18-digit identity number, optionally spaced 6-8-4
    r"(?P<id>[1-9]\d{5} ?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]) ?\d{3}[0-9Xx])"
    r"(?![0-9A-Za-z])"
    # bank card: 16-19 contiguous digits or groups of four (Luhn-checked in code)
    r"|(?P<card>\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9])"
    # mobile, with an optional country prefix
    rf"|(?P<mobile>(?:(?:\+|00)?86{_SEP}|\((?:\+|00)?86\){_SEP})?(?:1[3-9]\d|\(1[3-9]\d\)){_SEP}\d{{4}}{_SEP}\d{{4}})"
    r"(?![0-9])"
    # landline with an area code (0xx, or +86 xx without the 0)
    rf"|(?P<landline>(?:(?:\+|00)86{_SEP}(?:\(0?[1-9]\d{{1,2}}\)|0?[1-9]\d{{1,2}})|\(0[1-9]\d{{1,2}}\)|0[1-9]\d{{1,2}})"
    rf"{_SEP}\d{{3,4}}{_SEP}\d{{4}})(?![0-9])"
    r")"
)
"""The combined pattern, to be applied to :func:`detection_form` text (group name = kind)."""

# Seven digits (any width) with at most three other characters between neighbours: no number above
# can occur in a text without it, and most chat messages fail it at once (checked with RE2 by pandas).
_CANDIDATE = "[0-9０-９](?:[^0-9０-９]{0,3}[0-9０-９]){6}"


def detection_form(text: str) -> str:
    """``text`` with full-width digits/signs and dash look-alikes as ASCII (same length)."""
    return text.translate(_WIDTH)


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn (mod 10) check used by bank cards.

    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def find(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every personal number in ``text`` (positions in ``text`` itself)."""
    spans = []
    for match in PATTERN.finditer(detection_form(text)):
        kind = match.lastgroup
        if kind == "card" and not luhn_valid(re.sub(r"\D", "", match.group())):
            continue
        spans.append((match.start(), match.end(), kind))
    return spans


def _replace(text: str, replacement) -> str:
    spans = find(text)
    if not spans:
        return text
    parts, last = [], 0
    for start, end, kind in spans:
        parts += [text[last:start], replacement(kind)]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def mask(text: str) -> str:
    """Replace every personal number by its placeholder (:data:`MASKS`)."""
    return _replace(text, MASKS.__getitem__)


def remove(text: str, replacement: str = " ") -> str:
    """Replace every personal number by ``replacement`` (the text analyses' form: numbers carry no topic)."""
    return _replace(text, lambda kind: replacement)


def mask_series(values: pd.Series) -> pd.Series:
    """:func:`mask` over a Series (``string`` dtype; missing stays missing).

    Only texts with seven digits close together are examined, each distinct one once.
    """
    text = values.astype("string")
    candidate = text.str.contains(_CANDIDATE, regex=True).fillna(False).astype(bool)
    if not candidate.any():
        return text
    distinct = pd.unique(text[candidate])
    mapping = {value: mask(value) for value in distinct}
    out = text.copy()
    out.loc[candidate] = text[candidate].map(mapping).astype("string")
    return out
