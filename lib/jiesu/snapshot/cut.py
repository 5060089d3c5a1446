"""``jiesu cut``: write a copy of a world's processed data as it stood at the end of a month.

The copy is what a report for that month would have seen had it been rendered then; rendering the
same report on the full data and on the copy must give identical key figures and tables (the
truncation-invariance property, ``tests/report/test_truncation.py``).  Dated tables are cut with
:func:`jiesu.snapshot.asof.cut_table`; the manifest is rewritten for the new row counts and hashes
and records ``cut_at``; raw data are not copied (the cut is of processed data only).
"""

from __future__ import annotations

import os
from pathlib import Path

from jiesu.contract import PROCESSED
from jiesu.processed import MANIFEST, has_table
from jiesu.settings import Paths, paths
from jiesu.snapshot.world import World, open_world
from jiesu.storage import file_sha256, write_json, write_parquet


def cut_world(world: World, month: str, out_dir: str | os.PathLike) -> Paths:
    """Write ``world`` cut at the end of ``month`` into the data directory ``out_dir``
    (``out_dir/processed``); returns its paths."""
    cut = world.cut(month)
    target = paths(out_dir)
    manifest = dict(world.manifest)
    outputs = {}
    for name, (file, _, _) in PROCESSED.items():
        if not has_table(world.paths.processed, name):
            continue
        frame = cut.table(name)
        written = write_parquet(target.processed / file, frame)
        outputs[name] = {"file": file, "rows": len(frame), "sha256": file_sha256(written)}
    manifest.update(outputs=outputs, cut_at=month, cut_from=str(world.paths.data), community=world.community)
    write_json(target.processed / MANIFEST, manifest)
    return target


def cut_data_dir(data_dir: str | os.PathLike | None, month: str, out_dir: str | os.PathLike) -> Path:
    """:func:`cut_world` for the world of ``data_dir``; returns the new data directory."""
    return cut_world(open_world(data_dir), month, Path(out_dir)).data
