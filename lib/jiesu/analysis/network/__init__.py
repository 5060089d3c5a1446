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

# The public API, re-exported in the manner of networkx's algorithm packages: import from here.
from jiesu.analysis.network.centrality import (
    betweenness,
    betweenness_agreement,
    broker_table,
    community_nmi,
    eigenvector,
    louvain,
    network_nmi,
    node_metrics,
    person_buildings,
    primary_group_kind,
    sample_people,
)
from jiesu.analysis.network.consensus import consensus_partition
from jiesu.analysis.network.figures import (
    aggregate_figure,
    aggregate_graph,
    aggregate_layout,
    network_figure,
    nmi_figure,
)
from jiesu.analysis.network.graph import (
    EDGE_KINDS,
    REPLY_WINDOW_MINUTES,
    YUANYUAN,
    as_of_tables,
    build_graph,
    chat_interactions,
    graph_summary,
    membership_projection,
    person_keys,
    person_projection,
    to_person,
    yuanyuan_member_ids,
)
from jiesu.analysis.network.reach import (
    COMPLAINANT_COLUMNS,
    STAFF_REPLY_HOURS,
    complainant_linkage,
    complainants_by_building,
    group_reach,
    team_responsiveness,
)

__all__ = [
    "YUANYUAN",
    "REPLY_WINDOW_MINUTES",
    "EDGE_KINDS",
    "person_keys",
    "to_person",
    "yuanyuan_member_ids",
    "chat_interactions",
    "build_graph",
    "graph_summary",
    "membership_projection",
    "person_projection",
    "as_of_tables",
    "betweenness",
    "betweenness_agreement",
    "eigenvector",
    "louvain",
    "consensus_partition",
    "node_metrics",
    "community_nmi",
    "primary_group_kind",
    "person_buildings",
    "broker_table",
    "sample_people",
    "network_nmi",
    "STAFF_REPLY_HOURS",
    "group_reach",
    "team_responsiveness",
    "COMPLAINANT_COLUMNS",
    "complainant_linkage",
    "complainants_by_building",
    "network_figure",
    "aggregate_graph",
    "aggregate_layout",
    "aggregate_figure",
    "nmi_figure",
]
