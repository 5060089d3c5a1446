"""``jiesu schedule``: render every month lacking a current report, then rewrite reports/index.html."""

from __future__ import annotations

import click

from jiesu.cli import app


@app.command(
    "schedule",
    help="补齐所有缺少最新版本的月度报告并更新目录 / Render every month lacking a current "
    "report, then rewrite reports/index.html (cron/systemd-friendly, idempotent).",
)
@click.option(
    "--since",
    required=True,
    help="起始月份 YYYY-MM，或 latest（只生成最近一个月）/ first month, e.g. 2019-01, or latest (the latest month only)",
)
@click.option(
    "--until",
    default="",
    help="截止月份 YYYY-MM，默认为有数据的最近一个月 / last month (default: latest with data)",
)
@click.option(
    "--community",
    "communities",
    multiple=True,
    help="社区，可重复；默认为数据目录里有自身数据的所有社区 / community, repeatable (default: every "
    "community the data directory holds its own data for)",
)
@click.option("--data-dir", default="", help="数据目录 / data dir (default: settings)")
@click.option("--out-dir", default="", help="报告根目录 / reports root (default: reports/)")
@click.option(
    "--notebook", default="", help="报告模板 / report notebook (default: notebooks/00_monthly_report.ipynb)"
)
@click.option("--force", is_flag=True, help="即使报告已是最新也重新生成 / re-render even current reports")
@click.option(
    "--scheduler",
    default="",
    help="Dask 调度器地址 tcp://HOST:PORT（或环境变量 JIESU_DASK_SCHEDULER）；默认在本机启动 / an existing Dask "
    "scheduler (or $JIESU_DASK_SCHEDULER); default: an embedded LocalCluster sized to this machine",
)
@click.option(
    "--workers",
    default=0,
    type=click.IntRange(0, 512),
    help="本机 worker 数（0 = 每核一个）/ embedded workers (0 = one per core)",
)
@click.option(
    "--area",
    default="",
    help="地区名称（概览页的标题和目录）/ area name for the overview page (default: settings)",
)
def schedule_command(
    since: str,
    until: str,
    communities: tuple[str, ...],
    data_dir: str,
    out_dir: str,
    notebook: str,
    force: bool,
    scheduler: str,
    workers: int,
    area: str,
) -> None:
    from jiesu.errors import JiesuError
    from jiesu.report.schedule import run_schedule

    result = run_schedule(
        since,
        until or None,
        communities=list(communities) or None,
        data_dir=data_dir or None,
        out_dir=out_dir or None,
        notebook=notebook or None,
        force=force,
        scheduler=scheduler or None,
        workers=workers or None,
        **({"area": area} if area else {}),
    )
    for (community, month), message in sorted(result.failed.items()):
        click.echo(f"失败 failed: {community} {month}: {message}", err=True)
    summary = (
        f"schedule: {len(result.rendered)} rendered, {len(result.current)} current, "
        f"{len(result.failed)} failed, {len(result.overviews)} overviews in {result.seconds:.0f} s → {result.index} "
        f"(log {result.log})"
    )
    click.echo(summary)
    if result.failed:
        raise JiesuError(
            f"{len(result.failed)} 个月份生成失败 month(s) failed, last good reports kept; see {result.log}"
        )
