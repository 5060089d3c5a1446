"""Building the community graph: people, households, groups, teams and 园园, and the person projection."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from jiesu.categories import TEAMS

YUANYUAN = "YY"
"""Node key of 园园."""


REPLY_WINDOW_MINUTES = 30
"""Default reply window: a message within this many minutes after another person's message in the same
group counts as a reply to it (when it carries no @mention)."""


EDGE_KINDS = ("household", "membership", "friend", "team", "mentions", "replies")


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
    _add_registry(graph, households, residents)
    _add_groups_and_teams(graph, groups, teams)
    _add_people(graph, keys, friends, teams, memberships)
    interactions = chat_interactions(messages, reply_window_minutes=reply_window_minutes)
    if len(interactions):
        sources = to_person(interactions["source_id"], keys)
        targets = to_person(interactions["target_id"], keys)
        kinds = interactions["kind"].map({"mention": "mentions", "reply": "replies"})
        for s, t, k, c in zip(sources, targets, kinds, interactions["count"], strict=True):
            _add_edge(graph, _person_node(graph, s), _person_node(graph, t), k, float(c))
    return graph


def _person_node(graph: nx.Graph, node: str) -> str:
    """``node``, added as a person first if the graph has not met it (a member in no registry)."""
    if node not in graph:
        graph.add_node(node, kind="member" if node.startswith("M:") else "resident", building=None)
    return node


def _add_registry(graph: nx.Graph, households: pd.DataFrame, residents: pd.DataFrame) -> None:
    """Household nodes and resident nodes, each resident linked to its household."""
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


def _add_groups_and_teams(graph: nx.Graph, groups: pd.DataFrame, teams: pd.DataFrame) -> None:
    """Group nodes (name, kind, building of 楼门 groups) and one node per backbone team."""
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


def _add_people(
    graph: nx.Graph, keys: pd.Series, friends: pd.DataFrame, teams: pd.DataFrame, memberships: pd.DataFrame
) -> None:
    """Friend edges to 园园, team edges and group-membership edges of every person."""
    for member in to_person(friends["member_id"].dropna(), keys):
        if member != YUANYUAN:
            _add_edge(graph, YUANYUAN, _person_node(graph, member), "friend")
    if len(teams):
        team_people = to_person(teams["member_id"], keys)
        for person, code in zip(team_people, teams["team_code"].astype(str), strict=True):
            if person != YUANYUAN:
                _add_edge(graph, _person_node(graph, person), f"T:{code}", "team")
    member_people = to_person(memberships["member_id"], keys)
    for person, gid in zip(member_people, memberships["group_id"].astype(str), strict=True):
        if f"G:{gid}" not in graph:
            graph.add_node(f"G:{gid}", kind="group", name=gid, kind_zh=None, building=None)
        _add_edge(graph, _person_node(graph, person), f"G:{gid}", "membership")


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
