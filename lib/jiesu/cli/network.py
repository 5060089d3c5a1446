"""``jiesu network``: brokers and communities of any person × group membership list."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jiesu.cli import app

METRIC_COLUMNS = ("person", "degree", "betweenness", "eigenvector", "community", "strength", "groups")


@app.command(
    "network",
    help="人员×群组名单的人际网络：中介中心性、社群 / Brokers and communities of a "
    "person × group membership list (CSV or XLSX).",
)
@click.argument("memberships", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--person-col", required=True, help="人员列名 / column naming the person")
@click.option("--group-col", required=True, help="群组列名 / column naming the group (club, chat, team…)")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="输出目录 / output directory (node_metrics.csv, network.html)",
)
@click.option(
    "--seed", default=0, show_default=True, help="社群划分与布局的随机种子 / seed for Louvain and layout"
)
@click.option(
    "--sources",
    "sources",
    default=0,
    show_default=True,
    help="中介中心性抽样源节点数（0 = 精确）/ betweenness from this many seeded sample sources "
    "(0 = exact; use ~500 for lists of many thousands)",
)
@click.option(
    "--max-nodes",
    default=300,
    show_default=True,
    help="HTML 视图最多显示的节点数 / most nodes drawn in the HTML view (top by betweenness)",
)
def network_command(
    memberships: Path, person_col: str, group_col: str, out_dir: Path, seed: int, sources: int, max_nodes: int
) -> None:
    from tqdm import tqdm

    from jiesu import network
    from jiesu.errors import DataError
    from jiesu.readers import read_raw
    from jiesu.storage import write_csv, write_text

    if not memberships.exists():
        raise DataError(memberships, "文件不存在 file not found")
    with tqdm(total=4, desc="jiesu network", unit="step", file=sys.stderr, leave=False) as bar:
        raw = read_raw(memberships)
        members, counts = network.clean_memberships(
            raw.frame, person_col, group_col, file=memberships.name, first_row=raw.header_rows + 1
        )
        bar.update()
        graph = network.membership_projection(members["person"], members["group"])
        bar.update()
        k = sources if 0 < sources < graph.number_of_nodes() else None
        metrics = network.node_metrics(graph, seed=seed, k=k)
        metrics["groups"] = metrics["node"].map(lambda n: graph.nodes[n]["groups"])
        metrics = metrics.rename(columns={"node": "person"})[list(METRIC_COLUMNS)].round(
            {"betweenness": 6, "eigenvector": 6, "strength": 6}
        )
        bar.update()
        metrics_path = write_csv(out_dir / "node_metrics.csv", metrics)
        figure = network.network_figure(
            graph,
            metrics.rename(columns={"person": "node"}),
            max_nodes=max_nodes,
            seed=seed,
            title=f"人际网络 person network — {memberships.name}",
            node_label="person",
            label_top=20,
        )
        html_path = write_text(
            out_dir / "network.html",
            figure.to_html(include_plotlyjs=True, full_html=True, div_id="jiesu-network"),
        )
        bar.update()
    dropped = (
        f"; dropped {counts['blank_rows']} blank and {counts['duplicates']} duplicate rows"
        if counts["blank_rows"] or counts["duplicates"]
        else ""
    )
    click.echo(
        f"network: {counts['persons']} persons, {counts['groups']} groups, {graph.number_of_edges()} ties, "
        f"{metrics['community'].nunique()} communities{dropped} → {metrics_path}, {html_path}"
    )
