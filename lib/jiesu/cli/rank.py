"""``jiesu rank``: the complaint-rate league table of any area panel, with rank intervals and a bump chart."""

from __future__ import annotations

from pathlib import Path

import click

from jiesu.cli import app


@app.command(
    "rank",
    help="任意地区面板的投诉率排名（含区间）与排名走势图 / Complaint-rate ranks with "
    "intervals and a bump chart for any area panel.",
)
@click.argument("counts_file", metavar="COUNTS.(csv|xlsx)", type=click.Path(dir_okay=False))
@click.option("--unit-col", required=True, help="单位（社区）列名 / unit (community) column")
@click.option(
    "--month-col", required=True, help="月份列名（2020-09、2020年9月、Excel 日期均可）/ month column"
)
@click.option("--count-col", required=True, help="诉求量列名 / request-count column")
@click.option("--pop-col", required=True, help="人口（或户数）列名 / population (or households) column")
@click.option("--focus", default=None, help="重点单位（在图中突出显示）/ unit to highlight")
@click.option(
    "--per",
    default=10000.0,
    show_default=True,
    type=float,
    help="比率基数：每多少人 / rate per how many people (1000 for households)",
)
@click.option(
    "--window",
    default=1,
    show_default=True,
    type=click.IntRange(1, 24),
    help="滚动月数（3 = 近三个月合计）/ months pooled (3 = rolling 3-month view)",
)
@click.option(
    "--n-sim",
    default=1000,
    show_default=True,
    type=click.IntRange(20, 100000),
    help="排名区间的模拟次数 / simulations for rank intervals",
)
@click.option("--seed", default=0, show_default=True, type=int, help="随机种子 / random seed")
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录 / output directory"
)
def rank_command(
    counts_file: str,
    unit_col: str,
    month_col: str,
    count_col: str,
    pop_col: str,
    focus: str | None,
    per: float,
    window: int,
    n_sim: int,
    seed: int,
    out_dir: str,
) -> None:
    # lazy: this command's libraries load only when it runs, so `jiesu --help` stays fast
    from jiesu.byod.rank import run_on_table

    summary = run_on_table(
        Path(counts_file),
        unit_col=unit_col,
        month_col=month_col,
        count_col=count_col,
        pop_col=pop_col,
        focus=focus,
        per=per,
        window=window,
        n_sim=n_sim,
        seed=seed,
        out_dir=Path(out_dir),
    )
    click.echo(summary)
