"""What changed since the last period: rate changes with their exact test, who moved in or out of the top and bottom 5, and the condensed league table."""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.rates import test_poisson_2indep

from jiesu.analysis.ranking.tables import TOP


def rate_change(
    count: float, exposure: float, before_count: float, before_exposure: float, *, alpha: float = 0.05
) -> dict:
    """The relative change of a rate from a previous period, with an exact test that it is not noise.

    The two counts are taken as independent Poisson counts with the given exposures; the test is the
    exact conditional (binomial) test of equal rates (Przyborowski & Wilenski 1940; statsmodels
    ``test_poisson_2indep(method="exact-cond")``), two-sided.  On a community with 9–33 cases a
    month, a +180 % change can be noise; this says so.

    Returns ``change`` (rate / previous rate − 1; None when the previous rate is 0 or unknown),
    ``p_value`` and ``significant`` (p < ``alpha``).

    >>> rate_change(33, 5700, 9, 5700)["significant"], rate_change(12, 5700, 9, 5700)["significant"]
    (True, False)
    """
    if not (before_exposure > 0 and exposure > 0) or before_count <= 0:
        return {"change": None, "p_value": None, "significant": False}
    change = float((count / exposure) / (before_count / before_exposure) - 1)
    p = float(test_poisson_2indep(count, exposure, before_count, before_exposure, method="exact-cond").pvalue)
    return {"change": change, "p_value": p, "significant": bool(p < alpha)}


def league_view(
    table: pd.DataFrame, focus: str, *, unit: str = "community", top: int = TOP, neighbours: int = 1
) -> pd.DataFrame:
    """The condensed league table officials read: the top ``top``, the bottom ``top``, and the focus
    with ``neighbours`` units on each side of it, in rank order (``table``: one period of
    :func:`rank_table`, sorted by rank).  A ``gap`` column is True on the first row after skipped rows,
    so a page can show "…" there."""
    ordered = table.sort_values(["rank", unit], kind="stable").reset_index(drop=True)
    n = len(ordered)
    keep = set(range(min(top, n))) | set(range(max(n - top, 0), n))
    where = ordered.index[ordered[unit].astype(str) == str(focus)]
    if len(where):
        at = int(where[0])
        keep |= set(range(max(at - neighbours, 0), min(at + neighbours + 1, n)))
    rows = sorted(keep)
    out = ordered.loc[rows].copy()
    out["gap"] = [i > 0 and rows[i] != rows[i - 1] + 1 for i in range(len(rows))]
    return out.reset_index(drop=True)


def movers(now: pd.DataFrame, before: pd.DataFrame, *, unit: str = "community") -> dict[str, list[str]]:
    """Who moved into or out of the top and bottom groups between two periods of :func:`rank_table`
    (``before`` the earlier one): ``entered_top5``, ``left_top5``, ``entered_bottom5``,
    ``left_bottom5`` (unit names, sorted)."""

    def members(table: pd.DataFrame, flag: str) -> set[str]:
        return set(table.loc[table[flag].astype(bool), unit].astype(str))

    out = {}
    for group in ("top5", "bottom5"):
        was, now_in = members(before, f"in_{group}"), members(now, f"in_{group}")
        out[f"entered_{group}"] = sorted(now_in - was)
        out[f"left_{group}"] = sorted(was - now_in)
    return out
