"""``jiesu simulate``: write the synthetic 高碑店 world (raw files + planted truth) into a data directory.

Like every other command, ``--out``/``--data-dir`` names a *data* directory: the raw files go to its
``raw/`` (``ingest`` then writes ``processed/`` beside it, reports read both).  Without it, the settings'
raw directory (``data/raw``, or ``JIESU_RAW_DIR``/``JIESU_DATA_DIR``) is used.
"""

from __future__ import annotations

from pathlib import Path

import click

from jiesu.cli import app
from jiesu.contract import RAW
from jiesu.errors import JiesuError
from jiesu.settings import paths

SIMULATED_MARK = "planted_truth.json"  # written last by every simulated world


def raw_target(data_dir: str) -> tuple[Path, Path | None]:
    """(raw directory to write, its data directory or None for the settings default), after refusing a
    directory that is a raw folder itself or whose ``raw/`` holds data ``jiesu simulate`` did not write."""
    if not data_dir:
        where = paths()
        raw, data = where.raw, None
    else:
        data = Path(data_dir).expanduser()
        raw = paths(data).raw
        data = raw.parent
        contract_files = {t.file for t in RAW.values()}
        if (
            data.name == "raw"
            or (data / SIMULATED_MARK).exists()
            or any((data / f).exists() for f in contract_files)
        ):
            raise JiesuError(
                f"{data} 是原始数据目录 is a raw folder, but --out takes a data directory (raw files go to "
                f"DIR/raw): run `jiesu simulate --out {data.parent}`"
            )
    if raw.is_dir() and any(raw.iterdir()) and not (raw / SIMULATED_MARK).exists():
        present = sorted(p.name for p in raw.iterdir() if p.name != "README.md")
        if present:
            other = f"{(data or raw.parent)}-synthetic"
            raise JiesuError(
                f"{raw} 已有非模拟数据 already holds data that jiesu simulate did not write ({present[0]}, …; no "
                f"{SIMULATED_MARK}); raw data is never overwritten: remove it or run `jiesu simulate --out {other}`"
            )
    return raw, data


@app.command(
    "simulate",
    help="生成模拟数据（含预设真值）写入 DIR/raw / Generate the synthetic world with its planted truth "
    "into DIR/raw.",
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
    "--out",
    "--data-dir",
    "data_dir",
    default="",
    help="数据目录，原始文件写入其中的 raw/（默认 data/raw）/ data directory; the raw files go to its raw/ "
    "(default: data/raw)",
)
@click.option(
    "--communities",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="另生成N个对照社区的完整数据（写入 raw/communities/）/ also write N peer communities as full "
    "worlds (into raw/communities/)",
)
@click.option(
    "--area",
    is_flag=True,
    help="生成高碑店地区全部社区（重点社区和23个对照社区）的完整数据 / write every community of the "
    "高碑店 area (the focus and its 23 peers) as a full world",
)
@click.option("--quiet", is_flag=True, help="不显示进度条 / no progress bar")
def simulate_command(
    seed: int, preset: str, data_dir: str, communities: int, area: bool, quiet: bool
) -> None:
    # lazy: this command's libraries load only when it runs, so `jiesu --help` stays fast
    from jiesu.world.simulate import simulate

    raw, data = raw_target(data_dir)
    summary = simulate(raw, seed=seed, preset=preset, progress=not quiet, communities=communities, area=area)
    click.echo(
        f"模拟数据 simulated {summary['preset']} world (seed {summary['seed']}) → {summary['out_dir']}: "
        f"{summary['households']} households, {summary['residents']} residents, {summary['friends']} friends, "
        f"{summary['messages']} messages, {summary['cases']} cases, {summary['bursts']} bursts"
        + (f", {summary['communities']} peer communities" if summary["communities"] else "")
        + f" in {summary['seconds']:.1f} s"
    )
    where = f" --data-dir {data}" if data is not None else ""
    click.echo(f"下一步 next: jiesu ingest{where}")
