"""Brokers and communities on the person projection: betweenness, eigenvector, Louvain, NMI."""

from __future__ import annotations

from collections.abc import Iterable

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from jiesu.analysis.network.consensus import consensus_partition, igraph_louvain, networkx_louvain
from jiesu.categories import GROUP_KINDS


def _to_igraph(graph: nx.Graph, weight: str | None):
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


def _louvain_labels(
    graph: nx.Graph, *, weight: str | None, seed: int, resolution: float, engine: str, runs: int
) -> pd.Series:
    nodes = list(graph.nodes())
    index = {node: i for i, node in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64).reshape(-1, 2)
    weights = np.array([w for _, _, w in graph.edges(data=weight, default=1.0)]) if weight else None
    if engine == "igraph":
        partition = igraph_louvain(resolution)
    elif engine == "networkx":
        partition = networkx_louvain(resolution)
    else:
        raise ValueError(f"engine must be 'igraph' or 'networkx', got {engine!r}")
    labels = consensus_partition(len(nodes), edges, weights, partition, seed=seed, runs=runs)
    parts: list[set] = [set() for _ in range(int(labels.max()) + 1 if len(labels) else 0)]
    for node, label in zip(nodes, labels, strict=True):
        parts[label].add(node)
    return _community_labels(parts, nodes)


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
    runs: int = 10,
) -> pd.Series:
    """Louvain communities (Blondel et al. 2008), the consensus of ``runs`` seeded runs.

    Parameters
    ----------
    graph : undirected graph; ``weight`` names the tie-strength attribute (``None``: unweighted).
    seed : base seed of the runs (see :func:`jiesu.analysis.network.consensus.consensus_partition`).
    resolution : modularity resolution γ (1 = standard modularity; larger → smaller communities).
    engine : ``"igraph"`` (compiled multilevel) or ``"networkx"`` (``louvain_communities``).
    runs : Louvain runs per consensus round (Lancichinetti & Fortunato 2012); ``1`` = one plain run.

    Returns
    -------
    Series node → community number, numbered by size (0 = largest; ties by smallest node key), so the
    same graph and seed always give the same labels.

    Examples
    --------
    >>> labels = louvain(nx.ring_of_cliques(3, 4), weight=None)
    >>> labels.value_counts().tolist()
    [4, 4, 4]
    """
    if graph.number_of_nodes() == 0:
        return pd.Series(dtype="Int64", name="community")
    return _louvain_labels(graph, weight=weight, seed=seed, resolution=resolution, engine=engine, runs=runs)


def node_metrics(
    graph: nx.Graph,
    *,
    weight: str | None = "weight",
    seed: int = 0,
    engine: str = "igraph",
    k: int | None = None,
    louvain_runs: int = 10,
) -> pd.DataFrame:
    """Broker table: degree, strength, betweenness, eigenvector and Louvain community of every node.

    ``engine`` picks igraph (default, compiled) or networkx for the three heavy measures; ``k`` samples
    betweenness sources (see :func:`betweenness`); ``seed`` drives sampling and Louvain;
    ``louvain_runs`` is the consensus size of :func:`louvain`.

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
    else:
        between = betweenness(graph, weight=weight, engine=engine, k=k, seed=seed)
        eigen = eigenvector(graph, weight=weight, engine=engine)
    community = louvain(graph, weight=weight, seed=seed, engine=engine, runs=louvain_runs)
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
    from sklearn.metrics import normalized_mutual_info_score  # heavy (~2.6 s); scoring only

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


def network_nmi(graph: nx.Graph, communities: pd.Series) -> dict[str, float]:
    """NMI of the Louvain communities of people with their building and with their main group kind
    (:func:`person_buildings`, :func:`primary_group_kind`), over the people labelled in both.

    ``graph`` is the community graph of :func:`build_graph` (it knows groups and buildings);
    ``communities`` maps person nodes to community labels (e.g. from :func:`node_metrics`)."""
    return {
        "楼栋 building": community_nmi(communities, person_buildings(graph)),
        "群类别 group kind": community_nmi(communities, primary_group_kind(graph)),
    }
