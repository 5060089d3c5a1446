"""The resident social network woven around 园园 and the six backbone teams.

One heterogeneous, weighted, undirected networkx graph holds the community as the seed article
describes it: residents, their households, 园园's categorized WeChat groups, the backbone teams and
园园 herself. A **person projection** keeps only people, linked by shared groups and chat
interactions; on it we measure brokers (betweenness, degree, eigenvector) and Louvain communities.

Node keys carry a prefix so kinds never collide:

========  =====================  ===========================================================
prefix    kind                   from
========  =====================  ===========================================================
``YY``    ``yuanyuan``           园园 (one node)
``R:``    ``resident``           ``residents.resident_id`` (a WeChat member linked to a resident)
``M:``    ``member``             a WeChat ``member_id`` not linked to a resident (e.g. staff)
``H:``    ``household``          ``households.household_id``
``G:``    ``group``              ``groups.group_id``
``T:``    ``team``               ``teams.team_code``
========  =====================  ===========================================================

Edge kinds and weights (an edge that arises in several ways adds its weights; the per-kind counts
stay on the edge as attributes): ``household`` (resident–household, 1), ``membership`` (person–group,
1), ``friend`` (园园–person, 1), ``team`` (person–team, 1), ``mentions`` (one per @mention between
two people) and ``replies`` (one per message that follows another person's message in the same group
within the reply window, stated in minutes, and carries no @mention of its own).

Shortest-path measures treat a weight as a tie *strength*, so path length uses ``distance = 1 /
weight`` (Brandes 2001, "A faster algorithm for betweenness centrality", weighted variant; Newman 2001).
Exact betweenness on the full-world projection is computed with igraph (same algorithm as networkx,
compiled); :func:`betweenness` can also run networkx, exactly or on ``k`` sampled sources with a
fixed seed, and the tests check that the engines agree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import scipy.sparse as sp

from jiesu.categories import CATEGORIES, GROUP_KINDS, TEAMS
from jiesu.settings import Paths

YUANYUAN = "YY"
"""Node key of 园园."""

REPLY_WINDOW_MINUTES = 30
"""Default reply window: a message within this many minutes after another person's message in the same
group counts as a reply to it (when it carries no @mention)."""

ME_TOO_PATTERN = r"^\s*(?:\+1|＋1|同问|同样|我家也|我们家也|我们(?:这边|单元|楼|这)也|楼上也|楼下也|好几家|不止一家|一样的问题)"
"""A chat message that opens with a me-too cue (+1, 同问, 我家也是 …) joins an existing report."""

STAFF_REPLY_HOURS = (2, 24)
"""Response-time thresholds reported for team responsiveness (hours)."""

EDGE_KINDS = ("household", "membership", "friend", "team", "mentions", "replies")


# ---------------------------------------------------------------------------------------------
# people: who is who across tables
# ---------------------------------------------------------------------------------------------


def person_keys(
    friends: pd.DataFrame, teams: pd.DataFrame | None = None, *, yuanyuan_ids: Iterable[str] = ()
) -> pd.Series:
    """Map each known WeChat ``member_id`` to its person node key.

    A member linked to a resident (``friends.resident_id``) becomes ``R:<resident_id>``; any other
    member becomes ``M:<member_id>``; the ids in ``yuanyuan_ids`` (园园's own account) become ``YY``.
    Members that appear only in memberships or messages are keyed on the fly by :func:`to_person`.

    Returns a Series ``member_id → node key``.
    """
    linked = friends.dropna(subset=["member_id"]).drop_duplicates("member_id")
    keys = pd.Series(
        np.where(
            linked["resident_id"].notna(),
            "R:" + linked["resident_id"].astype(str),
            "M:" + linked["member_id"].astype(str),
        ),
        index=linked["member_id"].astype(str).to_numpy(),
        dtype="str",
    )
    if teams is not None and len(teams):
        extra = teams.loc[~teams["member_id"].astype(str).isin(keys.index), "member_id"].dropna().astype(str)
        extra = extra.drop_duplicates()
        keys = pd.concat([keys, pd.Series("M:" + extra.to_numpy(), index=extra.to_numpy(), dtype="str")])
    for yid in yuanyuan_ids:
        keys.loc[str(yid)] = YUANYUAN
    return keys


def to_person(member_ids: pd.Series, keys: pd.Series) -> pd.Series:
    """Person node key of each member id (``M:<id>`` for members absent from ``keys``)."""
    ids = member_ids.astype(str)
    return ids.map(keys).fillna("M:" + ids).astype("str")


def yuanyuan_member_ids(
    messages: pd.DataFrame, friends: pd.DataFrame, teams: pd.DataFrame | None = None
) -> list[str]:
    """园园's own member id(s).

    Ingest keys 园园's account like any other member. The team roster names her role (a ``role``
    containing 园园, e.g. 虚拟社工（园园）); without such a row, 园园 is the sender who is in no ``friends``
    row (she cannot befriend herself) and posts in the largest number of groups, if that is at least
    half of them; otherwise returns ``[]``.
    """
    if teams is not None and len(teams):
        listed = teams.loc[
            teams["role"].astype("str").str.contains("园园", regex=False).fillna(False), "member_id"
        ]
        if len(listed):
            return sorted(set(listed.dropna().astype(str)))
    if messages.empty:
        return []
    friend_ids = set(friends["member_id"].dropna().astype(str))
    reach = messages.groupby("sender_id")["group_id"].nunique()
    reach = reach.loc[~reach.index.astype(str).isin(friend_ids)]
    if reach.empty:
        return []
    best = reach.sort_values(ascending=False, kind="stable")
    n_groups = messages["group_id"].nunique()
    return [str(best.index[0])] if best.iloc[0] >= max(2, n_groups / 2) else []


# ---------------------------------------------------------------------------------------------
# chat interactions
# ---------------------------------------------------------------------------------------------


def chat_interactions(
    messages: pd.DataFrame, *, reply_window_minutes: float = REPLY_WINDOW_MINUTES
) -> pd.DataFrame:
    """Directed person-to-person interactions found in group chats.

    * ``mention``: the sender @mentions a member (``messages.mentions``, ``;``-joined member ids);
    * ``reply``: a message that carries no @mention and follows, within ``reply_window_minutes``, a
      message by a *different* sender in the same group is taken as a reply to that sender (the
      usual adjacency heuristic for threadless group chats). 系统 messages are ignored.

    Returns
    -------
    DataFrame ``source_id``, ``target_id`` (member ids), ``kind`` (``mention``/``reply``), ``count``,
    aggregated over all messages and sorted.
    """
    cols = ["source_id", "target_id", "kind", "count"]
    msgs = messages.loc[
        messages["msg_type"].astype(str) != "系统", ["group_id", "sender_id", "sent_at", "mentions"]
    ].copy()
    if msgs.empty:
        return pd.DataFrame(columns=cols)
    msgs["sent_at"] = pd.to_datetime(msgs["sent_at"])
    msgs["mentions"] = msgs["mentions"].fillna("").astype(str)
    msgs = msgs.sort_values(["group_id", "sent_at"], kind="stable")

    has_mention = msgs["mentions"].str.len() > 0
    mentioned = (
        msgs.loc[has_mention, ["sender_id", "mentions"]]
        .assign(target_id=lambda f: f["mentions"].str.split(";"))
        .explode("target_id")
    )
    mentioned = mentioned.loc[
        (mentioned["target_id"] != "") & (mentioned["target_id"] != mentioned["sender_id"])
    ]
    mention_rows = pd.DataFrame(
        {
            "source_id": mentioned["sender_id"].astype(str),
            "target_id": mentioned["target_id"].astype(str),
            "kind": "mention",
        }
    )

    previous_sender = msgs.groupby("group_id")["sender_id"].shift(1)
    gap = msgs["sent_at"] - msgs.groupby("group_id")["sent_at"].shift(1)
    is_reply = (
        ~has_mention
        & previous_sender.notna()
        & (previous_sender != msgs["sender_id"])
        & (gap <= pd.Timedelta(minutes=reply_window_minutes))
    )
    reply_rows = pd.DataFrame(
        {
            "source_id": msgs.loc[is_reply, "sender_id"].astype(str),
            "target_id": previous_sender[is_reply].astype(str),
            "kind": "reply",
        }
    )
    rows = pd.concat([mention_rows, reply_rows], ignore_index=True)
    if rows.empty:
        return pd.DataFrame(columns=cols)
    out = rows.groupby(["source_id", "target_id", "kind"], sort=True).size().rename("count").reset_index()
    out["count"] = out["count"].astype(int)
    return out


# ---------------------------------------------------------------------------------------------
# the heterogeneous graph
# ---------------------------------------------------------------------------------------------


def _add_edge(graph: nx.Graph, u: str, v: str, kind: str, weight: float = 1.0) -> None:
    if u == v:
        return
    if graph.has_edge(u, v):
        data = graph[u][v]
        data["weight"] += weight
        data[kind] = data.get(kind, 0) + weight
    else:
        graph.add_edge(u, v, weight=weight, **{kind: weight})


def build_graph(
    *,
    households: pd.DataFrame,
    residents: pd.DataFrame,
    friends: pd.DataFrame,
    teams: pd.DataFrame,
    groups: pd.DataFrame,
    memberships: pd.DataFrame,
    messages: pd.DataFrame | None = None,
    reply_window_minutes: float = REPLY_WINDOW_MINUTES,
    yuanyuan_ids: Iterable[str] | None = None,
) -> nx.Graph:
    """The community graph: residents, households, groups, teams and 园园, with weighted edges.

    Parameters
    ----------
    households, residents, friends, teams, groups, memberships, messages : processed tables.
    reply_window_minutes : reply window of :func:`chat_interactions` (minutes).
    yuanyuan_ids : 园园's own member id(s); default: :func:`yuanyuan_member_ids`.

    Returns
    -------
    ``nx.Graph``; nodes carry ``kind`` (and ``building`` for households/residents, ``kind_zh`` and
    ``name`` for groups, ``name`` for teams); edges carry ``weight`` plus per-kind counts.
    """
    messages = (
        messages
        if messages is not None
        else pd.DataFrame(columns=["group_id", "sender_id", "sent_at", "msg_type", "mentions"])
    )
    if yuanyuan_ids is None:
        yuanyuan_ids = yuanyuan_member_ids(messages, friends, teams)
    keys = person_keys(friends, teams, yuanyuan_ids=yuanyuan_ids)
    graph = nx.Graph()
    graph.add_node(YUANYUAN, kind="yuanyuan", label="园园")
    building_of = households.set_index("household_id")["building"]
    for hid, building in building_of.items():
        graph.add_node(f"H:{hid}", kind="household", building=int(building))
    for row in residents[["resident_id", "household_id"]].itertuples(index=False):
        node = f"R:{row.resident_id}"
        building = building_of.get(row.household_id)
        graph.add_node(node, kind="resident", building=int(building) if pd.notna(building) else None)
        if pd.notna(row.household_id):
            if f"H:{row.household_id}" not in graph:
                graph.add_node(f"H:{row.household_id}", kind="household", building=None)
            _add_edge(graph, node, f"H:{row.household_id}", "household")
    for row in groups.itertuples(index=False):
        building = row.building if pd.notna(row.building) else None
        graph.add_node(
            f"G:{row.group_id}",
            kind="group",
            name=str(row.group_name),
            kind_zh=str(row.kind),
            building=int(building) if building is not None else None,
        )
    for code in sorted(teams["team_code"].dropna().unique()) if len(teams) else []:
        graph.add_node(f"T:{code}", kind="team", name=TEAMS.get(code, code))

    def person_node(node: str) -> str:
        if node not in graph:
            graph.add_node(node, kind="member" if node.startswith("M:") else "resident", building=None)
        return node

    for member in to_person(friends["member_id"].dropna(), keys):
        if member != YUANYUAN:
            _add_edge(graph, YUANYUAN, person_node(member), "friend")
    if len(teams):
        team_people = to_person(teams["member_id"], keys)
        for person, code in zip(team_people, teams["team_code"].astype(str), strict=True):
            if person != YUANYUAN:
                _add_edge(graph, person_node(person), f"T:{code}", "team")
    member_people = to_person(memberships["member_id"], keys)
    for person, gid in zip(member_people, memberships["group_id"].astype(str), strict=True):
        if f"G:{gid}" not in graph:
            graph.add_node(f"G:{gid}", kind="group", name=gid, kind_zh=None, building=None)
        _add_edge(graph, person_node(person), f"G:{gid}", "membership")
    interactions = chat_interactions(messages, reply_window_minutes=reply_window_minutes)
    if len(interactions):
        sources = to_person(interactions["source_id"], keys)
        targets = to_person(interactions["target_id"], keys)
        kinds = interactions["kind"].map({"mention": "mentions", "reply": "replies"})
        for s, t, k, c in zip(sources, targets, kinds, interactions["count"], strict=True):
            _add_edge(graph, person_node(s), person_node(t), k, float(c))
    return graph


def graph_summary(graph: nx.Graph) -> dict:
    """Counts of nodes per kind and edges per kind (an edge counts once for every kind it carries)."""
    nodes = pd.Series([d.get("kind") for _, d in graph.nodes(data=True)]).value_counts()
    edges = {kind: sum(1 for *_, d in graph.edges(data=True) if kind in d) for kind in EDGE_KINDS}
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        **{f"nodes_{k}": int(v) for k, v in sorted(nodes.items())},
        **{f"edges_{k}": v for k, v in edges.items()},
    }


# ---------------------------------------------------------------------------------------------
# projections
# ---------------------------------------------------------------------------------------------


def membership_projection(persons: pd.Series, groups: pd.Series) -> nx.Graph:
    """Person projection of a person × group list: persons linked by the number of groups they share.

    Parameters
    ----------
    persons, groups : aligned Series (one membership per position); duplicates count once.

    Returns
    -------
    ``nx.Graph`` on every person (also those sharing no group), edge ``weight`` = shared groups
    (also stored as ``shared_groups``); node attribute ``groups`` = number of groups joined.
    Computed as the off-diagonal of ``B Bᵀ`` for the sparse incidence matrix ``B``.
    """
    pairs = pd.DataFrame(
        {"p": persons.astype(str).to_numpy(), "g": groups.astype(str).to_numpy()}
    ).drop_duplicates()
    person_codes, person_index = pd.factorize(pairs["p"], sort=True)
    group_codes, _ = pd.factorize(pairs["g"], sort=True)
    incidence = sp.csr_matrix(
        (np.ones(len(pairs)), (person_codes, group_codes)),
        shape=(len(person_index), int(group_codes.max()) + 1 if len(pairs) else 0),
    )
    shared = sp.triu(incidence @ incidence.T, k=1).tocoo()
    graph = nx.Graph()
    joined = np.asarray(incidence.sum(axis=1)).ravel()
    graph.add_nodes_from((str(p), {"groups": int(n)}) for p, n in zip(person_index, joined, strict=True))
    names = [str(p) for p in person_index]  # plain list: indexing an Arrow-backed Index is slow
    graph.add_edges_from(
        (names[i], names[j], {"weight": float(w), "shared_groups": int(w)})
        for i, j, w in zip(shared.row.tolist(), shared.col.tolist(), shared.data.tolist(), strict=True)
    )
    return graph


def person_projection(
    graph: nx.Graph, *, include_yuanyuan: bool = False, keep_isolates: bool = False
) -> nx.Graph:
    """People only (``resident``/``member`` nodes): weight = shared groups + chat interactions.

    Parameters
    ----------
    graph : from :func:`build_graph`.
    include_yuanyuan : keep 园园 (she is in every group and would be everyone's broker; off by default,
        since the question is who *besides* 园园 holds the network together).
    keep_isolates : keep people with no tie (residents known only from the registry, not on WeChat).

    Returns
    -------
    ``nx.Graph`` on people, edges with ``weight``, ``shared_groups``, ``interactions``; node attributes
    copied from ``graph``.
    """
    person_kinds = {"resident", "member"} | ({"yuanyuan"} if include_yuanyuan else set())
    people = [n for n, d in graph.nodes(data=True) if d.get("kind") in person_kinds]
    group_of = [(p, g) for p in people for g in graph.neighbors(p) if graph.nodes[g].get("kind") == "group"]
    if group_of:
        persons, groups = zip(*group_of, strict=True)
        projection = membership_projection(pd.Series(persons), pd.Series(groups))
    else:
        projection = nx.Graph()
    projection.add_nodes_from(people)
    for node in people:
        projection.nodes[node].update(graph.nodes[node])
        projection.nodes[node].setdefault("groups", 0)
    for *_, data in projection.edges(data=True):
        data["interactions"] = 0.0
    person_set = set(people)
    for u, v, data in graph.edges(data=True):
        count = data.get("mentions", 0) + data.get("replies", 0)
        if count and u in person_set and v in person_set:
            if projection.has_edge(u, v):
                projection[u][v]["interactions"] += count
                projection[u][v]["weight"] += count
            else:
                projection.add_edge(u, v, weight=float(count), shared_groups=0, interactions=float(count))
    if not keep_isolates:
        projection.remove_nodes_from([n for n in people if projection.degree(n) == 0])
    return projection


# ---------------------------------------------------------------------------------------------
# centralities and communities
# ---------------------------------------------------------------------------------------------


def _to_igraph(graph: nx.Graph, weight: str | None):
    import igraph as ig

    nodes = list(graph.nodes())
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in graph.edges()]
    g = ig.Graph(n=len(nodes), edges=edges, directed=False)
    g.vs["name"] = nodes
    g.es["weight"] = (
        [float(d.get(weight, 1.0)) for *_, d in graph.edges(data=True)] if weight else [1.0] * len(edges)
    )
    return g, nodes


def _betweenness_igraph(g, *, weighted: bool, k: int | None, seed: int) -> pd.Series:
    n = g.vcount()
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    distances = [1.0 / w for w in g.es["weight"]] if weighted else None
    if k is None or k == n:
        raw = np.asarray(g.betweenness(directed=False, weights=distances), dtype=float)
    else:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False)).tolist()
        # igraph's subset betweenness on an undirected graph is half the sum over (source, any target)
        # pairs, exactly like the full count when every node is a source: scale by n / k
        raw = (
            np.asarray(g.betweenness(directed=False, weights=distances, sources=sources), dtype=float) * n / k
        )
    return pd.Series(raw * scale, index=g.vs["name"], name="betweenness")


def _eigenvector_igraph(g, *, weighted: bool) -> pd.Series:
    giant = g.connected_components().giant()
    if giant.vcount() < 3:
        values = pd.Series(1.0, index=giant.vs["name"])
    else:
        values = pd.Series(
            giant.eigenvector_centrality(scale=True, weights="weight" if weighted else None),
            index=giant.vs["name"],
        )
    values = values.reindex(g.vs["name"]).fillna(0.0).rename("eigenvector")
    return values / values.max() if values.max() > 0 else values


def _louvain_igraph(g, *, weighted: bool, seed: int, resolution: float) -> list[set]:
    import random

    import igraph as ig

    ig.set_random_number_generator(random.Random(seed))
    try:
        membership = g.community_multilevel(
            weights="weight" if weighted else None, resolution=resolution
        ).membership
    finally:
        ig.set_random_number_generator(random)
    parts: list[set] = [set() for _ in range(max(membership) + 1 if membership else 0)]
    for node, label in zip(g.vs["name"], membership, strict=True):
        parts[label].add(node)
    return parts


def _community_labels(parts: Iterable[set], nodes: list) -> pd.Series:
    parts = sorted((p for p in parts if p), key=lambda c: (-len(c), min(map(str, c))))
    labels = {node: i for i, part in enumerate(parts) for node in part}
    return pd.Series(labels, name="community", dtype="Int64").reindex(nodes)


def betweenness(
    graph: nx.Graph,
    *,
    weight: str | None = "weight",
    engine: str = "igraph",
    k: int | None = None,
    seed: int = 0,
) -> pd.Series:
    """Normalized shortest-path betweenness of every node (Brandes 2001), path length = 1 / ``weight``.

    Parameters
    ----------
    weight : edge attribute holding tie strength (``None``: unweighted, every edge length 1).
    engine : ``"igraph"`` (compiled) or ``"networkx"``; both give the same exact values.
    k : estimate from ``k`` source nodes drawn with ``seed`` (Brandes & Pich 2007, scaled by n/k);
        ``None`` = exact. igraph draws the sources with a numpy Generator, networkx with its own sampler,
        so the two estimates differ in detail; both converge to the exact value as ``k`` → n.

    Returns
    -------
    Series indexed by node, normalized like networkx (``÷ (n-1)(n-2)/2`` for undirected graphs), 0–1.
    """
    n = graph.number_of_nodes()
    if n == 0:
        return pd.Series(dtype=float)
    if k is not None and not 0 < k <= n:
        raise ValueError(f"k must be between 1 and the number of nodes ({n}), got {k}")
    if engine == "igraph":
        g, _ = _to_igraph(graph, weight)
        return _betweenness_igraph(g, weighted=bool(weight), k=k, seed=seed)
    if engine == "networkx":
        distance = None
        work = graph
        if weight:
            work = nx.Graph()
            work.add_nodes_from(graph.nodes())
            work.add_weighted_edges_from(
                ((u, v, 1.0 / d.get(weight, 1.0)) for u, v, d in graph.edges(data=True)), weight="distance"
            )
            distance = "distance"
        values = nx.betweenness_centrality(work, k=k, weight=distance, normalized=True, seed=seed)
        return pd.Series(values, name="betweenness").reindex(list(graph.nodes()))
    raise ValueError(f"engine must be 'igraph' or 'networkx', got {engine!r}")


def betweenness_agreement(exact: pd.Series, estimate: pd.Series, *, top: int = 20) -> dict:
    """How well an estimate (e.g. sampled networkx) matches exact betweenness.

    Returns ``{"spearman": rank correlation, "top_overlap": share of the exact top-``top`` nodes that are
    also in the estimate's top ``top``, "max_abs_diff": largest absolute difference}``.
    """
    both = pd.concat([exact.rename("a"), estimate.rename("b")], axis=1).dropna()
    top_a = set(both["a"].nlargest(top).index)
    top_b = set(both["b"].nlargest(top).index)
    return {
        "spearman": float(both["a"].corr(both["b"], method="spearman")),
        "top_overlap": len(top_a & top_b) / max(1, min(top, len(both))),
        "max_abs_diff": float((both["a"] - both["b"]).abs().max()),
    }


def eigenvector(graph: nx.Graph, *, weight: str | None = "weight", engine: str = "igraph") -> pd.Series:
    """Weighted eigenvector centrality (Bonacich 1972), scaled so the most central node has 1.

    The leading eigenvector of the adjacency matrix of the largest connected component (igraph's ARPACK
    routine, or networkx's numpy variant with ``engine="networkx"``); nodes outside it get 0 (on a
    disconnected graph the leading eigenvector is not unique, and the largest component is the core).
    """
    nodes = list(graph.nodes())
    if graph.number_of_edges() == 0:
        return pd.Series(0.0, index=nodes, name="eigenvector")
    if engine == "igraph":
        return _eigenvector_igraph(_to_igraph(graph, weight)[0], weighted=bool(weight))
    if engine != "networkx":
        raise ValueError(f"engine must be 'igraph' or 'networkx', got {engine!r}")
    largest = graph.subgraph(max(nx.connected_components(graph), key=len))
    if largest.number_of_nodes() < 3:
        values = pd.Series(1.0, index=list(largest.nodes()))
    else:
        values = pd.Series(nx.eigenvector_centrality_numpy(largest, weight=weight)).abs()
    values = values.reindex(nodes).fillna(0.0).rename("eigenvector")
    return values / values.max()


def louvain(
    graph: nx.Graph,
    *,
    weight: str | None = "weight",
    seed: int = 0,
    resolution: float = 1.0,
    engine: str = "igraph",
) -> pd.Series:
    """Louvain communities (Blondel et al. 2008) with a fixed seed.

    ``engine="igraph"`` runs igraph's multilevel algorithm with a ``random.Random(seed)`` generator (igraph's
    RNG is global: it is set for the call and restored to Python's ``random`` module afterwards);
    ``engine="networkx"`` runs ``nx.community.louvain_communities(seed=seed)``.

    Returns a Series node → community number, numbered by size (0 = largest; ties by smallest node key),
    so the same graph and seed always give the same labels.
    """
    nodes = list(graph.nodes())
    if engine == "igraph":
        parts = _louvain_igraph(
            _to_igraph(graph, weight)[0], weighted=bool(weight), seed=seed, resolution=resolution
        )
    elif engine == "networkx":
        parts = nx.community.louvain_communities(graph, weight=weight, resolution=resolution, seed=seed)
    else:
        raise ValueError(f"engine must be 'igraph' or 'networkx', got {engine!r}")
    return _community_labels(parts, nodes)


def node_metrics(
    graph: nx.Graph,
    *,
    weight: str | None = "weight",
    seed: int = 0,
    engine: str = "igraph",
    k: int | None = None,
) -> pd.DataFrame:
    """Broker table: degree, strength, betweenness, eigenvector and Louvain community of every node.

    ``engine`` picks igraph (default, compiled) or networkx for the three heavy measures; ``k`` samples
    betweenness sources (see :func:`betweenness`); ``seed`` drives sampling and Louvain.

    Returns
    -------
    DataFrame ``node``, ``degree`` (neighbours), ``strength`` (sum of weights), ``betweenness`` (0–1,
    :func:`betweenness`), ``eigenvector`` (0–1, :func:`eigenvector`), ``community``
    (:func:`louvain`), sorted by betweenness (desc), then degree (desc), then node.
    """
    nodes = list(graph.nodes())
    table = pd.DataFrame(
        {
            "node": pd.Series(nodes, dtype="str"),
            "degree": [graph.degree(n) for n in nodes],
            "strength": [
                float(graph.degree(n, weight=weight)) if weight else float(graph.degree(n)) for n in nodes
            ],
        }
    )
    if engine == "igraph" and graph.number_of_nodes():
        g, _ = _to_igraph(graph, weight)  # convert once for the three measures
        between = _betweenness_igraph(g, weighted=bool(weight), k=k, seed=seed)
        eigen = _eigenvector_igraph(g, weighted=bool(weight)) if graph.number_of_edges() else None
        community = _community_labels(
            _louvain_igraph(g, weighted=bool(weight), seed=seed, resolution=1.0), nodes
        )
    else:
        between = betweenness(graph, weight=weight, engine=engine, k=k, seed=seed)
        eigen = eigenvector(graph, weight=weight, engine=engine)
        community = louvain(graph, weight=weight, seed=seed, engine=engine)
    table["betweenness"] = between.reindex(nodes).to_numpy()
    table["eigenvector"] = eigen.reindex(nodes).to_numpy() if eigen is not None else 0.0
    table["community"] = community.reindex(nodes).to_numpy()
    table = table.sort_values(
        ["betweenness", "degree", "node"], ascending=[False, False, True], kind="stable"
    )
    return table.reset_index(drop=True)


def community_nmi(communities: pd.Series, reference: pd.Series) -> float:
    """Normalized mutual information (arithmetic mean normalization, Strehl & Ghosh 2002) between two
    labelings of the same nodes, over the nodes labelled in both."""
    from sklearn.metrics import normalized_mutual_info_score

    both = pd.concat([communities.rename("a"), reference.rename("b")], axis=1).dropna()
    if both.empty:
        return float("nan")
    return float(normalized_mutual_info_score(both["a"].astype(str), both["b"].astype(str)))


def primary_group_kind(graph: nx.Graph) -> pd.Series:
    """Each person's main group kind: the kind of the non-楼门 group in which they are most tied
    (membership + chat interactions with fellow members), ties broken by the smaller group, then kind.

    People in 楼门 groups only get ``楼门``; people in no group are absent.
    """
    building_kind = GROUP_KINDS["building"]
    size = {g: graph.degree(g) for g, d in graph.nodes(data=True) if d.get("kind") == "group"}
    out = {}
    for node, data in graph.nodes(data=True):
        if data.get("kind") not in ("resident", "member"):
            continue
        groups = [g for g in graph.neighbors(node) if g in size]
        if not groups:
            continue
        choices = [g for g in groups if graph.nodes[g].get("kind_zh") != building_kind] or groups
        peers = set(graph.neighbors(node))
        scored = []
        for g in choices:
            members = set(graph.neighbors(g))
            ties = sum(
                graph[node][p].get("mentions", 0) + graph[node][p].get("replies", 0)
                for p in members & peers
                if p != node
            )
            scored.append((-(1 + ties), size[g], str(graph.nodes[g].get("kind_zh")), g))
        out[node] = min(scored)[2]
    return pd.Series(out, name="group_kind", dtype="str")


def person_buildings(graph: nx.Graph) -> pd.Series:
    """Building of each resident node (from its household), as a Series node → building."""
    values = {
        n: d.get("building")
        for n, d in graph.nodes(data=True)
        if d.get("kind") == "resident" and d.get("building") is not None
    }
    return pd.Series(values, name="building", dtype="Int64")


# ---------------------------------------------------------------------------------------------
# group reach
# ---------------------------------------------------------------------------------------------


def group_reach(
    groups: pd.DataFrame,
    memberships: pd.DataFrame,
    friends: pd.DataFrame,
    households: pd.DataFrame,
    messages: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """How far each of 园园's groups reaches into the registry.

    Returns
    -------
    One row per group (sorted by households reached, desc): ``group_id``, ``group_name``, ``kind``,
    ``members``, ``households`` (distinct households of linked members), ``household_share`` (of all
    registry households, 0–1), ``buildings`` (distinct), ``vulnerable_households``, and with
    ``messages``: ``messages`` and ``active_senders``.
    """
    link = (
        friends.dropna(subset=["member_id"])
        .drop_duplicates("member_id")
        .set_index("member_id")["household_id"]
    )
    frame = memberships[["group_id", "member_id"]].drop_duplicates().copy()
    frame["household_id"] = frame["member_id"].astype(str).map(link)
    hh = households.set_index("household_id")
    frame["building"] = frame["household_id"].map(hh["building"])
    vulnerable = hh["vulnerable"].fillna(False).astype(bool)
    frame["vulnerable_household"] = frame["household_id"].where(
        frame["household_id"].map(vulnerable).fillna(False).astype(bool)
    )
    table = frame.groupby("group_id").agg(
        members=("member_id", "nunique"),
        households=("household_id", "nunique"),
        buildings=("building", "nunique"),
        vulnerable_households=("vulnerable_household", "nunique"),
    )
    table["household_share"] = table["households"] / max(1, len(households))
    out = groups[["group_id", "group_name", "kind"]].merge(table.reset_index(), on="group_id", how="left")
    for col in ("members", "households", "buildings", "vulnerable_households"):
        out[col] = out[col].fillna(0).astype(int)
    out["household_share"] = out["household_share"].fillna(0.0)
    if messages is not None:
        stats = messages.groupby("group_id").agg(
            messages=("msg_id", "size"), active_senders=("sender_id", "nunique")
        )
        out = out.merge(stats.reset_index(), on="group_id", how="left")
        out["messages"] = out["messages"].fillna(0).astype(int)
        out["active_senders"] = out["active_senders"].fillna(0).astype(int)
    return out.sort_values(["households", "group_id"], ascending=[False, True]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# category of a chat message (lexicon)
# ---------------------------------------------------------------------------------------------


def lexicon_category(texts: pd.Series) -> pd.Series:
    """Issue category code of each text by lexicon hits (:mod:`jiesu.categories`), ``<NA>`` if none.

    The category with the most distinct lexicon words in the text wins; ties go to the category listed
    first in :data:`jiesu.categories.CATEGORIES`.
    """
    values = texts.fillna("").astype(str)
    hits = pd.DataFrame(
        {
            c.code: sum(values.str.contains(word, regex=False).astype(int) for word in c.lexicon)
            for c in CATEGORIES
        },
        index=texts.index,
    )
    best = hits.idxmax(axis=1)
    return best.where(hits.max(axis=1) > 0).astype("str")


# ---------------------------------------------------------------------------------------------
# bring your own data: any person × group list
# ---------------------------------------------------------------------------------------------


def _find_column(frame: pd.DataFrame, wanted: str, file: str, role: str) -> str:
    import unicodedata

    def canon(name: object) -> str:
        return unicodedata.normalize("NFKC", str(name)).strip().lower()

    matches = [c for c in frame.columns if canon(c) == canon(wanted)]
    if len(matches) == 1:
        return matches[0]
    from jiesu.errors import DataError

    shown = "、".join(str(c) for c in frame.columns)
    if not matches:
        raise DataError(file, f"找不到列 column not found ({role}); the file has: {shown}", column=wanted)
    raise DataError(file, f"列名重复 several columns match ({role})", column=wanted)


def clean_memberships(
    frame: pd.DataFrame, person_col: str, group_col: str, *, file: str = "<memberships>", first_row: int = 2
) -> tuple[pd.DataFrame, dict]:
    """Tidy a user-supplied person × group list into ``person``, ``group`` (one row per membership).

    Cells are NFKC-normalized (full-width → half-width) and stripped. Rows blank in both columns are
    dropped; a row with only one of the two filled is an error (it cannot be placed), as is a file with
    no usable row. Exact duplicate memberships are dropped.

    Parameters
    ----------
    frame : cells as read (any dtype); columns are matched to ``person_col``/``group_col`` ignoring
        case, width and surrounding spaces.
    file : file name used in error messages; ``first_row`` is the 1-based file row of ``frame.iloc[0]``.

    Returns
    -------
    (DataFrame ``person``, ``group``; dict ``rows``, ``blank_rows``, ``duplicates``, ``persons``, ``groups``)

    Raises
    ------
    jiesu.errors.DataError naming the file, column and rows.
    """
    import unicodedata

    from jiesu.errors import DataError

    if person_col == group_col:
        raise DataError(file, "人员列与群组列相同 person and group columns must differ", column=person_col)
    p_col = _find_column(frame, person_col, file, "人员 person")
    g_col = _find_column(frame, group_col, file, "群组 group")

    def tidy(values: pd.Series) -> pd.Series:
        text = values.map(
            lambda v: (
                None
                if v is None or (isinstance(v, float) and np.isnan(v))
                else unicodedata.normalize("NFKC", str(v)).strip()
            )
        )
        return text.where(text.fillna("").str.len() > 0).astype("str")

    persons, groups = tidy(frame[p_col]), tidy(frame[g_col])
    blank = persons.isna() & groups.isna()
    for col, values, other in ((p_col, persons, groups), (g_col, groups, persons)):
        half = values.isna() & other.notna()
        if half.any():
            rows = [first_row + int(i) for i in np.flatnonzero(half.to_numpy())]
            raise DataError(
                file, f"{len(rows)} 行缺少取值 row(s) have a blank in this column", column=col, rows=rows
            )
    tidy_frame = pd.DataFrame({"person": persons[~blank], "group": groups[~blank]})
    if tidy_frame.empty:
        raise DataError(file, "没有可用的行 no row has both a person and a group", column=p_col)
    deduped = tidy_frame.drop_duplicates().reset_index(drop=True)
    report = {
        "rows": len(frame),
        "blank_rows": int(blank.sum()),
        "duplicates": len(tidy_frame) - len(deduped),
        "persons": int(deduped["person"].nunique()),
        "groups": int(deduped["group"].nunique()),
    }
    return deduped, report


def network_figure(
    graph: nx.Graph,
    metrics: pd.DataFrame | None = None,
    *,
    max_nodes: int = 300,
    seed: int = 0,
    title: str = "人际网络 / person network",
    node_label: str = "node",
    label_top: int = 0,
) -> go.Figure:
    """A readable force-directed view of (at most ``max_nodes`` nodes of) a graph.

    When the graph is larger, the ``max_nodes`` nodes with the highest betweenness (from ``metrics``)
    are kept. Node size follows betweenness, colour the Louvain community; hover shows the node key and
    its metrics; the ``label_top`` top brokers are labelled. Layout: Fruchterman–Reingold
    (``nx.spring_layout``) with ``seed``.
    """
    from jiesu.figures import PALETTE

    if metrics is None:
        metrics = node_metrics(graph, seed=seed)
    keep = metrics["node"].head(max_nodes).tolist()
    sub = graph.subgraph(keep)
    pos = nx.spring_layout(sub, seed=seed, weight="weight") if sub.number_of_nodes() else {}
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for u, v in sub.edges():
        edge_x += [pos[u][0], pos[v][0], None]
        edge_y += [pos[u][1], pos[v][1], None]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=edge_x,
            y=edge_y,
            mode="lines",
            line=dict(width=0.5, color="#c8ced6"),
            hoverinfo="skip",
            showlegend=False,
        )
    )
    shown = metrics.set_index("node").loc[keep].reset_index()
    top = max(float(shown["betweenness"].max()), 1e-12)
    labelled = set(shown["node"].head(label_top))
    for community, part in shown.groupby("community", sort=True):
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in part["node"]],
                y=[pos[n][1] for n in part["node"]],
                mode="markers+text" if labelled else "markers",
                textposition="top center",
                texttemplate=[str(n) if n in labelled else "" for n in part["node"]],
                name=f"社群 community {community}",
                marker=dict(
                    size=6 + 24 * part["betweenness"] / top,
                    color=PALETTE[int(community) % len(PALETTE)],
                    line=dict(width=0.5, color="white"),
                ),
                text=[
                    f"{node_label} {r.node}<br>degree {r.degree}<br>betweenness {r.betweenness:.4f}"
                    f"<br>eigenvector {r.eigenvector:.3f}<br>community {r.community}"
                    for r in part.itertuples()
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(title=title, xaxis=dict(visible=False), yaxis=dict(visible=False), height=600)
    return fig


# ---------------------------------------------------------------------------------------------
# team responsiveness
# ---------------------------------------------------------------------------------------------


def staff_replies(
    messages: pd.DataFrame, *, categories: pd.Series | None = None, max_hours: float = 72.0
) -> pd.DataFrame:
    """Pair every resident issue report in the chats with the first staff reply to it.

    A **report** is a non-staff 文本 message with an issue category: ``categories`` (a Series aligned with
    ``messages``, category codes, NA for none; e.g. from the topic model) or, by default,
    :func:`lexicon_category` on ``text_simplified``. Follow-ups are not new reports: a message opening
    with a me-too cue (:data:`ME_TOO_PATTERN`: +1, 同问, 我家也是 …), and a categorized message that
    follows a report of the same category in the same group within ``max_hours`` with no staff message
    in between. The **first staff reply** to a report is, within
    ``max_hours``:

    1. the first staff message in the same group that @mentions the reporter, else
    2. the first staff message in the same group after the report and before the next report there.

    Returns
    -------
    One row per report: ``msg_id``, ``group_id``, ``sender_id``, ``sent_at``, ``category``,
    ``reply_msg_id``, ``responder_id`` and ``reply_hours`` (NA when unanswered), ``answered`` (bool).
    """
    msgs = messages.copy()
    msgs["sent_at"] = pd.to_datetime(msgs["sent_at"])
    if categories is None:
        categories = lexicon_category(msgs["text_simplified"])
    msgs["category"] = categories.reindex(msgs.index)
    me_too = msgs["text_simplified"].fillna("").astype(str).str.contains(ME_TOO_PATTERN, regex=True)
    is_report = (
        ~msgs["is_staff"].astype(bool)
        & (msgs["msg_type"].astype(str) == "文本")
        & msgs["category"].notna()
        & ~me_too
    )
    msgs = msgs.sort_values(["group_id", "sent_at", "msg_id"], kind="stable")
    reports = msgs.loc[is_report.reindex(msgs.index)]
    staff = msgs.loc[msgs["is_staff"].astype(bool)]
    window = pd.Timedelta(hours=max_hours)
    rows = []
    for gid, candidates in reports.groupby("group_id", sort=True):
        group_staff = staff.loc[staff["group_id"] == gid]
        staff_times = group_staff["sent_at"].to_numpy()
        mentions = group_staff["mentions"].fillna("").astype(str).str.split(";").to_numpy()
        first_staff_after = np.searchsorted(staff_times, candidates["sent_at"].to_numpy(), side="right")
        opened: dict[str, tuple[pd.Timestamp, int]] = {}
        keep = []
        for rep, start in zip(candidates.itertuples(), first_staff_after, strict=True):
            previous = opened.get(rep.category)
            if previous is not None and previous[1] == start and rep.sent_at - previous[0] <= window:
                continue  # a follow-up of an open report: no staff message since
            opened[rep.category] = (rep.sent_at, start)
            keep.append((rep, start))
        for i, (rep, start) in enumerate(keep):
            stop = np.searchsorted(staff_times, np.datetime64(rep.sent_at + window), side="right")
            chosen = next((j for j in range(start, stop) if rep.sender_id in mentions[j]), None)
            if chosen is None and start < stop:
                next_report = keep[i + 1][0].sent_at if i + 1 < len(keep) else None
                if next_report is None or staff_times[start] < np.datetime64(next_report):
                    chosen = start
            if chosen is None:
                rows.append((rep.msg_id, gid, rep.sender_id, rep.sent_at, rep.category, None, None, np.nan))
            else:
                reply = group_staff.iloc[chosen]
                hours = (reply["sent_at"] - rep.sent_at) / pd.Timedelta(hours=1)
                rows.append(
                    (
                        rep.msg_id,
                        gid,
                        rep.sender_id,
                        rep.sent_at,
                        rep.category,
                        reply["msg_id"],
                        reply["sender_id"],
                        hours,
                    )
                )
    out = pd.DataFrame(
        rows,
        columns=[
            "msg_id",
            "group_id",
            "sender_id",
            "sent_at",
            "category",
            "reply_msg_id",
            "responder_id",
            "reply_hours",
        ],
    )
    out["reply_hours"] = out["reply_hours"].astype(float)
    out["answered"] = out["reply_msg_id"].notna()
    return out


def team_responsiveness(
    replies: pd.DataFrame, teams: pd.DataFrame, *, thresholds_hours: tuple[float, ...] = STAFF_REPLY_HOURS
) -> dict[str, pd.DataFrame]:
    """Who answers residents' reports, and how fast, per issue category.

    Parameters
    ----------
    replies : from :func:`staff_replies`.
    teams : processed ``teams`` (``member_id`` → ``team``); a responder in no team is ``园园/其他``.

    Returns
    -------
    ``{"by_category": …, "by_team": …, "by_member": …}``:

    * ``by_category``: ``category`` (code), ``label``, ``reports``, ``answered_share`` (0–1),
      ``median_hours`` (to the first staff reply, answered reports only), ``within_2h``/``within_24h``
      (share of *all* reports answered within the threshold), ``top_team``;
    * ``by_team``: ``category``, ``label``, ``team``, ``replies``, ``share`` (of the category's answered
      reports), ``median_hours``;
    * ``by_member``: ``category``, ``label``, ``responder_id`` (pseudonym), ``team``, ``replies``,
      ``median_hours``.
    """
    from jiesu.categories import label_of

    team_of = teams.drop_duplicates("member_id").set_index("member_id")["team"]
    frame = replies.assign(team=replies["responder_id"].map(team_of))
    frame.loc[frame["answered"] & frame["team"].isna(), "team"] = "园园/其他"
    grouped = frame.groupby("category", sort=True)
    by_category = pd.DataFrame(
        {
            "reports": grouped.size(),
            "answered_share": grouped["answered"].mean(),
            "median_hours": grouped["reply_hours"].median(),
        }
    )
    for hours in thresholds_hours:
        by_category[f"within_{hours:g}h"] = grouped["reply_hours"].apply(
            lambda h, t=hours: float((h <= t).mean())
        )
    answered = frame.loc[frame["answered"]]
    team_counts = (
        answered.groupby(["category", "team"])
        .agg(replies=("msg_id", "size"), median_hours=("reply_hours", "median"))
        .reset_index()
    )
    team_counts["share"] = team_counts["replies"] / team_counts.groupby("category")["replies"].transform(
        "sum"
    )
    team_counts = team_counts.sort_values(["category", "replies", "team"], ascending=[True, False, True])
    by_category["top_team"] = team_counts.drop_duplicates("category").set_index("category")["team"]
    by_category = by_category.reset_index()
    by_category.insert(1, "label", by_category["category"].map(label_of))
    by_member = (
        answered.groupby(["category", "responder_id", "team"])
        .agg(replies=("msg_id", "size"), median_hours=("reply_hours", "median"))
        .reset_index()
    )
    by_member = by_member.sort_values(["category", "replies", "responder_id"], ascending=[True, False, True])
    team_counts["label"] = team_counts["category"].map(label_of)
    by_member.insert(1, "label", by_member["category"].map(label_of))
    return {
        "by_category": by_category,
        "by_team": team_counts[["category", "label", "team", "replies", "share", "median_hours"]].reset_index(
            drop=True
        ),
        "by_member": by_member.reset_index(drop=True),
    }


# ---------------------------------------------------------------------------------------------
# complainant linkage
# ---------------------------------------------------------------------------------------------


COMPLAINANT_COLUMNS = (
    "complainant_id", "household_id", "building", "cases", "first_case", "last_case", "categories",
    "repeat", "is_friend", "household_covered", "groups", "group_kinds", "outside_reach",
)
"""Columns of :func:`complainant_linkage`, one row per complainant."""


def complainant_linkage(
    cases: pd.DataFrame,
    households: pd.DataFrame,
    friends: pd.DataFrame,
    memberships: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    start=None,
    end=None,
    repeat_threshold: int = 3,
) -> pd.DataFrame:
    """12345 complainants matched to registry households and to 园园's groups.

    Considers cases with ``start <= received_at < end`` (bounds optional) that ingest linked to a
    resident (``complainant_id``). A **repeat complainant** called at least ``repeat_threshold`` times.

    Returns
    -------
    One row per complainant (most cases first): ``complainant_id`` (pseudonym), ``household_id``,
    ``building``, ``cases``, ``first_case``, ``last_case``, ``categories`` (``、``-joined labels),
    ``repeat`` (≥ ``repeat_threshold`` cases), ``is_friend`` (the complainant is a friend of 园园), ``household_covered``
    (someone in the household is), ``groups`` (number of 园园's groups the complainant is in),
    ``group_kinds`` (``、``-joined), ``outside_reach`` (the household is not covered: 园园 cannot hear this
    family's "未尽诉求" before it becomes a hotline call).
    """
    from jiesu.registry import received_between

    mask = cases["complainant_id"].notna() & received_between(cases, start, end)
    linked = cases.loc[mask].assign(received_at=pd.to_datetime(cases.loc[mask, "received_at"]))
    if linked.empty:
        return pd.DataFrame(columns=list(COMPLAINANT_COLUMNS))
    per = (
        linked.sort_values("received_at", kind="stable")
        .groupby("complainant_id", sort=True)
        .agg(
            household_id=("household_id", lambda s: s.dropna().mode().iloc[0] if s.notna().any() else None),
            cases=("case_id", "size"),
            first_case=("received_at", "min"),
            last_case=("received_at", "max"),
            categories=("category", lambda s: "、".join(dict.fromkeys(s.dropna().astype(str)))),
        )
        .reset_index()
    )
    per["building"] = (
        per["household_id"].map(households.set_index("household_id")["building"]).astype("Int64")
    )
    per["repeat"] = per["cases"] >= repeat_threshold
    friend_residents = set(friends["resident_id"].dropna().astype(str))
    covered = set(friends["household_id"].dropna().astype(str))
    per["is_friend"] = per["complainant_id"].astype(str).isin(friend_residents)
    per["household_covered"] = per["household_id"].astype("str").isin(covered)
    member_of = friends.dropna(subset=["resident_id", "member_id"])[["resident_id", "member_id"]]
    kind_of = groups.set_index("group_id")["kind"]
    joined = member_of.merge(memberships[["group_id", "member_id"]], on="member_id").drop_duplicates(
        ["resident_id", "group_id"]
    )
    joined["kind"] = joined["group_id"].map(kind_of)
    group_counts = joined.groupby("resident_id")["group_id"].nunique()
    kinds = joined.groupby("resident_id")["kind"].agg(
        lambda s: "、".join(sorted(set(s.dropna().astype(str))))
    )
    per["groups"] = per["complainant_id"].map(group_counts).fillna(0).astype(int)
    per["group_kinds"] = per["complainant_id"].map(kinds).fillna("").astype("str")
    per["outside_reach"] = ~per["household_covered"]
    return (
        per[list(COMPLAINANT_COLUMNS)].sort_values(["cases", "complainant_id"], ascending=[False, True]).reset_index(drop=True)
    )


def complainants_by_building(linkage: pd.DataFrame, *, threshold: int = 5) -> pd.DataFrame:
    """:func:`complainant_linkage` summed per building, for reports: ``building``, ``complainants``,
    ``repeat``, ``outside_reach`` (complainants), ``cases``, ``outside_reach_cases``. Counts from 1 to
    ``threshold`` − 1 are suppressed (``<NA>``), as resident-level counts under 5 must be."""
    from jiesu.registry import suppress_small

    frame = linkage.dropna(subset=["building"])
    table = (
        frame.groupby("building")
        .agg(
            complainants=("complainant_id", "size"),
            repeat=("repeat", "sum"),
            outside_reach=("outside_reach", "sum"),
            cases=("cases", "sum"),
            outside_reach_cases=("cases", lambda c: int(c[frame.loc[c.index, "outside_reach"]].sum())),
        )
        .reset_index()
    )
    counts = ["complainants", "repeat", "outside_reach", "cases", "outside_reach_cases"]
    return suppress_small(table, counts, threshold=threshold)


# ---------------------------------------------------------------------------------------------
# readable views: aggregated and sampled
# ---------------------------------------------------------------------------------------------


def aggregate_graph(graph: nx.Graph) -> nx.Graph:
    """The community graph collapsed to groups, buildings, teams and 园园.

    Edge weights: group–building = residents of the building in the group; group–group = people in both
    groups; team–group = team members in the group; 园园–building = her friends living in the building.
    Nodes carry ``kind`` (``group``/``building``/``team``/``yuanyuan``), ``label`` and ``size`` (people).
    """
    agg = nx.Graph()
    agg.add_node(
        YUANYUAN, kind="yuanyuan", label="园园", size=graph.degree(YUANYUAN) if YUANYUAN in graph else 0
    )
    people_kinds = {"resident", "member"}
    groups = [n for n, d in graph.nodes(data=True) if d.get("kind") == "group"]
    members = {
        g: {p for p in graph.neighbors(g) if graph.nodes[p].get("kind") in people_kinds} for g in groups
    }
    for g in groups:
        agg.add_node(
            g,
            kind="group",
            label=graph.nodes[g].get("name") or g,
            size=len(members[g]),
            group_kind=graph.nodes[g].get("kind_zh"),
            building=graph.nodes[g].get("building"),
        )
    buildings: dict[int, int] = {}
    for _, d in graph.nodes(data=True):
        if d.get("kind") == "resident" and d.get("building") is not None:
            buildings[d["building"]] = buildings.get(d["building"], 0) + 1
    for b, n in sorted(buildings.items()):
        agg.add_node(f"B:{b}", kind="building", label=f"{b}号楼", size=n)
    for g in groups:
        per_building: dict[int, int] = {}
        teams_in: dict[str, int] = {}
        for p in members[g]:
            b = graph.nodes[p].get("building")
            if b is not None:
                per_building[b] = per_building.get(b, 0) + 1
            for t in graph.neighbors(p):
                if graph.nodes[t].get("kind") == "team":
                    teams_in[t] = teams_in.get(t, 0) + 1
        for b, n in per_building.items():
            agg.add_edge(g, f"B:{b}", weight=float(n))
        for t, n in teams_in.items():
            if t not in agg:
                agg.add_node(
                    t,
                    kind="team",
                    label=graph.nodes[t].get("name", t),
                    size=sum(1 for _ in graph.neighbors(t)),
                )
            agg.add_edge(t, g, weight=float(n))
    for i, g in enumerate(groups):
        for h in groups[i + 1 :]:
            shared = len(members[g] & members[h])
            if shared:
                agg.add_edge(g, h, weight=float(shared))
    if YUANYUAN in graph:
        per_building = {}
        for p in graph.neighbors(YUANYUAN):
            b = graph.nodes[p].get("building")
            if graph.nodes[p].get("kind") == "resident" and b is not None:
                per_building[b] = per_building.get(b, 0) + 1
        for b, n in per_building.items():
            agg.add_edge(YUANYUAN, f"B:{b}", weight=float(n))
    return agg


_AGG_STYLE = {
    "yuanyuan": ("#c0392b", "star"),
    "group": ("#1f6fb2", "circle"),
    "building": ("#7f8c8d", "square"),
    "team": ("#27ae60", "diamond"),
}
_AGG_NAMES = {
    "yuanyuan": "园园",
    "group": "微信群 groups",
    "building": "楼栋 buildings",
    "team": "骨干队伍 teams",
}


def aggregate_layout(agg: nx.Graph) -> dict[str, tuple[float, float]]:
    """Fixed, readable positions for :func:`aggregate_graph`: 园园 in the centre, the community-wide groups
    (报修, 平安, interest, age, 议事 …) on an inner ring ordered by kind, buildings on the outer ring in
    number order with each 楼门 group just inside its building, and the six teams in a column on the left."""
    pos: dict[str, tuple[float, float]] = {YUANYUAN: (0.0, 0.0)} if YUANYUAN in agg else {}
    buildings = sorted(
        (n for n, d in agg.nodes(data=True) if d.get("kind") == "building"), key=lambda n: int(n[2:])
    )
    angle = {n: np.pi / 2 - 2 * np.pi * i / max(1, len(buildings)) for i, n in enumerate(buildings)}
    for n in buildings:
        pos[n] = (2.5 * np.cos(angle[n]), 2.5 * np.sin(angle[n]))
    kind_order = {zh: i for i, zh in enumerate(GROUP_KINDS.values())}
    groups = [n for n, d in agg.nodes(data=True) if d.get("kind") == "group"]
    inner = []
    for g in groups:
        home = f"B:{agg.nodes[g]['building']}" if agg.nodes[g].get("building") is not None else None
        if home in angle:
            pos[g] = (1.9 * np.cos(angle[home]), 1.9 * np.sin(angle[home]))
        else:
            inner.append(g)
    inner.sort(key=lambda g: (kind_order.get(agg.nodes[g].get("group_kind"), 99), agg.nodes[g]["label"]))
    for i, g in enumerate(inner):
        theta = np.pi / 2 - 2 * np.pi * i / max(1, len(inner))
        pos[g] = (1.0 * np.cos(theta), 1.0 * np.sin(theta))
    teams = sorted(n for n, d in agg.nodes(data=True) if d.get("kind") == "team")
    for i, t in enumerate(teams):
        pos[t] = (-3.8, 1.8 - 3.6 * i / max(1, len(teams) - 1))
    return pos


def aggregate_figure(agg: nx.Graph, *, title: str = "园园的网络：群、楼栋、队伍") -> go.Figure:
    """Draw :func:`aggregate_graph` on :func:`aggregate_layout`: node size ~ √people; group–building lines
    (residents of the building in the group) and team–group lines (members of the team in the group),
    opacity ~ weight within each kind of line. Group–group overlaps stay in ``agg`` but are not drawn:
    with staff in every group they would join everything to everything."""
    pos = aggregate_layout(agg)
    fig = go.Figure()
    kinds = {n: d.get("kind") for n, d in agg.nodes(data=True)}
    for pair, color in ((("group", "building"), "31,111,178"), (("team", "group"), "39,174,96")):
        edges = [(u, v, d["weight"]) for u, v, d in agg.edges(data=True) if {kinds[u], kinds[v]} == set(pair)]
        top = max((w for *_, w in edges), default=1.0)
        for low, high, alpha in ((0.0, 0.1, 0.12), (0.1, 0.4, 0.3), (0.4, 1.01, 0.65)):
            xs: list[float | None] = []
            ys: list[float | None] = []
            for u, v, w in edges:
                if low <= w / top < high:
                    xs += [pos[u][0], pos[v][0], None]
                    ys += [pos[u][1], pos[v][1], None]
            if xs:
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=ys,
                        mode="lines",
                        hoverinfo="skip",
                        showlegend=False,
                        line=dict(width=0.6 + 3 * alpha, color=f"rgba({color},{alpha})"),
                    )
                )
    biggest = (
        max((d.get("size", 1) for _, d in agg.nodes(data=True) if d.get("kind") != "yuanyuan"), default=1)
        or 1
    )
    for kind, (color, symbol) in _AGG_STYLE.items():
        nodes = [n for n in agg.nodes if kinds[n] == kind]
        if not nodes:
            continue
        sizes = [
            34.0 if kind == "yuanyuan" else 8 + 30 * np.sqrt(agg.nodes[n].get("size", 0) / biggest)
            for n in nodes
        ]
        labels = [agg.nodes[n]["label"].removeprefix("甘二") for n in nodes]
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in nodes],
                y=[pos[n][1] for n in nodes],
                mode="markers+text",
                name=_AGG_NAMES[kind],
                text=labels,
                textposition="middle left" if kind == "team" else "top center",
                textfont=dict(size=10),
                hovertext=[f"{agg.nodes[n]['label']}<br>{agg.nodes[n].get('size', 0)} 人" for n in nodes],
                hoverinfo="text",
                marker=dict(size=sizes, color=color, symbol=symbol, line=dict(width=1, color="white")),
            )
        )
    fig.update_layout(
        title=title,
        xaxis=dict(visible=False, range=[-5.2, 3.2]),
        yaxis=dict(visible=False, range=[-2.9, 2.9], scaleanchor="x"),
        height=760,
        legend=dict(orientation="h", y=1.02, x=0),
    )
    return fig


def broker_table(
    metrics: pd.DataFrame,
    graph: nx.Graph,
    teams: pd.DataFrame,
    *,
    top: int = 10,
    residents_only: bool = False,
) -> pd.DataFrame:
    """The ``top`` brokers of :func:`node_metrics` with who they are, pseudonymously.

    Adds ``role`` (居民 resident or 工作人员 staff/non-resident member), ``team`` (the backbone team(s),
    ``、``-joined, empty if none) and ``building``; ``residents_only`` keeps residents who are in no team.
    """
    team_names = {n: graph.nodes[n].get("name", n) for n, kind in graph.nodes(data="kind") if kind == "team"}
    table = metrics.copy()
    table["role"] = table["node"].map(lambda n: "居民" if str(n).startswith("R:") else "工作人员")
    table["team"] = table["node"].map(
        lambda n: (
            "、".join(sorted(team_names[t] for t in graph.neighbors(n) if t in team_names))
            if n in graph
            else ""
        )
    )
    table["building"] = (
        table["node"].map(lambda n: graph.nodes[n].get("building") if n in graph else None).astype("Int64")
    )
    if residents_only:
        table = table.loc[(table["role"] == "居民") & (table["team"] == "")]
    columns = [
        "node",
        "role",
        "team",
        "building",
        "degree",
        "strength",
        "betweenness",
        "eigenvector",
        "community",
    ]
    return table[columns].head(top).reset_index(drop=True)


def sample_people(projection: nx.Graph, n: int, *, seed: int = 0) -> nx.Graph:
    """Induced subgraph on ``n`` people drawn uniformly without replacement (numpy Generator with ``seed``),
    for a readable resident-level picture."""
    nodes = sorted(projection.nodes())
    if len(nodes) <= n:
        return projection.copy()
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(nodes), size=n, replace=False)
    return projection.subgraph([nodes[i] for i in sorted(chosen)]).copy()


def nmi_figure(
    nmi: dict[str, float], *, title: str = "Louvain 社群与楼栋、群类别的一致性 (NMI)"
) -> go.Figure:
    """Bar chart of NMI values (0 = unrelated, 1 = identical partitions)."""
    fig = go.Figure(
        go.Bar(
            x=list(nmi.keys()),
            y=list(nmi.values()),
            text=[f"{v:.2f}" for v in nmi.values()],
            textposition="outside",
        )
    )
    fig.update_layout(title=title, yaxis=dict(range=[0, 1.05], title="NMI"), height=380)
    return fig


# ---------------------------------------------------------------------------------------------
# loading (the one I/O wrapper)
# ---------------------------------------------------------------------------------------------

GRAPH_TABLES = ("households", "residents", "friends", "teams", "groups", "memberships", "messages")


def as_of_tables(tables: dict[str, pd.DataFrame], as_of=None) -> dict[str, pd.DataFrame]:
    """The tables as they stood at the end of day ``as_of`` (None: unchanged).

    Friends added, groups created, memberships joined on or before ``as_of``; messages and cases before
    the following midnight. Households, residents and teams are registry facts and stay as they are.
    """
    if as_of in (None, ""):
        return dict(tables)
    cutoff = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    dated = {
        "friends": "added",
        "groups": "created",
        "memberships": "joined",
        "messages": "sent_at",
        "cases": "received_at",
    }
    out = {}
    for name, frame in tables.items():
        column = dated.get(name)
        out[name] = frame.loc[pd.to_datetime(frame[column]) < cutoff] if column else frame
    return out


def load_tables(
    data: Paths | str | os.PathLike | None = None, *, as_of=None, names: tuple[str, ...] = GRAPH_TABLES
) -> dict[str, pd.DataFrame]:
    """Processed tables ``names`` from ``data``, cut at ``as_of`` (:func:`as_of_tables`)."""
    from jiesu import datasets

    where = datasets.resolve(data)
    return as_of_tables({name: datasets.load(name, where) for name in names}, as_of)


def network_nmi(graph: nx.Graph, communities: pd.Series) -> dict[str, float]:
    """NMI of the Louvain communities of people with their building and with their main group kind
    (:func:`person_buildings`, :func:`primary_group_kind`), over the people labelled in both.

    ``graph`` is the community graph of :func:`build_graph` (it knows groups and buildings);
    ``communities`` maps person nodes to community labels (e.g. from :func:`node_metrics`)."""
    return {
        "楼栋 building": community_nmi(communities, person_buildings(graph)),
        "群类别 group kind": community_nmi(communities, primary_group_kind(graph)),
    }


def report_network(
    data: Paths | str | os.PathLike | None = None,
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
    from jiesu import datasets
    from jiesu.registry import suppress_small

    where = datasets.resolve(data)
    tables = load_tables(where, as_of=as_of, names=(*GRAPH_TABLES, "cases"))
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
    tag = "（模拟数据）" if datasets.is_synthetic(where) else ""
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
        "responsiveness": team_responsiveness(staff_replies(tables["messages"]), tables["teams"])[
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
