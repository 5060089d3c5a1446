"""The labelled real development sets in ``../shared/data/real`` (read in place, never copied).

They carry no licence, so the workspace never ships them: tests, benchmarks and notebook 02 read them
from the shared folder beside the repository when it is there, and say so when it is not.
``JIESU_REAL_DATA`` points elsewhere.  What each set is, its quirks and the figures measured on it
are in that folder's ``SOURCES.md``.

Sets
----
* :func:`liuyan` – 人民网 领导留言板 citizen messages (Beijing), the 9,449 rows whose 问题领域 has at
  least 30 rows: 13 domains, majority class 城建 46 %.  :func:`liuyan_sample` draws a seeded subset.
* :func:`telecom` – 2,400 telecom complaint work orders, 8 balanced classes (read with
  ``quoting=csv.QUOTE_NONE``: default quoting silently merges lines and returns 1,260 rows).
  :func:`telecom_sample` draws a seeded subset.
* :func:`stopword_lists` – the four Chinese stopword lists practitioners use (goto456).
"""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from jiesu.errors import MissingDataError
from jiesu.settings import paths

LIUYAN_FILE = Path("msgabench_liuyan") / "Government affairs Q&A service scenario.xlsx"
LIUYAN_SHEET = "情感分类"
TELECOM_FILE = Path("cocc_telecom") / "COCC.txt"
STOPWORD_FILES = {
    "cn": "cn_stopwords.txt",
    "hit": "hit_stopwords.txt",
    "baidu": "baidu_stopwords.txt",
    "scu": "scu_stopwords.txt",
}
MIN_CLASS_ROWS = 30


class RealDataMissing(MissingDataError):
    """The shared real development sets are not beside this checkout."""


def real_data_dir() -> Path | None:
    """``$JIESU_REAL_DATA``, else ``<repo>/../shared/data/real``; ``None`` when it does not exist."""
    env = os.environ.get("JIESU_REAL_DATA")
    candidate = Path(env).expanduser() if env else paths().home.parent / "shared" / "data" / "real"
    return candidate if candidate.is_dir() else None


def missing_reason() -> str | None:
    """Why the real sets cannot be used here (for ``pytest.skip``), or ``None`` when they can."""
    root = real_data_dir()
    if root is None:
        return "real development sets not found (../shared/data/real beside the repo, or JIESU_REAL_DATA)"
    absent = [str(p) for p in (LIUYAN_FILE, TELECOM_FILE) if not (root / p).is_file()]
    return f"real development set files missing in {root}: {', '.join(absent)}" if absent else None


def _root() -> Path:
    reason = missing_reason()
    if reason:
        raise RealDataMissing(reason)
    return real_data_dir()


@lru_cache(maxsize=1)
def _liuyan_all() -> pd.DataFrame:
    frame = pd.read_excel(_root() / LIUYAN_FILE, sheet_name=LIUYAN_SHEET)
    return frame.rename(
        columns={"留言": "text", "问题领域": "label", "问题类型": "request_type", "情感类别": "sentiment"}
    )


def liuyan(*, min_class_rows: int = MIN_CLASS_ROWS) -> pd.DataFrame:
    """Labelled 留言板 messages: ``text``, ``label`` (问题领域), ``request_type``, ``sentiment``.

    Rows without a domain are dropped, and so are domains with fewer than ``min_class_rows`` rows
    (ministry names that label a handful of messages each): 9,449 rows in 13 classes by default.
    The row order of the file is kept (``row`` = 0-based row of the sheet's data).
    """
    frame = _liuyan_all().reset_index(names="row")
    frame = frame.loc[frame["label"].notna()]
    counts = frame["label"].value_counts()
    frame = frame.loc[frame["label"].isin(counts.index[counts >= min_class_rows])]
    return frame[["row", "text", "label", "request_type", "sentiment"]].reset_index(drop=True)


def liuyan_sample(n: int = 500, *, seed: int = 0) -> pd.DataFrame:
    """A seeded random sample of ``n`` rows of :func:`liuyan` (the small-export case)."""
    return liuyan().sample(n=n, random_state=seed).reset_index(drop=True)


@lru_cache(maxsize=1)
def _telecom() -> pd.DataFrame:
    return pd.read_csv(
        _root() / TELECOM_FILE,
        sep="\t",
        header=None,
        names=["text", "label"],
        quoting=csv.QUOTE_NONE,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8",
    )


def telecom() -> pd.DataFrame:
    """The 2,400 telecom work orders: ``text``, ``label`` (8 classes × 300)."""
    return _telecom().copy()


def telecom_sample(n: int = 500, *, seed: int = 0) -> pd.DataFrame:
    """A seeded random sample of ``n`` rows of :func:`telecom` (a small export of work orders)."""
    return telecom().sample(n=n, random_state=seed).reset_index(drop=True)


def stopword_lists() -> dict[str, frozenset[str]]:
    """The four goto456 stopword lists by name (``cn``, ``hit``, ``baidu``, ``scu``)."""
    folder = _root() / "stopwords_goto456"
    out = {}
    for name, file in STOPWORD_FILES.items():
        words = (folder / file).read_text(encoding="utf-8").splitlines()
        out[name] = frozenset(w.strip() for w in words if w.strip())
    return out
