"""Reading what ``jiesu ingest`` wrote: processed tables, the manifest, and (for synthetic data) the
planted truth.  Analyses call :func:`load`; they never read ``data/raw`` themselves.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

import pandas as pd

from jiesu.contract import PROCESSED
from jiesu.errors import MissingDataError
from jiesu.settings import Paths, paths

PLANTED_TRUTH = "planted_truth.json"


def resolve(data: Paths | str | os.PathLike | None = None) -> Paths:
    """Accept a :class:`Paths`, a data directory, or ``None`` (settings default)."""
    return data if isinstance(data, Paths) else paths(data)


def load(name: str, data: Paths | str | os.PathLike | None = None) -> pd.DataFrame:
    """A processed table by key (see :data:`jiesu.contract.PROCESSED`), e.g. ``load("cases")``.

    Raises :class:`MissingDataError` naming the command that makes it when the table is absent.
    """
    if name not in PROCESSED:
        raise KeyError(f"unknown processed table {name!r}; known: {', '.join(PROCESSED)}")
    where = resolve(data).processed / PROCESSED[name][0]
    if not where.exists():
        raise MissingDataError(f"{where} 不存在 does not exist: run `make data` (or `jiesu ingest`) first")
    return _read_parquet(str(where), where.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _read_parquet(path: str, mtime_ns: int) -> pd.DataFrame:
    return pd.read_parquet(path)


def manifest(data: Paths | str | os.PathLike | None = None) -> dict:
    """The ingest manifest (input hashes, row counts, schema version), or ``{}`` if none."""
    where = resolve(data).processed / "manifest.json"
    return json.loads(where.read_text(encoding="utf-8")) if where.exists() else {}


def is_synthetic(data: Paths | str | os.PathLike | None = None) -> bool:
    """True when the data come from ``jiesu simulate`` (a planted truth sits beside the raw files,
    or the ingest manifest recorded one). Every rendered output then carries the 模拟数据 banner."""
    where = resolve(data)
    return (where.raw / PLANTED_TRUTH).exists() or bool(manifest(where).get("synthetic"))


def planted_truth(data: Paths | str | os.PathLike | None = None) -> dict | None:
    """The planted truth of a synthetic world, or ``None`` for real data."""
    where = resolve(data).raw / PLANTED_TRUTH
    return json.loads(where.read_text(encoding="utf-8")) if where.exists() else None


def read_planted_table(name: str, data: Paths | str | os.PathLike | None = None) -> pd.DataFrame | None:
    """A planted-truth side table (``planted_<name>.csv`` in raw), or ``None`` if absent."""
    where = resolve(data).raw / f"planted_{name}.csv"
    return pd.read_csv(where, dtype=str, keep_default_na=False) if where.exists() else None
