"""``jiesu ingest``: validate, link and pseudonymize every community of a raw folder into one store."""

from __future__ import annotations

import click

from jiesu.cli import app


@app.command(
    "ingest",
    help="校验、链接、脱敏原始数据 → processed / Validate, link and pseudonymize every community of "
    "DIR/raw into the processed store DIR/processed.",
)
@click.option(
    "--data-dir",
    "data_dir",
    default="",
    help="数据目录：读 DIR/raw，写 DIR/processed / data folder: reads DIR/raw, writes DIR/processed "
    "(default: the settings' data folder)",
)
@click.option("--raw", "raw_dir", default="", help="原始数据目录（覆盖）/ raw folder (overrides DIR/raw)")
@click.option("--out", "out_dir", default="", help="输出目录（覆盖）/ output store (overrides DIR/processed)")
@click.option(
    "--lenient",
    is_flag=True,
    help="宽松模式：坏行隔离而不报错 / set bad rows aside into quarantine files instead of failing",
)
@click.option(
    "--wait",
    "wait",
    default=0.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="另一进程正在写入时最多等待的秒数（0 = 立即放弃）/ seconds to wait when another run holds the "
    "store (0 = refuse at once)",
)
@click.option(
    "--workers",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="并行处理社区的进程数（0 = 空闲核数）/ worker processes for several changed communities (0 = idle cores)",
)
def ingest_command(
    data_dir: str, raw_dir: str, out_dir: str, lenient: bool, wait: float, workers: int
) -> None:
    from jiesu.ingest.pipeline import ingest
    from jiesu.settings import paths

    where = paths(data_dir or None)

    def waiting(holder) -> None:
        click.echo(f"等待 waiting: {out_dir or where.processed} is locked by {holder.describe()}", err=True)

    result = ingest(
        raw_dir or where.raw,
        out_dir or where.processed,
        lenient=lenient,
        progress=True,
        wait=wait,
        on_wait=waiting,
        workers=workers or None,
    )
    if result.quarantined:
        for table, count in sorted(result.quarantined.items()):
            click.echo(f"隔离 quarantined {table}: {count} 行 rows", err=True)
    click.echo(result.summary())
