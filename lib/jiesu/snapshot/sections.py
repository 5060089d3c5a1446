"""Everything a report section needs from one world: rank, coverage, network and interception loaders."""

from __future__ import annotations

import pandas as pd

from jiesu.analysis.chats import chat_issues
from jiesu.analysis.network.centrality import broker_table, network_nmi, node_metrics
from jiesu.analysis.network.figures import aggregate_figure, aggregate_graph, nmi_figure
from jiesu.analysis.network.graph import (
    REPLY_WINDOW_MINUTES,
    as_of_tables,
    build_graph,
    graph_summary,
    person_projection,
)
from jiesu.analysis.network.reach import complainant_linkage, group_reach, team_responsiveness
from jiesu.analysis.ranking import (
    RATE_BASES,
    area_counts,
    area_ranks,
    bump_figure,
    league_view,
    movers,
    rank_intervals,
    rate_change,
    trajectories_figure,
)
from jiesu.analysis.registry import (
    COLOR_OPTIONS,
    complaints_per_household,
    coverage_by_building,
    coverage_summary,
    outreach_list,
    registry_map,
)
from jiesu.months import shift_month
from jiesu.privacy import suppress_small
from jiesu.snapshot.chats import interception_by_month
from jiesu.snapshot.world import World

GRAPH_TABLES = ("households", "residents", "friends", "teams", "groups", "memberships", "messages")


def load_tables(
    world: World, *, as_of=None, names: tuple[str, ...] = GRAPH_TABLES
) -> dict[str, pd.DataFrame]:
    """Processed tables ``names`` of ``world``, cut at ``as_of`` (:func:`as_of_tables`)."""
    return as_of_tables({name: world.table(name) for name in names}, as_of)


def report_network(
    world: World,
    *,
    as_of=None,
    seed: int = 0,
    betweenness_sources: int | None = 300,
    top: int = 10,
    reply_window_minutes: float = REPLY_WINDOW_MINUTES,
) -> dict:
    """Everything a report shows about the resident network, from the processed tables in ``data``.

    Parameters
    ----------
    as_of : cut the tables at the end of this day (:func:`as_of_tables`); None = all data.
    betweenness_sources : sampled sources for betweenness (None = exact; exact takes minutes on the
        ~580k-edge projection of the full world, 300 sources about 12 s with the same top 20 ± 1).

    Returns
    -------
    dict with ``summary`` (:func:`graph_summary`), ``brokers`` (top ``top`` of :func:`broker_table`),
    ``resident_brokers`` (the same for residents in no team), ``nmi`` (:func:`network_nmi`),
    ``group_reach`` (vulnerable-household counts under 5 suppressed), ``responsiveness`` (the
    ``by_category`` table of :func:`team_responsiveness`), ``complainants`` (counts: ``linked``,
    ``repeat``, ``outside_reach_households``, ``outside_reach_cases``), ``aggregate_figure`` and
    ``nmi_figure`` (titles say 模拟数据 for synthetic data).
    """
    tables = load_tables(world, as_of=as_of, names=(*GRAPH_TABLES, "cases"))
    cases = tables.pop("cases")
    graph = build_graph(**tables, reply_window_minutes=reply_window_minutes)
    people = person_projection(graph)
    metrics = node_metrics(
        people,
        seed=seed,
        k=betweenness_sources
        if betweenness_sources and betweenness_sources < people.number_of_nodes()
        else None,
    )
    nmi = network_nmi(graph, metrics.set_index("node")["community"])
    tag = world.tag
    linked = complainant_linkage(
        cases, tables["households"], tables["friends"], tables["memberships"], tables["groups"]
    )
    outside = linked.loc[linked["outside_reach"]]
    reach = group_reach(
        tables["groups"], tables["memberships"], tables["friends"], tables["households"], tables["messages"]
    )
    return {
        "summary": graph_summary(graph),
        "brokers": broker_table(metrics, graph, tables["teams"], top=top),
        "resident_brokers": broker_table(metrics, graph, tables["teams"], top=top, residents_only=True),
        "nmi": nmi,
        "group_reach": suppress_small(reach, ["vulnerable_households"]),
        "responsiveness": team_responsiveness(chat_issues(tables["messages"]), tables["teams"])[
            "by_category"
        ],
        "complainants": {
            "linked": len(linked),
            "repeat": int(linked["repeat"].sum()),
            "outside_reach_households": int(outside["household_id"].nunique()),
            "outside_reach_cases": int(outside["cases"].sum()),
        },
        "aggregate_figure": aggregate_figure(
            aggregate_graph(graph), title=f"园园的网络：群、楼栋、队伍{tag}"
        ),
        "nmi_figure": nmi_figure(nmi, title=f"Louvain 社群与楼栋、群类别的一致性 NMI{tag}"),
    }


def report_coverage(
    world: World,
    *,
    color_by: str = "coverage",
    start=None,
    end=None,
    as_of=None,
) -> dict:
    """Everything the report shows about 园园's reach in ``world`` (a cut world counts only the friends
    added by its :attr:`~jiesu.snapshot.world.World.as_of` month).

    ``as_of`` (a date, for notebooks) cuts further: only friends added by the end of that day, and
    the complaint period ends there unless ``end`` is given.

    Returns
    -------
    dict with ``friends`` (count), ``household_coverage`` and ``resident_coverage`` (0–1),
    ``uncovered_vulnerable`` (int), ``outreach`` (DataFrame, :func:`outreach_list`), ``by_building``
    (DataFrame, :func:`coverage_by_building`, resident counts under 5 suppressed) and ``map_figure``
    (the 一张图 coloured by ``color_by``; complaints counted in ``[start, end)``).
    """
    households = world.table("households")
    residents = world.table("residents")
    friends = world.table("friends")
    if as_of not in (None, ""):
        cutoff = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
        friends = friends.loc[pd.to_datetime(friends["added"]) < cutoff]
        end = end if end is not None else cutoff
    complaints = None
    if color_by == "complaints":
        complaints = complaints_per_household(world.table("cases"), start=start, end=end)
    summary = coverage_summary(households, residents, friends)
    figure = registry_map(
        households,
        color_by,
        friends=friends,
        complaints=complaints,
        title=f"一张图：按{COLOR_OPTIONS[color_by]}着色{world.tag}",
    )
    by_building = suppress_small(
        coverage_by_building(households, residents, friends), ["residents", "residents_covered"]
    )
    return {
        "friends": len(friends),
        "household_coverage": summary["household_coverage"],
        "resident_coverage": summary["resident_coverage"],
        "uncovered_vulnerable": summary["uncovered_vulnerable"],
        "outreach": outreach_list(households, friends),
        "by_building": by_building,
        "map_figure": figure,
    }


def _change_on(counts: pd.DataFrame, community: str, month: str, months_back: int, exposure: str) -> dict:
    """:func:`rate_change` of ``community``'s rate in ``month`` against ``months_back`` months earlier
    (``counts``: :func:`area_counts` indexed by community and month)."""
    before = shift_month(month, -months_back)
    if (community, before) not in counts.index:
        return {"change": None, "p_value": None, "significant": False}
    now, then = counts.loc[(community, month)], counts.loc[(community, before)]
    return rate_change(now["requests"], now[exposure], then["requests"], then[exposure])


LEAGUE_COLUMNS = [
    "rank",
    "community",
    "requests",
    "rate",
    "rate_lo",
    "rate_hi",
    "rank_lo",
    "rank_hi",
    "percentile",
    "in_top5",
    "in_bottom5",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "composite",
]
"""Columns of the league table a report shows and offers for download."""


def report_rank(
    world: World,
    community: str | None = None,
    month: str | None = None,
    *,
    rate_basis: str = "residents",
    n_sim: int = 1000,
    seed: int = 0,
    weights: dict[str, float] | None = None,
    history_months: int = 24,
) -> dict:
    """Everything a monthly report says about one community's rank in one month.

    Parameters
    ----------
    world : the world; read only up to ``month`` (the panel of later months is never looked at).
    community : the community reported on (default: the world's).
    month : ``YYYY-MM`` (default: the last month of the panel).
    rate_basis, n_sim, seed, weights : see :func:`area_ranks`, :func:`rank_intervals`, :func:`performance`.
    history_months : months shown by the bump chart, ending with ``month``.

    Returns
    -------
    dict with ``requests`` (int), ``rate_per_10k`` (per ``rate_basis``), ``rate_ci`` (lo, hi),
    ``mom``/``yoy`` (:func:`rate_change` against the previous month / the same month a year before:
    ``change``, ``p_value``, ``significant``), ``mom_change``/``yoy_change`` (the changes alone),
    ``rank``, ``rank_interval`` (lo, hi), ``n_communities``, ``response_rate``, ``resolution_rate``,
    ``satisfaction_rate``, ``composite``, ``rated`` (cases rated by callers that month), ``in_top5``,
    ``in_bottom5``, ``bump_figure`` (plotly Figure, the focus's rank interval as a band), ``table``
    (the full league table that month, sorted by rank) and ``league`` (:func:`league_view`: top 5,
    bottom 5 and the community with its neighbours).
    """
    community = community or world.community
    panel = world.table("panel")
    if month:
        panel = panel.loc[panel["month"].astype(str) <= month]
    table = area_ranks(panel, rate_basis=rate_basis, weights=weights)
    if table.empty:
        raise ValueError(f"the panel has no months up to {month}")
    month = month or table["month"].max()
    if month not in set(table["month"]):
        raise ValueError(f"month {month} not in the panel ({table['month'].min()}..{table['month'].max()})")
    rows = table.loc[table["community"] == community].set_index("month")
    if month not in rows.index:
        raise ValueError(f"{community} has no panel rows for {month}")
    this_month = rank_intervals(table.loc[table["month"] == month], n_sim=n_sim, seed=seed)
    row = this_month.set_index("community").loc[community]
    history = table.loc[(table["month"] > shift_month(month, -history_months)) & (table["month"] <= month)]
    history = rank_intervals(history, n_sim=n_sim, seed=seed, only=[community])
    counts = area_counts(panel).set_index(["community", "month"])

    def number(value) -> float | None:
        return None if pd.isna(value) else float(value)

    mom = _change_on(counts, community, month, 1, RATE_BASES[rate_basis][0])
    yoy = _change_on(counts, community, month, 12, RATE_BASES[rate_basis][0])
    ordered = this_month[LEAGUE_COLUMNS].sort_values(["rank", "community"]).reset_index(drop=True)
    return {
        "requests": int(row["requests"]),
        "rate_per_10k": float(row["rate"]),
        "rate_ci": (float(row["rate_lo"]), float(row["rate_hi"])),
        "mom": mom,
        "yoy": yoy,
        "mom_change": mom["change"],
        "yoy_change": yoy["change"],
        "rank": int(row["rank"]),
        "rank_interval": (int(row["rank_lo"]), int(row["rank_hi"])),
        "n_communities": int(row["n_units"]),
        "response_rate": number(row["response_rate"]),
        "resolution_rate": number(row["resolution_rate"]),
        "satisfaction_rate": number(row["satisfaction_rate"]),
        "composite": number(row["composite"]),
        "rated": int(counts.loc[(community, month), "rated"]),
        "in_top5": bool(row["in_top5"]),
        "in_bottom5": bool(row["in_bottom5"]),
        "bump_figure": bump_figure(history, community, synthetic=world.synthetic),
        "table": ordered,
        "league": league_view(ordered, community),
    }


def chat_interception(world: World) -> pd.DataFrame:
    """Monthly interception of ``world``'s chats: issues raised with staff in the groups that were
    closed there and never reached 12345 (:func:`jiesu.snapshot.chats.interception_by_month`)."""
    return interception_by_month(world)


OVERVIEW_COLUMNS = [
    "rank",
    "community",
    "requests",
    "rate",
    "rate_lo",
    "rate_hi",
    "rank_lo",
    "rank_hi",
    "previous_rank",
    "change",
    "change_p",
    "change_significant",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "composite",
    "in_top5",
    "in_bottom5",
]
"""Columns of the area overview's table, one row per community."""


def area_overview(
    world: World,
    month: str,
    *,
    rate_basis: str = "residents",
    n_sim: int = 1000,
    seed: int = 0,
    history_months: int = 24,
) -> dict:
    """Every community of the area in ``month``, for the 地区 official: the same rates, exact
    intervals, simulated rank intervals, 三率 and exact change tests as each community's own report.

    Returns ``table`` (:data:`OVERVIEW_COLUMNS`, sorted by rank; ``change`` is the rate's change on the
    previous month and ``change_significant`` its exact test), ``movers`` (who entered or left the top
    and bottom 5, :func:`movers`), ``n_communities`` and ``figure`` (small multiples of the last
    ``history_months`` months).  Reads only panel months up to ``month``.
    """
    panel = world.table("panel")
    panel = panel.loc[panel["month"].astype(str) <= month]
    table = area_ranks(panel, rate_basis=rate_basis)
    now = rank_intervals(table.loc[table["month"] == month], n_sim=n_sim, seed=seed)
    if now.empty:
        raise ValueError(f"the panel has no rows for {month}")
    before = table.loc[table["month"] == shift_month(month, -1)]
    exposure = RATE_BASES[rate_basis][0]
    counts = area_counts(panel).set_index(["community", "month"])
    changes = [_change_on(counts, name, month, 1, exposure) for name in now["community"]]
    now = now.assign(
        previous_rank=now["community"].map(before.set_index("community")["rank"]).astype("Int64"),
        change=[c["change"] for c in changes],
        change_p=[c["p_value"] for c in changes],
        change_significant=[c["significant"] for c in changes],
    )
    history = table.loc[(table["month"] > shift_month(month, -history_months)) & (table["month"] <= month)]
    return {
        "month": month,
        "table": now[OVERVIEW_COLUMNS].sort_values(["rank", "community"]).reset_index(drop=True),
        "movers": movers(now, before),
        "n_communities": int(now["n_units"].iloc[0]),
        "figure": trajectories_figure(history, synthetic=world.synthetic),
    }
