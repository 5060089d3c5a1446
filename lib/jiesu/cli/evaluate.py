"""``jiesu evaluate``: print the planted-truth scorecard."""

from __future__ import annotations

import json

import click

from jiesu.cli import app


@app.command("evaluate", help="对照预设真值打分 / Score every analysis against the planted truth.")
@click.option("--data-dir", default="", help="数据目录 / data dir (default: settings)")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON")
def evaluate_command(data_dir: str, as_json: bool) -> None:
    # lazy: this command's libraries load only when it runs, so `jiesu --help` stays fast
    from jiesu.evaluation.scorecard import evaluate, flatten
    from jiesu.snapshot.world import open_world

    card = evaluate(open_world(data_dir or None))
    if as_json:
        click.echo(json.dumps(card, ensure_ascii=False, indent=2))
        return
    for key, value in flatten(card).items():
        shown = (
            "null (无法计算 not computable)"
            if value is None
            else (f"{value:.4f}" if isinstance(value, float) else str(value))
        )
        click.echo(f"{key:45s} {shown}")
