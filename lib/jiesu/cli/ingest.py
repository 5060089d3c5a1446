"""``jiesu ingest``: validate, link and pseudonymize raw exports into data/processed."""

from __future__ import annotations

import click

from jiesu.cli import app


@app.command(
    "ingest",
    help="校验、链接、脱敏原始数据 → data/processed / Validate, link and pseudonymize raw "
    "exports into data/processed.",
)
@click.option("--raw", "raw_dir", default="", help="原始数据目录 / raw data folder (default: data/raw)")
@click.option("--out", "out_dir", default="", help="输出目录 / output folder (default: data/processed)")
@click.option(
    "--lenient",
    is_flag=True,
    help="宽松模式：坏行隔离而不报错 / set bad rows aside into a quarantine file instead of failing",
)
def ingest_command(raw_dir: str, out_dir: str, lenient: bool) -> None:
    from jiesu.ingest.pipeline import ingest
    from jiesu.settings import paths

    where = paths()
    result = ingest(raw_dir or where.raw, out_dir or where.processed, lenient=lenient, progress=True)
    if result.quarantined:
        for table, count in sorted(result.quarantined.items()):
            click.echo(f"隔离 quarantined {table}: {count} 行 rows", err=True)
    click.echo(result.summary())
