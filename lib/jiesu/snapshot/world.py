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
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from jiesu import processed
from jiesu.analysis.style import SYNTHETIC_TAG
from jiesu.months import check_month
from jiesu.settings import FOCUS_COMMUNITY, Paths, paths
from jiesu.snapshot.asof import cut_table

PLANTED_TRUTH = "planted_truth.json"
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
    as_of: str | None = None

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
        """Whether ingest wrote table ``name`` for this world's community and it holds at least one row
        (in a cut: at least one row dated up to the cut)."""
        if processed.table_rows(self.paths.processed, name, self.community) == 0:
            return False
        return self.as_of is None or len(self.table(name)) > 0

    def table(self, name: str) -> pd.DataFrame:
        """Processed table ``name`` (a key of :data:`jiesu.contract.PROCESSED`) of this community (area
        tables: the whole area), a copy of its own; cut at the end of :attr:`as_of` when the world is a
        cut (:meth:`cut`).  Raises naming the command that makes the table."""
        version = processed.table_version(self.paths.processed, name, self.community)
        key = (str(self.paths.processed), name, self.community, version)
        return _read_cached(*key, self.as_of).copy(deep=False)

    def row_values(self, name: str, compute: Callable[[pd.DataFrame], pd.Series]) -> pd.Series:
        """``compute(table)`` on the whole of table ``name``, once per process and table version,
        aligned to this world's rows (a cut world gets the values of its own rows).

        For per-row derivations only (each value a function of its own row, such as the lexicon
        category of a message's text): computing them on the uncut table gives every row of a cut the
        value it would have had in the cut, so caching across months cannot leak the future.
        """
        version = processed.table_version(self.paths.processed, name, self.community)
        key = (str(self.paths.processed), name, self.community, version)
        return _row_values_cached(*key, compute).reindex(self.table(name).index)

    def version(self, name: str) -> str:
        """The version of table ``name`` in the store (changes whenever ingest rewrites it)."""
        return processed.table_version(self.paths.processed, name, self.community)

    def cut(self, month: str) -> World:
        """This world as it stood at the end of ``month`` (``YYYY-MM``): every dated table cut there
        (:func:`jiesu.snapshot.asof.cut_table`).  Reports for ``month`` read only through such a cut."""
        check_month(month)
        if self.as_of is not None and month > self.as_of:
            raise ValueError(f"cannot cut a world already cut at {self.as_of} at a later month {month}")
        return replace(self, as_of=month)

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


@lru_cache(maxsize=64)
def _read_cached(
    processed_dir: str, name: str, community: str, version: str, as_of: str | None
) -> pd.DataFrame:
    if as_of is None:
        return processed.read_table(processed_dir, name, community)
    return cut_table(name, _read_cached(processed_dir, name, community, version, None), as_of)


@lru_cache(maxsize=16)
def _row_values_cached(
    processed_dir: str, name: str, community: str, version: str, compute: Callable
) -> pd.Series:
    return compute(_read_cached(processed_dir, name, community, version, None))


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
