"""Deterministic bytes of the raw files: the same tables always give the same CSV and XLSX bytes.

CSV: pandas with ``\\n`` line ends in the requested encoding.  XLSX: openpyxl's write-only workbook,
then re-zipped with fixed document times and zip entry dates (openpyxl stamps the current time).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from jiesu.storage import write_bytes, write_json

FIXED_ZIP_TIME = (2020, 9, 30, 0, 0, 0)
FIXED_XLSX_TIME = datetime(2020, 9, 30, 0, 0, 0)
CREATOR = "jiesu simulate"


def csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8") -> bytes:
    """``frame`` as CSV without the index (``utf-8-sig`` gives a BOM, ``gb18030`` a legacy export)."""
    return frame.to_csv(index=False, lineterminator="\n").encode(encoding)


def _cell(v):
    """A cell value openpyxl accepts: None for missing values, Python scalars for numpy ones."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return v.item() if isinstance(v, np.generic) else v


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX with one sheet per item (header row + rows), with fixed times so the same data gives the
    same bytes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.created = FIXED_XLSX_TIME
    wb.properties.modified = FIXED_XLSX_TIME
    wb.properties.creator = CREATOR
    for name, frame in sheets.items():
        ws = wb.create_sheet(name[:31])
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The zip ``data`` re-written in name order with fixed entry dates and document times."""
    stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), body
                )
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME),
                body,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def write_world_files(out: Path, files: dict[str, Callable[[], bytes]], truth: dict) -> None:
    """Write every file of ``files`` (name → bytes maker) into ``out``, atomically one by one, then
    ``planted_truth.json`` last: its presence means the world is complete."""
    out.mkdir(parents=True, exist_ok=True)
    for name, make in files.items():
        write_bytes(out / name, make())
    write_json(out / "planted_truth.json", truth)
