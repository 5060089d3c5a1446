"""Notebook parameters, checked once at the top of every notebook.

papermill injects parameters after a notebook's ``parameters`` cell and only *warns* about a name the
notebook does not know ("Passed unknown parameter"), then runs the default — a typo silently gives
the wrong analysis.  The second cell of each notebook therefore calls :func:`check_known` and the
checks below, and a bad value ends the run with one line naming the parameter and what it may be:

>>> month("end", "2019-13")
Traceback (most recent call last):
...
jiesu.snapshot.params.ParameterError: 参数 end = '2019-13'：应为 YYYY-MM 格式的月份（01–12 月）/ must be a month YYYY-MM
"""

from __future__ import annotations

import builtins
import difflib
import types
from collections.abc import Iterable, Mapping

import pandas as pd

from jiesu.errors import JiesuError
from jiesu.months import is_month
from jiesu.snapshot.world import World, open_world

IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})
"""Names IPython puts in every kernel's namespace."""


class ParameterError(JiesuError):
    """A notebook parameter has a value the notebook cannot use (one line: the name and the valid values)."""


def check_known(namespace: Mapping, known: Iterable[str]) -> None:
    """Refuse a parameter the notebook does not have (papermill only warns about one).

    Call it first in the cell after the ``parameters`` cell, with the names of that cell: at that
    point the namespace holds only IPython's names, the parameters and whatever papermill injected.
    """
    known = set(known)
    injected = sorted(
        name
        for name, value in namespace.items()
        if not name.startswith("_")
        and name not in known
        and name not in IPYTHON_NAMES
        and not hasattr(builtins, name)
        and not isinstance(value, types.ModuleType | types.FunctionType | type)
    )
    if injected:
        name = injected[0]
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ParameterError(
            f"未知参数 unknown parameter {name!r}: {hint}this notebook takes {', '.join(sorted(known))}"
        )


def month(name: str, value, *, allow_empty: bool = False) -> str:
    """``value`` if it is a ``YYYY-MM`` month (or ``""`` when ``allow_empty``)."""
    if allow_empty and value in ("", None):
        return ""
    if not is_month(value):
        raise ParameterError(
            f"参数 {name} = {value!r}：应为 YYYY-MM 格式的月份（01–12 月）/ must be a month YYYY-MM"
        )
    return value


def date(name: str, value, *, allow_empty: bool = False) -> pd.Timestamp | None:
    """``value`` parsed as a calendar date ``YYYY-MM-DD`` (``None`` for ``""`` when ``allow_empty``).

    >>> date("as_of", "2019-13-01")
    Traceback (most recent call last):
    ...
    jiesu.snapshot.params.ParameterError: 参数 as_of = '2019-13-01'：应为 YYYY-MM-DD 格式的日期 / must be a date YYYY-MM-DD
    """
    if allow_empty and value in ("", None):
        return None
    try:
        return pd.Timestamp(pd.to_datetime(str(value), format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise ParameterError(
            f"参数 {name} = {value!r}：应为 YYYY-MM-DD 格式的日期 / must be a date YYYY-MM-DD"
        ) from None


def month_range(start: str, end: str) -> tuple[str, str]:
    """``(start, end)`` if both are months (or empty) and ``start`` is not after ``end``."""
    month("start", start, allow_empty=True)
    month("end", end, allow_empty=True)
    if start and end and start > end:
        raise ParameterError(f"参数 start = {start!r} 晚于 end = {end!r} / start must not be after end")
    return start, end


def choice(name: str, value, choices: Iterable) -> object:
    """``value`` if it is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise ParameterError(
            f"参数 {name} = {value!r}：可选 {', '.join(map(str, choices))} / must be one of these"
        )
    return value


def integer(name: str, value, *, minimum: int | None = None) -> int:
    """``value`` as an int (``minimum`` inclusive)."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).lstrip("-").isdigit():
        raise ParameterError(f"参数 {name} = {value!r}：应为整数 / must be an integer")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ParameterError(f"参数 {name} = {value!r}：应不小于 {minimum} / must be at least {minimum}")
    return number


def world(data_dir, community: str = "") -> World:
    """The notebook's world: ``data_dir`` (``""`` = the settings default) seen for ``community``
    (``""`` = the directory's own community), which must be in the area panel — an unknown name is
    refused with the closest known ones."""
    opened = open_world(data_dir or None, community or None)
    known = sorted(opened.table("panel")["community"].astype(str).unique())
    if opened.community not in known:
        close = difflib.get_close_matches(opened.community, known, n=3, cutoff=0.4)
        hint = f"did you mean {'、'.join(close)}?" if close else f"known: {'、'.join(known[:5])} …"
        raise ParameterError(
            f"参数 community = {opened.community!r} 不在地区面板中 is not in the area panel; {hint}"
        )
    return opened


def rows_in_range(frame: pd.DataFrame, column: str, start: str, end: str, *, what: str) -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` (timestamps) falls in months ``start``..``end`` (either
    may be ``""`` = open); an empty result is refused, naming the range and the span the data cover."""
    months = frame[column].dt.strftime("%Y-%m")
    keep = pd.Series(True, index=frame.index)
    if start:
        keep &= months >= start
    if end:
        keep &= months <= end
    if not keep.any():
        span = f"{months.min()}..{months.max()}" if len(frame) else "无数据 none"
        raise ParameterError(
            f"参数 start..end = {start or '…'}..{end or '…'}：这段时间没有{what} / no {what} in this range; "
            f"the data cover {span}"
        )
    return frame.loc[keep]
