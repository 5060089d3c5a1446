"""One world, opened once: a data directory, the community reported on, and what its data hold.

The CLI, a notebook's first cell and the report entry call :func:`open_world` once and pass the
:class:`World` down; nothing below them resolves a data directory again.  Whether the data are
synthetic, and the 模拟数据 tag every output carries, come from here and are written one way.

Tables are read through :mod:`jiesu.processed` (checked against the store's manifest; partitioned
tables only for this world's community), once per process (keyed on the table's version in the
store) and every caller gets its own shallow copy: with pandas copy-on-write, changing a column of one
caller's frame never changes another caller's.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from jiesu import processed
from jiesu.settings import FOCUS_COMMUNITY, Paths, paths

PLANTED_TRUTH = "planted_truth.json"
SYNTHETIC_TAG = "（模拟数据）"
SYNTHETIC_BANNER = "模拟数据：本报告由合成数据生成，仅用于演示方法，不反映任何真实社区、居民或工单。"


@dataclass(frozen=True)
class World:
    """A data directory (``raw/``, ``processed/``, ``interim/``) seen for one community.

    Build with :func:`open_world`.  ``synthetic`` is True when the data come from ``jiesu simulate``
    (a planted truth sits beside the raw files, or the ingest manifest recorded one).
    """

    paths: Paths
    community: str
    synthetic: bool

    @property
    def tag(self) -> str:
        """``"（模拟数据）"`` for synthetic data, else ``""``: appended to every title."""
        return SYNTHETIC_TAG if self.synthetic else ""

    @property
    def interim(self) -> Path:
        """Where this world's caches live (tokenized corpora, trained models)."""
        return self.paths.interim

    @property
    def manifest(self) -> dict:
        """The ingest manifest as this community sees it (:func:`jiesu.processed.community_manifest`:
        its own inputs and outputs plus the area panel's), ``{}`` if there is none."""
        return processed.community_manifest(self.paths.processed, self.community)

    def has(self, name: str) -> bool:
        """Whether ingest wrote table ``name`` for this world's community and it holds at least one row."""
        return processed.table_rows(self.paths.processed, name, self.community) > 0

    def table(self, name: str) -> pd.DataFrame:
        """Processed table ``name`` (a key of :data:`jiesu.contract.PROCESSED`) of this community (area
        tables: the whole area), a copy of its own; raises naming the command that makes it."""
        version = processed.table_version(self.paths.processed, name, self.community)
        return _read_cached(str(self.paths.processed), name, self.community, version).copy(deep=False)

    @property
    def raw_dir(self) -> Path:
        """This community's raw folder (``raw/`` or ``raw/communities/<name>/``, as ingest recorded it)."""
        relative = self.manifest.get("raw_dir") or "."
        return self.paths.raw if relative == "." else self.paths.raw / relative

    def planted_truth(self) -> dict | None:
        """The planted truth of a synthetic world, or ``None`` for real data."""
        where = self.raw_dir / PLANTED_TRUTH
        return json.loads(where.read_text(encoding="utf-8")) if where.exists() else None

    def planted_table(self, name: str) -> pd.DataFrame | None:
        """A planted-truth side table (``planted_<name>.csv`` in raw), or ``None`` if absent."""
        where = self.raw_dir / f"planted_{name}.csv"
        return pd.read_csv(where, dtype=str, keep_default_na=False) if where.exists() else None


@lru_cache(maxsize=32)
def _read_cached(processed_dir: str, name: str, community: str, version: str) -> pd.DataFrame:
    return processed.read_table(processed_dir, name, community)


def open_world(data_dir: str | os.PathLike | Paths | None = None, community: str | None = None) -> World:
    """Resolve a data directory once (``None`` → settings default, ``JIESU_DATA_DIR``) into a :class:`World`.

    ``community`` defaults to the top-level community of the raw folder (recorded by ingest), else the
    seed community.  Its partitions are the only ones this world reads.
    """
    where = data_dir if isinstance(data_dir, Paths) else paths(data_dir)
    name = community or processed.default_community(where.processed) or FOCUS_COMMUNITY
    manifest = processed.community_manifest(where.processed, name)
    relative = manifest.get("raw_dir") or "."
    raw = where.raw if relative == "." else where.raw / relative
    synthetic = (raw / PLANTED_TRUTH).exists() or bool(manifest.get("synthetic"))
    return World(paths=where, community=name, synthetic=synthetic)
