"""``jiesu simulate``: write the synthetic 高碑店 world (raw files + planted truth)."""

from __future__ import annotations

import click

from jiesu.cli import app


@app.command(
    "simulate", help="生成模拟数据（含预设真值）/ Generate the synthetic world with its planted truth."
)
@click.option("--seed", default=0, show_default=True, type=int, help="随机种子 / world seed")
@click.option(
    "--preset",
    default="full",
    show_default=True,
    type=click.Choice(["full", "small"]),
    help="规模：full（2018-01至2020-09，约30万条消息）或 small（3个月，≤2万条）/ "
    "size: full (2018-01..2020-09, ~300k messages) or small (3 months, ≤ 20k)",
)
@click.option(
    "--out", "out_dir", default="", help="输出目录（默认 data/raw）/ output directory (default: data/raw)"
)
@click.option(
    "--communities",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="另生成N个对照社区（写入 OUT/communities/）/ also write N peer communities (into OUT/communities/)",
)
@click.option("--quiet", is_flag=True, help="不显示进度条 / no progress bar")
def simulate_command(seed: int, preset: str, out_dir: str, communities: int, quiet: bool) -> None:
    from jiesu.settings import paths
    from jiesu.world.simulate import simulate

    summary = simulate(
        out_dir or paths().raw, seed=seed, preset=preset, progress=not quiet, communities=communities
    )
    click.echo(
        f"模拟数据 simulated {summary['preset']} world (seed {summary['seed']}) → {summary['out_dir']}: "
        f"{summary['households']} households, {summary['residents']} residents, {summary['friends']} friends, "
        f"{summary['messages']} messages, {summary['cases']} cases, {summary['bursts']} bursts"
        + (f", {summary['communities']} peer communities" if summary["communities"] else "")
        + f" in {summary['seconds']:.1f} s"
    )
