"""The processed store: where ``jiesu ingest`` publishes tables and how every reader opens them.

One owner for the on-disk layout of ``data/processed`` (ingest writes through it, snapshot reads
through it), so the layout can change without touching analyses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from jiesu.contract import PROCESSED
from jiesu.errors import MissingDataError

MANIFEST = "manifest.json"


def table_path(processed_dir: Path, name: str) -> Path:
    """Where processed table ``name`` (a key of :data:`jiesu.contract.PROCESSED`) lives."""
    if name not in PROCESSED:
        raise KeyError(f"unknown processed table {name!r}; known: {', '.join(PROCESSED)}")
    return Path(processed_dir) / PROCESSED[name][0]


def has_table(processed_dir: Path, name: str) -> bool:
    """Whether ingest wrote table ``name`` into ``processed_dir``."""
    return table_path(processed_dir, name).exists()


def read_table(processed_dir: Path, name: str) -> pd.DataFrame:
    """Processed table ``name``; :class:`MissingDataError` naming the command that makes it when absent."""
    where = table_path(processed_dir, name)
    if not where.exists():
        raise MissingDataError(
            f"{where} 不存在 does not exist: run `jiesu ingest --raw {Path(processed_dir).parent / 'raw'} "
            f"--out {processed_dir}` (or `make data`) first"
        )
    return pd.read_parquet(where)


def read_manifest(processed_dir: Path) -> dict:
    """The ingest manifest (input hashes, row counts, schema version), or ``{}`` if there is none."""
    where = Path(processed_dir) / MANIFEST
    return json.loads(where.read_text(encoding="utf-8")) if where.exists() else {}


def communities(processed_dir: Path) -> list[str]:
    """The communities whose own data the store holds (recorded by ingest), in its order."""
    manifest = read_manifest(processed_dir)
    names = manifest.get("communities") or ([manifest["community"]] if manifest.get("community") else [])
    return [n if isinstance(n, str) else n.get("name") for n in names]
