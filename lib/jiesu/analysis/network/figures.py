"""Network figures: the sampled resident view, the aggregated group–building–team view, NMI bars."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from jiesu.analysis.network.centrality import node_metrics
from jiesu.analysis.network.graph import YUANYUAN
from jiesu.analysis.style import PALETTE
from jiesu.categories import GROUP_KINDS


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
