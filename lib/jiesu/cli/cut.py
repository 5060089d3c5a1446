"""``jiesu cut``: a copy of the processed data as they stood at the end of a month."""

from __future__ import annotations

import click

from jiesu.cli import app


@app.command(
    "cut",
    help="截取某月月底为止的数据副本（用于核对报告没有用到以后的数据）/ Write the processed data as they "
    "stood at the end of a month into another data directory (to check a report uses no later data).",
)
@click.option("--data-dir", default="", help="数据目录 / data dir with processed/ (default: settings)")
@click.option("--at", "month", required=True, help="截至月份 YYYY-MM / cut at the end of this month")
@click.option(
    "--out", "out_dir", required=True, help="新的数据目录 / new data directory (its processed/ is written)"
)
def cut_command(data_dir: str, month: str, out_dir: str) -> None:
    # lazy: this command's libraries load only when it runs, so `jiesu --help` stays fast
    from jiesu.snapshot.cut import cut_data_dir

    target = cut_data_dir(data_dir or None, month, out_dir)
    click.echo(f"cut: data as of the end of {month} → {target}")
