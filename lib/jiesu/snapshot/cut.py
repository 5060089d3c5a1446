"""``jiesu cut``: write a copy of a world's processed data as it stood at the end of a month.

The copy is what a report for that month would have seen had it been rendered then; rendering the
same report on the full data and on the copy must give identical key figures and tables (the
truncation-invariance property, ``tests/report/test_truncation.py``).  Dated tables are cut with
:func:`jiesu.snapshot.asof.cut_table`; the manifest is rewritten for the new row counts and hashes
and records ``cut_at``; raw data are not copied (the cut is of processed data only).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from jiesu import processed
from jiesu.contract import PROCESSED
from jiesu.settings import Paths, paths
from jiesu.snapshot.world import World, open_world


def cut_world(world: World, month: str, out_dir: str | os.PathLike) -> Paths:
    """Write the store of ``world`` (every community in it, and the area tables) cut at the end of
    ``month`` into the data directory ``out_dir`` (``out_dir/processed``, one new generation switched
    in atomically); returns its paths."""
    source = processed.read_manifest(world.paths.processed)
    target = paths(out_dir)
    manifest = {key: value for key, value in source.items() if key not in ("communities", "area")}
    manifest["communities"] = {}
    with processed.new_generation(target.processed, fix=f"jiesu cut --at {month} --out {out_dir}") as gen:
        for community, own in source.get("communities", {}).items():
            cut = replace(world, community=community).cut(month)
            outputs = {
                name: gen.write_table(name, cut.table(name), community)
                for name in own.get("outputs", {})
                if PROCESSED[name].partitioned
            }
            manifest["communities"][community] = {**own, "outputs": outputs}
        area = source.get("area", {})
        cut = world.cut(month)
        manifest["area"] = {
            **area,
            "outputs": {name: gen.write_table(name, cut.table(name)) for name in area.get("outputs", {})},
        }
        manifest.update(cut_at=month, cut_from=str(world.paths.data))
        gen.commit(manifest)
    return target


def cut_data_dir(data_dir: str | os.PathLike | None, month: str, out_dir: str | os.PathLike) -> Path:
    """:func:`cut_world` for the world of ``data_dir``; returns the new data directory."""
    return cut_world(open_world(data_dir), month, Path(out_dir)).data
