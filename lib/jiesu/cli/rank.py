"""``jiesu rank``: the complaint-rate league table of any area panel, with rank intervals and a bump chart."""

from __future__ import annotations

import click

from jiesu.cli import app


@app.command("rank", help="任意地区面板的投诉率排名（含区间）与排名走势图 / Complaint-rate ranks with "
                          "intervals and a bump chart for any area panel.")
@click.argument("counts_file", metavar="COUNTS.(csv|xlsx)", type=click.Path(dir_okay=False))
@click.option("--unit-col", required=True, help="单位（社区）列名 / unit (community) column")
@click.option("--month-col", required=True, help="月份列名（2020-09、2020年9月、Excel 日期均可）/ month column")
@click.option("--count-col", required=True, help="诉求量列名 / request-count column")
@click.option("--pop-col", required=True, help="人口（或户数）列名 / population (or households) column")
@click.option("--focus", default=None, help="重点单位（在图中突出显示）/ unit to highlight")
@click.option("--per", default=10000.0, show_default=True, type=float,
              help="比率基数：每多少人 / rate per how many people (1000 for households)")
@click.option("--window", default=1, show_default=True, type=click.IntRange(1, 24),
              help="滚动月数（3 = 近三个月合计）/ months pooled (3 = rolling 3-month view)")
@click.option("--n-sim", default=1000, show_default=True, type=click.IntRange(20, 100000),
              help="排名区间的模拟次数 / simulations for rank intervals")
@click.option("--seed", default=0, show_default=True, type=int, help="随机种子 / random seed")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="输出目录 / output directory")
def rank_command(counts_file: str, unit_col: str, month_col: str, count_col: str, pop_col: str,
                 focus: str | None, per: float, window: int, n_sim: int, seed: int, out_dir: str) -> None:
    import sys
    from pathlib import Path

    from tqdm import tqdm

    from jiesu.errors import DataError
    from jiesu.ranking import bump_figure, clean_counts, rank_intervals, rank_table, ranks_export
    from jiesu.readers import read_raw
    from jiesu.storage import write_csv, write_text

    path = Path(counts_file)
    if not path.is_file():
        raise DataError(path, "文件不存在 file not found")
    raw = read_raw(path)
    counts = clean_counts(raw.frame, unit=unit_col, month=month_col, count=count_col, population=pop_col,
                          source=path.name, first_row=raw.file_row(0))
    if focus is not None and focus not in set(counts["unit"]):
        raise DataError(path.name, f"找不到重点单位 focus unit {focus!r} not found", column=unit_col)
    table = rank_table(counts, unit="unit", period="month", count="count", exposure="population", per=per,
                       window=window)
    if table.empty:
        raise DataError(path.name, f"没有可排名的月份 no month has {window} consecutive months of data")
    months = sorted(table["month"].unique())
    parts = []
    with tqdm(total=len(months), desc="jiesu rank: 排名区间 rank intervals", file=sys.stderr, leave=False) as bar:
        for i, month in enumerate(months):
            parts.append(rank_intervals(table.loc[table["month"] == month], unit="unit", period="month",
                                        n_sim=n_sim, seed=seed + i))
            bar.update()
    import pandas as pd

    table = pd.concat(parts)
    out = Path(out_dir)
    write_csv(out / "ranks.csv", ranks_export(table))
    fig = bump_figure(table, focus, unit="unit", period="month",
                      title=f"投诉率排名 Rank by rate per {per:g} (1 = 最高 highest)")
    write_text(out / "bump_chart.html", fig.to_html(include_plotlyjs=True, full_html=True))
    summary = f"rank: {table['unit'].nunique()} units × {len(months)} months → {out / 'ranks.csv'}, bump_chart.html"
    if focus is not None:
        last = table.loc[(table["unit"] == focus)].sort_values("month").iloc[-1]
        summary += (f"; {focus} {last['month']}: rank {int(last['rank'])}/{int(last['n_units'])} "
                    f"[{int(last['rank_lo'])}, {int(last['rank_hi'])}]")
    click.echo(summary)
