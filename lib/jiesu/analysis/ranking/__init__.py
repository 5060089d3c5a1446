"""诉求率排名: monthly 12345 request rates of every community in the area, their rank, and how sure
we can be of it.

The seed article's headline is a *rank*: 甘露园南里二社区 went from the area's top 5 by complaint rate
(投诉率) to its bottom 5.  Officials read such league tables every month; this module makes them
reproducible and adds what a league table usually hides, its uncertainty.

Definitions (all stated here once and used everywhere):

* **Rate** – requests (诉求量) per ``per`` units of exposure in a period: per 10,000 residents
  (``rate_basis="residents"``, the default) or per 1,000 households (``"households"``).
* **Rank** – 1 is the *highest* rate in the period.  Ties share the best rank of their block and the
  next rank is skipped (pandas ``method="min"``, "competition ranking" 1-2-2-4).  ``rank_from_bottom``
  ranks the other way with the same rule, so ``in_bottom5`` (``rank_from_bottom <= 5``) and
  ``in_top5`` (``rank <= 5``) both include ties at the boundary.  With ``n`` units and no ties,
  ``rank_from_bottom = n + 1 - rank``.
* **Percentile** – share of the period's units whose rate is at most this unit's rate, ×100 (100 = the
  highest rate; pandas ``rank(pct=True, method="max")``).
* **Rate CI** – exact Poisson (Garwood 1936) interval for the count, divided by exposure:
  ``[χ²(α/2; 2y)/2, χ²(1−α/2; 2y+2)/2]``, lower bound 0 when ``y = 0``.
* **Rank interval** – parametric simulation: each unit's rate is drawn from the Jeffreys posterior of
  a Poisson mean, ``Gamma(y + ½, 1) / exposure``, independently ``n_sim`` times; every draw is
  ranked and the central ``level`` interval of the simulated ranks is reported, with the
  probabilities of being in the top 5 and the bottom 5 (Goldstein & Spiegelhalter 1996, "League
  tables and their limitations", JRSS A 159:385; Marshall & Spiegelhalter 1998, BMJ 316:1701).
* **Rolling view** – ``window`` consecutive calendar months pooled: summed requests over summed
  exposure (a trailing window; a window with a missing month is not ranked).
* **Performance** – 响应率 = responded / requests, 解决率 = resolved / requests,
  满意率 = satisfied / rated (satisfied = 满意 + 基本满意), all 0–1; and a composite score 0–100,
  ``100 · Σ wᵢ·rateᵢ / Σ wᵢ`` with weights :data:`DEFAULT_WEIGHTS`.  Beijing's official weights for
  the 三率 assessment are not public: the defaults are an *assumption* (outcomes weighted above the
  process measure) and every function takes ``weights=`` so a user can substitute their own.
* **Milestones** – the first month in the bottom 5, and the first month from which the unit stays in
  the bottom 5 to the end of the data.  A single month's rank is noisy, so "stays" ignores exits
  that are within noise: with rank intervals, only a month whose whole 95% rank interval lies above
  the bottom 5 ends a stay; without them, an exit of at most ``max_gap`` consecutive months followed
  by a return does not (see :func:`milestones`).

Complaint volume is not need: a community that reports more is not necessarily worse off.  Rates
here describe reporting through 12345 and nothing else.
"""

# The public API, re-exported in the manner of networkx's algorithm packages: import from here.
from jiesu.analysis.ranking.changes import (
    league_view,
    movers,
    rate_change,
)
from jiesu.analysis.ranking.figures import (
    bump_figure,
    rate_figure,
    trajectories_figure,
)
from jiesu.analysis.ranking.intervals import (
    milestones,
    rank_claims,
    rank_intervals,
)
from jiesu.analysis.ranking.tables import (
    DEFAULT_WEIGHTS,
    PANEL_COUNTS,
    RATE_BASES,
    TOP,
    area_counts,
    area_ranks,
    competition_ranks,
    performance,
    period_ranks,
    rank_table,
    requests_by,
    requests_by_type,
)

__all__ = [
    "RATE_BASES",
    "DEFAULT_WEIGHTS",
    "TOP",
    "PANEL_COUNTS",
    "area_counts",
    "requests_by",
    "requests_by_type",
    "competition_ranks",
    "rank_table",
    "performance",
    "area_ranks",
    "period_ranks",
    "rank_intervals",
    "milestones",
    "rank_claims",
    "rate_change",
    "league_view",
    "movers",
    "bump_figure",
    "rate_figure",
    "trajectories_figure",
]
