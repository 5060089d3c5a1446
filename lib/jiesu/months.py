"""Calendar months as ``YYYY-MM`` strings: the one place month arithmetic is written.

Reports, panels and schedules speak in months; every module that shifts, compares or enumerates them
uses these functions, so "the month before 2020-01" means the same thing everywhere.

>>> shift_month("2020-01", -1)
'2019-12'
>>> month_range("2019-11", "2020-02")
['2019-11', '2019-12', '2020-01', '2020-02']
>>> months_between("2018-07", "2019-01")
6
"""

from __future__ import annotations

import re

import pandas as pd

from jiesu.errors import JiesuError

MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class MonthError(JiesuError, ValueError):
    """A value that should be a ``YYYY-MM`` month is not one (a user error: one clear line)."""


def is_month(value) -> bool:
    """Whether ``value`` is a ``YYYY-MM`` string with a real month (01–12)."""
    return isinstance(value, str) and MONTH_PATTERN.match(value) is not None


def check_month(month, *, name: str = "month") -> str:
    """``month`` if it is ``YYYY-MM``, else ``ValueError`` naming the parameter and the form.

    >>> check_month("2019-13")
    Traceback (most recent call last):
    ...
    jiesu.months.MonthError: month '2019-13' 不是 YYYY-MM 格式的月份 is not a month of the form YYYY-MM (01–12)
    """
    if not is_month(month):
        raise MonthError(
            f"{name} {month!r} 不是 YYYY-MM 格式的月份 is not a month of the form YYYY-MM (01–12)"
        )
    return month


def _index(month: str) -> int:
    year, mon = check_month(month).split("-")
    return int(year) * 12 + int(mon) - 1


def _from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift_month(month: str, months: int) -> str:
    """``month`` moved by ``months`` calendar months (negative = earlier)."""
    return _from_index(_index(month) + int(months))


def months_between(start: str, end: str) -> int:
    """Calendar months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return _index(end) - _index(start)


def month_range(start: str, end: str) -> list[str]:
    """Every month from ``start`` to ``end``, both included (empty when ``start`` is later)."""
    return [_from_index(i) for i in range(_index(start), _index(end) + 1)]


def month_start(month: str) -> pd.Timestamp:
    """Midnight of the first day of ``month``."""
    return pd.Timestamp(f"{check_month(month)}-01")


def month_end(month: str) -> pd.Timestamp:
    """The last instant of ``month`` (``23:59:59.999999`` of its last day): data dated up to ``month``
    means dated at or before this."""
    return month_start(shift_month(month, 1)) - pd.Timedelta(microseconds=1)


def month_of(timestamps: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each timestamp (missing stays missing)."""
    return timestamps.dt.strftime("%Y-%m")


def month_label(month: str) -> str:
    """The Chinese label officials read: ``"2020-09"`` → ``"2020年9月"``."""
    year, mon = check_month(month).split("-")
    return f"{int(year)}年{int(mon)}月"
