"""``jiesu network``: brokers and communities of any person × group membership list."""

from __future__ import annotations

from pathlib import Path

import click

from jiesu.cli import app


@app.command(
    "network",
    help="人员×群组名单的人际网络：中介中心性、社群 / Brokers and communities of a "
    "person × group membership list (CSV or XLSX).",
)
@click.argument("memberships", type=click.Path(path_type=Path))
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
    default="auto",
    show_default=True,
    help="中介中心性抽样源节点数：auto、0（精确）或数目 / betweenness sources: auto (exact up to "
    "3e8 persons × ties, else 500 seeded sample sources, said on stderr), 0 (exact) or a number",
)
@click.option(
    "--max-nodes",
    default=300,
    show_default=True,
    help="HTML 视图最多显示的节点数 / most nodes drawn in the HTML view (top by betweenness)",
)
def network_command(
    memberships: Path, person_col: str, group_col: str, out_dir: Path, seed: int, sources: str, max_nodes: int
) -> None:
    from jiesu.byod.network import run_on_table
    from jiesu.errors import JiesuError

    if sources != "auto" and not (sources.isdigit()):
        raise JiesuError(
            f"--sources 必须是 auto 或非负整数 / --sources must be auto or an integer ≥ 0, got {sources!r}"
        )

    result = run_on_table(
        memberships,
        person_col=person_col,
        group_col=group_col,
        out_dir=out_dir,
        seed=seed,
        sources=sources if sources == "auto" else int(sources),
        max_nodes=max_nodes,
    )
    click.echo(result.summary)
