"""The published folder of one report and the files in it (see :mod:`jiesu.report.render`)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from jiesu.errors import JiesuError

REPORT_HTML = "report.html"


STAMP_FILE = "stamp.json"


KEY_FIGURES_FILE = "key_figures.json"


class ReportError(JiesuError):
    """A report could not be rendered; the last good report (if any) is untouched."""


def report_dir(out_dir: str | os.PathLike, community: str, month: str) -> Path:
    """``<out_dir>/<community>/<YYYY-MM>``."""
    return Path(out_dir) / _slug(community) / month


def failed_notebook_path(out_dir: str | os.PathLike, community: str, month: str) -> Path:
    """Where the executed notebook of a failed run is kept: ``<out_dir>/<community>/<YYYY-MM>.failed.ipynb``."""
    return Path(out_dir) / _slug(community) / f"{month}.failed.ipynb"


def read_stamp(folder: str | os.PathLike) -> dict | None:
    where = Path(folder) / STAMP_FILE
    try:
        return json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(folder: str | os.PathLike, stamp: dict, *, page: str = REPORT_HTML) -> bool:
    """Whether the published folder is complete (its ``page`` present) and was made from ``stamp``."""
    return (Path(folder) / page).is_file() and read_stamp(folder) == stamp


def _slug(name: str) -> str:
    return re.sub(r"[^\w\-]+", "_", name, flags=re.UNICODE).strip("_") or "table"
